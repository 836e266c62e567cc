sib:
  test.succeed_without_changes:
    - require_in:
      - sub_id
    - watch_in:
        cmd: sub_id
