include:
  - alsonosuch
  - {other: x}
inc_id:
  test.nop
