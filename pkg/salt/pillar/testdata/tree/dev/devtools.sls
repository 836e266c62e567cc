devtools:
  debug: {{ saltenv == 'dev' }}
  sls: {{ sls }}
  tplfile: {{ tplfile }}
