//! The configuration file's schema (TOML, `deny_unknown_fields` everywhere): keys,
//! namespaces, codecs and their options, storage entries.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::codec::Algorithm;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) keys: BTreeMap<String, RawKey>,
    #[serde(default)]
    pub(super) namespaces: BTreeMap<String, RawNamespace>,
    /// `tcodec serve` options (flags > TCODEC_SERVE_* > this table).
    #[serde(default)]
    pub(super) serve: toml::Table,
    /// Who may do what in which namespace (`tcodec serve`).
    #[serde(default)]
    pub(super) policy: Option<crate::policy::Policy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKey {
    pub(super) file: Option<PathBuf>,
    pub(super) env: Option<String>,
    pub(super) command: Option<Vec<String>>,
    /// A published test key (like the shared fixtures' keys): no file-permission warning.
    #[serde(default)]
    pub(super) published: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNamespace {
    pub(super) codecs: Vec<CodecConfig>,
    /// External Storage after the codecs.
    pub(super) storage: Option<crate::storage::StorageConfig>,
    /// Codecs after storage (they also encode references).
    #[serde(default)]
    pub(super) post_storage_codecs: Vec<CodecConfig>,
}

/// A namespace's External Storage and the codecs that run after it.
#[derive(Debug, Clone)]
pub struct StorageEntry {
    /// The `storage` table.
    pub storage: crate::storage::StorageConfig,
    /// `post_storage_codecs`.
    pub post_codecs: Vec<CodecConfig>,
}

/// One codec entry of a namespace's pipeline.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum CodecConfig {
    /// AES-256-GCM in the samples' format.
    #[serde(rename = "aes-256-gcm")]
    AesGcm {
        /// The active key id: used to encode, and to decode.
        key: String,
        /// Further key ids accepted on decode (rotation).
        #[serde(default)]
        decrypt_keys: Vec<String>,
        /// Decrypt payloads with an unknown key id using this key (Go/TS samples behaviour).
        #[serde(default)]
        fallback_key: Option<String>,
    },
    /// temporal-proxy's envelope encryption: a data key wrapped by a KEK (`binary/encrypted`
    /// with `encryption-dek`).
    #[serde(rename = "kms")]
    Kms {
        /// The KEK URI encode wraps data keys with (`base64key://...`).
        kek: String,
        /// Further KEK URIs accepted on decode (rotation).
        #[serde(default)]
        decrypt_keks: Vec<String>,
        /// How long one data key seals payloads before a new one is made and wrapped
        /// (`30m`, `1h`, `90s`) [default: 1h].
        #[serde(default)]
        data_key_lifetime: Option<String>,
        /// Addresses of the extension servers `extension://SERVER/KEY` KEKs name:
        /// `{ hsm = "https://kms.internal:7443" }` (`http://` to a loopback host only).
        #[serde(default)]
        extension_servers: std::collections::BTreeMap<String, String>,
    },
    /// age to X25519 recipients (`binary/age`).
    #[serde(rename = "age")]
    Age {
        /// Recipients to encrypt to (`age1...`); needed to encode.
        #[serde(default)]
        recipients: Vec<String>,
        /// Identity files to decrypt with (relative to the config file); `-i` adds more.
        #[serde(default)]
        identities: Vec<PathBuf>,
        /// Bound on a decrypted payload, in bytes.
        #[serde(default)]
        max_decoded_size: Option<u64>,
    },
    /// Go SDK `ZlibCodec` format.
    #[serde(rename = "zlib")]
    Zlib(CompressOptions),
    /// gzip of the serialized payload.
    #[serde(rename = "gzip")]
    Gzip(CompressOptions),
    /// Snappy (raw block by default).
    #[serde(rename = "snappy")]
    Snappy(SnappyOptions),
    /// Zstandard, `binary/zstd`.
    #[serde(rename = "zstd")]
    Zstd(CompressOptions),
}

/// Options of the snappy codec.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct SnappyOptions {
    /// Encode even when the result is not smaller.
    #[serde(default)]
    pub always_encode: bool,
    /// Bound on a decompressed payload, in bytes.
    #[serde(default)]
    pub max_decoded_size: Option<u64>,
    /// Encode with the framing format instead of raw block.
    #[serde(default)]
    pub framed: bool,
}

/// Options shared by the zlib, gzip and zstd codecs.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CompressOptions {
    /// Encode even when the result is not smaller (Go `AlwaysEncode`).
    #[serde(default)]
    pub always_encode: bool,
    /// Compression level; the algorithm's default when absent.
    #[serde(default)]
    pub level: Option<i32>,
    /// Bound on a decompressed payload, in bytes.
    #[serde(default)]
    pub max_decoded_size: Option<u64>,
}

impl CodecConfig {
    /// The codec's configuration name.
    pub fn name(&self) -> &'static str {
        match self {
            CodecConfig::AesGcm { .. } => "aes-256-gcm",
            CodecConfig::Kms { .. } => "kms",
            CodecConfig::Age { .. } => "age",
            CodecConfig::Zlib(_) => "zlib",
            CodecConfig::Gzip(_) => "gzip",
            CodecConfig::Snappy(_) => "snappy",
            CodecConfig::Zstd(_) => "zstd",
        }
    }

    /// Whether this codec encrypts (and so always encodes).
    pub fn encrypts(&self) -> bool {
        matches!(
            self,
            CodecConfig::AesGcm { .. } | CodecConfig::Kms { .. } | CodecConfig::Age { .. }
        )
    }

    /// The `encoding` metadata value this codec writes.
    pub fn encoding(&self) -> &'static str {
        match self {
            CodecConfig::AesGcm { .. } | CodecConfig::Kms { .. } => {
                crate::codec::aes_gcm::ENCODING_ENCRYPTED
            }
            CodecConfig::Age { .. } => crate::codec::age::ENCODING_AGE,
            CodecConfig::Zlib(_) => Algorithm::Zlib.encoding(),
            CodecConfig::Gzip(_) => Algorithm::Gzip.encoding(),
            CodecConfig::Snappy(_) => Algorithm::Snappy { framed: false }.encoding(),
            CodecConfig::Zstd(_) => Algorithm::Zstd.encoding(),
        }
    }

    /// The KEK URIs of a `kms` codec, the active one first (empty for other codecs).
    pub fn keks(&self) -> Vec<&str> {
        match self {
            CodecConfig::Kms {
                kek, decrypt_keks, ..
            } => std::iter::once(kek.as_str())
                .chain(decrypt_keks.iter().map(String::as_str))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Where a `kms` codec's KEKs are used, for `namespace` (`None` for other codecs).
    pub fn kek_place<'a>(&'a self, namespace: &'a str) -> Option<crate::codec::kms::KekPlace<'a>> {
        match self {
            CodecConfig::Kms {
                extension_servers, ..
            } => Some(crate::codec::kms::KekPlace {
                namespace,
                extension_servers,
            }),
            _ => None,
        }
    }

    /// Every key id the codec refers to, active first.
    pub fn key_ids(&self) -> Vec<&str> {
        match self {
            CodecConfig::AesGcm {
                key,
                decrypt_keys,
                fallback_key,
            } => std::iter::once(key.as_str())
                .chain(decrypt_keys.iter().map(String::as_str))
                .chain(fallback_key.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }
}
