notlist:
  test.nop:
    - require: foo
dotted:
  test.nop:
    - require:
      - test.nop: notlist
trailing:
  test.nop:
toomany:
  test.nop:
    - succeed_without_changes
nofun:
  test:
    - x: 1
spacey:
  test:
    - nop now
badnames:
  test.nop:
    - names: foo
illegal:
  test.nop:
    - watch:
      - test: [a, b]
