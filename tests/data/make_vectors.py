"""Known answers made outside tcodec, for tests/fail_closed.rs and tests/vectors.rs.

Run with the peer venv (scripts/peer-env sets it up):
    target/interop/venv/bin/python tests/data/make_vectors.py > tests/data/vectors.json

- deterministic: what `tcodec encode --deterministic` must write for a fixed key and a
  payload with several metadata entries, computed here with Python's hmac and the
  `cryptography` package's AES-GCM: nonce key = HMAC-SHA256(key, "tcodec deterministic
  nonce key v1"); nonce = HMAC-SHA256(nonce key, Payload serialized deterministically,
  metadata in key order)[:12]; data = nonce || AES-256-GCM(key, nonce, serialized).
"""
import base64
import hashlib
import hmac
import json
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload

KEY = bytes(range(32))


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def deterministic():
    metadata = {"encoding": b"json/plain", "zeta": b"last", "alpha": b"first"}
    data = b'{"n":1}'
    serialized = Payload(metadata=metadata, data=data).SerializeToString(deterministic=True)
    nonce_key = hmac.new(KEY, b"tcodec deterministic nonce key v1", hashlib.sha256).digest()
    nonce = hmac.new(nonce_key, serialized, hashlib.sha256).digest()[:12]
    sealed = nonce + AESGCM(KEY).encrypt(nonce, serialized, None)
    return {
        "key_hex": KEY.hex(),
        "payload": {
            "metadata": {k: b64(v) for k, v in metadata.items()},
            "data": b64(data),
        },
        "data": b64(sealed),
    }


json.dump({"deterministic": deterministic()}, sys.stdout, indent=2)
sys.stdout.write("\n")
