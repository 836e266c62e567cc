include:
  - alsonosuch
  - {other: x}
  - ..toofar
inc_id:
  test.nop
