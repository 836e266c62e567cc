neg:
  test.nop:
    - order: -1
late:
  test.nop:
    - order: 20000
named:
  test.nop:
    - names:
      - b
      - a:
        - order: 3
    - order: 2
strorder:
  test.nop:
    - order: nonsense
pre:
  test.nop:
    - prereq:
      - test: late
prein:
  test.nop:
    - prereq_in:
      - test: neg
plain:
  test.nop
