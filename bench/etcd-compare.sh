#!/usr/bin/env bash
# Chain's 3-node Raft network against a 3-member etcd cluster on the same machine, one after the other, each alone on
# the cores: durable 32-byte puts through a follower (etcd: fsync on every commit, its default; Chain: every block synced
# on every node, each put a signed kv.put that every node verifies and executes). Prints each rate, the ratio of Chain's
# kv.put rate to etcd's batched rate, and each rate over the signature-verify ceiling measured in the same command.
#   bench/etcd-compare.sh [--puts N] [--rounds R] [--donations N] [--out DIR]
# --out keeps every run's JSON report (with each node's CPU seconds) in DIR.
# Installs etcd-server with apt when etcd is missing (needs root). Ports: etcd 23791-23793 and 23801-23803, Chain 27051-…
set -euo pipefail
cd "$(dirname "$0")/.."
puts=50000 rounds=1 donations=20000 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --puts) puts="${2:?}"; shift 2 ;;
    --rounds) rounds="${2:?}"; shift 2 ;;
    --donations) donations="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    *) echo "usage: bench/etcd-compare.sh [--puts N] [--rounds R] [--donations N] [--out DIR]" >&2; exit 2 ;;
  esac
done
if ! command -v etcd >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "etcd is not installed; run as root to install etcd-server with apt, or install it" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client >/dev/null
fi
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build src/Cli -c Release -v q -nologo >/dev/null
chain="$PWD/src/Cli/bin/Release/net10.0/chain"
work="$(mktemp -d)"
etcd_pids=()
stop_etcd() {
  for p in "${etcd_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${etcd_pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  etcd_pids=()
}
keep() { if [ -n "$out" ]; then mkdir -p "$out" && cp "$work"/*.json "$out"/ 2>/dev/null || true; fi; }
trap 'stop_etcd; keep; rm -rf "$work"' EXIT

cluster="m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803"
endpoints="http://127.0.0.1:23791,http://127.0.0.1:23792,http://127.0.0.1:23793"
start_etcd() {
  rm -rf "$work"/m?
  for i in 1 2 3; do
    etcd --name "m$i" --data-dir "$work/m$i" --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
      --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$$" >"$work/m$i.log" 2>&1 &
    etcd_pids+=("$!")
  done
  for _ in $(seq 1 60); do
    ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "etcd did not become healthy; see $work/m1.log" >&2; tail -5 "$work/m1.log" >&2; exit 1
}
follower() { # an etcd member that is not the leader (IS LEADER is the fifth column)
  ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint status -w simple | awk -F', ' '$5 == "false" { print $1; exit }'
}
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$1" "$2"; }

for round in $(seq 1 "$rounds"); do
  start_etcd
  via="$(follower)"
  "$chain" bench etcd --etcd "$via" --puts "$puts" --per-txn 1 --clients 256 -o json >"$work/etcd-single-$round.json"
  "$chain" bench etcd --etcd "$via" --puts "$puts" --per-txn 100 --clients 4 -o json >"$work/etcd-batched-$round.json"
  stop_etcd
  "$chain" bench kv --nodes 3 --entry follower --base-port 27051 --txs "$puts" -o json >"$work/chain-kv-$round.json" 2>"$work/chain-kv-$round.err"
  "$chain" bench donate --nodes 3 --entry follower --base-port 27051 --txs "$donations" -o json >"$work/chain-donate-$round.json" 2>"$work/chain-donate-$round.err"

  single=$(field "$work/etcd-single-$round.json" "d['putsPerSecond']")
  batched=$(field "$work/etcd-batched-$round.json" "d['putsPerSecond']")
  kv=$(field "$work/chain-kv-$round.json" "d['load']['txPerSecond']")
  donate=$(field "$work/chain-donate-$round.json" "d['load']['txPerSecond']")
  ceiling=$(field "$work/chain-kv-$round.json" "d['verifyCeiling']")
  python3 - "$round" "$puts" "$single" "$batched" "$kv" "$donate" "$ceiling" <<'EOF'
import sys
r, n, single, batched, kv, donate, ceiling = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"round {r}: {n} puts through a follower; verify ceiling {ceiling:,.0f} signed tx/s")
print(f"  etcd, 1 put per request, 256 clients     {single:9,.0f} puts/s   ({single / ceiling:.3f} of the ceiling)")
print(f"  etcd, 100 puts per txn, 4 clients        {batched:9,.0f} puts/s   ({batched / ceiling:.3f})")
print(f"  chain, kv.put, batches of 250, 4 callers {kv:9,.0f} tx/s     ({kv / ceiling:.3f})")
print(f"  chain, ConfirmDonation                   {donate:9,.0f} tx/s     ({donate / ceiling:.3f})")
print(f"  chain kv.put / etcd batched = {kv / batched:.2f}   (goal 0.30);  chain kv.put / etcd single = {kv / single:.2f}")
EOF
  python3 - "$work/chain-kv-$round.json" "$work/chain-donate-$round.json" <<'EOF'
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f)); n = d['load']['committed']
    print(f"  {d['workload']}: node CPU per transaction " + ", ".join(f"{u['node']} {1e6 * u['cpuSeconds'] / n:.0f} µs" for u in d['nodes']))
EOF
done
