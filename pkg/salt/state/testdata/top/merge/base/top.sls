base:
  '*':
    - common
  'm1':
    - web
    - {dev: devonly}
  'os:Debian':
    - match: grain
    - deb
  'nomatch':
    - missing
dev:
  'm*':
    - fromdev
