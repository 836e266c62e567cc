#!/usr/bin/env bash
# bench-api.sh -- issue 17's salt-api figures on our own stack: a master
# (auto_accept), N emulated minions and salt-api-raet on loopback, then
# salt-api-load: POST / test.ping one at a time to one minion and to all,
# and CLIENTS clients at once. A load tool, not a test (make bench-api).
#
#   scripts/bench-api.sh [BIN_DIR] [MINIONS] [CLIENTS]
#
# The same salt-api-load runs against real Salt's salt-api with -url.
set -euo pipefail
BIN=${1:-bin}; N=${2:-10}; CLIENTS=${3:-50}; ROUNDS=${ROUNDS:-100}; DURATION=${DURATION:-10s}
BIN=$(cd "$BIN" && pwd)
ROOT=$(mktemp -d /tmp/bench-api.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$ROOT"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + RANDOM % 20000)); }
RAET_PORT=$(free_port); API_PORT=$(free_port)
mkdir -p "$ROOT/etc"
cat > "$ROOT/etc/master" <<CONF
transport: raet
root_dir: $ROOT
id: benchmaster
interface: 127.0.0.1
raet_port: $RAET_PORT
auto_accept: True
log_level: warning
external_auth:
  auto:
    bench: ['.*', '@runner', '@wheel', '@jobs']
netapi_enable_clients: [local, local_async, runner, wheel]
rest_cherrypy:
  host: 127.0.0.1
  port: $API_PORT
  disable_ssl: True
CONF

"$BIN/salt-master-raet" -c "$ROOT/etc" -l warning --log-file "$ROOT/master.log" & pids+=($!)
"$BIN/salt-minion-emulator" -n "$N" --master-port "$RAET_PORT" --root "$ROOT/emu" -l warning 2> "$ROOT/emulator.log" & pids+=($!)
# All minions answer before the API is measured: a storm is salt-load's figure, not this one's.
for _ in $(seq 1 120); do
	got=$("$BIN/salt-raet" -c "$ROOT/etc" -t 5 '*' test.ping --out txt 2>/dev/null | grep -c ': True' || true)
	[ "$got" -ge "$N" ] && break
	sleep 1
done
[ "$got" -ge "$N" ] || { echo "bench-api: only $got of $N minions answered" >&2; exit 1; }
"$BIN/salt-api-raet" -c "$ROOT/etc" -l warning --log-file "$ROOT/api.log" & pids+=($!)
for _ in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$API_PORT/" && break
	sleep 0.1
done
LOAD=(go run ./internal/cmd/salt-api-load -url "http://127.0.0.1:$API_PORT" -user bench -pass x -eauth auto -rounds "$ROUNDS")
"${LOAD[@]}" -tgt emu-00001 -minions 1 -clients 0
"${LOAD[@]}" -minions "$N" -clients "$CLIENTS" -duration "$DURATION"
