"""Writes highstate_outputs.json: state returns and what Salt 3006.3's highstate
outputter (salt/output/highstate.py) prints for them under several opts, for
highstate_test.go. Run with the Python that runs Salt 3006.3 from source:

    PYTHONPATH=SALT_SRC:SHIMS /usr/bin/python3 highstate_outputs.py > highstate_outputs.json

Each case is one minion's return as the salt command displays it:
salt.output.out_format({minion: ret}, "highstate", opts) with opts the minion
config defaults (state_output full, state_verbose True, state_output_profile
True) updated with the case's opts. The text is out_format's, before
display_output strips trailing white space.
"""
import copy
import json
import sys

import salt.config
import salt.output
import salt.version


def st(tag, run, result, comment, changes=None, name=None, start="04:51:02.123456", dur=1.25, **extra):
    mod, sid, sname, fun = tag.split("_|-")
    d = {
        "name": name if name is not None else sname,
        "changes": changes if changes is not None else {},
        "result": result,
        "comment": comment,
        "__sls__": "web",
        "__run_num__": run,
        "start_time": start,
        "duration": dur,
        "__id__": sid,
    }
    d.update(extra)
    return tag, d


DIFF = "--- \n+++ \n@@ -1 +1,2 @@\n old\n+new line\n"
MIXED = dict([
    st("file_|-/etc/motd_|-/etc/motd_|-managed", 0, True, "File /etc/motd updated",
       {"diff": DIFF, "mode": "0644"}),
    st("test_|-quiet_|-quiet_|-succeed_without_changes", 1, True, "Success!", dur=0.301),
    st("cmd_|-fails_|-false_|-run", 2, False, 'Command "false" run',
       {"pid": 4242, "retcode": 1, "stderr": "", "stdout": ""}, dur=7.0),
    st("cmd_|-after_|-echo after_|-run", 3, False,
       "One or more requisite failed: web.fails", dur=0.0, start="04:51:02.200000"),
    st("file_|-/srv/www_|-/srv/www_|-directory", 4, None,
       "The following files will be changed:\n/srv/www: directory - new", {"/srv/www": {"directory": "new"}}),
    st("test_|-multi_|-multi_|-configurable_test_state", 5, True,
       "line one\nline two\n  indented\n", {"testing": {"old": "Unchanged", "new": "Something pretended to change"}}),
    st("pkg_|-tree_|-tree_|-installed", 6, True, "All specified packages are already installed", dur=1234.567),
    st("service_|-nginx_|-nginx_|-running", 7, True, "Service nginx is already enabled, and is running",
       {"nginx": True}, warnings=["'enable' is deprecated here; a long warning text that goes on and on so that it has to wrap at eighty columns"]),
])
ALLGOOD = dict([
    st("test_|-a_|-a_|-nop", 0, True, "Success!", dur=0.5),
    st("test_|-b_|-b_|-nop", 1, True, "Success!", dur=0.25),
])
IDNAMES = dict([
    st("cmd_|-cmds_|-true_|-run", 0, True, 'Command "true" run', {"pid": 1, "retcode": 0, "stderr": "", "stdout": ""}),
    st("cmd_|-cmds_|-/bin/false_|-run", 1, False, 'Command "/bin/false" run', {"pid": 2, "retcode": 1, "stderr": "", "stdout": ""}),
])
NESTEDCH = dict([
    st("module_|-m_|-m_|-run", 0, True, "test.echo: Success",
       {"ret": {"list": [1, "two", {"k": None}], "empty": {}, "text": "a\nb", "float": 1.5, "b": False}}),
])

CASES = []
for o in [{}, {"state_output": "terse"}, {"state_output": "mixed"}, {"state_output": "changes"},
          {"state_output": "full_id"}, {"state_output": "mixed_id"}, {"state_output": "changes_id"},
          {"state_output": "terse_id"}, {"state_verbose": False}, {"state_output": "Mixed", "state_verbose": False},
          {"color": True}, {"color": True, "state_output": "mixed"}, {"state_output": "bogus"}]:
    CASES.append((o, {"web1": MIXED}))
for o in [{}, {"state_verbose": False}, {"state_output": "terse"}, {"color": True}]:
    CASES.append((o, {"web2": ALLGOOD}))
for o in [{}, {"state_output": "full_id"}, {"state_output": "terse_id"}]:
    CASES.append((o, {"web3": IDNAMES}))
CASES.append(({}, {"web4": NESTEDCH}))
CASES.append(({"color": True}, {"web4": NESTEDCH}))
ERRS = ["Rendering SLS 'base:web' failed: Jinja variable 'x' is undefined",
        "Specified SLS nope in saltenv base is not available on the salt master or through a configured fileserver"]
CASES.append(({}, {"web5": ERRS}))
CASES.append(({"color": True}, {"web5": ERRS}))
CASES.append(({}, {"web6": "The function \"state.apply\" is running as PID 1234 and was started at 2026, Dec 07 04:51:02.123456 with jid 20261207045102123456"}))
CASES.append(({}, {"web7": {}}))
CASES.append(({}, {"web8": 7}))
CASES.append(({}, {"web10": True, "web11": False, "web12": 1.5, "web13": None}))
CASES.append(({"color": True}, {"web10": True, "web12": [], "web14": ""}))
CASES.append(({}, {"web9": {"test_|-a_|-a_|-nop": {"name": "a", "changes": {}, "result": True, "comment": "", "__run_num__": 0, "__id__": "a", "__sls__": None}}}))
CASES.append(({"state_output_profile": False}, {"web1": MIXED}))

# A real run: salt_call_demo.json is Salt 3006.3's
#   salt-call --local -c CONF state.apply demo --out json
# of highstate_demo/demo.sls (file_roots: that directory, root_dir a temp
# directory), the out/motd path under /tmp/hsrun.
with open("salt_call_demo.json") as f:
    DEMO = json.load(f)
for o in [{}, {"state_output": "terse"}, {"state_output": "mixed_id"}, {"state_output": "changes"},
          {"state_verbose": False}, {"color": True}]:
    CASES.append((o, DEMO))

out = []
for o, value in CASES:
    opts = salt.config.minion_config(None)
    opts["color"] = False
    opts.update(o)
    text = salt.output.out_format(copy.deepcopy(value), "highstate", opts)
    out.append({"opts": o, "value": value, "text": text})
json.dump({"salt": salt.version.__version__, "python": sys.version.split()[0], "cases": out},
          sys.stdout, indent=1)
sys.stdout.write("\n")
