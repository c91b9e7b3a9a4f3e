//! The command line: argument definitions and dispatch.
//!
//! One clap definition feeds `--help`, the man pages and the shell completions
//! (`tcodec generate`), so they cannot disagree.

mod check;
mod config_cmd;
mod doctor;
pub mod generate;
mod keygen;
mod keys;
mod probe;
mod progress;
mod serve;
mod transform;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::document::{DocType, InputFormat, OutputFormat};
use crate::error::{Error, ExitStatus};
use crate::keys::KeyFormat;

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  `check` found violations
  2  usage or configuration error (bad flags, bad config, unknown namespace, key not loadable)
  3  bad data (malformed JSON or protobuf, invalid base64, tampered ciphertext, unknown key id)
  4  I/O error (cannot read an input or write an output)
  5  remote codec server error";

const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncodecs:  aes-256-gcm (binary/encrypted, samples format), age (binary/age), zlib (binary/zlib, Go SDK),\n         gzip (binary/gzip), snappy (binary/snappy, raw block or framed), zstd (binary/zstd),\n         remote codec server (--codec-endpoint)",
    "\ninputs:  Payload, Payloads {\"payloads\": [...]}, arrays of Payloads, plain JSON values (--from-values),\n         History, HistoryEvent, event arrays, GetWorkflowExecutionHistoryResponse;\n         as JSON, JSON lines, or binary protobuf",
    "\noutputs: proto3 JSON (as Go protojson and `temporal ... --output json`), JSON lines, binary protobuf"
);

/// Encode and decode Temporal payloads through per-namespace codec pipelines.
#[derive(Debug, Parser)]
#[command(
    name = "tcodec",
    version,
    long_version = LONG_VERSION,
    about = "Encode and decode Temporal payloads through codec pipelines (compression, encryption)",
    long_about = "Encode and decode Temporal payloads through the codec pipeline configured for a \
namespace: AES-256-GCM (the Temporal samples' format, with key rotation), zlib (Go SDK format), \
gzip, snappy and zstd. Byte-compatible with what the Go, Python, TypeScript and Java SDKs write.",
    after_help = EXIT_CODES,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Configuration file [default: ./tcodec.toml, then <config dir>/tcodec/config.toml]
    #[arg(long, global = true, env = "TCODEC_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Let key `command`s run from a ./tcodec.toml found in the working directory (a config
    /// found implicitly runs no command unless named with --config or trusted with this)
    #[arg(long, global = true, env = "TCODEC_TRUST_CONFIG")]
    pub trust_config: bool,

    /// No progress display or summary lines on standard error (errors still show)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The namespace named with `-n`, else the only one configured, else `default`.
    pub fn namespace(&self, given: Option<&str>) -> String {
        if let Some(ns) = given {
            return ns.to_string();
        }
        self.load_config()
            .ok()
            .and_then(|c| c.implied_namespace().map(str::to_string))
            .unwrap_or_else(|| "default".to_string())
    }

    /// The configuration: named (`--config`, `TCODEC_CONFIG`) or found, and trusted to run
    /// key commands only when named or when `--trust-config` is given.
    pub fn load_config(&self) -> Result<crate::config::Config, Error> {
        let config = crate::config::Config::discover(self.config.as_deref())?;
        Ok(if self.trust_config {
            config.trust()
        } else {
            config
        })
    }
}

/// The subcommands.
// One value per process, parsed once: its size does not matter (serve's options are many).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Encode payloads through the namespace's pipeline (compress, encrypt)
    #[command(after_help = ENCODE_EXAMPLES)]
    Encode(EncodeArgs),
    /// Decode payloads through the namespace's pipeline (decrypt, decompress)
    #[command(after_help = DECODE_EXAMPLES)]
    Decode(DecodeArgs),
    /// Decode with any known key and encode again with the active key id (key rotation)
    #[command(after_help = REKEY_EXAMPLES)]
    Rekey(TransformArgs),
    /// Key inventory: which key ids and encodings payloads carry
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check payloads and histories against a policy, for CI (exit 1 on violations)
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Serve the configured pipelines as a codec server for the Web UI and the `temporal` CLI
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Check a codec server as the Web UI would call it: would a browser at ORIGIN see plaintext?
    #[command(after_help = DOCTOR_EXAMPLES)]
    Doctor(DoctorArgs),
    /// GET a health endpoint and exit 0 on 2xx (container health checks without curl)
    #[command(
        after_help = "Examples:\n  tcodec probe http://127.0.0.1:8081/healthz\n  tcodec probe --insecure https://127.0.0.1:8081/readyz"
    )]
    Probe(ProbeArgs),
    /// Generate a new random 32-byte AES-256 key
    #[command(after_help = KEYGEN_EXAMPLES)]
    Keygen(KeygenArgs),
    /// Inspect the configuration; `tcodec config example` prints an annotated example
    #[command(subcommand, after_long_help = config_cmd::LONG_HELP)]
    Config(ConfigCommand),
    /// Generate shell completions and man pages (`-` writes to standard output)
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
}

const ENCODE_EXAMPLES: &str = "\
Examples:
  tcodec encode -n default payloads.json > encoded.json
  echo '[\"hello\", {\"a\": 1}, null]' | tcodec encode --from-values -n default
  tcodec encode -n default --in-place fixtures/*.json
  tcodec encode -n zipped payloads.json --output-format proto -o payloads.bin
  tcodec encode -n default --deterministic fixtures.json    # stable golden files (test keys)";

const DECODE_EXAMPLES: &str = "\
Examples:
  tcodec decode -n default encoded.json | jq .
  TCODEC_CONFIG=examples/interop.toml tcodec decode -n default encoded.json -o plain.json
  tcodec decode -n default history.json -o plain.json         # replayable
  tcodec decode -n default --readable history.json | jq '.events[0]'
  tcodec decode --input-format proto --type history history.bin -o plain.json
  tcodec decode --input-format proto payloads.bin -o out.json
  cat bodies.jsonl | tcodec decode -n default --input-format jsonl -";

const CHECK_EXAMPLES: &str = "\
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

const SERVE_EXAMPLES: &str = "\
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

const DOCTOR_EXAMPLES: &str = "\
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

const REKEY_EXAMPLES: &str = "\
Examples:
  tcodec rekey -n default --in-place fixtures/*.json
  tcodec rekey -n default history.json -o history.rekeyed.json
Only payloads carrying the encoding of the namespace's first codec (binary/encrypted for
aes-256-gcm) are decoded and encoded again, with the active key; everything else, including
plain headers and search attributes, stays byte for byte. Then `tcodec keys used` shows
whether an old key id is still in use.";

const KEYS_USED_EXAMPLES: &str = "\
Examples:
  tcodec keys used history.json
  tcodec keys used --format json fixtures/*.json | jq '.entries[] | {keyId, payloads}'
Reads only the stored metadata (encoding, encryption-key-id): no configuration or keys needed.";

const KEYGEN_EXAMPLES: &str = "\
Examples:
  tcodec keygen --id prod-2026 -o prod-2026.key      # raw bytes, mode 0600
  tcodec keygen --format hex > prod-2026.hex
  tcodec keygen --age -o ci.agekey                   # prints the recipient (age1...)
Then add to the config:
  [keys]
  prod-2026 = { file = \"prod-2026.key\" }";

/// Arguments shared by `encode` and `decode`.
#[derive(Debug, Args)]
pub struct TransformArgs {
    /// Input files; `-` reads standard input
    #[arg(value_name = "FILE", default_value = "-")]
    pub inputs: Vec<String>,

    /// Namespace whose pipeline to use [default: the only configured namespace, else default]
    #[arg(short, long, env = "TEMPORAL_NAMESPACE")]
    pub namespace: Option<String>,

    /// Input encoding
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,

    /// What the input holds (payload shapes and history kinds are detected in JSON;
    /// binary protobuf histories need --type history)
    #[arg(long = "type", value_enum, default_value_t = DocType::Auto, value_name = "TYPE")]
    pub doc_type: DocType,

    /// Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input's]
    #[arg(long, value_enum)]
    pub output_format: Option<OutputFormat>,

    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE", conflicts_with = "in_place")]
    pub output: Option<PathBuf>,

    /// Rewrite each input file in place (atomically)
    #[arg(long)]
    pub in_place: bool,

    /// age identity file to decrypt with (repeatable), added to the config's identities
    #[arg(short = 'i', long = "identity", value_name = "FILE")]
    pub identities: Vec<PathBuf>,

    /// Total bytes the payloads of one document may decompress to, all payloads together
    /// (a bound against decompression bombs)
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value = "1GiB")]
    pub max_decoded_total: u64,

    #[command(flatten)]
    /// The remote codec stage.
    pub remote: RemoteArgs,
}

/// A remote codec server as the last pipeline stage (flags as the `temporal` CLI names them).
#[derive(Debug, Args, Clone)]
pub struct RemoteArgs {
    /// Remote codec server endpoint, used after the local codecs (`{namespace}` is replaced);
    /// payloads are sent in large batches
    #[arg(
        long,
        env = "TEMPORAL_CODEC_ENDPOINT",
        value_name = "URL",
        hide_env_values = true
    )]
    pub codec_endpoint: Option<String>,

    /// Authorization header value for the codec server (e.g. "Bearer TOKEN")
    #[arg(
        long,
        env = "TEMPORAL_CODEC_AUTH",
        value_name = "VALUE",
        hide_env_values = true
    )]
    pub codec_auth: Option<String>,

    /// Extra header for the codec server, KEY=VALUE (repeatable)
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_header)]
    pub codec_header: Vec<(String, String)>,

    /// Profile of the `temporal` CLI's config (temporal.toml) whose codec endpoint and auth
    /// to use when --codec-endpoint/--codec-auth are not given
    #[arg(long, env = "TEMPORAL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (k, v) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, found {text:?}"))?;
    if k.trim().is_empty() {
        return Err("header name is empty".into());
    }
    Ok((k.trim().to_string(), v.to_string()))
}

impl RemoteArgs {
    /// Whether a remote codec stage will run: `--codec-endpoint`, or a named profile
    /// (`--profile`, `TEMPORAL_PROFILE`) that gives a codec endpoint. A profile without an
    /// endpoint is no remote stage.
    pub fn has_endpoint(&self) -> Result<bool, Error> {
        if self.codec_endpoint.is_some() {
            return Ok(true);
        }
        if self.profile.is_none() {
            return Ok(false);
        }
        Ok(crate::envconfig::codec(self.profile.as_deref())?
            .and_then(|p| p.endpoint)
            .is_some())
    }

    /// The namespace's pipeline: local codecs from the configuration, then the remote stage.
    /// With an endpoint, the configuration is optional: a namespace it does not list (or no
    /// configuration at all) gets the remote stage alone.
    pub fn pipeline(
        &self,
        cli: &Cli,
        namespace: &str,
        options: &crate::config::BuildOptions,
    ) -> Result<crate::pipeline::Pipeline, Error> {
        use crate::codec::remote::{RemoteCodec, RemoteSettings};
        let config = cli.load_config();
        let configured = matches!(&config, Ok(c) if c.codecs_for(namespace).is_ok());
        // A temporal.toml profile: when named explicitly, or when tcodec's own config has
        // no pipeline for the namespace (tcodec's config takes precedence).
        let profile = if self.codec_endpoint.is_none() && (self.profile.is_some() || !configured) {
            crate::envconfig::codec(self.profile.as_deref())?
        } else {
            None
        };
        let endpoint = self
            .codec_endpoint
            .clone()
            .or_else(|| profile.as_ref().and_then(|p| p.endpoint.clone()));
        let Some(endpoint) = endpoint else {
            return config?.pipeline_with(namespace, options);
        };
        let local = match config {
            Ok(config) if configured => config.pipeline_with(namespace, options)?,
            Err(e) if cli.config.is_some() => return Err(e),
            _ => crate::pipeline::Pipeline::new(namespace, Vec::new()),
        };
        // The endpoint as it will be called: parsed, no credentials in it, plain http
        // only to loopback (the `--codec-header`s and `--codec-auth` travel with it).
        crate::endpoint::check(
            "--codec-endpoint",
            &endpoint.replace("{namespace}", namespace),
            crate::endpoint::Clear::LoopbackOnly,
        )
        .map_err(Error::Usage)?;
        let mut settings = RemoteSettings::new(endpoint);
        settings.auth = self
            .codec_auth
            .clone()
            .or_else(|| profile.and_then(|p| p.auth));
        settings.headers = self.codec_header.clone();
        Ok(local.with_remote(RemoteCodec::new(settings, namespace)))
    }
}

/// Arguments of `encode`.
#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// Read plain JSON values and turn them into payloads as the SDKs' default converter
    /// does (`json/plain`; `binary/null` for null); a top-level array gives one payload per item
    #[arg(long)]
    pub from_values: bool,

    /// Same input, same key, same output: AES-GCM nonces derived from the plaintext with a
    /// keyed hash. FOR GOLDEN TEST FIXTURES ONLY: it shows which payloads are equal
    #[arg(long)]
    pub deterministic: bool,

    /// Read the readable form `decode --readable` writes (JSON values, text, null, metadata
    /// as text; `base64` for raw bytes), edited or not, and encode it: the edit loop
    #[arg(long, conflicts_with = "from_values")]
    pub from_readable: bool,

    /// Encode payloads that already carry the pipeline's outer encoding again (by default
    /// they are left as they are, so encoding twice does not encrypt twice)
    #[arg(long)]
    pub force: bool,

    /// With External Storage configured: keep every payload inline instead of offloading
    /// those at or above the storage threshold
    #[arg(long)]
    pub no_offload: bool,

    #[command(flatten)]
    /// The shared arguments.
    pub common: TransformArgs,
}

/// Arguments of `decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Show payload data as what it means (JSON values, text, null) instead of base64, like
    /// the Web UI's "Readable" download. For people and jq: SDK replayers cannot read it.
    /// Payloads that fail to decode are shown with an inline "error" and counted
    #[arg(long)]
    pub readable: bool,

    /// With --readable: exit 0 even when some payloads could not be decoded
    #[arg(long, requires = "readable")]
    pub keep_going: bool,

    /// Print just the values of a payload list as a JSON array (the inverse of
    /// `encode --from-values`)
    #[arg(long, conflicts_with = "readable")]
    pub to_values: bool,

    /// Exit 3 when payloads are left still encoded (the namespace's pipeline has no codec
    /// or key for them); without it, tcodec warns
    #[arg(long)]
    pub strict: bool,

    /// Leave External Storage references as they are (the Web UI's view): fetch nothing,
    /// decode every other payload. By default each reference is resolved from the
    /// namespace's storage, checked against its SHA-256 and decoded in its place
    #[arg(long)]
    pub keep_refs: bool,

    #[command(flatten)]
    /// The shared arguments.
    pub common: TransformArgs,
}

/// Report format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Human-readable lines, then a summary.
    Text,
    /// One JSON object (for jq and CI).
    Json,
}

/// Input files and how to read them (shared by `check` and `keys used`).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files; `-` reads standard input
    #[arg(value_name = "FILE", default_value = "-")]
    pub inputs: Vec<String>,

    /// Input encoding
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,

    /// What the input holds
    #[arg(long = "type", value_enum, default_value_t = DocType::Auto, value_name = "TYPE")]
    pub doc_type: DocType,
}

impl InputArgs {
    /// How to read the inputs.
    pub fn read_options(&self) -> crate::document::ReadOptions {
        crate::document::ReadOptions {
            format: self.input_format,
            doc_type: self.doc_type,
            from_values: false,
            from_readable: false,
        }
    }
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    /// The inputs.
    pub input: InputArgs,

    /// Namespace whose pipeline defines "encoded" [default: the only configured namespace,
    /// else default]
    #[arg(short, long, env = "TEMPORAL_NAMESPACE")]
    pub namespace: Option<String>,

    /// Every payload must carry the encoding of the pipeline's outermost codec [default: on
    /// when the namespace encrypts (aes-256-gcm, age, a remote codec)]
    #[arg(long)]
    pub require_encoded: bool,

    /// Do not require encoding, even where the namespace encrypts
    #[arg(long, conflicts_with = "require_encoded")]
    pub allow_plaintext: bool,

    /// Allowed encryption key id (repeatable); other ids are violations
    #[arg(long, value_name = "ID")]
    pub allow_key_id: Vec<String>,

    /// Largest serialized payload allowed (B, KB, KiB, MB, MiB, ...) [default: 2MiB, Temporal's blob error limit]
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value_t = crate::check::DEFAULT_MAX_PAYLOAD_SIZE, hide_default_value = true)]
    pub max_payload_size: u64,

    /// Headers and local-activity marker data must be encoded too
    #[arg(long)]
    pub strict: bool,

    /// Do not try to decode payloads (no keys needed)
    #[arg(long)]
    pub no_decode: bool,

    /// Fetch the object of every External Storage reference from the namespace's storage,
    /// check its SHA-256, and check it like an inline payload (a plaintext object is a
    /// violation). Without it references are notices: what their claim shows in clear
    #[arg(long, conflicts_with = "no_decode")]
    pub verify_storage: bool,

    /// age identity file to decrypt with (repeatable)
    #[arg(short = 'i', long = "identity", value_name = "FILE")]
    pub identities: Vec<PathBuf>,

    /// Total bytes the payloads of one document may decompress to, all payloads together
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value = "1GiB")]
    pub max_decoded_total: u64,

    /// Report format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Check a namespace that only the config's `[namespaces."*"]` fallback serves (without
    /// it, a namespace not configured by name is an error: a typo must not pass)
    #[arg(long)]
    pub allow_fallback: bool,

    /// Fail (exit 1) when the inputs hold no payload at all: a check of nothing proves nothing
    #[arg(long)]
    pub require_payloads: bool,

    #[command(flatten)]
    /// The remote codec stage.
    pub remote: RemoteArgs,
}

/// Arguments of `serve`. Each can also come from `TCODEC_SERVE_<NAME>` and from the
/// config's `[serve]` table (flags > environment > file).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port, printed on standard error)
    #[arg(
        env = "TCODEC_SERVE_LISTEN",
        long,
        default_value = "127.0.0.1:8081",
        value_name = "ADDR:PORT"
    )]
    pub listen: std::net::SocketAddr,

    /// Origin allowed to call from a browser, with its scheme, e.g. the Web UI's
    /// http://localhost:8233 (repeatable); without any, browsers are refused
    #[arg(env = "TCODEC_SERVE_ALLOW_ORIGIN", value_delimiter = ',', long, value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origin: Vec<String>,

    /// Host name the server may be called by, besides localhost and IP addresses
    /// (repeatable); requests with any other Host header are refused (DNS rebinding)
    #[arg(
        env = "TCODEC_SERVE_ALLOW_HOST",
        value_delimiter = ',',
        long,
        value_name = "NAME"
    )]
    pub allow_host: Vec<String>,

    /// Namespace for requests that name none (no X-Namespace, no path prefix) [default: the
    /// only configured namespace, else default]
    #[arg(short, long, env = "TEMPORAL_NAMESPACE")]
    pub namespace: Option<String>,

    /// TLS certificate chain (PEM)
    #[arg(env = "TCODEC_SERVE_TLS_CERT", long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM)
    #[arg(env = "TCODEC_SERVE_TLS_KEY", long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// Bearer tokens file: `TOKEN [RIGHTS] [NAMESPACES]` per line
    #[arg(env = "TCODEC_SERVE_AUTH_TOKENS", long, value_name = "FILE")]
    pub auth_tokens: Option<PathBuf>,

    /// Settings for a known identity provider: `temporal-cloud` sets the JWKS
    /// (https://login.tmprl.cloud/.well-known/jwks.json), the audience
    /// (https://saas-api.tmprl.cloud), the email claim, CORS for https://cloud.temporal.io,
    /// and matches Cloud namespace names `<namespace>.<account>` to configured namespaces;
    /// explicit options still win
    #[arg(
        env = "TCODEC_SERVE_AUTH_PRESET",
        long,
        value_enum,
        value_name = "PRESET"
    )]
    pub auth_preset: Option<AuthPreset>,

    /// With --auth-preset temporal-cloud: the Temporal Cloud account ids whose namespaces
    /// (`<namespace>.<account>`) map to configured namespaces; a namespace of any other
    /// account maps to nothing. Without it, any account maps (a warning at start)
    #[arg(
        env = "TCODEC_SERVE_CLOUD_ACCOUNT",
        long,
        value_name = "ACCOUNT",
        value_delimiter = ','
    )]
    pub cloud_account: Vec<String>,

    /// Verify bearer JWTs against this JWKS: a file, or an https:// URL (http:// only to
    /// loopback) fetched at start and refreshed
    #[arg(env = "TCODEC_SERVE_JWKS", long, value_name = "FILE|URL")]
    pub jwks: Option<String>,

    /// Required JWT audience (`aud`); needed with --jwks unless --jwt-any-audience
    #[arg(
        env = "TCODEC_SERVE_JWT_AUDIENCE",
        long,
        value_name = "AUD",
        requires = "jwks"
    )]
    pub jwt_audience: Option<String>,

    /// Accept JWTs minted for any audience (tokens for other apps then work here too)
    #[arg(
        env = "TCODEC_SERVE_JWT_ANY_AUDIENCE",
        long,
        requires = "jwks",
        conflicts_with = "jwt_audience"
    )]
    pub jwt_any_audience: bool,

    /// Required JWT issuer (`iss`)
    #[arg(
        env = "TCODEC_SERVE_JWT_ISSUER",
        long,
        value_name = "ISS",
        requires = "jwks"
    )]
    pub jwt_issuer: Option<String>,

    /// JWT claim listing the namespaces a token may use (string or array; `*` for any)
    #[arg(
        env = "TCODEC_SERVE_JWT_NAMESPACE_CLAIM",
        long,
        value_name = "CLAIM",
        requires = "jwks"
    )]
    pub jwt_namespace_claim: Option<String>,

    /// JWT claim holding the user's email, for the audit log
    #[arg(
        env = "TCODEC_SERVE_JWT_EMAIL_CLAIM",
        long,
        value_name = "CLAIM",
        default_value = "email",
        requires = "jwks"
    )]
    pub jwt_email_claim: String,

    /// JWT claim holding the user's groups or roles (a string or an array), for policies
    #[arg(
        env = "TCODEC_SERVE_JWT_GROUPS_CLAIM",
        long,
        value_name = "CLAIM",
        default_value = "groups",
        requires = "jwks"
    )]
    pub jwt_groups_claim: String,

    /// Clock skew allowed around a JWT's `exp` and `nbf`, in seconds
    #[arg(env = "TCODEC_SERVE_JWT_LEEWAY", long, value_name = "SECONDS", default_value = "5", value_parser = parse_seconds)]
    pub jwt_leeway: f64,

    /// How often a --jwks URL is fetched again, in seconds (a Cache-Control max-age wins)
    #[arg(env = "TCODEC_SERVE_JWKS_REFRESH", long, value_name = "SECONDS", default_value = "600", value_parser = parse_positive_seconds)]
    pub jwks_refresh: f64,

    /// Largest request body (B, KB, KiB, MB, MiB, ...)
    #[arg(env = "TCODEC_SERVE_MAX_BODY_SIZE", long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value = "16MiB")]
    pub max_body_size: u64,

    /// Bytes one request may decode to (all its payloads' decompressed output together)
    /// and largest answer [default: 4 × --max-body-size]
    #[arg(env = "TCODEC_SERVE_MAX_DECODED_SIZE", long, value_name = "SIZE", value_parser = crate::units::parse_size)]
    pub max_decoded_size: Option<u64>,

    /// Payloads in one request
    #[arg(env = "TCODEC_SERVE_MAX_PAYLOADS", long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_payloads: u32,

    /// `/encode` offloads payloads at or above the namespace's storage threshold to its
    /// External Storage. Off by default: workers should not point a remote codec at a
    /// storage-aware handler (their SDK offloads after the codec itself)
    #[arg(long)]
    pub offload_on_encode: bool,

    /// Per-request time limit, in seconds (answered 503; codec work stops at the next payload)
    #[arg(env = "TCODEC_SERVE_REQUEST_TIMEOUT", long, value_name = "SECONDS", default_value = "30", value_parser = parse_positive_seconds)]
    pub request_timeout: f64,

    /// Requests whose codec work runs at once; others wait (within their time limit)
    #[arg(env = "TCODEC_SERVE_MAX_CONCURRENCY", long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrency: u32,

    /// Time a connection has for its TLS handshake and each request head, and may sit idle
    /// between requests, in seconds
    #[arg(env = "TCODEC_SERVE_HEADER_TIMEOUT", long, value_name = "SECONDS", default_value = "10", value_parser = parse_positive_seconds)]
    pub header_timeout: f64,

    /// Connections open at once; more are closed at once
    #[arg(env = "TCODEC_SERVE_MAX_CONNECTIONS", long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Allow a non-loopback --listen without TLS and auth (anyone who reaches it can decrypt)
    #[arg(env = "TCODEC_SERVE_INSECURE_PUBLIC_BIND", long)]
    pub insecure_public_bind: bool,

    /// Serve GET /metrics in the Prometheus text format (bounded labels: routes, status
    /// classes, error kinds, configured key ids)
    #[arg(env = "TCODEC_SERVE_METRICS", long)]
    pub metrics: bool,

    /// With --metrics: the address GET /metrics is served on, a listener of its own (plain
    /// HTTP, no auth: keep it on loopback or inside the pod network). The codec listener
    /// never serves /metrics
    #[arg(
        env = "TCODEC_SERVE_METRICS_LISTEN",
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:9464"
    )]
    pub metrics_listen: std::net::SocketAddr,

    /// With --metrics: also count requests by configured namespace
    #[arg(
        env = "TCODEC_SERVE_METRICS_NAMESPACE_LABELS",
        long,
        requires = "metrics"
    )]
    pub metrics_namespace_labels: bool,

    /// Reload the configuration and keys whenever the config file changes, checked every
    /// SECONDS (as SIGHUP does: refused whole when the new one fails a check). For
    /// Kubernetes, where a mounted ConfigMap changes and no one sends SIGHUP
    #[arg(env = "TCODEC_SERVE_WATCH_CONFIG", long, value_name = "SECONDS", value_parser = parse_positive_seconds)]
    pub watch_config: Option<f64>,

    /// Append one JSON line per encode/decode/download request to FILE (`-`: standard
    /// output): time, request id, client, subject, namespace, route, payloads, key ids,
    /// outcome; never payloads, tokens or keys. SIGHUP reopens FILE
    #[arg(env = "TCODEC_SERVE_AUDIT_LOG", long, value_name = "FILE|-")]
    pub audit_log: Option<String>,
}

/// Identity-provider presets for `serve --auth-preset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthPreset {
    /// Temporal Cloud's users and its Web UI at https://cloud.temporal.io.
    TemporalCloud,
}

/// Seconds as a finite, non-negative number of at most a day.
fn parse_seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, found {text:?}"))?;
    if !value.is_finite() || !(0.0..=86_400.0).contains(&value) {
        return Err(format!(
            "expected seconds between 0 and 86400, found {text:?}"
        ));
    }
    Ok(value)
}

/// Seconds as [`parse_seconds`], and more than zero.
fn parse_positive_seconds(text: &str) -> Result<f64, String> {
    let value = parse_seconds(text)?;
    if value <= 0.0 {
        return Err(format!("expected more than 0 seconds, found {text:?}"));
    }
    Ok(value)
}

/// An origin as browsers send it: `scheme://host[:port]`, no path.
fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/');
    if origin == "*" {
        return Err("`*` is refused because credentials are allowed: name each origin, e.g. http://localhost:8233".into());
    }
    let Some((scheme, host)) = origin.split_once("://") else {
        return Err(format!(
            "{text:?} has no scheme: write it as the browser sends it, e.g. http://{origin} or https://{origin}"
        ));
    };
    if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains(['/', '?', '#', ' '])
    {
        return Err(format!(
            "{text:?} is not an origin: expected http(s)://host[:port], no path"
        ));
    }
    Ok(origin.to_string())
}

/// Arguments of `doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The codec endpoint the UI is set to (as in the UI's settings)
    #[arg(
        long,
        env = "TEMPORAL_CODEC_ENDPOINT",
        value_name = "URL",
        hide_env_values = true
    )]
    pub codec_endpoint: String,

    /// The UI's origin, e.g. http://localhost:8233 or https://cloud.temporal.io
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,

    /// Namespace sent as X-Namespace
    #[arg(short, long, env = "TEMPORAL_NAMESPACE", default_value = "default")]
    pub namespace: String,

    /// Act as the UI with "Pass access token": send this as Authorization (and
    /// Authorization-Extras)
    #[arg(
        long,
        env = "TEMPORAL_CODEC_AUTH",
        value_name = "VALUE",
        hide_env_values = true
    )]
    pub codec_auth: Option<String>,

    /// Act as the UI with "Include cross-origin credentials" (always on for Temporal Cloud)
    #[arg(long)]
    pub include_credentials: bool,
}

/// Arguments of `probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The URL to GET, e.g. http://127.0.0.1:8081/healthz
    #[arg(value_name = "URL")]
    pub url: String,

    /// Skip certificate checks (loopback URLs only: the server's certificate names its
    /// public host, not 127.0.0.1)
    #[arg(long)]
    pub insecure: bool,
}

/// Arguments of `keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Key id to show in the printed config snippet
    #[arg(long)]
    pub id: Option<String>,

    /// Write the key to a new file with mode 0600 (never overwrites)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Key encoding
    #[arg(long, value_enum, default_value_t = KeyFormat::Raw, conflicts_with = "age")]
    pub format: KeyFormat,

    /// Generate an age X25519 identity instead (prints its recipient, the public key)
    #[arg(long)]
    pub age: bool,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the key ids and encodings in files, with counts and first locations
    #[command(after_help = KEYS_USED_EXAMPLES)]
    Used(KeysUsedArgs),
}

/// Arguments of `keys used`.
#[derive(Debug, Args)]
pub struct KeysUsedArgs {
    #[command(flatten)]
    /// The inputs.
    pub input: InputArgs,

    /// Report format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Also fetch the object of every External Storage reference through the storage of
    /// namespace NAMESPACE (from the config), check its SHA-256, and count the key ids it
    /// carries (listed at the reference's location + "(stored object)")
    #[arg(long, value_name = "NAMESPACE")]
    pub storage: Option<String>,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and load every key; list namespaces, codecs and key ids
    #[command(after_help = CONFIG_CHECK_EXAMPLES)]
    Check,
    /// Print a complete, annotated example configuration (every key source and codec)
    Example,
}

const CONFIG_CHECK_EXAMPLES: &str = "\
Examples:
  tcodec config check
  tcodec --config examples/interop.toml config check
  TCODEC_CONFIG=/etc/tcodec/prod.toml tcodec config check    # exit 2 if a key cannot be loaded
Config lookup: --config, TCODEC_CONFIG, ./tcodec.toml, <config dir>/tcodec/config.toml.";

const GENERATE_EXAMPLES: &str = "\
Examples:
  tcodec generate completions --shell bash - > ~/.local/share/bash-completion/completions/tcodec
  tcodec generate completions --shell zsh - > ~/.zfunc/_tcodec      # fpath+=~/.zfunc
  tcodec generate completions --shell fish - > ~/.config/fish/completions/tcodec.fish
  tcodec generate completions --shell powershell - >> $PROFILE
  tcodec generate completions --shell elvish - > ~/.config/elvish/lib/tcodec.elv
  tcodec generate man ~/.local/share/man/man1      # tcodec.1, tcodec-decode.1, ...
  tcodec generate man - | man -l -                 # the main page, to read now";

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// `completions`, `man` or `all`
    #[arg(value_parser = ["completions", "man", "all"])]
    pub what: String,
    /// Directory to write into (the repository root for `all`); `-` writes one file to
    /// standard output (the --shell completion script, or the main man page)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Shell of the completion script written to standard output
    #[arg(long, value_enum)]
    pub shell: Option<clap_complete::Shell>,
}

/// Parses every input and calls `each` with every document as a tree; a failing input is
/// reported and the others still run. Returns the inputs read and the worst exit status.
fn for_each_tree(
    inputs: &[String],
    options: crate::document::ReadOptions,
    each: impl FnMut(&mut crate::document::TreeDocument),
) -> (usize, ExitStatus) {
    for_each_tree_or(inputs, options, each, |_, e| report(e))
}

/// [`for_each_tree`], handing each failing input's name and error to `failed`.
fn for_each_tree_or(
    inputs: &[String],
    options: crate::document::ReadOptions,
    mut each: impl FnMut(&mut crate::document::TreeDocument),
    mut failed: impl FnMut(&str, &Error),
) -> (usize, ExitStatus) {
    let mut files = 0;
    let mut worst = ExitStatus::Ok;
    for input in inputs {
        let name = crate::io::display_name(input);
        let read = crate::io::read_input(input).and_then(|bytes| {
            let format = crate::document::resolve_format(&bytes, name, options)?;
            crate::document::parse_each(&bytes, name, format, options, |doc| {
                each(&mut doc.into_tree());
                Ok(())
            })
        });
        match read {
            Ok(()) => files += 1,
            Err(e) => {
                failed(name, &e);
                worst = worst.max(e.exit_status());
            }
        }
    }
    (files, worst)
}

/// The command line as given, for `serve`'s `[serve]` table (which fills only options the
/// command line and environment leave at their defaults).
static ARGV: std::sync::OnceLock<Vec<OsString>> = std::sync::OnceLock::new();

/// The clap command, for generators and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Runs tcodec with `args` and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let _ = ARGV.set(args.clone());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                ExitStatus::Usage.code()
            } else {
                ExitStatus::Ok.code()
            });
        }
    };
    let status = match dispatch(&cli) {
        Ok(status) => status,
        Err(e) => {
            report(&e);
            e.exit_status()
        }
    };
    ExitCode::from(status.code())
}

fn dispatch(cli: &Cli) -> Result<ExitStatus, Error> {
    match &cli.command {
        Command::Encode(args) => transform::run(
            cli,
            &args.common,
            crate::codec::Direction::Encode,
            transform::Mode {
                from_values: args.from_values,
                from_readable: args.from_readable,
                deterministic: args.deterministic,
                force: args.force,
                no_offload: args.no_offload,
                ..Default::default()
            },
        ),
        Command::Decode(args) => transform::run(
            cli,
            &args.common,
            crate::codec::Direction::Decode,
            transform::Mode {
                readable: args.readable,
                to_values: args.to_values,
                keep_going: args.keep_going,
                strict: args.strict,
                keep_refs: args.keep_refs,
                ..Default::default()
            },
        ),
        Command::Check(args) => check::run(cli, args),
        Command::Rekey(args) => transform::run(
            cli,
            args,
            crate::codec::Direction::Rekey,
            transform::Mode::default(),
        ),
        Command::Keys(KeysCommand::Used(args)) => keys::used(cli, args),
        Command::Serve(args) => serve::run(cli, args),
        Command::Doctor(args) => doctor::run(cli, args),
        Command::Probe(args) => probe::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Config(ConfigCommand::Check) => config_cmd::check(cli),
        Command::Config(ConfigCommand::Example) => {
            crate::io::write_stdout(config_cmd::EXAMPLE.as_bytes())?;
            Ok(ExitStatus::Ok)
        }
        Command::Generate(args) => generate::run(args),
    }
}

/// Prints an error as `tcodec: error: ...` plus a `hint:` line where there is one.
pub fn report(e: &Error) {
    eprintln!("tcodec: error: {e}");
    if let Some(hint) = e.hint() {
        eprintln!("hint: {hint}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        super::command().debug_assert();
    }
}
