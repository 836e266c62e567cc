app:
  port: 8080
