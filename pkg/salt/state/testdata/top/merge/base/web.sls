web:
  test.nop
