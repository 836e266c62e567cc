pa:
  test.succeed_with_changes:
    - prereq:
      - test: pb
pb:
  test.succeed_with_changes
pc:
  test.succeed_with_changes:
    - prereq:
      - test: pd
pd:
  test.succeed_without_changes
w1:
  test.succeed_without_changes:
    - watch:
      - test: pb
w2:
  test.succeed_with_changes:
    - watch:
      - test: pb
w3:
  test.succeed_without_changes:
    - watch:
      - test: pd
ra:
  test.succeed_without_changes:
    - require_any:
      - test: nope1
      - test: pd
rb:
  test.fail_without_changes:
    - name: rbn
rc:
  test.succeed_without_changes:
    - require_any:
      - test: rb
      - test: pd
rd:
  test.succeed_without_changes:
    - require_any:
      - test: rb
oa:
  test.succeed_without_changes:
    - onchanges_any:
      - test: pd
      - test: pb
ob:
  test.succeed_without_changes:
    - onchanges:
      - test: pd
      - test: pb
oc:
  test.succeed_without_changes:
    - onfail_any:
      - test: rb
      - test: pd
od:
  test.succeed_without_changes:
    - onfail_all:
      - test: rb
      - test: pd
oe:
  test.succeed_without_changes:
    - onfail:
      - test: rb
      - test: pd
of:
  test.succeed_without_changes:
    - require:
      - rbn
      - sls: r1x
