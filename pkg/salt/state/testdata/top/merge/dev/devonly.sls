devonly:
  test.nop
