deb:
  test.nop
