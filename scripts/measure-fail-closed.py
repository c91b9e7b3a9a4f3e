#!/usr/bin/env python3
"""Measures issue #9's items 1-5 against a tcodec binary (run it on the old and the new
build, same machine, and compare):

    scripts/measure-fail-closed.py BINARY CONFIG

1. four zstd payloads of 64 MiB each in a 16 MiB-body server: status, answer bytes, peak RSS
2. 5.5 M empty payloads in a 16 MiB body: status, peak RSS
3. 4 concurrent heavy zlib requests with --request-timeout 2: answer times, /healthz latency
4. a TCP connection that sends nothing: seconds until the server closes it (15 s cap)
5. eight unauthenticated 16 MiB uploads: time to the first 401, RSS growth

Loopback only; every loop is bounded; the server is stopped at the end of each case.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

BIN, CONFIG = sys.argv[1], sys.argv[2]


def start(*extra):
    p = subprocess.Popen([BIN, "--config", CONFIG, "-q", "serve", "--listen", "127.0.0.1:0", *extra],
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    port = int(line.rsplit(":", 1)[1])
    threading.Thread(target=lambda: p.stderr.read(), daemon=True).start()
    return p, port


def hwm_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def request(port, body, ns="zipped", path="/decode", headers="", timeout=120):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Namespace: {ns}\r\n{headers}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    s.sendall(head + body)
    data = b""
    while True:
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    s.close()
    status = int(data.split(b" ", 2)[1]) if data else 0
    body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    return status, body


def payload(data: bytes, encoding: bytes):
    return {"metadata": {"encoding": base64.b64encode(encoding).decode()},
            "data": base64.b64encode(data).decode()}


def inner(size):
    # A serialized Payload: field 2 (data) of `size` bytes of "a".
    n, varint = size, b""
    while True:
        b = n & 0x7F
        n >>= 7
        varint += bytes([b | (0x80 if n else 0)])
        if not n:
            break
    return b"\x12" + varint + b"a" * size


def case1():
    p, port = start()
    import importlib.util
    zipped = zlib.compress(inner(64 << 20), 9)
    body = json.dumps({"payloads": [payload(zipped, b"binary/zlib")] * 4}).encode()
    t = time.time()
    status, answer = request(port, body)
    out = (status, len(answer), hwm_kb(p.pid) // 1024, round(time.time() - t, 2), len(body))
    p.kill(); p.wait()
    return out


def case2():
    p, port = start()
    body = b'{"payloads":[' + b",".join([b"{}"] * 5_500_000) + b"]}"
    status, answer = request(port, body, ns="zipped", path="/encode")
    out = (status, len(answer), hwm_kb(p.pid) // 1024, len(body))
    p.kill(); p.wait()
    return out


def case3():
    # The new build's per-request budget would refuse this body at once (413); lift it so
    # the deadline is what stops the work.
    extra = ["--max-decoded-size", "8GiB"] if b"max-decoded-size" in subprocess.run(
        [BIN, "serve", "--help"], capture_output=True).stdout else []
    p, port = start("--request-timeout", "2", *extra)
    heavy = json.dumps({"payloads": [payload(zlib.compress(inner(2 << 20)), b"binary/zlib")] * 200}).encode()
    times, worst = [], [0.0]

    def one():
        t = time.time()
        status, _ = request(port, heavy)
        times.append((status, round(time.time() - t, 2)))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for th in threads:
        th.start()
    time.sleep(0.2)
    for _ in range(10):
        t = time.time()
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        s.recv(100)
        s.close()
        worst[0] = max(worst[0], time.time() - t)
        time.sleep(0.1)
    for th in threads:
        th.join(timeout=120)
    cpu_after = None
    with open(f"/proc/{p.pid}/stat") as f:
        a = f.read().rsplit(")", 1)[1].split()
    t0 = int(a[11]) + int(a[12])
    time.sleep(2)
    with open(f"/proc/{p.pid}/stat") as f:
        a = f.read().rsplit(")", 1)[1].split()
    cpu_after = (int(a[11]) + int(a[12]) - t0) / os.sysconf("SC_CLK_TCK")
    p.kill(); p.wait()
    return sorted(times), round(worst[0] * 1000), round(cpu_after, 2)


def case4():
    p, port = start()
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(15)
    t = time.time()
    try:
        got = s.recv(10)
        closed = round(time.time() - t, 1) if got == b"" else "answered"
    except socket.timeout:
        closed = "open after 15 s"
    p.kill(); p.wait()
    return closed


def case5():
    d = tempfile.mkdtemp()
    tokens = os.path.join(d, "tokens")
    open(tokens, "w").write("good decode\n")
    p, port = start("--auth-tokens", tokens)
    before = rss_kb(p.pid)
    body = b"x" * (16 << 20)
    first = []

    def upload():
        t = time.time()
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.sendall(f"POST /decode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        try:
            s.sendall(body)
        except OSError:
            pass
        try:
            s.recv(100)
        except OSError:
            pass
        first.append(time.time() - t)
        s.close()

    # Time to 401 with the body not sent at all.
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    t = time.time()
    s.sendall(f"POST /decode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    s.settimeout(10)
    try:
        got = s.recv(100)
        to401 = round((time.time() - t) * 1000, 1) if got.startswith(b"HTTP/1.1 401") else f"answer {got[:12]!r}"
    except socket.timeout:
        to401 = "no answer in 10 s"
    s.close()
    threads = [threading.Thread(target=upload) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    growth = (hwm_kb(p.pid) - before) // 1024
    p.kill(); p.wait()
    return to401, growth


CASES = os.environ.get("MEASURE_CASES", "12345")
if "1" in CASES:
    print("1. 4 x zlib(64 MiB) in one body: (status, answer bytes, peak RSS MB, seconds, body bytes)", case1(), flush=True)
if "2" in CASES:
    print("2. 5.5 M empty payloads to /encode: (status, answer bytes, peak RSS MB, body bytes)", case2(), flush=True)
if "3" in CASES:
    print("3. 4 x heavy with --request-timeout 2: ([(status, s)], /healthz worst ms, CPU s in the 2 s after)", case3(), flush=True)
if "4" in CASES:
    print("4. silent TCP connection closed after (s):", case4(), flush=True)
if "5" in CASES:
    print("5. unauthenticated: (ms to 401 with no body sent, peak RSS growth MB for 8 x 16 MiB)", case5(), flush=True)
