"""Decodes every payload of a history through a codec server the way the `temporal` CLI's
gRPC interceptor does: one POST /decode per Payloads message (or lone Payload), serially,
on one keep-alive connection. Prints the request count, payload count and seconds.

    serial_decode.py URL NAMESPACE HISTORY.json
"""
import http.client
import json
import sys
import time
from urllib.parse import urlparse


def groups(value, in_list=False):
    if isinstance(value, dict):
        if isinstance(value.get("payloads"), list):
            yield value["payloads"]
            return
        if "metadata" in value and not in_list and ("data" in value or len(value) == 1):
            yield [value]
            return
        for v in value.values():
            yield from groups(v)
    elif isinstance(value, list):
        for v in value:
            yield from groups(v)


def main(url, namespace, path):
    history = json.load(open(path))
    target = urlparse(url)
    conn = http.client.HTTPConnection(target.hostname, target.port)
    requests = payloads = 0
    start = time.perf_counter()
    for group in groups(history):
        body = json.dumps({"payloads": group})
        conn.request("POST", "/decode", body, {"Content-Type": "application/json", "X-Namespace": namespace})
        answer = conn.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise SystemExit(f"HTTP {answer.status}: {data[:200]!r}")
        requests += 1
        payloads += len(group)
    print(f"requests={requests} payloads={payloads} seconds={time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
