include:
  - pkg.sub
top1_id:
  test.nop:
    - onchanges_in:
      - sls: pkg.sibling
