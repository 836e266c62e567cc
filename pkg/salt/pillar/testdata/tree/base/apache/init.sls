{% from 'apache/map.jinja' import apache, modules, lookup with context %}
include:
  - .ssl
apache:
  server: {{ apache.server }}
  confdir: {{ apache.confdir }}
  port: {{ apache.port }}
  modules: {{ modules|json }}
  flow: {{ {'b': 1, 'a': [1, 2]}|yaml }}
  lookup_x: {{ lookup.x }}
