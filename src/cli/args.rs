//! Every command's arguments (clap definitions), except `serve`'s (in `serve_args.rs`). One
//! definition feeds `--help`, the man pages and the shell completions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::help::{
    CHECK_EXAMPLES, CONFIG_CHECK_EXAMPLES, DECODE_EXAMPLES, DOCTOR_EXAMPLES, ENCODE_EXAMPLES,
    EXIT_CODES, GENERATE_EXAMPLES, KEYGEN_EXAMPLES, KEYS_USED_EXAMPLES, LONG_VERSION,
    REKEY_EXAMPLES, SERVE_EXAMPLES,
};
use super::ServeArgs;
use crate::document::{DocType, InputFormat, OutputFormat};
use crate::error::Error;
use crate::keys::KeyFormat;

/// Encode and decode Temporal payloads through per-namespace codec pipelines.
#[derive(Debug, Parser)]
#[command(
    name = "tcodec",
    version,
    long_version = LONG_VERSION,
    about = "Encode and decode Temporal payloads through codec pipelines (compression, encryption)",
    long_about = "Encode and decode Temporal payloads through the codec pipeline configured for a \
namespace: AES-256-GCM (the Temporal samples' format, with key rotation), temporal-proxy's KMS \
envelope, age, zlib (Go SDK format), gzip, snappy and zstd. Byte-compatible with what the Go, Python, TypeScript and Java SDKs write.",
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
    /// Generate a new random 32-byte key for aes-256-gcm (age identities come from age-keygen)
    #[command(after_help = KEYGEN_EXAMPLES)]
    Keygen(KeygenArgs),
    /// Inspect the configuration; `tcodec config example` prints an annotated example
    #[command(subcommand, after_long_help = super::config_cmd::LONG_HELP)]
    Config(ConfigCommand),
    /// Generate shell completions and man pages (`-` writes to standard output)
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
}

/// Arguments shared by `encode` and `decode`.
#[derive(Debug, Args)]
pub struct TransformArgs {
    #[command(flatten)]
    /// The inputs.
    pub input: InputArgs,

    /// Namespace whose pipeline to use [default: the only configured namespace, else default]
    #[arg(short, long, env = "TEMPORAL_NAMESPACE", add = super::complete::namespaces(), display_order = 0)]
    pub namespace: Option<String>,

    /// Output encoding [default: from the -o extension (.json, .jsonl, .pb/.bin), else the input's]
    #[arg(long, value_enum)]
    pub output_format: Option<OutputFormat>,

    /// Write to FILE (atomically) instead of standard output (`-`: standard output), or
    /// with a trailing `/` (or an existing directory) one file per input below DIR.
    /// Decoded output is created owner-only (mode 0600): it holds the plaintext the codecs
    /// protected
    #[arg(short, long, value_name = "FILE|DIR/", conflicts_with = "in_place")]
    pub output: Option<PathBuf>,

    /// Rewrite each input file in place (atomically); a file decoded in place becomes
    /// owner-only (mode 0600)
    #[arg(long)]
    pub in_place: bool,

    /// age identity file to decrypt with (repeatable), added to the config's identities
    #[arg(short = 'i', long = "identity", value_name = "FILE")]
    pub identities: Vec<PathBuf>,

    /// Total bytes the payloads of one document may decompress to, all payloads together
    /// (a bound against decompression bombs; per execution of an export object)
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value = "1GiB")]
    pub max_decoded_total: u64,

    /// Total output bytes of one export object, all its executions together (to standard
    /// output they are held until the end, so this bounds memory: use -o FILE to stream)
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value = "16GiB")]
    pub max_decoded_file: u64,

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

/// Input files and how to read them (every command that reads documents).
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files; `-` reads standard input. A directory stands for every document below
    /// it (*.json, *.jsonl, *.ndjson, *.pb, *.binpb, *.history; sorted; hidden files and
    /// folders skipped); s3://BUCKET/PREFIX or gs://BUCKET/PREFIX for every object under it
    #[arg(value_name = "FILE", default_value = "-")]
    pub inputs: Vec<String>,

    /// With a directory input: only the files whose path below it matches GLOB
    /// (`*.json`, `2026/**/*.json`)
    #[arg(long, value_name = "GLOB")]
    pub glob: Option<String>,

    #[command(flatten)]
    /// Which objects of a bucket URL input to take.
    pub select: super::bucket_args::SelectArgs,

    /// Input encoding
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,

    /// What the input holds (payload shapes and history kinds are detected in JSON;
    /// binary protobuf histories need --type history)
    #[arg(long = "type", value_enum, default_value_t = DocType::Auto, value_name = "TYPE")]
    pub doc_type: DocType,
}

impl InputArgs {
    /// The input files: directories and bucket URLs expanded, `--glob` and the selection
    /// applied.
    /// Bucket objects among them are fetched ahead, `--jobs` at a time, in this order.
    pub fn files(&self) -> Result<Vec<String>, Error> {
        let files: Vec<String> =
            super::inputs::expand(&self.inputs, self.glob.as_deref(), &self.select.selection())?
                .into_iter()
                .map(|i| i.path)
                .collect();
        super::inputs::prefetch(files.iter().map(String::as_str), self.select.jobs)?;
        Ok(files)
    }

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
    #[arg(short, long, env = "TEMPORAL_NAMESPACE", add = super::complete::namespaces(), display_order = 0)]
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
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value_t = crate::rules::DEFAULT_MAX_PAYLOAD_SIZE, hide_default_value = true)]
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

    /// Report format (`--format` is an alias)
    #[arg(
        long = "output-format",
        visible_alias = "format",
        value_enum,
        default_value_t = CheckFormat::Text
    )]
    pub format: CheckFormat,

    /// Not an option here: the report goes to standard output (a clear error for `-o json`)
    #[arg(short = 'o', value_name = "FILE", hide = true)]
    pub output: Option<String>,

    /// Check a namespace that only the config's `[namespaces."*"]` fallback serves (without
    /// it, a namespace not configured by name is an error: a typo must not pass)
    #[arg(long)]
    pub allow_fallback: bool,

    /// Merge the JSON reports given as inputs (`check --output-format json` of shards) into
    /// one: the same totals and findings as one run over everything; exit 1 on violations
    #[arg(long)]
    pub merge: bool,

    /// Also write the JSON report to FILE or to a bucket object (s3://B/KEY, gs://B/KEY), for
    /// `check --merge` of shards run on many machines
    #[arg(long, value_name = "FILE|URL")]
    pub report_to: Option<String>,

    /// Fail (exit 1) when the inputs hold no payload at all: a check of nothing proves nothing
    #[arg(long)]
    pub require_payloads: bool,

    #[command(flatten)]
    /// The remote codec stage.
    pub remote: RemoteArgs,
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
    #[arg(short, long, env = "TEMPORAL_NAMESPACE", default_value = "default", add = super::complete::namespaces(), display_order = 0)]
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

    /// Trust the CA certificates in this PEM file (a private CA that signed the server's
    /// certificate) instead of the public roots, as a browser told to trust that CA
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<std::path::PathBuf>,
}

/// Arguments of `probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The URL to GET, e.g. http://127.0.0.1:8081/healthz
    #[arg(value_name = "URL")]
    pub url: String,

    /// Skip certificate checks (loopback URLs only: the server's certificate names its
    /// public host, not 127.0.0.1)
    #[arg(long, conflicts_with = "ca_cert")]
    pub insecure: bool,

    /// Trust the CA certificates in this PEM file (a private CA that signed the server's
    /// certificate) instead of the public roots
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<std::path::PathBuf>,
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

    /// Report format (`--format` is an alias)
    #[arg(
        long = "output-format",
        visible_alias = "format",
        value_enum,
        default_value_t = CheckFormat::Text
    )]
    pub format: CheckFormat,

    /// Not an option here: the report goes to standard output (a clear error for `-o json`)
    #[arg(short = 'o', value_name = "FILE", hide = true)]
    pub output: Option<String>,

    /// Also fetch the object of every External Storage reference through the storage of
    /// namespace NAMESPACE (from the config), check its SHA-256, and count the key ids it
    /// carries (listed at the reference's location + "(stored object)")
    #[arg(long, value_name = "NAMESPACE")]
    pub storage: Option<String>,

    /// Mark each key id as one the namespace's codecs in the config know (key,
    /// decrypt_keys, KEKs) or not: before retiring a key, or to find another namespace's data
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
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

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// `completions`, `man` or `all`
    #[arg(value_parser = ["completions", "man", "all"])]
    pub what: String,
    /// Directory to write into (the repository root for `all`). For `man`, a man root
    /// (pages go to DIR/man1 and DIR/man5) or a `man1` directory (section 5 goes to its
    /// sibling `man5`). `-` writes one file to standard output (the --shell completion
    /// script, or the main man page)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Shell of the completion script: only that one is written (to DIR, or to standard
    /// output with `-`, where it is required unless $SHELL names one)
    #[arg(long, value_enum)]
    pub shell: Option<clap_complete::Shell>,
}
