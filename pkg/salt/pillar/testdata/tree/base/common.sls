include:
  - users
{% set greeting = 'hello ' ~ grains['id'] %}
common:
  ntp: pool.ntp.org
  servers: [a, b, a]
  unique_servers: {{ ['a', 'b', 'a']|unique|list|json }}
  motd: {{ greeting|yaml_encode }}
  id_upper: {{ grains.get('id')|upper }}
  enabled: {{ 'yes'|to_bool }}
  region: {{ salt['pillar.get']('nothere:region', 'eu-west') }}
users:
  alice:
    uid: 1001
