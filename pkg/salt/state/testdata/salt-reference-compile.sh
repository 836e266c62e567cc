#!/bin/bash
# ref.sh CASE_DIR: run Salt 3006.3 on the case's tree (top.sls listing MODS for '*') and store its answers.
set -e
case=$(realpath "$1"); name=$(basename "$case"); w=/tmp/cmp13/run/$name
rm -rf "$w"; mkdir -p "$w/srv" "$w/root" "$w/conf" "$w/pillar"
cp -r "$case" "$w/srv/salt"; rm -f "$w/srv/salt/"*.json "$w/srv/salt/MODS"
{ echo "base:"; echo "  '*':"; for m in $(cat "$case/MODS"); do echo "    - $m"; done; } > "$w/srv/salt/top.sls"
cat > "$w/conf/minion" <<EOC
root_dir: $w/root
file_client: local
id: m1
file_roots:
  base:
    - $w/srv/salt
pillar_roots:
  base:
    - $w/pillar
EOC
[ -f "$case/OPTS.json" ] && python3 -c "import json,sys,yaml; print(yaml.safe_dump(json.load(open(sys.argv[1]))))" "$case/OPTS.json" >> "$w/conf/minion"
mods=$(tr ' ' ',' < "$case/MODS" | tr -d '\n')
/tmp/salt-reference/bin/salt-call --local -c "$w/conf" state.sls "$mods" test=True --out json 2>/dev/null > "$w/sls.json" || true
for f in show_highstate show_lowstate; do
  /tmp/salt-reference/bin/salt-call --local -c "$w/conf" state.$f --out json 2>/dev/null > "$w/$f.json" || true
done
python3 - "$w" "$case" <<'EOP'
import json,sys
w,case=sys.argv[1],sys.argv[2]
h=json.load(open(w+'/show_highstate.json'))['local']
try: l=json.load(open(w+'/show_lowstate.json'))['local']
except Exception: l=json.load(open(w+'/sls.json'))['local']
def dump(name,v): json.dump(v,open(case+'/'+name,'w'),indent=1)
if isinstance(h,list): dump('errors.json',h)
else:
  dump('high.json',h)
  if l and isinstance(l[0],str): dump('compile_errors.json',l)
  else: dump('low.json',l)
EOP
ls "$case"
