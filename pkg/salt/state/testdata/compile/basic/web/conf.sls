/etc/apache.conf:
  file.managed:
    - source: salt://web/apache.conf
    - require_in:
      - service: apache
    - watch_in:
      - cmd: both
