#!/usr/bin/env bash
# make demo-raet: the protocol under Salt RAET, with the raet tool: keys, a
# packet of the protocol spec decoded, road peers and lane yards.
set -euo pipefail
bin=${1:-bin}
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say raet keygen
"$bin/raet" keygen

# A signed, encrypted message packet of raet-protocol.md section 3.8: body
# {"content":"hi"}, signed with seed 11..11, sealed from private key 55..55
# to the public key of 66..66.
pkt=726920524145540a706c20303062650a686c2034360a66672030340a736520320a646520330a736920320a746920340a626b20310a636b20310a666b20310a666c2034300a0a02f1e531835edc1e6005e8022c4c7edaba2c25d60a899786d4741e34c85eb1a5070707070707070707070707070707070707070707070707227cf43e33b30b84e32dbde4899fb08432d7ef86b89331e2c2bc23e06999929100ec0d837985fea34a6ab566337f06cff487b61379bf432519bf50e7fbf7c904
keys=$("$bin/raet" keygen --sigkey "$(printf '11%.0s' {1..32})" --prikey "$(printf '55%.0s' {1..32})")
echo "sender's keys: $keys"
ver=$(printf '%s' "$keys" | sed -n 's/.*"verhex":"\([0-9a-f]*\)".*/\1/p')
pub55=$(printf '%s' "$keys" | sed -n 's/.*"pubhex":"\([0-9a-f]*\)".*/\1/p')

say raet decode --hex "${pkt:0:24}..." --verkey "${ver:0:12}..." --prikey 6666... --pubkey "${pub55:0:12}..."
"$bin/raet" decode --hex "$pkt" --verkey "$ver" --prikey "$(printf '66%.0s' {1..32})" --pubkey "$pub55"

say "raet decode (the same packet, one byte changed)"
bad=${pkt:0:200}ff${pkt:202}
"$bin/raet" decode --hex "$bad" --verkey "$ver" || echo "(exit status $?: the signature does not verify)"

# Two road estates over loopback UDP: alpha (main) echoes, beta joins it,
# allows, and sends three padded messages that come back checked.
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
say "raet peer --name alpha --main --auto always --echo   (in the background)"
"$bin/raet" peer --name alpha --port 0 --keep "$work/alpha" --main --auto always --echo --timeout 20s > "$work/alpha.log" &
for _ in $(seq 100); do [ -s "$work/alpha.log" ] && break; sleep 0.05; done
addr=$(sed -n '1s/.*"address":"\([^"]*\)".*/\1/p' "$work/alpha.log")
say "raet peer --name beta --join $addr --send '{\"kind\":\"hello\"}' --count 3 --size 5000 --expect 3"
"$bin/raet" peer --name beta --port 0 --keep "$work/beta" --auto always --join "$addr" \
    --send '{"kind":"hello"}' --count 3 --size 5000 --expect 3 --timeout 20s --linger 200ms

# Two yards of one lane on local Unix sockets: manor echoes, client sends
# two messages of 300 KB each (books of five pages) and checks the echoes.
lanedir=$(mktemp -d /tmp/raetdemo.XXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work" "$lanedir"' EXIT
say "raet lane --lane demo --yard manor --echo   (in the background)"
"$bin/raet" lane --lane demo --yard manor --dir "$lanedir" --echo --timeout 20 > "$work/manor.log" &
for _ in $(seq 100); do [ -s "$work/manor.log" ] && break; sleep 0.05; done
say "raet lane --lane demo --yard client --to manor --send '{\"kind\":\"first\"}' --send '{\"kind\":\"second\"}' --size 300000 --expect 2"
"$bin/raet" lane --lane demo --yard client --dir "$lanedir" --to manor \
    --send '{"kind":"first"}' --send '{"kind":"second"}' --size 300000 --expect 2 --timeout 20 --linger 0.2

