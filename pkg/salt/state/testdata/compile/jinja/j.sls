{% set role = salt['grains.get']('role', 'none') %}
{% for f in ['a', 'b'] %}
file_{{ f }}:
  file.managed:
    - name: /tmp/{{ f }}.{{ role }}
    - contents: {{ pillar.get('greeting', 'hi') }} {{ grains['id'] }} {{ opts['id'] }} {{ saltenv }}
{% endfor %}
