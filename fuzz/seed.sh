#!/usr/bin/env bash
# Seeds fuzz/corpus/<target> from ../shared/fixtures (real histories and payload lists).
set -euo pipefail
cd "$(dirname "$0")"
fx="${TCODEC_SHARED:-../../shared}/fixtures"
for t in json_document history_fast_path server_request; do
  mkdir -p "corpus/$t"
  cp "$fx"/payloads/*/*.json "corpus/$t/" 2>/dev/null || true
done
mkdir -p corpus/json_document corpus/history_fast_path
cp "$fx"/encoded/*/*.json corpus/json_document/
cp "$fx"/decoded/*/*.json corpus/history_fast_path/
mkdir -p corpus/proto_document corpus/codec_decode
# Binary seeds: protobuf histories and payload lists written by tcodec itself.
tcodec="../target/release/tcodec"
[ -x "$tcodec" ] || (cd .. && cargo build --release -q)
i=0
for f in "$fx"/encoded/default/*.json; do
  TCODEC_CONFIG=../examples/interop.toml "$tcodec" decode -n default --output-format proto "$f" -o "corpus/proto_document/h$i.pb"
  i=$((i + 1))
done
for f in "$fx"/payloads/default/*.encoded.json; do
  TCODEC_CONFIG=../examples/interop.toml "$tcodec" decode -n default --output-format proto "$f" -o "corpus/proto_document/p$i.pb"
  i=$((i + 1))
done
printf '\x01x\x9c\x03\x00\x00\x00\x00\x01' > corpus/codec_decode/zlib
printf '\x00%s' "$(head -c 40 /dev/zero | tr '\0' 'A')" > corpus/codec_decode/aes
echo "seeded: $(find corpus -type f | wc -l) files"
