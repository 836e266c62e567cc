quiet:
  test.succeed_without_changes
loud:
  test.succeed_with_changes
broken:
  test.fail_without_changes:
    - comment: "it broke\nsecond line"
after-broken:
  test.nop:
    - require:
      - test: broken
cmds:
  cmd.run:
    - names:
      - "true"
      - "echo hi; false"
/tmp/hsrun/out/motd:
  file.managed:
    - contents: "hello\nworld\n"
    - makedirs: True
