gone_id:
  test.nop
