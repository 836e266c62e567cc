p1:
  test.succeed_with_changes:
    - prereq:
      - test: p2
p2:
  test.fail_without_changes
h1:
  test.succeed_without_changes:
    - require:
      - test: h2
h2:
  test.fail_without_changes:
    - failhard: True
h3:
  test.succeed_without_changes
