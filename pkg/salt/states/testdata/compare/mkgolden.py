# Writes a golden file: the scenarios and Salt 3006.3's rows for them.
import json, subprocess, sys, os, shutil
src, dst = sys.argv[1], sys.argv[2]
scen = json.load(open(src))
out = {"setup": scen.get("setup", ""), "files": scen.get("files", {}), "opts": scen.get("opts", {}), "states": scen["states"], "salt": {}}
for mode in ("run", "test"):
    r = subprocess.run(["python3", "/tmp/cmp/cmp.py", src] + (["test"] if mode == "test" else []), env=dict(os.environ, SHOW="1"), capture_output=True, text=True, check=True)
    lines = r.stdout.strip().split("\n")
    print(mode, [l for l in lines if "differ" in l or l.startswith("DIFF")][:3])
    rows = lines[-len(scen["states"]):]
    out["salt"][mode] = [json.loads(l) for l in rows]
json.dump(out, open(dst, "w"), indent=1)
# Tracebacks name Salt's source lines; keep only their last line.
d = json.load(open(dst))
for m in d["salt"]:
    for r in d["salt"][m]:
        c = r["comment"]
        if c.startswith("An exception occurred in this state: Traceback"):
            r["comment"] = "An exception occurred in this state: Traceback (most recent call last):\n...\n" + c.strip().split("\n")[-1] + "\n"
json.dump(d, open(dst, "w"), indent=1)
