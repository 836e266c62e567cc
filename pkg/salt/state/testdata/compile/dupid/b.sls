same:
  test.nop:
    - x: 2
other:
  test.nop
