qb:
  test.succeed_with_changes
qa:
  test.succeed_without_changes:
    - prereq:
      - test: qb
qc:
  test.succeed_without_changes
qd:
  test.succeed_without_changes:
    - prereq:
      - test: qc
    - watch:
      - test: qb
pr:
  test.fail_without_changes:
    - parallel: True
    - retry:
        attempts: 2
        interval: 0
pw:
  test.succeed_without_changes:
    - parallel: True
    - watch:
      - test: qb
