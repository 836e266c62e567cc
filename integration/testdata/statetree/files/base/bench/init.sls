{# The 50 states of the state.apply figures: 10 file.directory, 15
   file.managed from a Jinja template, 10 cmd.run with creates and 15
   test states, under stateroot/<minion id>. #}
{% set root = pillar['stateroot'] ~ '/' ~ grains['id'] %}
{% for i in range(10) %}
bench_dir_{{ i }}:
  file.directory:
    - name: {{ root }}/d{{ i }}
    - makedirs: True
{% endfor %}
{% for i in range(15) %}
bench_file_{{ i }}:
  file.managed:
    - name: {{ root }}/d{{ i % 10 }}/f{{ i }}.conf
    - source: salt://bench/file.jinja
    - template: jinja
    - context:
        n: {{ i }}
    - require:
      - file: bench_dir_{{ i % 10 }}
{% endfor %}
{% for i in range(10) %}
bench_cmd_{{ i }}:
  cmd.run:
    - name: touch {{ root }}/d{{ i }}/done
    - creates: {{ root }}/d{{ i }}/done
    - require:
      - file: bench_dir_{{ i }}
{% endfor %}
{% for i in range(15) %}
bench_test_{{ i }}:
  test.succeed_without_changes: []
{% endfor %}
