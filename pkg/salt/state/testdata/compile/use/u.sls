base_file:
  file.managed:
    - name: /tmp/base
    - user: root
    - mode: '0644'
    - require:
      - test: other
other:
  test.nop:
    - listen_in:
      - service: svc
user_file:
  file.managed:
    - name: /tmp/user
    - mode: '0600'
    - use:
      - file: base_file
giver:
  file.managed:
    - name: /tmp/giver
    - group: adm
    - use_in:
      - file: user_file
svc:
  service.running:
    - name: sshd
