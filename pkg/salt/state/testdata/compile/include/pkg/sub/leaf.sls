include:
  - pkg.gone
leaf_id:
  test.nop:
    - name: {{ sls }}/{{ slspath }}/{{ tpldir }}
dropme:
  test.nop
