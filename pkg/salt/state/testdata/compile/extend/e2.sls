include:
  - base
extend:
  /etc/nginx.conf:
    file:
      - group: www
  svc:
    service:
      - require:
        - file: cfg
      - dead
