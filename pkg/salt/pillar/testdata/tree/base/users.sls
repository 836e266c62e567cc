users:
  alice:
    uid: 1000
    shell: /bin/bash
  bob:
    uid: 1002
