#!/usr/bin/env bash
# The main job: a master and three minions on loopback, each in its own
# root_dir under one temp dir, keys accepted, jobs run, returns shown;
# pillar compiled on the master and a template fetched and rendered; runners,
# batches, nodegroups, the event bus, a reactor and salt-call.
set -euo pipefail
bin=$(cd "${1:-bin}" && pwd)
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

top=$(mktemp -d /tmp/saltraet-demo.XXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$top"
}
trap cleanup EXIT

# A free UDP port on loopback.
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

mport=$(port)
aport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
mkdir -p "$top/master/etc/salt"
srv="$top/master/srv"
mkdir -p "$srv/salt/motd" "$srv/pillar"
cat > "$srv/salt/motd.jinja" <<'SLS'
Welcome to {{ grains['id'] }}, a {{ pillar.get('role', 'server') }} served over RAET.
SLS
cat > "$srv/salt/motd/init.sls" <<'SLS'
motd:
  file.managed:
    - name: {{ opts['root_dir'] }}/etc/motd
    - source: salt://motd.jinja
    - template: jinja
    - makedirs: True

motd-changed:
  cmd.wait:
    - name: echo "motd of {{ grains['id'] }} changed"
    - watch:
      - file: motd
SLS
cat > "$srv/pillar/top.sls" <<'SLS'
base:
  '*':
    - common
  'web*':
    - web
  'G@os_family:Debian and db*':
    - db
SLS
cat > "$srv/pillar/common.sls" <<'SLS'
ntp_servers: [0.pool.ntp.org, 1.pool.ntp.org]
SLS
cat > "$srv/pillar/web.sls" <<'SLS'
role: web
nginx:
  workers: {{ grains['num_cpus'] * 2 }}
SLS
cat > "$srv/pillar/db.sls" <<'SLS'
role: db
SLS
mkdir -p "$srv/reactor"
cat > "$srv/reactor/deploy.sls" <<'SLS'
# An event a minion sends (event.send) runs a job on the minion that sent it.
deploy-marker:
  local.file.touch:
    - tgt: {{ data['id'] }}
    - args:
      - name: {{ data['data']['marker'] }}
SLS
cat > "$top/master/etc/salt/master" <<CONF
transport: raet
root_dir: $top/master
id: saltmaster
interface: 127.0.0.1
raet_port: $mport
auto_accept: true
file_roots:
  base: [$srv/salt]
pillar_roots:
  base: [$srv/pillar]
nodegroups:
  web: 'web*'
  all: 'N@web or L@db1'
reactor:
  - 'salt/custom/deploy':
    - $srv/reactor/deploy.sls
# salt-api-raet and salt-raet -a: who may do what (external_auth, Salt's ACLs).
external_auth:
  auto:
    ops: ['.*', '@runner', '@wheel', '@jobs']
    dev: ['test.*']
netapi_enable_clients: [local, local_async, runner, wheel]
rest_cherrypy:
  host: 127.0.0.1
  port: $aport
  disable_ssl: True
CONF
echo "master: root_dir $top/master, UDP 127.0.0.1:$mport; salt-api http://127.0.0.1:$aport"
"$bin/salt-master-raet" -c "$top/master/etc/salt" -l warning > "$top/master.log" 2>&1 &
pids+=($!)

for id in web1 web2 db1; do
    mkdir -p "$top/$id/etc/salt"
    p=$(port)
    cat > "$top/$id/etc/salt/minion" <<CONF
transport: raet
root_dir: $top/$id
id: $id
interface: 127.0.0.1
raet_port: $p
master: 127.0.0.1
master_port: $mport
CONF
    echo "minion $id: root_dir $top/$id, UDP 127.0.0.1:$p"
    "$bin/salt-minion-raet" -c "$top/$id/etc/salt" -l warning > "$top/$id.log" 2>&1 &
    pids+=($!)
done

salt() { "$bin/salt-raet" -c "$top/master/etc/salt" "$@"; }
key() { "$bin/salt-key-raet" -c "$top/master/etc/salt" "$@"; }

# Wait (up to 60 s) until all three have joined and answer.
for _ in $(seq 120); do
    out=$(salt '*' test.ping --out json --static -t 2 2>/dev/null || true)
    if [[ $out == *'"web1": true'* && $out == *'"web2": true'* && $out == *'"db1": true'* ]]; then break; fi
    sleep 0.5
done

say salt-key-raet -L
key -L
say "salt-raet '*' test.ping"
salt '*' test.ping
say "salt-raet '*' cmd.run 'uname -a'"
salt '*' cmd.run 'uname -a'
say "salt-raet -L web1,db1 test.arg 1 two k=v --out json"
salt -L web1,db1 test.arg 1 two k=v --out json
say "salt-raet '*' pillar.items    # compiled on the master from pillar_roots, each minion its own"
salt '*' pillar.items
say "salt-raet -I role:web test.ping    # targeted by pillar"
salt -I role:web test.ping
say "salt-raet 'web*' state.apply motd    # a file from a Jinja template, and a cmd.wait that watches it"
salt 'web*' state.apply motd || true
say "salt-raet web1 state.apply motd    # again: nothing changes, nothing runs"
salt web1 state.apply motd --state-output=terse || true
say "salt-raet web1 cp.get_template salt://motd.jinja $top/web1/motd    # fetched and rendered with Jinja"
salt web1 cp.get_template salt://motd.jinja "$top/web1/motd"
cat "$top/web1/motd"
say "salt-raet db1 file.write $top/db1/notes 'one' 'two', then file.replace and file.read    # the file module"
salt db1 file.write "$top/db1/notes" one two
salt db1 file.replace "$top/db1/notes" pattern=two repl=three
salt db1 file.read "$top/db1/notes"
say "salt-raet '*' network.ip_addrs, status.loadavg, pkg.version bash    # the host as Salt reports it"
salt '*' network.ip_addrs --out json --static
salt web1 status.loadavg
salt web1 pkg.version bash
say "salt-raet web1 grains.setval deploy blue, then salt-raet -G deploy:blue test.ping    # grains persisted"
salt web1 grains.setval deploy blue
salt -G deploy:blue test.ping
say "salt-raet web2 sys.doc test.echo    # printed as Salt's CLI prints docs"
salt web2 sys.doc test.echo
say "salt-raet --async web2 test.sleep 60; saltutil.running; saltutil.kill_job <jid>    # each job its own process"
jid=$(salt --async web2 test.sleep 60 | awk '{print $NF}')
for _ in $(seq 40); do
    running=$(salt web2 saltutil.running --out json --static 2>/dev/null || true)
    [[ $running == *"$jid"* ]] && break
    sleep 0.25
done
salt web2 saltutil.running
salt web2 saltutil.kill_job "$jid"
salt web2 test.ping
run() { "$bin/salt-run-raet" -c "$top/master/etc/salt" "$@"; }
say "salt-raet --async '*' test.echo hello; salt-run-raet jobs.lookup_jid <jid>; jobs.list_jobs    # the job cache, read back"
jid=$(salt --async '*' test.echo hello | awk '{print $NF}')
for _ in $(seq 40); do
    out=$(run jobs.lookup_jid "$jid" --out json 2>/dev/null || true)
    [[ $out == *'"web1"'* && $out == *'"web2"'* && $out == *'"db1"'* ]] && break
    sleep 0.25
done
run jobs.lookup_jid "$jid"
run jobs.list_jobs search_function=test.echo
say "salt-run-raet manage.status    # runners, in salt-run's own process"
run manage.status
say "salt-raet -b 1 -N web test.ping    # a nodegroup, one minion at a time"
salt -b 1 -N web test.ping
say "salt-raet -L web1,ghost test.ping --summary    # ghost has no key: reported, exit 1"
salt -L web1,ghost test.ping --summary || echo "(exit $?)"
say "salt-raet 'db1' test.ping,test.echo , hello    # a compound function"
salt db1 test.ping,test.echo , hello
say "salt-run-raet state.event count=2 tagmatch='salt/job/*/ret/*' while salt-raet -N all test.ping runs    # the event bus"
run state.event count=2 tagmatch='salt/job/*/ret/*' > "$top/events.txt" &
evpid=$!
for _ in $(seq 40); do salt -N all test.ping >/dev/null 2>&1 || true; sleep 0.25; kill -0 $evpid 2>/dev/null || break; done
wait $evpid || true
cut -c1-160 "$top/events.txt"
say "salt-raet web2 event.send salt/custom/deploy marker=$top/web2/deployed    # the reactor touches the file on web2"
salt web2 event.send salt/custom/deploy marker="$top/web2/deployed"
for _ in $(seq 40); do [[ -e $top/web2/deployed ]] && break; sleep 0.25; done
ls -l "$top/web2/deployed"
call() { "$bin/salt-call-raet" -c "$top/web1/etc/salt" "$@"; }
say "salt-call-raet pillar.get role    # on web1's host, through its minion, pillar from the master"
call pillar.get role
say "salt-call-raet --local test.ping    # masterless"
call --local test.ping
say "salt-raet -a auto --username dev --password x '*' cmd.run id    # eauth: dev may run test.* only"
salt -a auto --username dev --password x '*' cmd.run id || true
say "salt-raet -a auto --username dev --password x web1 test.echo allowed"
salt -a auto --username dev --password x web1 test.echo allowed
"$bin/salt-api-raet" -c "$top/master/etc/salt" -l warning > "$top/api.log" 2>&1 &
pids+=($!)
api=http://127.0.0.1:$aport
for _ in $(seq 100); do curl -s -o /dev/null "$api/" && break; sleep 0.1; done
say "curl $api/login -d username=ops -d password=x -d eauth=auto    # salt-api-raet: rest_cherrypy's API"
login=$(curl -sS "$api/login" -H 'Accept: application/json' -d username=ops -d password=x -d eauth=auto)
echo "$login"
tok=$(sed -n 's/.*"token": "\([0-9a-f]*\)".*/\1/p' <<<"$login")
say "curl $api/ -H 'X-Auth-Token: …' -d client=local -d tgt='*' -d fun=test.ping"
curl -sS "$api/" -H 'Accept: application/json' -H "X-Auth-Token: $tok" -d client=local -d tgt='*' -d fun=test.ping; echo
say "curl $api/ -H 'X-Auth-Token: …' -d client=wheel -d fun=key.list_all    # wheel, as pepper --client wheel calls it"
curl -sS "$api/" -H 'Accept: application/x-yaml' -H "X-Auth-Token: $tok" -d client=wheel -d fun=key.list_all
if command -v salt-pepper >/dev/null; then
    say "salt-pepper '*' test.ping    # Salt's own API client, Debian's salt-pepper"
    HOME=$top SALTAPI_URL=$api SALTAPI_USER=ops SALTAPI_PASS=x SALTAPI_EAUTH=auto salt-pepper '*' test.ping
fi
