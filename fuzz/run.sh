#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 120) and prints the executions per target.
# Usage: fuzz/run.sh [SECONDS]   (needs a nightly toolchain and `cargo install cargo-fuzz`)
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-120}"
[ -d corpus ] || ./seed.sh
for t in json_document proto_document codec_decode history_fast_path server_request; do
  mkdir -p "corpus/$t"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
    >"/tmp/fuzz-$t.log" 2>&1 || { echo "$t: FOUND A CRASH (see fuzz/artifacts/$t, /tmp/fuzz-$t.log)"; continue; }
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "/tmp/fuzz-$t.log" | grep -o '[0-9]*$' || true)
  [ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "/tmp/fuzz-$t.log" | tail -1 | tr -d '#')
  echo "$t: $execs executions in ${secs}s, no finding"
done
