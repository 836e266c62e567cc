import json, subprocess, sys, os, shutil
# scenarios: list of (fun, name, args); D replaced by the run's dir
scen = json.load(open(sys.argv[1]))
test = len(sys.argv) > 2 and sys.argv[2] == "test"
setup = scen.get("setup", "")
states = scen["states"]
def prep(D):
    shutil.rmtree(D, ignore_errors=True); os.makedirs(D)
    subprocess.run(["sh", "-c", setup], check=True, env=dict(os.environ, D=D))
def sub(x, D):
    return json.loads(json.dumps(x).replace("@D", D))
# salt
D = "/tmp/cmp/S"; prep(D)
R = "/tmp/cmp/sroot"; os.makedirs(R + "/conf", exist_ok=True); os.makedirs(R + "/files", exist_ok=True)
conf = "root_dir: %s\nfile_client: local\nfile_roots:\n  base: [%s/files]\nstate_output: full\n" % (R, R)
for k, v in scen.get("opts", {}).items():
    conf += "%s: %s\n" % (k, json.dumps(sub(v, D)))
open(R + "/conf/minion", "w").write(conf)
for rel, text in scen.get("files", {}).items():
    p = os.path.join(R, "files", rel); os.makedirs(os.path.dirname(p), exist_ok=True); open(p, "w").write(text)
sls = {}
for i, (fun, name, args) in enumerate(states):
    mod, f = fun.split(".")
    sls["s%02d" % i] = {mod: [f, {"name": sub(name, D)}] + [{k: sub(v, D)} for k, v in args.items()]}
json.dump(sls, open(R + "/files/cmp.sls", "w"))
cmd = ["/tmp/salt-reference/bin/salt-call", "--local", "-c", R + "/conf", "--out", "json", "-l", "quiet", "state.apply", "cmp"]
if test: cmd.append("test=True")
out = json.loads(subprocess.run(cmd, capture_output=True, text=True).stdout)["local"]
srows = [None] * len(states)
for k, v in out.items():
    i = int(v["__id__"][1:])
    srows[i] = json.dumps({"result": v["result"], "comment": v["comment"], "changes": v["changes"]}).replace(D, "@D")
# go
D = "/tmp/cmp/G"; prep(D)
with open("/tmp/cmp/in.jsonl", "w") as f:
    for fun, name, args in states:
        f.write(json.dumps({"Fun": fun, "Name": sub(name, D), "Args": sub(args, D), "Test": test}) + "\n")
subprocess.run(["/tmp/cmp/st.test", "-test.run", "TestZZCompare"], env=dict(os.environ, CMP_IN="/tmp/cmp/in.jsonl", CMP_OUT="/tmp/cmp/out.jsonl", CMP_OPTS=json.dumps(sub(scen.get("opts", {}), D))), check=True, capture_output=True)
grows = [json.dumps(json.loads(l)).replace(D, "@D") for l in open("/tmp/cmp/out.jsonl")]
bad = 0
for i, (s, g) in enumerate(zip(srows, grows)):
    if s != g:
        bad += 1
        print("DIFF s%02d %s %s\n  salt: %s\n  go:   %s" % (i, states[i][0], states[i][1], s, g))
print("%d/%d differ" % (bad, len(states)))
if os.environ.get("SHOW"): print("\n".join(srows))
