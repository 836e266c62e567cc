svc:
  service.running:
    - name: nginx
    - require:
      - pkg: nginx_pkg
nginx_pkg:
  pkg.installed:
    - names:
      - nginx
      - nginx-extras
cfg:
  file.managed:
    - name: /etc/nginx.conf
    - mode: '0644'
