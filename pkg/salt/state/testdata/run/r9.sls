la:
  test.succeed_with_changes:
    - listen_in:
      - test: lc
      - test: nosuch
lb:
  test.succeed_without_changes:
    - listen_in:
      - test: lc
lc:
  test.succeed_without_changes
