"""The Python SDK's own External Storage reader (temporalio 1.35, S3 driver on aioboto3) and
the peer codecs of ../shared/interop read what tcodec wrote. Used by tests/storage.rs.

    sdk_storage.py NAMESPACE < {"payloads": [...]} (or a bare list of payloads)

Settings (endpoint, dummy credentials) come from the environment, as start_s3.sh writes
them. The payloads go through `DataConverter.decode`: marked references decoded by the
codec, references resolved from S3 (driver by name, bucket and key from the claim, SHA-256
checked), codec decode, payload converter. Prints the values as JSON (bytes as
{"bytes": BASE64}).
"""
import asyncio
import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.environ["TCODEC_SHARED"], "interop"))

from google.protobuf import json_format  # noqa: E402
from temporalio.api.common.v1 import Payloads  # noqa: E402
from temporalio.converter import DataConverter  # noqa: E402

from harness_codecs import codec_for_namespace  # noqa: E402
from harness_storage import external_storage  # noqa: E402


def plain(value):
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": base64.b64encode(value).decode()}
    return value


async def main(namespace):
    doc = json.load(sys.stdin)
    if isinstance(doc, list):
        doc = {"payloads": doc}
    payloads = json_format.ParseDict(doc, Payloads()).payloads
    async with external_storage() as storage:
        converter = DataConverter(
            payload_codec=codec_for_namespace(namespace), external_storage=storage
        )
        values = await converter.decode(list(payloads))
    json.dump([plain(v) for v in values], sys.stdout)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
