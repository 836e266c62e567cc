db:
  backup:
    schedule: '0 3 * * *'
    keep: {{ 7 * 2 }}
