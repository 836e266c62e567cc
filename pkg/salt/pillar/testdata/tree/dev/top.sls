dev:
  '*':
    - devtools
  'web*':
    - web.overrides
