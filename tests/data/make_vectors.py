"""Known answers made outside tcodec, for tests/fail_closed.rs and tests/vectors.rs.

Needs the peer venv plus python-snappy, zstandard and pyrage (scripts/peer-env installs
them). Output is fixed except the age case (age encryption is randomized by design): the
committed vectors.json is the run that made the tests; rerunning gives new age bytes that
decode just as well.

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

import gzip

import pyrage
import snappy
import zstandard
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


def plain_payload() -> Payload:
    return Payload(
        metadata={"encoding": b"json/plain", "note": b"made outside tcodec"},
        data=b'{"greeting": "hello codec", "n": [1, 2, 3]}' * 8,
    )


def payload_json(p: Payload) -> dict:
    out = {"metadata": {k: b64(v) for k, v in sorted(p.metadata.items())}}
    if p.data:
        out["data"] = b64(p.data)
    return out


def codecs():
    """Each codec's encoded payload, written by another implementation."""
    plain = plain_payload()
    serialized = plain.SerializeToString(deterministic=True)
    identity = pyrage.x25519.Identity.generate()
    made = {
        # Python's gzip module, as samples-python's external storage codec uses.
        "gzip": gzip.compress(serialized, mtime=0),
        # python-snappy: raw block (snappy.compress) and the framing format.
        "snappy": snappy.compress(serialized),
        "snappy-framed": snappy.StreamCompressor().add_chunk(serialized),
        # zstandard (the reference C library's Python binding).
        "zstd": zstandard.ZstdCompressor(level=3).compress(serialized),
        # pyrage (the Rust rage crate), X25519 recipient.
        "age": pyrage.encrypt(serialized, [identity.to_public()]),
    }
    encodings = {"snappy-framed": "binary/snappy"}
    cases = {}
    for name, data in made.items():
        encoding = encodings.get(name, "binary/" + name)
        cases[name] = {
            "encoded": {"metadata": {"encoding": b64(encoding.encode())}, "data": b64(data)},
            "decoded": payload_json(plain),
        }
    cases["age"]["identity"] = str(identity)
    cases["age"]["recipient"] = str(identity.to_public())
    return cases


def aes_gcm():
    """AES-256-GCM test cases 13, 14 and 15 of McGrew & Viega, "The Galois/Counter Mode of
    Operation (GCM)" (the NIST submission), checked here with `cryptography`."""
    cases = [
        ("00" * 32, "00" * 12, "",
         "", "530f8afbc74536b9a963b4f1c4cb738b"),
        ("00" * 32, "00" * 12, "00" * 16,
         "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
        ("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
         "cafebabefacedbaddecaf888",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
         "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
         "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
         "b094dac5d93471bdec1a502270e3cc6c"),
    ]
    out = []
    for n, (key, iv, pt, ct, tag) in enumerate(cases, start=13):
        got = AESGCM(bytes.fromhex(key)).encrypt(bytes.fromhex(iv), bytes.fromhex(pt), None)
        assert got.hex() == ct + tag, f"test case {n}"
        out.append({"case": n, "key": key, "nonce": iv, "plaintext": pt, "ciphertext": ct, "tag": tag})
    return out


json.dump(
    {"deterministic": deterministic(), "codecs": codecs(), "aes_256_gcm": aes_gcm()},
    sys.stdout,
    indent=2,
)
sys.stdout.write("\n")
