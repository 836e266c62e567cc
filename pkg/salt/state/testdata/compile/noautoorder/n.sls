zed:
  test.nop
alpha:
  test.nop
mid:
  cmd.run:
    - name: true
    - order: 3
