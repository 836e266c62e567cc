include:
  - .leaf
  - ..sibling
  - top1
exclude:
  - id: dropme
  - sls: pkg.gone
sub_id:
  cmd.run:
    - name: echo {{ sls }} {{ slspath }} {{ tpldir }} {{ tplfile }}
