x1:
  test.succeed_without_changes:
    - prereq:
      - test: x2
x2:
  test.fail_with_changes
y1:
  test.succeed_with_changes:
    - check_cmd:
      - 'false'
y2:
  test.nop:
    - onlyif:
      - fun: test.true
y3:
  test.nop:
    - onlyif:
      - fun: test.false
y4:
  test.nop:
    - unless:
      - 'false'
    - onlyif:
      - 'true'
y5:
  test.succeed_without_changes:
    - retry:
        until: False
        attempts: 2
        interval: 0
l1:
  test.nop:
    - listen:
      - test: nosuch
o1:
  test.succeed_without_changes:
    - onchanges:
      - test: o2
o2:
  test.succeed_with_changes
