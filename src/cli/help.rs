//! The long texts of `--help`: exit codes, version details, and each command's examples.

pub(crate) const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  `check` found violations
  2  usage or configuration error (bad flags, bad config, unknown namespace, key not loadable)
  3  bad data (malformed JSON or protobuf, invalid base64, tampered ciphertext, unknown key id)
  4  I/O error (cannot read an input or write an output)
  5  remote codec server error";

pub(crate) const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncodecs:  aes-256-gcm (binary/encrypted, samples format), kms (binary/encrypted + encryption-dek,\n         temporal-proxy envelope; base64key:// KEKs), age (binary/age), zlib (binary/zlib, Go SDK),\n         gzip (binary/gzip), snappy (binary/snappy, raw block or framed), zstd (binary/zstd),\n         remote codec server (--codec-endpoint)",
    "\ninputs:  Payload, Payloads {\"payloads\": [...]}, arrays of Payloads, plain JSON values (--from-values),\n         History, HistoryEvent, event arrays, GetWorkflowExecutionHistoryResponse,\n         Cloud Export files (ExportedExecutions, --type export), archives (History arrays, HistoryBlob);\n         as JSON, JSON lines, or binary protobuf; files, directories, s3:// and gs:// prefixes",
    "\noutputs: proto3 JSON (as Go protojson and `temporal ... --output json`), JSON lines, binary protobuf"
);

pub(crate) const ENCODE_EXAMPLES: &str = "\
Examples:
  tcodec encode -n default payloads.json > encoded.json
  echo '[\"hello\", {\"a\": 1}, null]' | tcodec encode --from-values -n default
  tcodec encode -n default --in-place fixtures/*.json
  tcodec encode -n zipped payloads.json --output-format proto -o payloads.bin
  tcodec encode -n default --deterministic fixtures.json    # stable golden files (test keys)";

pub(crate) const DECODE_EXAMPLES: &str = "\
Examples:
  tcodec decode -n default encoded.json | jq .
  TCODEC_CONFIG=examples/interop.toml tcodec decode -n default encoded.json -o plain.json
  tcodec decode -n default history.json -o plain.json         # replayable
  tcodec decode -n default --readable history.json | jq '.events[0]'
  tcodec decode --input-format proto --type history history.bin -o plain.json
  tcodec decode --input-format proto payloads.bin -o out.json
  cat bodies.jsonl | tcodec decode -n default --input-format jsonl -";

pub(crate) const CHECK_EXAMPLES: &str = "\
Examples:
  tcodec check -n default --require-encoded fixtures/*.json
  tcodec check -n default --require-encoded --allow-key-id prod-2026 --max-payload-size 2MiB h.json
  tcodec check -n default --require-encoded --no-decode --format json history.json | jq .violations
Violations (exit 1): plaintext payloads (on by default where the namespace encrypts, else with
--require-encoded; --allow-plaintext turns it off), key ids off the --allow-key-id list, payloads
over --max-payload-size, payloads the pipeline cannot decode, payloads encoded twice
(double-encoded), malformed payloads, and inputs that could not be read (unreadable) or parsed
(malformed): \"ok\": true only when every input was checked.
Search attributes, headers and local-activity marker data are left plain by the SDKs by
default: they are counted as notices (--strict makes headers and marker data violations).";

pub(crate) const SERVE_EXAMPLES: &str = "\
Examples:
  tcodec serve --listen 127.0.0.1:8081 --allow-origin http://localhost:8233
  temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8081
  temporal workflow show -w my-wf --codec-endpoint http://127.0.0.1:8081
  tcodec serve --listen 0.0.0.0:8443 --tls-cert c.pem --tls-key k.pem --auth-tokens tokens.txt
Protocol: POST /encode and /decode (any prefix, e.g. /{namespace}/decode), body and answer
{\"payloads\": [...]} in proto3 JSON; namespace from X-Namespace, then the path, then -n.
GET /healthz answers ok. Tokens file: `TOKEN [encode|decode|encode,decode] [NS1,NS2]` per line.
JWTs (--jwks, with --jwt-audience): exp required; rights come only from `tcodec:encode` /
`tcodec:decode` in the `scope` or `scp` claim (a token without them gets 403).
Every option can also come from TCODEC_SERVE_<NAME> (e.g. TCODEC_SERVE_MAX_BODY_SIZE; lists
comma-separated) and from the config's [serve] table (keys are the long option names, e.g.
max-body-size = \"8MiB\", allow-origin = [\"http://localhost:8233\"]): flags > environment > file.
A non-loopback --listen needs TLS and auth (or --insecure-public-bind).";

pub(crate) const DOCTOR_EXAMPLES: &str = "\
Examples:
  tcodec doctor --codec-endpoint http://127.0.0.1:8081 --origin http://localhost:8233
  tcodec doctor --codec-endpoint https://codec.example.com --origin https://cloud.temporal.io \\
    -n prod.acct --codec-auth \"Bearer $TOKEN\"
Steps: the endpoint's scheme (the UI sends tokens only to https; Temporal Cloud needs https;
https pages cannot call plain http), the CORS preflight the UI sends (exact origin,
credentials, POST, content-type, x-namespace, and authorization, authorization-extras with a
token), POST /decode?preserveStorageRefs=true with X-Namespace, and /download. Each step
prints ok, info or FAIL with the fix. Exit 0 only if a browser at ORIGIN would see
plaintext; 1 if a step fails; 5 if the server cannot be reached.";

pub(crate) const REKEY_EXAMPLES: &str = "\
Examples:
  tcodec rekey -n default --in-place fixtures/*.json
  tcodec rekey -n default history.json -o history.rekeyed.json
Only payloads carrying the encoding of the namespace's first codec (binary/encrypted for
aes-256-gcm) are decoded and encoded again, with the active key; everything else, including
plain headers and search attributes, stays byte for byte. Then `tcodec keys used` shows
whether an old key id is still in use.";

pub(crate) const KEYS_USED_EXAMPLES: &str = "\
Examples:
  tcodec keys used history.json
  tcodec keys used --format json fixtures/*.json | jq '.entries[] | {keyId, payloads}'
Reads only the stored metadata (encoding, encryption-key-id): no configuration or keys needed.";

pub(crate) const KEYGEN_EXAMPLES: &str = "\
Examples:
  tcodec keygen --id prod-2026 -o prod-2026.key      # raw bytes, mode 0600
  tcodec keygen --format hex > prod-2026.hex
  tcodec keygen --age -o ci.agekey                   # prints the recipient (age1...)
Then add to the config:
  [keys]
  prod-2026 = { file = \"prod-2026.key\" }";

pub(crate) const CONFIG_CHECK_EXAMPLES: &str = "\
Examples:
  tcodec config check
  tcodec --config examples/interop.toml config check
  TCODEC_CONFIG=/etc/tcodec/prod.toml tcodec config check    # exit 2 if a key cannot be loaded
Config lookup: --config, TCODEC_CONFIG, ./tcodec.toml, <config dir>/tcodec/config.toml.";

pub(crate) const GENERATE_EXAMPLES: &str = "\
Examples:
  tcodec generate completions --shell bash - > ~/.local/share/bash-completion/completions/tcodec
  tcodec generate completions --shell zsh - > ~/.zfunc/_tcodec      # fpath+=~/.zfunc
  tcodec generate completions --shell fish - > ~/.config/fish/completions/tcodec.fish
  tcodec generate completions --shell powershell - >> $PROFILE
  tcodec generate completions --shell elvish - > ~/.config/elvish/lib/tcodec.elv
  tcodec generate man ~/.local/share/man           # man1/tcodec.1, ..., man5/tcodec.toml.5
  tcodec generate man - | man -l -                 # the main page, to read now";
