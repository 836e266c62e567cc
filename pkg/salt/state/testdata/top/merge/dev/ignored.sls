ignored:
  test.nop
