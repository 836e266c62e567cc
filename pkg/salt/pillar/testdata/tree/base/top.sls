base:
  '*':
    - common
  'web*':
    - apache
  'os_family:Debian':
    - match: grain
    - debian
  'G@role:db and not web*':
    - match: compound
    - db
  'dbs':
    - match: nodegroup
    - db.backup
  'db*':
    - missing
