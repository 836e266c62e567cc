#!/usr/bin/env bash
# idle-cpu.sh [BIN] [SECONDS]: the CPU an idle minion (and its master) burns
# per second. A master and one minion on loopback, each in its own root_dir
# under one temp dir; once the minion answers test.ping, both are left alone
# for SECONDS (30) and their CPU read twice: utime+stime from /proc/<pid>/stat
# (10 ms ticks, coarse at these levels) and the sum of every thread's
# /proc/<pid>/task/*/schedstat run time (ns).
set -euo pipefail
bin=$(cd "${1:-bin}" && pwd); secs=${2:-30}
top=$(mktemp -d /tmp/saltraet-idle.XXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$top"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mport=$(port)
mkdir -p "$top/master/etc/salt" "$top/m1/etc/salt"
printf 'transport: raet\nroot_dir: %s\nid: saltmaster\ninterface: 127.0.0.1\nraet_port: %s\nauto_accept: true\n' \
    "$top/master" "$mport" > "$top/master/etc/salt/master"
printf 'transport: raet\nroot_dir: %s\nid: m1\ninterface: 127.0.0.1\nraet_port: %s\nmaster: 127.0.0.1\nmaster_port: %s\n' \
    "$top/m1" "$(port)" "$mport" > "$top/m1/etc/salt/minion"
"$bin/salt-master-raet" -c "$top/master/etc/salt" -l warning > "$top/master.log" 2>&1 &
mpid=$!; pids+=("$mpid")
"$bin/salt-minion-raet" -c "$top/m1/etc/salt" -l warning > "$top/m1.log" 2>&1 &
pid=$!; pids+=("$pid")
for _ in $(seq 120); do
    out=$("$bin/salt-raet" -c "$top/master/etc/salt" '*' test.ping --out json --static -t 2 2>/dev/null || true)
    [[ $out == *'"m1": true'* ]] && break
    sleep 0.5
done
[[ $out == *'"m1": true'* ]] || { echo "the minion never answered" >&2; exit 1; }
sleep 8 # the join's and allow's aftermath, and the minion's 5 s on every core after its last job (cmd/salt-minion-raet/procs.go)
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
ns() { local s=0 f; for f in /proc/"$1"/task/*/schedstat; do s=$((s + $(cut -d' ' -f1 "$f"))); done; echo "$s"; }
t0=$(ticks "$pid"); n0=$(ns "$pid"); mt0=$(ticks "$mpid"); mn0=$(ns "$mpid")
sleep "$secs"
t1=$(ticks "$pid"); n1=$(ns "$pid"); mt1=$(ticks "$mpid"); mn1=$(ns "$mpid")
awk -v s="$secs" -v t="$((t1 - t0))" -v n="$((n1 - n0))" -v mt="$((mt1 - mt0))" -v mn="$((mn1 - mn0))" 'BEGIN {
    printf "idle minion: %.3f ms CPU/s (schedstat), %d ticks of 10 ms in %d s (stat)\n", n / 1e6 / s, t, s
    printf "its master:  %.3f ms CPU/s (schedstat), %d ticks of 10 ms in %d s (stat)\n", mn / 1e6 / s, mt, s
}'
