f1:
  test.succeed_with_changes
f2:
  test.fail_without_changes:
    - failhard: True
f3:
  test.succeed_with_changes
