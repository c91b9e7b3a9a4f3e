# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tcodec_global_optspecs
    string join \n config= trust-config q/quiet h/help V/version
end

function __fish_tcodec_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tcodec_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tcodec_using_subcommand
    set -l cmd (__fish_tcodec_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tcodec -n "__fish_tcodec_needs_command" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_needs_command" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_needs_command" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_needs_command" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "encode" -d 'Encode payloads through the namespace\'s pipeline (compress, encrypt)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "decode" -d 'Decode payloads through the namespace\'s pipeline (decrypt, decompress)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "rekey" -d 'Decode with any known key and encode again with the active key id (key rotation)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "keys" -d 'Key inventory: which key ids and encodings payloads carry'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "check" -d 'Check payloads and histories against a policy, for CI (exit 1 on violations)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "serve" -d 'Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "doctor" -d 'Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "probe" -d 'GET a health endpoint and exit 0 on 2xx (container health checks without curl)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "keygen" -d 'Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "config" -d 'Inspect the configuration; `tcodec config example` prints an annotated example'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "generate" -d 'Generate shell completions and man pages (`-` writes to standard output)'
complete -c tcodec -n "__fish_tcodec_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l glob -d 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l since -d 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l until -d 'With a bucket URL: only Cloud Export objects written before TIME' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l shard -d 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l jobs -d 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l input-format -d 'Input encoding' -r -f -a "auto\t'Detect JSON, JSON lines or binary protobuf'
json\t'One JSON document'
jsonl\t'One JSON document per line'
proto\t'Binary protobuf `Payload` or `Payloads`'"
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l type -d 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)' -r -f -a "auto\t'Detect from the content'
payload\t'`temporal.api.common.v1.Payload`'
payloads\t'`temporal.api.common.v1.Payloads` (`{"payloads": [...]}`) or a JSON array of Payloads'
history\t'`temporal.api.history.v1.History` (`{"events": [...]}`)'
event\t'One `temporal.api.history.v1.HistoryEvent`'
events\t'A JSON array of HistoryEvents'
response\t'`GetWorkflowExecutionHistoryResponse` (`{"history": {...}, "nextPageToken": ...}`)'
export\t'A Cloud Export object: `ExportedExecutions` (`{"workflows": [...], "activities": [...]}`) or the legacy `WorkflowExecutions` (`{"items": [...]}`); binary protobuf needs this type, JSON is detected'
archive\t'Server archival: a JSON array of `History` (filestore, gcloud `*.history` files), or a `HistoryBlob` (`{"header": {...}, "body": [History, ...]}`, s3store). Detected'"
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -s n -l namespace -d 'Namespace whose pipeline to use [default: the only configured namespace, else default]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l output-format -d 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input\'s]' -r -f -a "json\t'Indented proto3 JSON (2 spaces, as `temporal ... --output json` prints)'
jsonl\t'One compact JSON document per line'
proto\t'Binary protobuf'"
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -s o -l output -d 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -s i -l identity -d 'age identity file to decrypt with (repeatable), added to the config\'s identities' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l max-decoded-total -d 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l max-decoded-file -d 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l codec-endpoint -d 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l codec-auth -d 'Authorization header value for the codec server (e.g. "Bearer TOKEN")' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l codec-header -d 'Extra header for the codec server, KEY=VALUE (repeatable)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l profile -d 'Profile of the `temporal` CLI\'s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l from-values -d 'Read plain JSON values and turn them into payloads as the SDKs\' default converter does (`json/plain`; `binary/null` for null); a top-level array gives one payload per item'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l deterministic -d 'Same input, same key, same output: AES-GCM nonces derived from the plaintext with a keyed hash. FOR GOLDEN TEST FIXTURES ONLY: it shows which payloads are equal'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l from-readable -d 'Read the readable form `decode --readable` writes (JSON values, text, null, metadata as text; `base64` for raw bytes), edited or not, and encode it: the edit loop'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l force -d 'Encode payloads that already carry the pipeline\'s outer encoding again (by default they are left as they are, so encoding twice does not encrypt twice)'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l no-offload -d 'With External Storage configured: keep every payload inline instead of offloading those at or above the storage threshold'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l in-place -d 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand encode" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l glob -d 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l since -d 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l until -d 'With a bucket URL: only Cloud Export objects written before TIME' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l shard -d 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l jobs -d 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l input-format -d 'Input encoding' -r -f -a "auto\t'Detect JSON, JSON lines or binary protobuf'
json\t'One JSON document'
jsonl\t'One JSON document per line'
proto\t'Binary protobuf `Payload` or `Payloads`'"
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l type -d 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)' -r -f -a "auto\t'Detect from the content'
payload\t'`temporal.api.common.v1.Payload`'
payloads\t'`temporal.api.common.v1.Payloads` (`{"payloads": [...]}`) or a JSON array of Payloads'
history\t'`temporal.api.history.v1.History` (`{"events": [...]}`)'
event\t'One `temporal.api.history.v1.HistoryEvent`'
events\t'A JSON array of HistoryEvents'
response\t'`GetWorkflowExecutionHistoryResponse` (`{"history": {...}, "nextPageToken": ...}`)'
export\t'A Cloud Export object: `ExportedExecutions` (`{"workflows": [...], "activities": [...]}`) or the legacy `WorkflowExecutions` (`{"items": [...]}`); binary protobuf needs this type, JSON is detected'
archive\t'Server archival: a JSON array of `History` (filestore, gcloud `*.history` files), or a `HistoryBlob` (`{"header": {...}, "body": [History, ...]}`, s3store). Detected'"
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -s n -l namespace -d 'Namespace whose pipeline to use [default: the only configured namespace, else default]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l output-format -d 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input\'s]' -r -f -a "json\t'Indented proto3 JSON (2 spaces, as `temporal ... --output json` prints)'
jsonl\t'One compact JSON document per line'
proto\t'Binary protobuf'"
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -s o -l output -d 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -s i -l identity -d 'age identity file to decrypt with (repeatable), added to the config\'s identities' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l max-decoded-total -d 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l max-decoded-file -d 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l codec-endpoint -d 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l codec-auth -d 'Authorization header value for the codec server (e.g. "Bearer TOKEN")' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l codec-header -d 'Extra header for the codec server, KEY=VALUE (repeatable)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l profile -d 'Profile of the `temporal` CLI\'s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l readable -d 'Show payload data as what it means (JSON values, text, null) instead of base64, like the Web UI\'s "Readable" download. For people and jq: SDK replayers cannot read it. Payloads that fail to decode are shown with an inline "error" and counted'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l keep-going -d 'With --readable: exit 0 even when some payloads could not be decoded'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l to-values -d 'Print just the values of a payload list as a JSON array (the inverse of `encode --from-values`)'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l strict -d 'Exit 3 when payloads are left still encoded (the namespace\'s pipeline has no codec or key for them); without it, tcodec warns'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l keep-refs -d 'Leave External Storage references as they are (the Web UI\'s view): fetch nothing, decode every other payload. By default each reference is resolved from the namespace\'s storage, checked against its SHA-256 and decoded in its place'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l in-place -d 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand decode" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l glob -d 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l since -d 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l until -d 'With a bucket URL: only Cloud Export objects written before TIME' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l shard -d 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l jobs -d 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l input-format -d 'Input encoding' -r -f -a "auto\t'Detect JSON, JSON lines or binary protobuf'
json\t'One JSON document'
jsonl\t'One JSON document per line'
proto\t'Binary protobuf `Payload` or `Payloads`'"
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l type -d 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)' -r -f -a "auto\t'Detect from the content'
payload\t'`temporal.api.common.v1.Payload`'
payloads\t'`temporal.api.common.v1.Payloads` (`{"payloads": [...]}`) or a JSON array of Payloads'
history\t'`temporal.api.history.v1.History` (`{"events": [...]}`)'
event\t'One `temporal.api.history.v1.HistoryEvent`'
events\t'A JSON array of HistoryEvents'
response\t'`GetWorkflowExecutionHistoryResponse` (`{"history": {...}, "nextPageToken": ...}`)'
export\t'A Cloud Export object: `ExportedExecutions` (`{"workflows": [...], "activities": [...]}`) or the legacy `WorkflowExecutions` (`{"items": [...]}`); binary protobuf needs this type, JSON is detected'
archive\t'Server archival: a JSON array of `History` (filestore, gcloud `*.history` files), or a `HistoryBlob` (`{"header": {...}, "body": [History, ...]}`, s3store). Detected'"
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -s n -l namespace -d 'Namespace whose pipeline to use [default: the only configured namespace, else default]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l output-format -d 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input\'s]' -r -f -a "json\t'Indented proto3 JSON (2 spaces, as `temporal ... --output json` prints)'
jsonl\t'One compact JSON document per line'
proto\t'Binary protobuf'"
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -s o -l output -d 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -s i -l identity -d 'age identity file to decrypt with (repeatable), added to the config\'s identities' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l max-decoded-total -d 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l max-decoded-file -d 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l codec-endpoint -d 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l codec-auth -d 'Authorization header value for the codec server (e.g. "Bearer TOKEN")' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l codec-header -d 'Extra header for the codec server, KEY=VALUE (repeatable)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l profile -d 'Profile of the `temporal` CLI\'s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l in-place -d 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)'
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand rekey" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -s h -l help -d 'Print help'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -f -a "used" -d 'List the key ids and encodings in files, with counts and first locations'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and not __fish_seen_subcommand_from used help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l glob -d 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l since -d 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l until -d 'With a bucket URL: only Cloud Export objects written before TIME' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l shard -d 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l jobs -d 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l input-format -d 'Input encoding' -r -f -a "auto\t'Detect JSON, JSON lines or binary protobuf'
json\t'One JSON document'
jsonl\t'One JSON document per line'
proto\t'Binary protobuf `Payload` or `Payloads`'"
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l type -d 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)' -r -f -a "auto\t'Detect from the content'
payload\t'`temporal.api.common.v1.Payload`'
payloads\t'`temporal.api.common.v1.Payloads` (`{"payloads": [...]}`) or a JSON array of Payloads'
history\t'`temporal.api.history.v1.History` (`{"events": [...]}`)'
event\t'One `temporal.api.history.v1.HistoryEvent`'
events\t'A JSON array of HistoryEvents'
response\t'`GetWorkflowExecutionHistoryResponse` (`{"history": {...}, "nextPageToken": ...}`)'
export\t'A Cloud Export object: `ExportedExecutions` (`{"workflows": [...], "activities": [...]}`) or the legacy `WorkflowExecutions` (`{"items": [...]}`); binary protobuf needs this type, JSON is detected'
archive\t'Server archival: a JSON array of `History` (filestore, gcloud `*.history` files), or a `HistoryBlob` (`{"header": {...}, "body": [History, ...]}`, s3store). Detected'"
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l output-format -l format -d 'Report format (`--format` is an alias)' -r -f -a "text\t'Human-readable lines, then a summary'
json\t'One JSON object (for jq and CI)'"
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -s o -d 'Not an option here: the report goes to standard output (a clear error for `-o json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l storage -d 'Also fetch the object of every External Storage reference through the storage of namespace NAMESPACE (from the config), check its SHA-256, and count the key ids it carries (listed at the reference\'s location + "(stored object)")' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -s n -l namespace -d 'Mark each key id as one the namespace\'s codecs in the config know (key, decrypt_keys, KEKs) or not: before retiring a key, or to find another namespace\'s data' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from used" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "used" -d 'List the key ids and encodings in files, with counts and first locations'
complete -c tcodec -n "__fish_tcodec_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l glob -d 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l since -d 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l until -d 'With a bucket URL: only Cloud Export objects written before TIME' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l shard -d 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l jobs -d 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l input-format -d 'Input encoding' -r -f -a "auto\t'Detect JSON, JSON lines or binary protobuf'
json\t'One JSON document'
jsonl\t'One JSON document per line'
proto\t'Binary protobuf `Payload` or `Payloads`'"
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l type -d 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)' -r -f -a "auto\t'Detect from the content'
payload\t'`temporal.api.common.v1.Payload`'
payloads\t'`temporal.api.common.v1.Payloads` (`{"payloads": [...]}`) or a JSON array of Payloads'
history\t'`temporal.api.history.v1.History` (`{"events": [...]}`)'
event\t'One `temporal.api.history.v1.HistoryEvent`'
events\t'A JSON array of HistoryEvents'
response\t'`GetWorkflowExecutionHistoryResponse` (`{"history": {...}, "nextPageToken": ...}`)'
export\t'A Cloud Export object: `ExportedExecutions` (`{"workflows": [...], "activities": [...]}`) or the legacy `WorkflowExecutions` (`{"items": [...]}`); binary protobuf needs this type, JSON is detected'
archive\t'Server archival: a JSON array of `History` (filestore, gcloud `*.history` files), or a `HistoryBlob` (`{"header": {...}, "body": [History, ...]}`, s3store). Detected'"
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -s n -l namespace -d 'Namespace whose pipeline defines "encoded" [default: the only configured namespace, else default]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l allow-key-id -d 'Allowed encryption key id (repeatable); other ids are violations' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l max-payload-size -d 'Largest serialized payload allowed (B, KB, KiB, MB, MiB, ...) [default: 2MiB, Temporal\'s blob error limit]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -s i -l identity -d 'age identity file to decrypt with (repeatable)' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l max-decoded-total -d 'Total bytes the payloads of one document may decompress to, all payloads together' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l output-format -l format -d 'Report format (`--format` is an alias)' -r -f -a "text\t'Human-readable lines, then a summary'
json\t'One JSON object (for jq and CI)'"
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -s o -d 'Not an option here: the report goes to standard output (a clear error for `-o json`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l report-to -d 'Also write the JSON report to FILE or to a bucket object (s3://B/KEY, gs://B/KEY), for `check --merge` of shards run on many machines' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l codec-endpoint -d 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l codec-auth -d 'Authorization header value for the codec server (e.g. "Bearer TOKEN")' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l codec-header -d 'Extra header for the codec server, KEY=VALUE (repeatable)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l profile -d 'Profile of the `temporal` CLI\'s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l require-encoded -d 'Every payload must carry the encoding of the pipeline\'s outermost codec [default: on when the namespace encrypts (aes-256-gcm, age, a remote codec)]'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l allow-plaintext -d 'Do not require encoding, even where the namespace encrypts'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l strict -d 'Headers and local-activity marker data must be encoded too'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l no-decode -d 'Do not try to decode payloads (no keys needed)'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l verify-storage -d 'Fetch the object of every External Storage reference from the namespace\'s storage, check its SHA-256, and check it like an inline payload (a plaintext object is a violation). Without it references are notices: what their claim shows in clear'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l allow-fallback -d 'Check a namespace that only the config\'s `[namespaces."*"]` fallback serves (without it, a namespace not configured by name is an error: a typo must not pass)'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l merge -d 'Merge the JSON reports given as inputs (`check --output-format json` of shards) into one: the same totals and findings as one run over everything; exit 1 on violations'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l require-payloads -d 'Fail (exit 1) when the inputs hold no payload at all: a check of nothing proves nothing'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand check" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l listen -d 'Address to listen on (port 0 picks a free port, printed on standard error)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l allow-origin -d 'Origin allowed to call from a browser, with its scheme, e.g. the Web UI\'s http://localhost:8233 (repeatable); without any, browsers are refused' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l allow-host -d 'Host name the server may be called by, besides localhost and IP addresses (repeatable); requests with any other Host header are refused (DNS rebinding)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -s n -l namespace -d 'Namespace for requests that name none (no X-Namespace, no path prefix) [default: the only configured namespace, else default]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l tls-cert -d 'TLS certificate chain (PEM)' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l tls-key -d 'TLS private key (PEM)' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l auth-tokens -d 'Bearer tokens file: `TOKEN [RIGHTS] [NAMESPACES]` per line' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l auth-preset -d 'Settings for a known identity provider: `temporal-cloud` sets the JWKS (https://login.tmprl.cloud/.well-known/jwks.json), the audience (https://saas-api.tmprl.cloud), the email claim, CORS for https://cloud.temporal.io, and matches Cloud namespace names `<namespace>.<account>` to configured namespaces; explicit options still win' -r -f -a "temporal-cloud\t'Temporal Cloud\'s users and its Web UI at https://cloud.temporal.io'"
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l cloud-account -d 'With --auth-preset temporal-cloud: the Temporal Cloud account ids whose namespaces (`<namespace>.<account>`) map to configured namespaces; a namespace of any other account maps to nothing. Without it, any account maps (a warning at start)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwks -d 'Verify bearer JWTs against this JWKS: a file, or an https:// URL (http:// only to loopback) fetched at start and refreshed' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-audience -d 'Required JWT audience (`aud`); needed with --jwks unless --jwt-any-audience' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-issuer -d 'Required JWT issuer (`iss`)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-namespace-claim -d 'JWT claim listing the namespaces a token may use (string or array; `*` for any)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-email-claim -d 'JWT claim holding the user\'s email, for the audit log' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-groups-claim -d 'JWT claim holding the user\'s groups or roles (a string or an array), for policies' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-leeway -d 'Clock skew allowed around a JWT\'s `exp` and `nbf`, in seconds' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwks-refresh -d 'How often a --jwks URL is fetched again, in seconds (a Cache-Control max-age wins)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l max-body-size -d 'Largest request body (B, KB, KiB, MB, MiB, ...)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l max-decoded-size -d 'Bytes one request may decode to (all its payloads\' decompressed output together) and largest answer [default: 4 × --max-body-size]' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l max-payloads -d 'Payloads in one request' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l request-timeout -d 'Per-request time limit, in seconds (answered 503; codec work stops at the next payload)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l max-concurrency -d 'Requests whose codec work runs at once; others wait (within their time limit)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l header-timeout -d 'Time a connection has for its TLS handshake and each request head, and may sit idle between requests, in seconds' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l max-connections -d 'Connections open at once; more are closed at once' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l metrics-listen -d 'With --metrics: the address GET /metrics is served on, a listener of its own (plain HTTP, no auth: keep it on loopback or inside the pod network). The codec listener never serves /metrics' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l watch-config -d 'Reload the configuration and keys whenever the config file changes, checked every SECONDS (as SIGHUP does: refused whole when the new one fails a check). For Kubernetes, where a mounted ConfigMap changes and no one sends SIGHUP' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l audit-log -d 'Append one JSON line per encode/decode/download request to FILE (`-`: standard output): time, request id, client, subject, namespace, route, payloads, key ids, outcome; never payloads, tokens or keys. SIGHUP reopens FILE' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l jwt-any-audience -d 'Accept JWTs minted for any audience (tokens for other apps then work here too)'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l offload-on-encode -d '`/encode` offloads payloads at or above the namespace\'s storage threshold to its External Storage. Off by default: workers should not point a remote codec at a storage-aware handler (their SDK offloads after the codec itself)'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l insecure-public-bind -d 'Allow a non-loopback --listen without TLS and auth (anyone who reaches it can decrypt)'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l metrics -d 'Serve GET /metrics in the Prometheus text format (bounded labels: routes, status classes, error kinds, configured key ids)'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l metrics-namespace-labels -d 'With --metrics: also count requests by configured namespace'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand serve" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l codec-endpoint -d 'The codec endpoint the UI is set to (as in the UI\'s settings)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l origin -d 'The UI\'s origin, e.g. http://localhost:8233 or https://cloud.temporal.io' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -s n -l namespace -d 'Namespace sent as X-Namespace' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l codec-auth -d 'Act as the UI with "Pass access token": send this as Authorization (and Authorization-Extras)' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l ca-cert -d 'Trust the CA certificates in this PEM file (a private CA that signed the server\'s certificate) instead of the public roots, as a browser told to trust that CA' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l include-credentials -d 'Act as the UI with "Include cross-origin credentials" (always on for Temporal Cloud)'
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c tcodec -n "__fish_tcodec_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -l ca-cert -d 'Trust the CA certificates in this PEM file (a private CA that signed the server\'s certificate) instead of the public roots' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -l insecure -d 'Skip certificate checks (loopback URLs only: the server\'s certificate names its public host, not 127.0.0.1)'
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -s h -l help -d 'Print help'
complete -c tcodec -n "__fish_tcodec_using_subcommand probe" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -l id -d 'Key id to show in the printed config snippet' -r
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -s o -l output -d 'Write the key to a new file with mode 0600 (never overwrites)' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -l format -d 'Key encoding' -r -f -a "raw\t'32 raw bytes'
hex\t'64 lowercase hex digits and a newline'
base64\t'Standard base64 and a newline'"
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -l age -d 'Generate an age X25519 identity instead (prints its recipient, the public key)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -f -a "check" -d 'Validate the configuration and load every key; list namespaces, codecs and key ids'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -f -a "example" -d 'Print a complete, annotated example configuration (every key source and codec)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and not __fish_seen_subcommand_from check example help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from check" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from check" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from example" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from example" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from example" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from example" -s h -l help -d 'Print help'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from example" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the configuration and load every key; list namespaces, codecs and key ids'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "example" -d 'Print a complete, annotated example configuration (every key source and codec)'
complete -c tcodec -n "__fish_tcodec_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcodec -n "__fish_tcodec_using_subcommand generate" -l shell -d 'Shell of the completion script: only that one is written (to DIR, or to standard output with `-`, where it is required unless $SHELL names one)' -r -f -a "bash\t''
elvish\t''
fish\t''
powershell\t''
zsh\t''"
complete -c tcodec -n "__fish_tcodec_using_subcommand generate" -l config -d 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]' -r -F
complete -c tcodec -n "__fish_tcodec_using_subcommand generate" -l trust-config -d 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)'
complete -c tcodec -n "__fish_tcodec_using_subcommand generate" -s q -l quiet -d 'No progress display or summary lines on standard error (errors still show)'
complete -c tcodec -n "__fish_tcodec_using_subcommand generate" -s h -l help -d 'Print help'
complete -c tcodec -n "__fish_tcodec_using_subcommand generate" -s V -l version -d 'Print version'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "encode" -d 'Encode payloads through the namespace\'s pipeline (compress, encrypt)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "decode" -d 'Decode payloads through the namespace\'s pipeline (decrypt, decompress)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "rekey" -d 'Decode with any known key and encode again with the active key id (key rotation)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "keys" -d 'Key inventory: which key ids and encodings payloads carry'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "check" -d 'Check payloads and histories against a policy, for CI (exit 1 on violations)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "serve" -d 'Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "doctor" -d 'Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "probe" -d 'GET a health endpoint and exit 0 on 2xx (container health checks without curl)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "keygen" -d 'Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "config" -d 'Inspect the configuration; `tcodec config example` prints an annotated example'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "generate" -d 'Generate shell completions and man pages (`-` writes to standard output)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and not __fish_seen_subcommand_from encode decode rekey keys check serve doctor probe keygen config generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "used" -d 'List the key ids and encodings in files, with counts and first locations'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate the configuration and load every key; list namespaces, codecs and key ids'
complete -c tcodec -n "__fish_tcodec_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "example" -d 'Print a complete, annotated example configuration (every key source and codec)'
