"""The Python peer on the file-to-file workload of scripts/bench-file: read a
{"payloads": [...]} JSON file, run the namespace's peer codec (cryptography's AES-GCM),
write the result as JSON. Prints seconds and peak RSS.

    peer_file_bench.py encode|decode NS IN OUT
"""
import json
import os
import resource
import sys
import time
from pathlib import Path

shared = Path(os.environ.get("TCODEC_SHARED", Path(__file__).resolve().parents[3] / "shared"))
sys.path.insert(0, str(shared / "interop"))
os.environ.setdefault("INTEROP_KEYS", str(shared / "fixtures" / "keys.json"))

from harness_codecs import codec_for_namespace, payload_from_json, payload_to_json  # noqa: E402

direction, ns, src, dst = sys.argv[1:]
start = time.perf_counter()
doc = json.loads(Path(src).read_text())
codec = codec_for_namespace(ns, encrypt_key_id="test-key-1") if direction == "encode" else codec_for_namespace(ns)
run = codec.encode_sync if direction == "encode" else codec.decode_sync
out = run([payload_from_json(p) for p in doc["payloads"]])
Path(dst).write_text(json.dumps({"payloads": [payload_to_json(p) for p in out]}))
took = time.perf_counter() - start
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took:.3f} {rss_mb:.0f}")
