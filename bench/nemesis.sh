#!/usr/bin/env bash
# The nemesis run: a 3-node Raft network under load while nodes are killed, restarted, paused and resumed, twice
# taking the majority away; then every acknowledged transaction must be on the ledger once and all nodes identical.
# The test suite runs one round of faults; --soak MINUTES repeats the rounds for that long.
#   bench/nemesis.sh [--soak MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=0
while [ $# -gt 0 ]; do
  case "$1" in
    --soak) minutes="${2:?--soak needs a number of minutes}"; shift 2 ;;
    *) echo "usage: bench/nemesis.sh [--soak MINUTES]" >&2; exit 2 ;;
  esac
done
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 CHAIN_NEMESIS_SOAK_MINUTES="$minutes"
log="$(mktemp)"
status=0
dotnet test tests/Chain.Tests --filter "FullyQualifiedName~NemesisTests" --logger "console;verbosity=detailed" >"$log" 2>&1 || status=$?
grep -E "s of faults|new leader after|client [0-9]|admission:|Passed |Failed |Error Message|Assert|Exception" "$log" || tail -n 40 "$log"
rm -f "$log"
exit "$status"
