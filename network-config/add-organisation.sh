#!/usr/bin/env bash
# Adds an organisation and a node of it to a running network, end to end:
#   1. crypto material for the new organisation and its node (existing material is kept),
#   2. a configuration update adding the organisation to a channel, signed by every member organisation's admin
#      (at least the channel's `admins` policy must sign; in a real consortium each admin signs on their own machine),
#   3. the new node's folder and config: it follows the channel as an observer, pulling blocks from a peer,
#   4. optionally its ledger from a verified backup of another node (`--from-backup`), so it need not replay from genesis,
#   5. the node started; the script waits until it has caught up and leaves it running (its pid is in <folder>/data/node.pid).
# The network file must already define the organisation (roles, its node) and list it among the channel's organizations.
#
# usage: network-config/add-organisation.sh --network FILE --org ORG --node NODE --channel CHANNEL --port PORT
#          [--dir .chain] [--endpoint http://127.0.0.1:7051] [--peer https://127.0.0.1:8051] [--peer-org Bank] [--from-backup DIR]
# CHAIN names the chain command (default: chain).
set -euo pipefail

dir=.chain endpoint=http://127.0.0.1:7051 peer=https://127.0.0.1:8051 peer_org=Bank backup="" network="" org="" node="" channel="" port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --network) network=$2 ;; --org) org=$2 ;; --node) node=$2 ;; --channel) channel=$2 ;; --port) port=$2 ;;
    --dir) dir=$2 ;; --endpoint) endpoint=$2 ;; --peer) peer=$2 ;; --peer-org) peer_org=$2 ;; --from-backup) backup=$2 ;;
    *) echo "add-organisation.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift 2
done
for required in network org node channel port; do
  if [ -z "${!required}" ]; then echo "add-organisation.sh: --$required is required" >&2; exit 2; fi
done
read -r -a chain <<<"${CHAIN:-chain}"
crypto="$dir/crypto"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
admin() { echo --key "$crypto/orgs/$1/accounts/admin.json" --password-file "$crypto/orgs/$1/accounts/admin.password"; }

echo "== 1. crypto material for $org"
"${chain[@]}" crypto generate --network "$network" --out "$crypto"

echo "== 2. configuration update adding $org to $channel"
"${chain[@]}" --endpoint "$endpoint" channel fetch -c "$channel" --out "$work/current.json" $(admin "$peer_org")
cp "$work/current.json" "$work/proposed.json"
"${chain[@]}" channel add-org --config "$work/proposed.json" --network "$network" --crypto "$crypto" --org "$org"
"${chain[@]}" --endpoint "$endpoint" channel update -c "$channel" --config "$work/proposed.json" --out "$work/update.pb" $(admin "$peer_org")
for member in $(jq -r '.organizations[].name' "$work/current.json"); do
  "${chain[@]}" channel sign "$work/update.pb" $(admin "$member") >/dev/null
done
"${chain[@]}" --endpoint "$endpoint" channel submit "$work/update.pb" $(admin "$peer_org")
contract=$(jq -r '.contract.name' "$work/current.json")

echo "== 3. the folder and config of $node"
folder="$dir/$node"
mkdir -p "$folder"
nodes="../crypto/orgs/$org/nodes/$node"
cat >"$folder/config.json" <<CONFIG
{
  "nodeId": "$node",
  "listen": "127.0.0.1:$port",
  "peerListen": "127.0.0.1:$((port + 1000))",
  "peers": [ { "endpoint": "$peer", "caCertificate": "../crypto/orgs/$peer_org/ca/ca.crt" } ],
  "tls": { "certificate": "$nodes/tls.crt", "privateKey": "$nodes/tls.key", "clientEndpoint": false },
  "dataDir": "data",
  "keyFile": "$nodes/node-key.json",
  "passwordFile": "$nodes/node-key.password",
  "channels": [ { "name": "$channel", "contracts": ["$contract"], "genesisFile": "../genesis/$channel.genesis", "observe": true } ]
}
CONFIG

if [ -n "$backup" ]; then
  echo "== 4. its ledger from the backup in $backup, verified"
  "${chain[@]}" node restore --config "$folder/config.json" --from "$backup"
fi

echo "== 5. $node started"
nohup "${chain[@]}" node start --config "$folder/config.json" >"$folder/node.log" 2>&1 &
target=$("${chain[@]}" --endpoint "$endpoint" status -o json | jq -r --arg c "$channel" '.channels[] | select(.channel == $c) | .height')
for _ in $(seq 1 60); do
  height=$("${chain[@]}" --endpoint "http://127.0.0.1:$port" status -o json 2>/dev/null | jq -r --arg c "$channel" '.channels[] | select(.channel == $c) | .height' || true)
  if [ -n "$height" ] && [ "$height" -ge "$target" ]; then
    echo "$node follows $channel at height $height (log: $folder/node.log)"
    exit 0
  fi
  sleep 1
done
echo "add-organisation.sh: $node did not reach height $target of $channel within 60 s; see $folder/node.log" >&2
exit 1
