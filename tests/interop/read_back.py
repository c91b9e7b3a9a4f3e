"""Reads back what tcodec encoded, with other implementations: Python's gzip, python-snappy
(raw block and framed), zstandard and pyrage. Used by tests/vectors.rs.

    read_back.py CODEC [AGE_IDENTITY] < {"payloads": [...]}   prints {"payloads": [...]} decoded
"""
import base64
import gzip
import json
import sys

import pyrage
import snappy
import zstandard
from temporalio.api.common.v1 import Payload


def unwrap(codec, data, identity):
    if codec == "gzip":
        return gzip.decompress(data)
    if codec == "snappy":
        return snappy.uncompress(data)
    if codec == "snappy-framed":
        return snappy.StreamDecompressor().decompress(data)
    if codec == "zstd":
        return zstandard.ZstdDecompressor().decompress(data)
    if codec == "age":
        return pyrage.decrypt(data, [pyrage.x25519.Identity.from_str(identity)])
    raise SystemExit(f"unknown codec {codec}")


def main(argv):
    codec, identity = argv[0], (argv[1] if len(argv) > 1 else None)
    doc = json.load(sys.stdin)
    out = []
    for p in doc["payloads"]:
        data = base64.b64decode(p.get("data", ""))
        inner = Payload()
        inner.ParseFromString(unwrap(codec, data, identity))
        item = {"metadata": {k: base64.b64encode(v).decode() for k, v in sorted(inner.metadata.items())}}
        if inner.data:
            item["data"] = base64.b64encode(inner.data).decode()
        out.append(item)
    json.dump({"payloads": out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
