{% set root = pillar['stateroot'] %}
broken:
  cmd.run:
    - name: exit 3

after_broken:
  cmd.run:
    - name: touch {{ root }}/after_broken
    - require:
      - cmd: broken

rescue:
  cmd.run:
    - name: touch {{ root }}/rescued
    - onfail:
      - cmd: broken
