{% set root = pillar['stateroot'] %}
site_dir:
  file.directory:
    - name: {{ root }}/site

site_conf:
  file.managed:
    - name: {{ root }}/site/app.conf
    - source: salt://site/app.conf.jinja
    - template: jinja
    - require:
      - file: site_dir

site_reload:
  cmd.wait:
    - name: echo reloaded >> {{ root }}/reloads
    - watch:
      - file: site_conf

site_init:
  cmd.run:
    - name: touch {{ root }}/site/initialized
    - creates: {{ root }}/site/initialized
    - require:
      - file: site_dir
