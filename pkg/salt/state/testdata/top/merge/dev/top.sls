dev:
  '*':
    - ignored
qa:
  '*':
    - alsoignored
