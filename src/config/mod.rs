//! The TOML configuration: keys, and the codec pipeline of each namespace.
//!
//! ```toml
//! [keys]
//! prod-2026 = { file = "keys/prod-2026.key" }     # raw, hex or base64; relative to this file
//! prod-2025 = { env = "TCODEC_KEY_2025" }          # hex or base64 in a variable
//! vault     = { command = ["vault", "kv", "get", "-field=key", "secret/tcodec"] }
//!
//! [namespaces.default]                             # Go CodecDataConverter order
//! codecs = [
//!   { type = "aes-256-gcm", key = "prod-2026", decrypt_keys = ["prod-2025"] },
//!   { type = "zlib", always_encode = true },
//! ]
//!
//! [namespaces."*"]                                 # optional fallback for other namespaces
//! codecs = [{ type = "zlib" }]
//! ```
//!
//! Looked up in order: `--config`, `TCODEC_CONFIG`, `./tcodec.toml`, then
//! `<user config dir>/tcodec/config.toml`. Keys are loaded only when a pipeline that uses
//! them is built, so a key command runs only when needed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::codec::age::AgeCodec;
use crate::codec::compress::DEFAULT_MAX_DECODED_SIZE;
use crate::codec::{AesGcmCodec, Algorithm, Codec, CompressCodec, Keyring};
use crate::error::{Error, Result};
use crate::keys::KeySource;
use crate::pipeline::Pipeline;

mod schema;

use schema::RawConfig;
pub use schema::{CodecConfig, CompressOptions, SnappyOptions, StorageEntry};

/// Name of the fallback namespace entry.
pub const FALLBACK_NAMESPACE: &str = "*";
/// The configuration file looked for in the working directory.
pub const LOCAL_CONFIG: &str = "tcodec.toml";

/// Command-line additions to a configured pipeline.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// age identity files (`-i`), added to every age codec.
    pub identities: Vec<PathBuf>,
    /// Derive AES-GCM nonces from the plaintext (golden test fixtures only).
    pub deterministic: bool,
}

/// A validated configuration.
#[derive(Debug)]
pub struct Config {
    path: PathBuf,
    keys: BTreeMap<String, KeySource>,
    /// Key ids marked `published = true`.
    published: std::collections::BTreeSet<String>,
    namespaces: BTreeMap<String, Vec<CodecConfig>>,
    /// Namespaces with External Storage.
    storage: BTreeMap<String, StorageEntry>,
    /// Whether key `command`s may run: not for a config found implicitly in the working
    /// directory (cloning a repository must not let it run code), unless trusted.
    commands_allowed: bool,
    /// The `[serve]` table: `tcodec serve` options.
    serve: toml::Table,
    /// The `[policy]` table.
    policy: Option<crate::policy::Policy>,
    /// AES ciphers built so far, one per key id, shared by every namespace's pipeline: each
    /// key's bytes are loaded once and held once (in its cipher's key schedule).
    ciphers: CipherCache,
}

/// Ciphers by key id (never printed).
#[derive(Default)]
struct CipherCache(
    std::sync::Mutex<BTreeMap<String, std::sync::Arc<crate::codec::aes_gcm::Cipher>>>,
);

impl std::fmt::Debug for CipherCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CipherCache(redacted)")
    }
}

impl Config {
    /// Finds and loads the configuration: `explicit` (from `--config` or `TCODEC_CONFIG`),
    /// then `./tcodec.toml`, then the user config directory.
    pub fn discover(explicit: Option<&Path>) -> Result<Config> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        let mut looked = vec![PathBuf::from(LOCAL_CONFIG)];
        if let Some(dir) = dirs::config_dir() {
            looked.push(dir.join("tcodec").join("config.toml"));
        }
        match looked.iter().find(|p| p.is_file()) {
            Some(path) => {
                let mut config = Config::load(path)?;
                config.commands_allowed = path.as_path() != Path::new(LOCAL_CONFIG);
                Ok(config)
            }
            None => Err(Error::Config {
                file: "no configuration file found".into(),
                message: format!(
                    "pass --config FILE or set TCODEC_CONFIG (looked for {})",
                    looked
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// Loads and validates one configuration file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                return Error::Usage(format!(
                    "config file {} not found (named by --config or TCODEC_CONFIG); `tcodec config example > {}` writes a starting point",
                    path.display(),
                    path.display()
                ));
            }
            Error::Config {
                file: path.display().to_string(),
                message: e.to_string(),
            }
        })?;
        Config::parse(&text, path)
    }

    /// Parses configuration text; relative key paths resolve against `path`'s directory.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let bad = |message: String| Error::Config {
            file: path.display().to_string(),
            message,
        };
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| bad(e.message().to_string() + &span_line(text, e.span())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut keys = BTreeMap::new();
        let mut published = std::collections::BTreeSet::new();
        for (id, key) in raw.keys {
            if key.published {
                published.insert(id.clone());
            }
            let source = match (key.file, key.env, key.command) {
                (Some(file), None, None) => KeySource::File(base.join(file)),
                (None, Some(var), None) => KeySource::Env(var),
                (None, None, Some(argv)) if !argv.is_empty() => KeySource::Command(argv),
                _ => {
                    return Err(bad(format!(
                        "key {id:?}: give exactly one of file, env or command (a non-empty list)"
                    )))
                }
            };
            keys.insert(id, source);
        }
        let mut namespaces = BTreeMap::new();
        let mut storage = BTreeMap::new();
        for (ns, mut entry) in raw.namespaces {
            if let Some(mut table) = entry.storage.take() {
                table
                    .validate(base)
                    .map_err(|e| bad(format!("namespace {ns:?}: {e}")))?;
                storage.insert(
                    ns.clone(),
                    StorageEntry {
                        storage: table,
                        post_codecs: std::mem::take(&mut entry.post_storage_codecs),
                    },
                );
            } else if !entry.post_storage_codecs.is_empty() {
                return Err(bad(format!(
                    "namespace {ns:?}: post_storage_codecs need a storage table"
                )));
            }
            let post = storage
                .get(&ns)
                .map(|s: &StorageEntry| s.post_codecs.as_slice())
                .unwrap_or_default();
            for codec in entry.codecs.iter().chain(post) {
                for id in codec.key_ids() {
                    if !keys.contains_key(id) {
                        return Err(bad(format!(
                            "namespace {ns:?}: codec {} uses key {id:?}, which is not in [keys]",
                            codec.name()
                        )));
                    }
                }
            }
            let mut codecs = entry.codecs;
            for codec in &mut codecs {
                if let CodecConfig::Age { identities, .. } = codec {
                    for file in identities.iter_mut() {
                        *file = base.join(&*file);
                    }
                }
            }
            namespaces.insert(ns, codecs);
        }
        if let Some(policy) = &raw.policy {
            policy.validate().map_err(&bad)?;
        }
        Ok(Config {
            path: path.to_path_buf(),
            keys,
            published,
            namespaces,
            storage,
            commands_allowed: true,
            serve: raw.serve,
            policy: raw.policy,
            ciphers: CipherCache::default(),
        })
    }

    /// The namespace to use when none is named: the only one configured, else `default`.
    pub fn implied_namespace(&self) -> Option<&str> {
        let mut names = self
            .namespaces
            .keys()
            .filter(|n| n.as_str() != FALLBACK_NAMESPACE);
        match (names.next(), names.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// The `[policy]` table, if any.
    pub fn policy(&self) -> Option<&crate::policy::Policy> {
        self.policy.as_ref()
    }

    /// The `[serve]` table (empty when absent).
    pub fn serve_table(&self) -> &toml::Table {
        &self.serve
    }

    /// Lets key `command`s of an implicitly found config run (`--trust-config`).
    pub fn trust(mut self) -> Self {
        self.commands_allowed = true;
        self
    }

    /// Whether this configuration was found implicitly in the working directory and not
    /// trusted.
    pub fn is_untrusted(&self) -> bool {
        !self.commands_allowed
    }

    /// The file this configuration came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Configured namespaces (including the `*` fallback, if any) with their codecs.
    pub fn namespaces(&self) -> &BTreeMap<String, Vec<CodecConfig>> {
        &self.namespaces
    }

    /// Every KEK of the `kms` codecs of `namespace` (all namespaces when `None`), once
    /// each (an `extension://` KEK once per namespace, labelled with it), sorted, opened
    /// where first used: `config check` and `doctor` prove each
    /// with a round trip. A KEK that does not open gives its reason (the namespace's build
    /// reports it too).
    pub fn keks(
        &self,
        namespace: Option<&str>,
    ) -> Vec<(String, std::result::Result<crate::codec::kms::Kek, String>)> {
        let mut seen = BTreeMap::new();
        let scopes: Vec<(&str, &[CodecConfig])> = match namespace {
            Some(ns) => self
                .codecs_for(ns)
                .map(|codecs| vec![(ns, codecs)])
                .unwrap_or_default(),
            None => self
                .namespaces
                .iter()
                .map(|(ns, codecs)| (ns.as_str(), codecs.as_slice()))
                .collect(),
        };
        for (ns, codecs) in scopes {
            for codec in codecs {
                let Some(place) = codec.kek_place(ns) else {
                    continue;
                };
                for uri in codec.keks() {
                    // An extension server wraps per namespace (and each namespace names its
                    // own servers): proven once per namespace, not once per URI.
                    let label = if uri.starts_with("extension://") {
                        format!("{uri} (namespace {ns})")
                    } else {
                        uri.to_string()
                    };
                    seen.entry(label)
                        .or_insert_with(|| crate::codec::kms::Kek::parse(uri, place));
                }
            }
        }
        seen.into_iter().collect()
    }

    /// Configured key ids and their sources.
    pub fn keys(&self) -> &BTreeMap<String, KeySource> {
        &self.keys
    }

    /// The codec list for `namespace`, or the fallback entry.
    pub fn codecs_for(&self, namespace: &str) -> Result<&[CodecConfig]> {
        self.namespaces
            .get(namespace)
            .or_else(|| self.namespaces.get(FALLBACK_NAMESPACE))
            .map(Vec::as_slice)
            .ok_or_else(|| {
                let names: Vec<&str> = self.namespaces.keys().map(String::as_str).collect();
                let nearest = crate::units::nearest(namespace, names.iter().copied());
                Error::UnknownNamespace {
                    namespace: namespace.to_string(),
                    file: self.path.display().to_string(),
                    configured: if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    },
                    suggestion: nearest
                        .map(|n| format!("; did you mean {n:?}?"))
                        .unwrap_or_default(),
                }
            })
    }

    /// The External Storage of `namespace` (or of the fallback entry), if any.
    pub fn storage_for(&self, namespace: &str) -> Option<&StorageEntry> {
        if self.namespaces.contains_key(namespace) {
            self.storage.get(namespace)
        } else {
            self.storage.get(FALLBACK_NAMESPACE)
        }
    }

    /// Loads one key by id.
    pub fn load_key(&self, id: &str) -> Result<crate::keys::Key> {
        let source = self.keys.get(id).ok_or_else(|| Error::Config {
            file: self.path.display().to_string(),
            message: format!("key {id:?} is not in [keys]"),
        })?;
        if let (Some(file), false) = (source.file(), self.published.contains(id)) {
            warn_if_open(id, file);
        }
        if matches!(source, KeySource::Command(_)) && !self.commands_allowed {
            return Err(Error::Usage(format!(
                "{}: key {id:?} comes from a command, and this config was found implicitly in the working directory; tcodec runs no command from a config it was not named: use --config {} (or TCODEC_CONFIG), or --trust-config",
                self.path.display(),
                self.path.display()
            )));
        }
        source.load().map_err(|source| Error::Key {
            id: id.to_string(),
            source,
        })
    }

    /// The AES cipher of key `id`, built on first use and shared afterwards.
    fn cipher(&self, id: &str) -> Result<std::sync::Arc<crate::codec::aes_gcm::Cipher>> {
        if let Some(cipher) = self.ciphers.0.lock().ok().and_then(|c| c.get(id).cloned()) {
            return Ok(cipher);
        }
        let key = self.load_key(id)?;
        let cipher = std::sync::Arc::new(crate::codec::aes_gcm::Cipher::new(&key));
        drop(key);
        if let Ok(mut cache) = self.ciphers.0.lock() {
            cache.insert(id.to_string(), cipher.clone());
        }
        Ok(cipher)
    }

    /// Builds the pipeline for `namespace`, loading the keys it needs.
    pub fn pipeline(&self, namespace: &str) -> Result<Pipeline> {
        self.pipeline_with(namespace, &BuildOptions::default())
    }

    /// [`Config::pipeline`] with command-line additions (identities, deterministic mode).
    pub fn pipeline_with(&self, namespace: &str, options: &BuildOptions) -> Result<Pipeline> {
        let codecs = self
            .codecs_for(namespace)?
            .iter()
            .map(|c| self.build_codec(namespace, c, options))
            .collect::<Result<Vec<_>>>()?;
        let pipeline = Pipeline::new(namespace, codecs);
        let Some(entry) = self.storage_for(namespace) else {
            return Ok(pipeline);
        };
        let post = entry
            .post_codecs
            .iter()
            .map(|c| self.build_codec(namespace, c, options))
            .collect::<Result<Vec<_>>>()?;
        let stage = crate::storage::Storage::new(namespace, &entry.storage).map_err(|message| {
            Error::Config {
                file: self.path.display().to_string(),
                message: format!("namespace {namespace:?}: {message}"),
            }
        })?;
        Ok(pipeline.with_storage(stage, post))
    }

    fn build_codec(
        &self,
        namespace: &str,
        config: &CodecConfig,
        options: &BuildOptions,
    ) -> Result<Box<dyn Codec>> {
        let compress = |alg: Algorithm, o: &CompressOptions| -> Box<dyn Codec> {
            Box::new(
                CompressCodec::new(alg)
                    .always_encode(o.always_encode)
                    .level(o.level)
                    .max_decoded_size(o.max_decoded_size.unwrap_or(DEFAULT_MAX_DECODED_SIZE)),
            )
        };
        Ok(match config {
            CodecConfig::AesGcm {
                key, fallback_key, ..
            } => {
                let mut ids = config.key_ids();
                ids.dedup();
                let ciphers = ids
                    .iter()
                    .map(|id| Ok((id.to_string(), self.cipher(id)?)))
                    .collect::<Result<Vec<_>>>()?;
                // Deterministic mode (fixtures, CLI only) derives its nonce key from the
                // active key, loaded once more for that and dropped (zeroized) at once.
                let active = if options.deterministic {
                    Some(self.load_key(key)?)
                } else {
                    None
                };
                let ring = Keyring::from_ciphers(key, ciphers)
                    .and_then(|r| r.with_fallback(fallback_key.as_deref()))
                    .ok_or_else(|| Error::Config {
                        file: self.path.display().to_string(),
                        message: format!("key {key:?} missing from its own keyring"),
                    })?;
                let codec = AesGcmCodec::new(ring);
                Box::new(match active {
                    Some(active) => codec.deterministic(&active),
                    None => codec,
                })
            }
            CodecConfig::Kms {
                kek,
                decrypt_keks,
                data_key_lifetime,
                extension_servers,
            } => {
                let bad = |message: String| Error::Config {
                    file: self.path.display().to_string(),
                    message: format!("kms codec: {message}"),
                };
                let lifetime = match data_key_lifetime {
                    Some(text) => crate::units::parse_duration(text)
                        .map_err(|e| bad(format!("data_key_lifetime: {e}")))?,
                    None => crate::codec::kms::DEFAULT_DATA_KEY_LIFETIME,
                };
                if options.deterministic {
                    return Err(Error::Usage(
                        "--deterministic: the kms codec makes random data keys; use aes-256-gcm for golden fixtures".into(),
                    ));
                }
                Box::new(
                    crate::codec::kms::KmsCodec::new(
                        kek,
                        decrypt_keks,
                        lifetime,
                        crate::codec::kms::KekPlace {
                            namespace,
                            extension_servers,
                        },
                    )
                    .map_err(bad)?,
                )
            }
            CodecConfig::Age {
                recipients,
                identities,
                max_decoded_size,
            } => {
                if options.deterministic {
                    return Err(Error::Usage(
                        "--deterministic: the age codec cannot be deterministic (ephemeral keys); use aes-256-gcm for golden fixtures".into(),
                    ));
                }
                let bad = |e: crate::codec::age::AgeKeyError| Error::Config {
                    file: self.path.display().to_string(),
                    message: format!("age codec: {e}"),
                };
                let mut codec = AgeCodec::new(
                    recipients,
                    max_decoded_size.unwrap_or(DEFAULT_MAX_DECODED_SIZE),
                )
                .map_err(bad)?;
                for file in identities.iter().chain(&options.identities) {
                    codec
                        .add_identity_file(file)
                        .map_err(|e| Error::Usage(format!("identity file {e}")))?;
                }
                Box::new(codec)
            }
            CodecConfig::Zlib(o) => compress(Algorithm::Zlib, o),
            CodecConfig::Gzip(o) => compress(Algorithm::Gzip, o),
            CodecConfig::Snappy(o) => compress(
                Algorithm::Snappy { framed: o.framed },
                &CompressOptions {
                    always_encode: o.always_encode,
                    level: None,
                    max_decoded_size: o.max_decoded_size,
                },
            ),
            CodecConfig::Zstd(o) => compress(Algorithm::Zstd, o),
        })
    }
}

/// Warns when a key file is readable by group or others: anyone on the machine who can
/// read it can decrypt. A warning, not a refusal: checkouts and copies often lose modes.
/// Keys marked `published = true` (public test keys) are exempt.
fn warn_if_open(id: &str, file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(file) {
            let mode = meta.permissions().mode() & 0o777;
            // Once per file and process (config check loads a key per namespace using it).
            static WARNED: std::sync::Mutex<std::collections::BTreeSet<PathBuf>> =
                std::sync::Mutex::new(std::collections::BTreeSet::new());
            let first = WARNED
                .lock()
                .map(|mut warned| warned.insert(file.to_path_buf()))
                .unwrap_or(true);
            if mode & 0o077 != 0 && first {
                eprintln!(
                    "tcodec: warning: key {id:?}: file {} is readable by group or others (mode {mode:03o}); run: chmod 600 {}",
                    file.display(),
                    file.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (id, file);
}

/// ` (line N)` for a TOML error span, so the user can find it.
fn span_line(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| {
        let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
        format!(" (line {line})")
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[keys]
k1 = { file = "k1.key" }
k2 = { env = "SOME_VAR" }

[namespaces.default]
codecs = [{ type = "aes-256-gcm", key = "k1", decrypt_keys = ["k2"] }, { type = "zlib", always_encode = true }]

[namespaces."*"]
codecs = [{ type = "snappy", framed = true }]
"#;

    #[test]
    fn parses_and_resolves_relative_paths() {
        let c = Config::parse(GOOD, Path::new("/etc/tc/config.toml")).unwrap();
        assert_eq!(c.keys()["k1"], KeySource::File("/etc/tc/k1.key".into()));
        assert_eq!(c.keys()["k2"], KeySource::Env("SOME_VAR".into()));
        let codecs = c.codecs_for("default").unwrap();
        assert_eq!(codecs[0].key_ids(), vec!["k1", "k2"]);
        assert_eq!(
            codecs[1],
            CodecConfig::Zlib(CompressOptions {
                always_encode: true,
                ..Default::default()
            })
        );
        // Unconfigured namespaces use the fallback.
        assert_eq!(c.codecs_for("other").unwrap()[0].name(), "snappy");
    }

    #[test]
    fn unknown_namespace_without_fallback_is_an_error() {
        let c = Config::parse(
            "[namespaces.alpha]\ncodecs = []\n[namespaces.default]\ncodecs = []\n",
            Path::new("c.toml"),
        )
        .unwrap();
        let e = c.codecs_for("b").unwrap_err().to_string();
        assert_eq!(
            e,
            "no codec pipeline configured for namespace \"b\" in c.toml (configured: alpha, default)"
        );
        let e = c.codecs_for("defualt").unwrap_err().to_string();
        assert!(
            e.ends_with("(configured: alpha, default); did you mean \"default\"?"),
            "{e}"
        );
        assert_eq!(crate::units::edit_distance("kitten", "sitting"), 3);
        assert_eq!(c.implied_namespace(), None);
        let one = Config::parse("[namespaces.only]\ncodecs = []\n", Path::new("c.toml")).unwrap();
        assert_eq!(one.implied_namespace(), Some("only"));
    }

    #[test]
    fn rejects_bad_configs_with_reasons() {
        let cases = [
            (
                "[namespaces.a]\ncodecs = [{ type = \"rot13\" }]\n",
                "unknown variant `rot13`",
            ),
            (
                "[namespaces.a]\ncodecs = [{ type = \"zlib\", alwaysencode = true }]\n",
                "unknown field `alwaysencode`",
            ),
            (
                "[namespaces.a]\ncodecs = [{ type = \"aes-256-gcm\", key = \"nope\" }]\n",
                "uses key \"nope\", which is not in [keys]",
            ),
            (
                "[keys]\nk = { file = \"a\", env = \"B\" }\n",
                "give exactly one of file, env or command",
            ),
            ("[bogus]\n", "unknown field `bogus`"),
        ];
        for (text, want) in cases {
            let e = Config::parse(text, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.starts_with("invalid configuration: c.toml: "), "{e}");
        }
    }
}
