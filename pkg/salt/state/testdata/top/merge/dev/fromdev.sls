fromdev:
  test.nop
