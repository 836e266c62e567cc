web_overrides:
  slspath: {{ slspath }}
  tpldir: {{ tpldir }}
  workers: {{ grains.get('num_cpus', 1) * 2 }}
