/etc/motd:
  file.managed:
    - contents: hi {{ grains['id'] }}
    - mode: '0644'
pkgs:
  pkg.installed:
    - names:
      - curl
      - vim:
        - version: 2
short: test.nop
both:
  test.nop: []
  cmd.run:
    - name: echo {{ sls }} {{ slspath }} {{ tpldir }}
