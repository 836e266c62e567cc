here:
  test.nop
extend:
  nothere:
    test:
      - x: 1
  here:
    test:
      - y: 2
