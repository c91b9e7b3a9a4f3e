"""Python peer for tcodec's interop tests: the official temporalio Payload protos and the
harness codecs in ../shared/interop (cryptography's AESGCM, Python's zlib), run on a
{"payloads": [...]} file.

    peer.py decode NS IN OUT          decode IN with the peer pipeline of NS
    peer.py encode NS KEY_ID IN OUT   encode IN with the peer pipeline of NS, active key KEY_ID
"""
import json
import os
import sys
from pathlib import Path

shared = Path(os.environ.get("TCODEC_SHARED", Path(__file__).resolve().parents[3] / "shared"))
sys.path.insert(0, str(shared / "interop"))
os.environ.setdefault("INTEROP_KEYS", str(shared / "fixtures" / "keys.json"))

from harness_codecs import codec_for_namespace, payload_from_json, payload_to_json  # noqa: E402


def main(argv):
    if argv[0] == "decode":
        ns, src, dst = argv[1:]
        codec = codec_for_namespace(ns)
        run = codec.decode_sync
    elif argv[0] == "encode":
        ns, key_id, src, dst = argv[1:]
        codec = codec_for_namespace(ns, encrypt_key_id=key_id)
        run = codec.encode_sync
    else:
        raise SystemExit(__doc__)
    doc = json.loads(Path(src).read_text())
    out = run([payload_from_json(p) for p in doc.get("payloads", [])])
    Path(dst).write_text(json.dumps({"payloads": [payload_to_json(p) for p in out]}))


if __name__ == "__main__":
    main(sys.argv[1:])
