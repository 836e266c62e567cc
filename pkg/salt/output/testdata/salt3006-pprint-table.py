"""What Salt 3006.3's pprint and table outputters print for the cases of
salt3006-pprint-table.json (pprint_out.py and table_out.py, run from the
Salt source in /tmp/salt-reference, Python 3.11); run from this directory:
    python3 salt3006-pprint-table.py
"""
import json, sys, pprint
CASES = [
 {"m1": True},
 {"m1": {"os": "Debian", "id": "m1"}},
 {"m1": {"a"*30: "b"*30, "c"*10: ["x"*20, "y"*20, {"k": "v"*40}], "num": 12345}},
 {"m1": "word " * 40},
 "word " * 40,
 "line one\nline two " + "z"*90 + "\nthree",
 {"m1": {"pkgs": ["pkg%d" % i for i in range(30)], "nested": {"deep": {"deeper": ["q"*30, "r"*30, "s"*30]}}}},
 {"m1": [{"name": "eth0", "ip_addr": "10.0.0.1", "mtu": 1500}, {"name": "lo", "ip_addr": "127.0.0.1", "mtu": 65536}]},
 {"m1": {"interfaces": ["eth0", "lo", "a long interface name that goes on and on past fifty columns wide yes"]}},
 {"m1": [["a", "bb"], ["ccc", "d"]]},
 {"m1": {"x": None, "y": False, "z": 1.5, "e": [], "f": {}}},
]

sys.path.insert(0, "/tmp/salt-reference/src"); sys.path.insert(0, "/tmp/salt-reference/shims")
import salt.output.table_out as t
import salt.output.pprint_out as p
t.__opts__ = {"color": False}
p.__opts__ = {}
cases = CASES
rec = []
for c in cases:
    rec.append({"data": c, "pprint": p.output(c), "table": t.output(c)})
p.__opts__ = {"output_indent": 4}
rec.append({"data": cases[6], "indent": 4, "pprint": p.output(cases[6]), "table": t.output(cases[6])})
t.__opts__ = {"color": True}
rec.append({"data": cases[7], "color": True, "pprint": pprint.pformat(cases[7]), "table": t.output(cases[7])})
json.dump({"cases": rec}, open("salt3006-pprint-table.json", "w"), indent=1)
