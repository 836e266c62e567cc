#!yaml
apache:
  ssl:
    enabled: true
    protocols: [TLSv1.2, TLSv1.3]
  port: 443
