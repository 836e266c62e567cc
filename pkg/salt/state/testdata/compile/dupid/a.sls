same:
  test.nop:
    - x: 1
other:
  test.nop
