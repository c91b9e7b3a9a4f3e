"""The Python peer on tcodec's codec benchmark workload (benches/codecs.rs): MB/s of
plaintext payload bytes for encode and decode, median of 5, single process.

    peer_bench.py [FILTER]
"""
import statistics
import sys
import time
from pathlib import Path
import os

shared = Path(os.environ.get("TCODEC_SHARED", Path(__file__).resolve().parents[3] / "shared"))
sys.path.insert(0, str(shared / "interop"))
os.environ.setdefault("INTEROP_KEYS", str(shared / "fixtures" / "keys.json"))

from harness_codecs import ChainCodec, EncryptionCodec, ZlibCodec  # noqa: E402
from temporalio.api.common.v1 import Payload  # noqa: E402


def workload(count, size):
    out = []
    for i in range(count):
        text = '{"id":%d,"items":[' % i
        j = 0
        while len(text) < size:
            j += 1
            text += '{"sku":"A%08d","qty":%d,"note":"order line"},' % (i * 7919 + j * 104729 % 100_000_000, j % 9)
        text = text[: size - 2] + "]}"
        out.append(Payload(metadata={"encoding": b"json/plain"}, data=text.encode()))
    return out


def median_time(f):
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main():
    flt = sys.argv[1] if len(sys.argv) > 1 else ""
    keys = {"k1": bytes([7] * 32)}
    pipelines = [
        ("aes-256-gcm", ChainCodec([EncryptionCodec(keys, "k1")])),
        ("zlib", ChainCodec([ZlibCodec(always_encode=True)])),
        ("aes-256-gcm+zlib", ChainCodec([EncryptionCodec(keys, "k1"), ZlibCodec(always_encode=True)])),
    ]
    workloads = [("10000 x 1 KiB", workload(10_000, 1024)), ("16 x 1 MiB", workload(16, 1 << 20))]
    print("%-18s %-14s %12s %12s" % ("peer codec", "workload", "encode MB/s", "decode MB/s"))
    for name, codec in pipelines:
        if flt and flt not in name:
            continue
        for label, items in workloads:
            mb = sum(len(p.data) for p in items) / 1e6
            encoded = codec.encode_sync(items)
            enc = median_time(lambda: codec.encode_sync(items))
            dec = median_time(lambda: codec.decode_sync(encoded))
            print("%-18s %-14s %12.0f %12.0f" % (name, label, mb / enc, mb / dec))
    import resource
    print("peak RSS %d MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))


if __name__ == "__main__":
    main()
