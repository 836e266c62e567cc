t1:
  test.succeed_with_changes:
    - retry:
        attempts: 3
        interval: 2
t2:
  test.succeed_without_changes:
    - onchanges:
      - test: t1
t3:
  cmd.wait:
    - name: echo x
    - watch:
      - test: t1
t4:
  test.fail_without_changes
t5:
  test.nop:
    - require:
      - test: t4
t6:
  test.succeed_with_changes:
    - prereq:
      - test: t1
