"""A temporal-proxy KMS extension server, and a peer that seals and opens with it.

The proxy's extension protocol (temporalio/temporal-proxy api/kms/v1/*.proto): a gRPC
service api.kms.v1.EncryptionService with
  Encrypt(EncryptRequest{string namespace = 1; bytes plaintext = 2})
      -> EncryptResponse{bytes ciphertext = 1}
  Decrypt(DecryptRequest{bytes ciphertext = 1}) -> DecryptResponse{bytes plaintext = 1}
The messages are built here from a descriptor at run time (google.protobuf), the service with
grpcio: nothing is shared with tcodec's Rust client.

This server keeps one random AES-256-GCM key per namespace, in memory. A ciphertext is
  b"x1" || len(namespace) (1 byte) || namespace || nonce(12) || AES-GCM(key, nonce, dek, aad)
with aad = b"x1" || namespace, so it names its own key, as the protocol asks. An empty
namespace is refused (InvalidArgument), as temporal-proxy's own ext package does; so is a
ciphertext that does not open.

  kms_extension.py serve --port-file F --log F [--throttle N] [--misbehave HOW]
      serves on 127.0.0.1 (a free port, written to F once listening); appends one line per
      call to the log ("Encrypt <namespace>" / "Decrypt"); the first N calls answer
      RESOURCE_EXHAUSTED (throttling), to test retries. --misbehave makes Encrypt a hostile
      server's: `stall` (headers sent, then nothing), `passthrough` (the data key returned
      as its own "ciphertext"), `forge` (fails with a message that forges a line).
  kms_extension.py seal --kek URI --address HOST:PORT --namespace NS [--dek-every N] IN OUT
  kms_extension.py open --address HOST:PORT IN OUT
      seal/open {"payloads": [...]} with ../shared/interop/proxy_envelope.py's envelope, the
      data keys wrapped by the server (the KEK id is the extension:// URI).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from concurrent import futures

import grpc
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "api.kms.v1.EncryptionService"


def _messages():
    f = descriptor_pb2.FileDescriptorProto(
        name="tcodec_test/api/kms/v1/kms.proto", package="api.kms.v1", syntax="proto3"
    )
    T = descriptor_pb2.FieldDescriptorProto

    def message(name, fields):
        m = f.message_type.add(name=name)
        for number, (field, kind) in enumerate(fields, start=1):
            m.field.add(name=field, number=number, type=kind, label=T.LABEL_OPTIONAL)

    message("EncryptRequest", [("namespace", T.TYPE_STRING), ("plaintext", T.TYPE_BYTES)])
    message("EncryptResponse", [("ciphertext", T.TYPE_BYTES)])
    message("DecryptRequest", [("ciphertext", T.TYPE_BYTES)])
    message("DecryptResponse", [("plaintext", T.TYPE_BYTES)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return {
        n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"api.kms.v1.{n}"))
        for n in ("EncryptRequest", "EncryptResponse", "DecryptRequest", "DecryptResponse")
    }


M = _messages()


class Kms:
    def __init__(self, log: str, throttle: int, misbehave: str):
        self.misbehave = misbehave
        self.keys: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.log = log
        self.throttle = throttle

    def _note(self, line: str, context) -> None:
        with self.lock:
            if self.throttle > 0:
                self.throttle -= 1
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "throttled (test)")
            with open(self.log, "a") as f:
                f.write(line + "\n")

    def encrypt(self, request, context):
        self._note(f"Encrypt {request.namespace}", context)
        if self.misbehave == "stall":
            context.send_initial_metadata(())
            time.sleep(3600)
        if self.misbehave == "passthrough":
            return M["EncryptResponse"](ciphertext=request.plaintext)
        if self.misbehave == "forge":
            context.abort(grpc.StatusCode.INTERNAL, "boom\ntcodec: ok: all inputs decoded\n\x1b[2K")
        if not request.namespace:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "namespace is required")
        ns = request.namespace.encode()
        with self.lock:
            key = self.keys.setdefault(request.namespace, os.urandom(32))
        nonce = os.urandom(12)
        head = b"x1" + bytes([len(ns)]) + ns
        sealed = AESGCM(key).encrypt(nonce, request.plaintext, b"x1" + ns)
        return M["EncryptResponse"](ciphertext=head + nonce + sealed)

    def decrypt(self, request, context):
        self._note("Decrypt", context)
        ct = request.ciphertext
        try:
            assert ct[:2] == b"x1"
            n = ct[2]
            ns = ct[3 : 3 + n]
            key = self.keys[ns.decode()]
            nonce, sealed = ct[3 + n : 15 + n], ct[15 + n :]
            plain = AESGCM(key).decrypt(nonce, sealed, b"x1" + ns)
        except Exception:  # noqa: BLE001 - any bad ciphertext is the caller's
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "failed to unwrap key material")
        return M["DecryptResponse"](plaintext=plain)


def serve(args) -> None:
    kms = Kms(args.log, args.throttle, args.misbehave)
    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Encrypt": grpc.unary_unary_rpc_method_handler(
                kms.encrypt,
                request_deserializer=M["EncryptRequest"].FromString,
                response_serializer=lambda m: m.SerializeToString(),
            ),
            "Decrypt": grpc.unary_unary_rpc_method_handler(
                kms.decrypt,
                request_deserializer=M["DecryptRequest"].FromString,
                response_serializer=lambda m: m.SerializeToString(),
            ),
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)
    server.wait_for_termination()


def _stubs(address: str):
    channel = grpc.insecure_channel(address)
    encrypt = channel.unary_unary(
        f"/{SERVICE}/Encrypt",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=M["EncryptResponse"].FromString,
    )
    decrypt = channel.unary_unary(
        f"/{SERVICE}/Decrypt",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=M["DecryptResponse"].FromString,
    )
    return encrypt, decrypt


def peer(args) -> None:
    sys.path.insert(0, os.path.join(os.environ["TCODEC_SHARED"], "interop"))
    import proxy_envelope as pe  # the independent envelope peer

    encrypt, decrypt = _stubs(args.address)
    plain_wrap, plain_unwrap = pe.wrap, pe.unwrap

    def wrap(kek: str, dek: bytes) -> bytes:
        if not kek.startswith("extension://"):
            return plain_wrap(kek, dek)
        return encrypt(M["EncryptRequest"](namespace=args.namespace, plaintext=dek)).ciphertext

    def unwrap(kek: str, wrapped: bytes) -> bytes:
        if not kek.startswith("extension://"):
            return plain_unwrap(kek, wrapped)
        return decrypt(M["DecryptRequest"](ciphertext=wrapped)).plaintext

    pe.wrap, pe.unwrap = wrap, unwrap
    ps = pe.load(args.input)
    out = pe.seal(ps, args.kek, args.dek_every) if args.command == "seal" else pe.open_all(ps)
    pe.save(out, args.output)


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port-file", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--throttle", type=int, default=0)
    s.add_argument("--misbehave", choices=["stall", "passthrough", "forge"])
    for name in ("seal", "open"):
        c = sub.add_parser(name)
        c.add_argument("--address", required=True)
        c.add_argument("--namespace", default="default")
        if name == "seal":
            c.add_argument("--kek", required=True)
            c.add_argument("--dek-every", type=int, default=1)
        c.add_argument("input")
        c.add_argument("output")
    args = p.parse_args()
    serve(args) if args.command == "serve" else peer(args)


if __name__ == "__main__":
    main()
