#!json
{"db": {"engine": "postgres", "port": 5432, "replicas": [1, 2]}}
