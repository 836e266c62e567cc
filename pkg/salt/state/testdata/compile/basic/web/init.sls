include:
  - .conf
apache:
  service.running:
    - order: 5
    - watch:
      - file: /etc/apache.conf
first:
  test.nop:
    - order: first
last:
  test.nop:
    - order: last
extend:
  /etc/motd:
    file:
      - mode: '0600'
