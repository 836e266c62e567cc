base:
  '*':
    - good
    - badjinja
    - badyaml
    - notdict
    - badinclude
