
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tcodec' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tcodec'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tcodec' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('encode', 'encode', [CompletionResultType]::ParameterValue, 'Encode payloads through the namespace''s pipeline (compress, encrypt)')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode payloads through the namespace''s pipeline (decrypt, decompress)')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Decode with any known key and encode again with the active key id (key rotation)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Key inventory: which key ids and encodings payloads carry')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check payloads and histories against a policy, for CI (exit 1 on violations)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'GET a health endpoint and exit 0 on 2xx (container health checks without curl)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the configuration; `tcodec config example` prints an annotated example')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Generate shell completions and man pages (`-` writes to standard output)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcodec;encode' {
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written before TIME')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input encoding')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace whose pipeline to use [default: the only configured namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace whose pipeline to use [default: the only configured namespace, else default]')
            [CompletionResult]::new('--output-format', '--output-format', [CompletionResultType]::ParameterName, 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input''s]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable), added to the config''s identities')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable), added to the config''s identities')
            [CompletionResult]::new('--max-decoded-total', '--max-decoded-total', [CompletionResultType]::ParameterName, 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)')
            [CompletionResult]::new('--max-decoded-file', '--max-decoded-file', [CompletionResultType]::ParameterName, 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)')
            [CompletionResult]::new('--codec-endpoint', '--codec-endpoint', [CompletionResultType]::ParameterName, 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches')
            [CompletionResult]::new('--codec-auth', '--codec-auth', [CompletionResultType]::ParameterName, 'Authorization header value for the codec server (e.g. "Bearer TOKEN")')
            [CompletionResult]::new('--codec-header', '--codec-header', [CompletionResultType]::ParameterName, 'Extra header for the codec server, KEY=VALUE (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--from-values', '--from-values', [CompletionResultType]::ParameterName, 'Read plain JSON values and turn them into payloads as the SDKs'' default converter does (`json/plain`; `binary/null` for null); a top-level array gives one payload per item')
            [CompletionResult]::new('--deterministic', '--deterministic', [CompletionResultType]::ParameterName, 'Same input, same key, same output: AES-GCM nonces derived from the plaintext with a keyed hash. FOR GOLDEN TEST FIXTURES ONLY: it shows which payloads are equal')
            [CompletionResult]::new('--from-readable', '--from-readable', [CompletionResultType]::ParameterName, 'Read the readable form `decode --readable` writes (JSON values, text, null, metadata as text; `base64` for raw bytes), edited or not, and encode it: the edit loop')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Encode payloads that already carry the pipeline''s outer encoding again (by default they are left as they are, so encoding twice does not encrypt twice)')
            [CompletionResult]::new('--no-offload', '--no-offload', [CompletionResultType]::ParameterName, 'With External Storage configured: keep every payload inline instead of offloading those at or above the storage threshold')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;decode' {
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written before TIME')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input encoding')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace whose pipeline to use [default: the only configured namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace whose pipeline to use [default: the only configured namespace, else default]')
            [CompletionResult]::new('--output-format', '--output-format', [CompletionResultType]::ParameterName, 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input''s]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable), added to the config''s identities')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable), added to the config''s identities')
            [CompletionResult]::new('--max-decoded-total', '--max-decoded-total', [CompletionResultType]::ParameterName, 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)')
            [CompletionResult]::new('--max-decoded-file', '--max-decoded-file', [CompletionResultType]::ParameterName, 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)')
            [CompletionResult]::new('--codec-endpoint', '--codec-endpoint', [CompletionResultType]::ParameterName, 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches')
            [CompletionResult]::new('--codec-auth', '--codec-auth', [CompletionResultType]::ParameterName, 'Authorization header value for the codec server (e.g. "Bearer TOKEN")')
            [CompletionResult]::new('--codec-header', '--codec-header', [CompletionResultType]::ParameterName, 'Extra header for the codec server, KEY=VALUE (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--readable', '--readable', [CompletionResultType]::ParameterName, 'Show payload data as what it means (JSON values, text, null) instead of base64, like the Web UI''s "Readable" download. For people and jq: SDK replayers cannot read it. Payloads that fail to decode are shown with an inline "error" and counted')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'With --readable: exit 0 even when some payloads could not be decoded')
            [CompletionResult]::new('--to-values', '--to-values', [CompletionResultType]::ParameterName, 'Print just the values of a payload list as a JSON array (the inverse of `encode --from-values`)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 3 when payloads are left still encoded (the namespace''s pipeline has no codec or key for them); without it, tcodec warns')
            [CompletionResult]::new('--keep-refs', '--keep-refs', [CompletionResultType]::ParameterName, 'Leave External Storage references as they are (the Web UI''s view): fetch nothing, decode every other payload. By default each reference is resolved from the namespace''s storage, checked against its SHA-256 and decoded in its place')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;rekey' {
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written before TIME')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input encoding')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace whose pipeline to use [default: the only configured namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace whose pipeline to use [default: the only configured namespace, else default]')
            [CompletionResult]::new('--output-format', '--output-format', [CompletionResultType]::ParameterName, 'Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input''s]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (atomically) instead of standard output (`-`: standard output), or with a trailing `/` (or an existing directory) one file per input below DIR. Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs protected')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable), added to the config''s identities')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable), added to the config''s identities')
            [CompletionResult]::new('--max-decoded-total', '--max-decoded-total', [CompletionResultType]::ParameterName, 'Total bytes the payloads of one document may decompress to, all payloads together (a bound against decompression bombs; per execution of an export object)')
            [CompletionResult]::new('--max-decoded-file', '--max-decoded-file', [CompletionResultType]::ParameterName, 'Total output bytes of one export object, all its executions together (to standard output they are held until the end, so this bounds memory: use -o FILE to stream)')
            [CompletionResult]::new('--codec-endpoint', '--codec-endpoint', [CompletionResultType]::ParameterName, 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches')
            [CompletionResult]::new('--codec-auth', '--codec-auth', [CompletionResultType]::ParameterName, 'Authorization header value for the codec server (e.g. "Bearer TOKEN")')
            [CompletionResult]::new('--codec-header', '--codec-header', [CompletionResultType]::ParameterName, 'Extra header for the codec server, KEY=VALUE (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite each input file in place (atomically); a file decoded in place becomes owner-only (mode 0600)')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;keys' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('used', 'used', [CompletionResultType]::ParameterValue, 'List the key ids and encodings in files, with counts and first locations')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcodec;keys;used' {
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written before TIME')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input encoding')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)')
            [CompletionResult]::new('--output-format', '--output-format', [CompletionResultType]::ParameterName, 'Report format (`--format` is an alias)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (`--format` is an alias)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Not an option here: the report goes to standard output (a clear error for `-o json`)')
            [CompletionResult]::new('--storage', '--storage', [CompletionResultType]::ParameterName, 'Also fetch the object of every External Storage reference through the storage of namespace NAMESPACE (from the config), check its SHA-256, and count the key ids it carries (listed at the reference''s location + "(stored object)")')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Mark each key id as one the namespace''s codecs in the config know (key, decrypt_keys, KEKs) or not: before retiring a key, or to find another namespace''s data')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Mark each key id as one the namespace''s codecs in the config know (key, decrypt_keys, KEKs) or not: before retiring a key, or to find another namespace''s data')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;keys;help' {
            [CompletionResult]::new('used', 'used', [CompletionResultType]::ParameterValue, 'List the key ids and encodings in files, with counts and first locations')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcodec;keys;help;used' {
            break
        }
        'tcodec;keys;help;help' {
            break
        }
        'tcodec;check' {
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'With a directory input: only the files whose path below it matches GLOB (`*.json`, `2026/**/*.json`)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written at or after TIME (RFC 3339 UTC, e.g. 2026-12-01T14:00:00Z), read from their key (…/YYYY/MM/DD/HH/mm/ID)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'With a bucket URL: only Cloud Export objects written before TIME')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'With a bucket URL: take shard I of N (0-based), a stable share by a hash of each key: N processes with I = 0..N together take every object exactly once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'With a bucket URL: fetch up to N objects at a time, ahead of the one being worked on (memory: about N + 2 times the largest object)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Input encoding')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What the input holds (payload shapes and history kinds are detected in JSON; binary protobuf histories need --type history)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace whose pipeline defines "encoded" [default: the only configured namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace whose pipeline defines "encoded" [default: the only configured namespace, else default]')
            [CompletionResult]::new('--allow-key-id', '--allow-key-id', [CompletionResultType]::ParameterName, 'Allowed encryption key id (repeatable); other ids are violations')
            [CompletionResult]::new('--max-payload-size', '--max-payload-size', [CompletionResultType]::ParameterName, 'Largest serialized payload allowed (B, KB, KiB, MB, MiB, ...) [default: 2MiB, Temporal''s blob error limit]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'age identity file to decrypt with (repeatable)')
            [CompletionResult]::new('--max-decoded-total', '--max-decoded-total', [CompletionResultType]::ParameterName, 'Total bytes the payloads of one document may decompress to, all payloads together')
            [CompletionResult]::new('--output-format', '--output-format', [CompletionResultType]::ParameterName, 'Report format (`--format` is an alias)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (`--format` is an alias)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Not an option here: the report goes to standard output (a clear error for `-o json`)')
            [CompletionResult]::new('--report-to', '--report-to', [CompletionResultType]::ParameterName, 'Also write the JSON report to FILE or to a bucket object (s3://B/KEY, gs://B/KEY), for `check --merge` of shards run on many machines')
            [CompletionResult]::new('--codec-endpoint', '--codec-endpoint', [CompletionResultType]::ParameterName, 'Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced); payloads are sent in large batches')
            [CompletionResult]::new('--codec-auth', '--codec-auth', [CompletionResultType]::ParameterName, 'Authorization header value for the codec server (e.g. "Bearer TOKEN")')
            [CompletionResult]::new('--codec-header', '--codec-header', [CompletionResultType]::ParameterName, 'Extra header for the codec server, KEY=VALUE (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the `temporal` CLI''s config (temporal.toml) whose codec endpoint and auth to use when --codec-endpoint/--codec-auth are not given')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--require-encoded', '--require-encoded', [CompletionResultType]::ParameterName, 'Every payload must carry the encoding of the pipeline''s outermost codec [default: on when the namespace encrypts (aes-256-gcm, age, a remote codec)]')
            [CompletionResult]::new('--allow-plaintext', '--allow-plaintext', [CompletionResultType]::ParameterName, 'Do not require encoding, even where the namespace encrypts')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Headers and local-activity marker data must be encoded too')
            [CompletionResult]::new('--no-decode', '--no-decode', [CompletionResultType]::ParameterName, 'Do not try to decode payloads (no keys needed)')
            [CompletionResult]::new('--verify-storage', '--verify-storage', [CompletionResultType]::ParameterName, 'Fetch the object of every External Storage reference from the namespace''s storage, check its SHA-256, and check it like an inline payload (a plaintext object is a violation). Without it references are notices: what their claim shows in clear')
            [CompletionResult]::new('--allow-fallback', '--allow-fallback', [CompletionResultType]::ParameterName, 'Check a namespace that only the config''s `[namespaces."*"]` fallback serves (without it, a namespace not configured by name is an error: a typo must not pass)')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Merge the JSON reports given as inputs (`check --output-format json` of shards) into one: the same totals and findings as one run over everything; exit 1 on violations')
            [CompletionResult]::new('--require-payloads', '--require-payloads', [CompletionResultType]::ParameterName, 'Fail (exit 1) when the inputs hold no payload at all: a check of nothing proves nothing')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port, printed on standard error)')
            [CompletionResult]::new('--allow-origin', '--allow-origin', [CompletionResultType]::ParameterName, 'Origin allowed to call from a browser, with its scheme, e.g. the Web UI''s http://localhost:8233 (repeatable); without any, browsers are refused')
            [CompletionResult]::new('--allow-host', '--allow-host', [CompletionResultType]::ParameterName, 'Host name the server may be called by, besides localhost and IP addresses (repeatable); requests with any other Host header are refused (DNS rebinding)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for requests that name none (no X-Namespace, no path prefix) [default: the only configured namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for requests that name none (no X-Namespace, no path prefix) [default: the only configured namespace, else default]')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'TLS certificate chain (PEM)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'TLS private key (PEM)')
            [CompletionResult]::new('--auth-tokens', '--auth-tokens', [CompletionResultType]::ParameterName, 'Bearer tokens file: `TOKEN [RIGHTS] [NAMESPACES]` per line')
            [CompletionResult]::new('--auth-preset', '--auth-preset', [CompletionResultType]::ParameterName, 'Settings for a known identity provider: `temporal-cloud` sets the JWKS (https://login.tmprl.cloud/.well-known/jwks.json), the audience (https://saas-api.tmprl.cloud), the email claim, CORS for https://cloud.temporal.io, and matches Cloud namespace names `<namespace>.<account>` to configured namespaces; explicit options still win')
            [CompletionResult]::new('--cloud-account', '--cloud-account', [CompletionResultType]::ParameterName, 'With --auth-preset temporal-cloud: the Temporal Cloud account ids whose namespaces (`<namespace>.<account>`) map to configured namespaces; a namespace of any other account maps to nothing. Without it, any account maps (a warning at start)')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'Verify bearer JWTs against this JWKS: a file, or an https:// URL (http:// only to loopback) fetched at start and refreshed')
            [CompletionResult]::new('--jwt-audience', '--jwt-audience', [CompletionResultType]::ParameterName, 'Required JWT audience (`aud`); needed with --jwks unless --jwt-any-audience')
            [CompletionResult]::new('--jwt-issuer', '--jwt-issuer', [CompletionResultType]::ParameterName, 'Required JWT issuer (`iss`)')
            [CompletionResult]::new('--jwt-namespace-claim', '--jwt-namespace-claim', [CompletionResultType]::ParameterName, 'JWT claim listing the namespaces a token may use (string or array; `*` for any)')
            [CompletionResult]::new('--jwt-email-claim', '--jwt-email-claim', [CompletionResultType]::ParameterName, 'JWT claim holding the user''s email, for the audit log')
            [CompletionResult]::new('--jwt-groups-claim', '--jwt-groups-claim', [CompletionResultType]::ParameterName, 'JWT claim holding the user''s groups or roles (a string or an array), for policies')
            [CompletionResult]::new('--jwt-leeway', '--jwt-leeway', [CompletionResultType]::ParameterName, 'Clock skew allowed around a JWT''s `exp` and `nbf`, in seconds')
            [CompletionResult]::new('--jwks-refresh', '--jwks-refresh', [CompletionResultType]::ParameterName, 'How often a --jwks URL is fetched again, in seconds (a Cache-Control max-age wins)')
            [CompletionResult]::new('--max-body-size', '--max-body-size', [CompletionResultType]::ParameterName, 'Largest request body (B, KB, KiB, MB, MiB, ...)')
            [CompletionResult]::new('--max-decoded-size', '--max-decoded-size', [CompletionResultType]::ParameterName, 'Bytes one request may decode to (all its payloads'' decompressed output together) and largest answer [default: 4 × --max-body-size]')
            [CompletionResult]::new('--max-payloads', '--max-payloads', [CompletionResultType]::ParameterName, 'Payloads in one request')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Per-request time limit, in seconds (answered 503; codec work stops at the next payload)')
            [CompletionResult]::new('--max-concurrency', '--max-concurrency', [CompletionResultType]::ParameterName, 'Requests whose codec work runs at once; others wait (within their time limit)')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Time a connection has for its TLS handshake and each request head, and may sit idle between requests, in seconds')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; more are closed at once')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'With --metrics: the address GET /metrics is served on, a listener of its own (plain HTTP, no auth: keep it on loopback or inside the pod network). The codec listener never serves /metrics')
            [CompletionResult]::new('--watch-config', '--watch-config', [CompletionResultType]::ParameterName, 'Reload the configuration and keys whenever the config file changes, checked every SECONDS (as SIGHUP does: refused whole when the new one fails a check). For Kubernetes, where a mounted ConfigMap changes and no one sends SIGHUP')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Append one JSON line per encode/decode/download request to FILE (`-`: standard output): time, request id, client, subject, namespace, route, payloads, key ids, outcome; never payloads, tokens or keys. SIGHUP reopens FILE')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--jwt-any-audience', '--jwt-any-audience', [CompletionResultType]::ParameterName, 'Accept JWTs minted for any audience (tokens for other apps then work here too)')
            [CompletionResult]::new('--offload-on-encode', '--offload-on-encode', [CompletionResultType]::ParameterName, '`/encode` offloads payloads at or above the namespace''s storage threshold to its External Storage. Off by default: workers should not point a remote codec at a storage-aware handler (their SDK offloads after the codec itself)')
            [CompletionResult]::new('--insecure-public-bind', '--insecure-public-bind', [CompletionResultType]::ParameterName, 'Allow a non-loopback --listen without TLS and auth (anyone who reaches it can decrypt)')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Serve GET /metrics in the Prometheus text format (bounded labels: routes, status classes, error kinds, configured key ids)')
            [CompletionResult]::new('--metrics-namespace-labels', '--metrics-namespace-labels', [CompletionResultType]::ParameterName, 'With --metrics: also count requests by configured namespace')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;doctor' {
            [CompletionResult]::new('--codec-endpoint', '--codec-endpoint', [CompletionResultType]::ParameterName, 'The codec endpoint the UI is set to (as in the UI''s settings)')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'The UI''s origin, e.g. http://localhost:8233 or https://cloud.temporal.io')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace sent as X-Namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace sent as X-Namespace')
            [CompletionResult]::new('--codec-auth', '--codec-auth', [CompletionResultType]::ParameterName, 'Act as the UI with "Pass access token": send this as Authorization (and Authorization-Extras)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (a private CA that signed the server''s certificate) instead of the public roots, as a browser told to trust that CA')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--include-credentials', '--include-credentials', [CompletionResultType]::ParameterName, 'Act as the UI with "Include cross-origin credentials" (always on for Temporal Cloud)')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;probe' {
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (a private CA that signed the server''s certificate) instead of the public roots')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip certificate checks (loopback URLs only: the server''s certificate names its public host, not 127.0.0.1)')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;keygen' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Key id to show in the printed config snippet')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the key to a new file with mode 0600 (never overwrites)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the key to a new file with mode 0600 (never overwrites)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Key encoding')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--age', '--age', [CompletionResultType]::ParameterName, 'Generate an age X25519 identity instead (prints its recipient, the public key)')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the configuration and load every key; list namespaces, codecs and key ids')
            [CompletionResult]::new('example', 'example', [CompletionResultType]::ParameterValue, 'Print a complete, annotated example configuration (every key source and codec)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcodec;config;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;config;example' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;config;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the configuration and load every key; list namespaces, codecs and key ids')
            [CompletionResult]::new('example', 'example', [CompletionResultType]::ParameterValue, 'Print a complete, annotated example configuration (every key source and codec)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcodec;config;help;check' {
            break
        }
        'tcodec;config;help;example' {
            break
        }
        'tcodec;config;help;help' {
            break
        }
        'tcodec;generate' {
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Shell of the completion script: only that one is written (to DIR, or to standard output with `-`, where it is required unless $SHELL names one)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]')
            [CompletionResult]::new('--trust-config', '--trust-config', [CompletionResultType]::ParameterName, 'Let key `command`s run from a ./tcodec.toml found in the working directory (a config found implicitly runs no command unless named with --config or trusted with this)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display or summary lines on standard error (errors still show)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tcodec;help' {
            [CompletionResult]::new('encode', 'encode', [CompletionResultType]::ParameterValue, 'Encode payloads through the namespace''s pipeline (compress, encrypt)')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Decode payloads through the namespace''s pipeline (decrypt, decompress)')
            [CompletionResult]::new('rekey', 'rekey', [CompletionResultType]::ParameterValue, 'Decode with any known key and encode again with the active key id (key rotation)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Key inventory: which key ids and encodings payloads carry')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check payloads and histories against a policy, for CI (exit 1 on violations)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'GET a health endpoint and exit 0 on 2xx (container health checks without curl)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the configuration; `tcodec config example` prints an annotated example')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Generate shell completions and man pages (`-` writes to standard output)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcodec;help;encode' {
            break
        }
        'tcodec;help;decode' {
            break
        }
        'tcodec;help;rekey' {
            break
        }
        'tcodec;help;keys' {
            [CompletionResult]::new('used', 'used', [CompletionResultType]::ParameterValue, 'List the key ids and encodings in files, with counts and first locations')
            break
        }
        'tcodec;help;keys;used' {
            break
        }
        'tcodec;help;check' {
            break
        }
        'tcodec;help;serve' {
            break
        }
        'tcodec;help;doctor' {
            break
        }
        'tcodec;help;probe' {
            break
        }
        'tcodec;help;keygen' {
            break
        }
        'tcodec;help;config' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the configuration and load every key; list namespaces, codecs and key ids')
            [CompletionResult]::new('example', 'example', [CompletionResultType]::ParameterValue, 'Print a complete, annotated example configuration (every key source and codec)')
            break
        }
        'tcodec;help;config;check' {
            break
        }
        'tcodec;help;config;example' {
            break
        }
        'tcodec;help;generate' {
            break
        }
        'tcodec;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
