include:
  - base
extend:
  svc:
    service:
      - require:
        - file: cfg
      - dead
  nginx_pkg:
    pkg:
      - name: only-nginx
  cfg:
    file.managed:
      - mode: '0600'
      - user: www
