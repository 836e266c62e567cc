other:
  '*':
   - x
  bad: [
