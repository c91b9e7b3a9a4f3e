
use builtin;
use str;

set edit:completion:arg-completer[tcodec] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tcodec'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tcodec'= {
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand encode 'Encode payloads through the namespace''s pipeline (compress, encrypt)'
            cand decode 'Decode payloads through the namespace''s pipeline (decrypt, decompress)'
            cand rekey 'Decode with any known key and encode again with the active key id (key rotation)'
            cand keys 'Key inventory: which key ids and encodings payloads carry'
            cand check 'Check payloads and histories against a policy, for CI (exit 1 on violations)'
            cand serve 'Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI'
            cand doctor 'Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?'
            cand probe 'GET a health endpoint and exit 0 on 2xx (container health checks without curl)'
            cand keygen 'Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)'
            cand config 'Inspect the configuration; `tcodec config example` prints an annotated example'
            cand generate 'Generate shell completions and man pages (`-` writes to standard output)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcodec;encode'= {
            cand --glob 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)'
            cand --since 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)'
            cand --until 'With a bucket URL: only Cloud Export objects written before TIME'
            cand --shard 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once'
            cand --jobs 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)'
            cand --input-format 'Input encoding'
            cand --type 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)'
            cand -n 'Namespace whose pipeline to use [default: the only configured namespace, else default]'
            cand --namespace 'Namespace whose pipeline to use [default: the only configured namespace, else default]'
            cand --output-format 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input''s]'
            cand -o 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected'
            cand --output 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected'
            cand -i 'age identity file to decrypt with (repeatable), added to the config''s identities'
            cand --identity 'age identity file to decrypt with (repeatable), added to the config''s identities'
            cand --max-decoded-total 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)'
            cand --max-decoded-file 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)'
            cand --codec-endpoint 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches'
            cand --codec-auth 'Authorization header value for the codec server (e.g. "Bearer TOKEN")'
            cand --codec-header 'Extra header for the codec server, KEY=VALUE (repeatable)'
            cand --profile 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --from-values 'Read plain JSON values and turn them into payloads as the SDKs'' default converter does (`json/plain`; `binary/null` for null); a top-level array gives one payload per item'
            cand --deterministic 'Same input, same key, same output: AES-GCM nonces derived from the plaintext with a keyed hash. FOR GOLDEN TEST FIXTURES ONLY: it shows which payloads are equal'
            cand --from-readable 'Read the readable form `decode --readable` writes (JSON values, text, null, metadata as text; `base64` for raw bytes), edited or not, and encode it: the edit loop'
            cand --force 'Encode payloads that already carry the pipeline''s outer encoding again (by default they are left as they are, so encoding twice does not encrypt twice)'
            cand --no-offload 'With External Storage configured: keep every payload inline instead of offloading those at or above the storage threshold'
            cand --in-place 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;decode'= {
            cand --glob 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)'
            cand --since 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)'
            cand --until 'With a bucket URL: only Cloud Export objects written before TIME'
            cand --shard 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once'
            cand --jobs 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)'
            cand --input-format 'Input encoding'
            cand --type 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)'
            cand -n 'Namespace whose pipeline to use [default: the only configured namespace, else default]'
            cand --namespace 'Namespace whose pipeline to use [default: the only configured namespace, else default]'
            cand --output-format 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input''s]'
            cand -o 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected'
            cand --output 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected'
            cand -i 'age identity file to decrypt with (repeatable), added to the config''s identities'
            cand --identity 'age identity file to decrypt with (repeatable), added to the config''s identities'
            cand --max-decoded-total 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)'
            cand --max-decoded-file 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)'
            cand --codec-endpoint 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches'
            cand --codec-auth 'Authorization header value for the codec server (e.g. "Bearer TOKEN")'
            cand --codec-header 'Extra header for the codec server, KEY=VALUE (repeatable)'
            cand --profile 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --readable 'Show payload data as what it means (JSON values, text, null) instead of base64, like the Web UI''s "Readable" download. For people and jq: SDK replayers cannot read it. Payloads that fail to decode are shown with an inline "error" and counted'
            cand --keep-going 'With --readable: exit 0 even when some payloads could not be decoded'
            cand --to-values 'Print just the values of a payload list as a JSON array (the inverse of `encode --from-values`)'
            cand --strict 'Exit 3 when payloads are left still encoded (the namespace''s pipeline has no codec or key for them); without it, tcodec warns'
            cand --keep-refs 'Leave External Storage references as they are (the Web UI''s view): fetch nothing, decode every other payload. By default each reference is resolved from the namespace''s storage, checked against its SHA-256 and decoded in its place'
            cand --in-place 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;rekey'= {
            cand --glob 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)'
            cand --since 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)'
            cand --until 'With a bucket URL: only Cloud Export objects written before TIME'
            cand --shard 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once'
            cand --jobs 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)'
            cand --input-format 'Input encoding'
            cand --type 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)'
            cand -n 'Namespace whose pipeline to use [default: the only configured namespace, else default]'
            cand --namespace 'Namespace whose pipeline to use [default: the only configured namespace, else default]'
            cand --output-format 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input''s]'
            cand -o 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected'
            cand --output 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected'
            cand -i 'age identity file to decrypt with (repeatable), added to the config''s identities'
            cand --identity 'age identity file to decrypt with (repeatable), added to the config''s identities'
            cand --max-decoded-total 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)'
            cand --max-decoded-file 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)'
            cand --codec-endpoint 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches'
            cand --codec-auth 'Authorization header value for the codec server (e.g. "Bearer TOKEN")'
            cand --codec-header 'Extra header for the codec server, KEY=VALUE (repeatable)'
            cand --profile 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --in-place 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;keys'= {
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand used 'List the key ids and encodings in files, with counts and first locations'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcodec;keys;used'= {
            cand --glob 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)'
            cand --since 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)'
            cand --until 'With a bucket URL: only Cloud Export objects written before TIME'
            cand --shard 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once'
            cand --jobs 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)'
            cand --input-format 'Input encoding'
            cand --type 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)'
            cand --output-format 'Report format (`--format` is an alias)'
            cand --format 'Report format (`--format` is an alias)'
            cand -o 'Not an option here: the report goes to standard output (a clear error for `-o json`)'
            cand --storage 'Also fetch the object of every External Storage reference through the storage of namespace NAMESPACE (from the config), check its SHA-256, and count the key ids it carries (listed at the reference''s location + "(stored object)")'
            cand -n 'Mark each key id as one the namespace''s codecs in the config know (key, decrypt_keys, KEKs) or not: before retiring a key, or to find another namespace''s data'
            cand --namespace 'Mark each key id as one the namespace''s codecs in the config know (key, decrypt_keys, KEKs) or not: before retiring a key, or to find another namespace''s data'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;keys;help'= {
            cand used 'List the key ids and encodings in files, with counts and first locations'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcodec;keys;help;used'= {
        }
        &'tcodec;keys;help;help'= {
        }
        &'tcodec;check'= {
            cand --glob 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)'
            cand --since 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)'
            cand --until 'With a bucket URL: only Cloud Export objects written before TIME'
            cand --shard 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once'
            cand --jobs 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)'
            cand --input-format 'Input encoding'
            cand --type 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)'
            cand -n 'Namespace whose pipeline defines "encoded" [default: the only configured namespace, else default]'
            cand --namespace 'Namespace whose pipeline defines "encoded" [default: the only configured namespace, else default]'
            cand --allow-key-id 'Allowed encryption key id (repeatable); other ids are violations'
            cand --max-payload-size 'Largest serialized payload allowed (B, KB, KiB, MB, MiB, ...) [default: 2MiB, Temporal''s blob error limit]'
            cand -i 'age identity file to decrypt with (repeatable)'
            cand --identity 'age identity file to decrypt with (repeatable)'
            cand --max-decoded-total 'Total bytes the payloads of one document may decompress to, all payloads together'
            cand --output-format 'Report format (`--format` is an alias)'
            cand --format 'Report format (`--format` is an alias)'
            cand -o 'Not an option here: the report goes to standard output (a clear error for `-o json`)'
            cand --report-to 'Also write the JSON report to FILE or to a bucket object (s3://B/KEY, gs://B/KEY), for `check --merge` of shards run on many machines'
            cand --codec-endpoint 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches'
            cand --codec-auth 'Authorization header value for the codec server (e.g. "Bearer TOKEN")'
            cand --codec-header 'Extra header for the codec server, KEY=VALUE (repeatable)'
            cand --profile 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --require-encoded 'Every payload must carry the encoding of the pipeline''s outermost codec [default: on when the namespace encrypts (aes-256-gcm, age, a remote codec)]'
            cand --allow-plaintext 'Do not require encoding, even where the namespace encrypts'
            cand --strict 'Headers and local-activity marker data must be encoded too'
            cand --no-decode 'Do not try to decode payloads (no keys needed)'
            cand --verify-storage 'Fetch the object of every External Storage reference from the namespace''s storage, check its SHA-256, and check it like an inline payload (a plaintext object is a violation). Without it references are notices: what their claim shows in clear'
            cand --allow-fallback 'Check a namespace that only the config''s `[namespaces."*"]` fallback serves (without it, a namespace not configured by name is an error: a typo must not pass)'
            cand --merge 'Merge the JSON reports given as inputs (`check --output-format json` of shards) into one: the same totals and findings as one run over everything; exit 1 on violations'
            cand --require-payloads 'Fail (exit 1) when the inputs hold no payload at all: a check of nothing proves nothing'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;serve'= {
            cand --listen 'Address to listen on (port 0 picks a free port, printed on standard error)'
            cand --allow-origin 'Origin allowed to call from a browser, with its scheme, e.g. the Web UI''s http://localhost:8233 (repeatable); without any, browsers are refused'
            cand --allow-host 'Host name the server may be called by, besides localhost and IP addresses (repeatable); requests with any other Host header are refused (DNS rebinding)'
            cand -n 'Namespace for requests that name none (no X-Namespace, no path prefix) [default: the only configured namespace, else default]'
            cand --namespace 'Namespace for requests that name none (no X-Namespace, no path prefix) [default: the only configured namespace, else default]'
            cand --tls-cert 'TLS certificate chain (PEM)'
            cand --tls-key 'TLS private key (PEM)'
            cand --auth-tokens 'Bearer tokens file: `TOKEN [RIGHTS] [NAMESPACES]` per line'
            cand --auth-preset 'Settings for a known identity provider: `temporal-cloud` sets the JWKS (https://login.tmprl.cloud/.well-known/jwks.json), the audience (https://saas-api.tmprl.cloud), the email claim, CORS for https://cloud.temporal.io, and matches Cloud namespace names `<namespace>.<account>` to configured namespaces; explicit options still win'
            cand --cloud-account 'With --auth-preset temporal-cloud: the Temporal Cloud account ids whose namespaces (`<namespace>.<account>`) map to configured namespaces; a namespace of any other account maps to nothing. Without it, any account maps (a warning at start)'
            cand --jwks 'Verify bearer JWTs against this JWKS: a file, or an https:// URL (http:// only to loopback) fetched at start and refreshed'
            cand --jwt-audience 'Required JWT audience (`aud`); needed with --jwks unless --jwt-any-audience'
            cand --jwt-issuer 'Required JWT issuer (`iss`)'
            cand --jwt-namespace-claim 'JWT claim listing the namespaces a token may use (string or array; `*` for any)'
            cand --jwt-email-claim 'JWT claim holding the user''s email, for the audit log'
            cand --jwt-groups-claim 'JWT claim holding the user''s groups or roles (a string or an array), for policies'
            cand --jwt-leeway 'Clock skew allowed around a JWT''s `exp` and `nbf`, in seconds'
            cand --jwks-refresh 'How often a --jwks URL is fetched again, in seconds (a Cache-Control max-age wins)'
            cand --max-body-size 'Largest request body (B, KB, KiB, MB, MiB, ...)'
            cand --max-decoded-size 'Bytes one request may decode to (all its payloads'' decompressed output together) and largest answer [default: 4 × --max-body-size]'
            cand --max-payloads 'Payloads in one request'
            cand --request-timeout 'Per-request time limit, in seconds (answered 503; codec work stops at the next payload)'
            cand --max-concurrency 'Requests whose codec work runs at once; others wait (within their time limit)'
            cand --header-timeout 'Time a connection has for its TLS handshake and each request head, and may sit idle between requests, in seconds'
            cand --max-connections 'Connections open at once; more are closed at once'
            cand --metrics-listen 'With --metrics: the address GET /metrics is served on, a listener of its own (plain HTTP, no auth: keep it on loopback or inside the pod network). The codec listener never serves /metrics'
            cand --watch-config 'Reload the configuration and keys whenever the config file changes, checked every SECONDS (as SIGHUP does: refused whole when the new one fails a check). For Kubernetes, where a mounted ConfigMap changes and no one sends SIGHUP'
            cand --audit-log 'Append one JSON line per encode/decode/download request to FILE (`-`: standard output): time, request id, client, subject, namespace, route, payloads, key ids, outcome; never payloads, tokens or keys. SIGHUP reopens FILE'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --jwt-any-audience 'Accept JWTs minted for any audience (tokens for other apps then work here too)'
            cand --offload-on-encode '`/encode` offloads payloads at or above the namespace''s storage threshold to its External Storage. Off by default: workers should not point a remote codec at a storage-aware handler (their SDK offloads after the codec itself)'
            cand --insecure-public-bind 'Allow a non-loopback --listen without TLS and auth (anyone who reaches it can decrypt)'
            cand --metrics 'Serve GET /metrics in the Prometheus text format (bounded labels: routes, status classes, error kinds, configured key ids)'
            cand --metrics-namespace-labels 'With --metrics: also count requests by configured namespace'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;doctor'= {
            cand --codec-endpoint 'The codec endpoint the UI is set to (as in the UI''s settings)'
            cand --origin 'The UI''s origin, e.g. http://localhost:8233 or https://cloud.temporal.io'
            cand -n 'Namespace sent as X-Namespace'
            cand --namespace 'Namespace sent as X-Namespace'
            cand --codec-auth 'Act as the UI with "Pass access token": send this as Authorization (and Authorization-Extras)'
            cand --ca-cert 'Trust the CA certificates in this PEM file (a private CA that signed the server''s certificate) instead of the public roots, as a browser told to trust that CA'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --include-credentials 'Act as the UI with "Include cross-origin credentials" (always on for Temporal Cloud)'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;probe'= {
            cand --ca-cert 'Trust the CA certificates in this PEM file (a private CA that signed the server''s certificate) instead of the public roots'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --insecure 'Skip certificate checks (loopback URLs only: the server''s certificate names its public host, not 127.0.0.1)'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;keygen'= {
            cand --id 'Key id to show in the printed config snippet'
            cand -o 'Write the key to a new file with mode 0600 (never overwrites)'
            cand --output 'Write the key to a new file with mode 0600 (never overwrites)'
            cand --format 'Key encoding'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --age 'Generate an age X25519 identity instead (prints its recipient, the public key)'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;config'= {
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Validate the configuration and load every key; list namespaces, codecs and key ids'
            cand example 'Print a complete, annotated example configuration (every key source and codec)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcodec;config;check'= {
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;config;example'= {
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;config;help'= {
            cand check 'Validate the configuration and load every key; list namespaces, codecs and key ids'
            cand example 'Print a complete, annotated example configuration (every key source and codec)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcodec;config;help;check'= {
        }
        &'tcodec;config;help;example'= {
        }
        &'tcodec;config;help;help'= {
        }
        &'tcodec;generate'= {
            cand --shell 'Shell of the completion script: only that one is written (to DIR, or to standard output with `-`, where it is required unless $SHELL names one)'
            cand --config 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]'
            cand --trust-config 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
            cand -q 'No progress display or summary lines on standard error (errors still show)'
            cand --quiet 'No progress display or summary lines on standard error (errors still show)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tcodec;help'= {
            cand encode 'Encode payloads through the namespace''s pipeline (compress, encrypt)'
            cand decode 'Decode payloads through the namespace''s pipeline (decrypt, decompress)'
            cand rekey 'Decode with any known key and encode again with the active key id (key rotation)'
            cand keys 'Key inventory: which key ids and encodings payloads carry'
            cand check 'Check payloads and histories against a policy, for CI (exit 1 on violations)'
            cand serve 'Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI'
            cand doctor 'Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?'
            cand probe 'GET a health endpoint and exit 0 on 2xx (container health checks without curl)'
            cand keygen 'Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)'
            cand config 'Inspect the configuration; `tcodec config example` prints an annotated example'
            cand generate 'Generate shell completions and man pages (`-` writes to standard output)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcodec;help;encode'= {
        }
        &'tcodec;help;decode'= {
        }
        &'tcodec;help;rekey'= {
        }
        &'tcodec;help;keys'= {
            cand used 'List the key ids and encodings in files, with counts and first locations'
        }
        &'tcodec;help;keys;used'= {
        }
        &'tcodec;help;check'= {
        }
        &'tcodec;help;serve'= {
        }
        &'tcodec;help;doctor'= {
        }
        &'tcodec;help;probe'= {
        }
        &'tcodec;help;keygen'= {
        }
        &'tcodec;help;config'= {
            cand check 'Validate the configuration and load every key; list namespaces, codecs and key ids'
            cand example 'Print a complete, annotated example configuration (every key source and codec)'
        }
        &'tcodec;help;config;check'= {
        }
        &'tcodec;help;config;example'= {
        }
        &'tcodec;help;generate'= {
        }
        &'tcodec;help;help'= {
        }
    ]
    $completions[$command]
}
