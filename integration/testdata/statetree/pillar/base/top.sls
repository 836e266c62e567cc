base:
  '*':
    - app
    - root
