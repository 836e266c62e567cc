ua:
  test.configurable_test_state:
    - changes: False
    - comment: from ua
ub:
  test.configurable_test_state:
    - use:
      - test: ua
li:
  test.succeed_without_changes:
    - listen:
      - test: lb
lb:
  test.succeed_with_changes
rt:
  test.fail_without_changes:
    - retry:
        attempts: 3
        interval: 1
pp1:
  cmd.run:
    - name: sleep 1; echo p1
    - parallel: True
pp2:
  cmd.run:
    - name: sleep 1; echo p2
    - parallel: True
pp3:
  test.nop:
    - require:
      - cmd: pp1
nf:
  test.nosuchfun
nm:
  nosuchmod.fun
