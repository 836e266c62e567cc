a:
  test.succeed_with_changes
b:
  test.fail_without_changes
c:
  test.succeed_without_changes:
    - require:
      - test: b
      - test: a
d:
  test.succeed_without_changes:
    - onchanges:
      - test: c
e:
  test.succeed_without_changes:
    - onfail:
      - test: b
f:
  test.succeed_without_changes:
    - onfail:
      - test: a
g:
  cmd.wait:
    - name: echo hi
    - watch:
      - test: a
h:
  test.nop:
    - onlyif: 'false'
i:
  test.nop:
    - unless: 'true'
j:
  test.nop:
    - creates: /etc/passwd
k:
  test.nop:
    - require:
      - test: nosuch
