{% set match = grains['os']|regex_search('^(Deb)(ian)$') %}
debian:
  codename: {{ grains.get('oscodename', 'unknown') }}
  release: {{ salt['grains.get']('osrelease') }}
  prefix: {{ match[0] if match else 'none' }}
  nested: {{ salt['grains.get']('roles:0', 'norole') }}
