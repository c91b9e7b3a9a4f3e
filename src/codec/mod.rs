//! Payload codecs: bytes-to-bytes transforms applied to whole serialized payloads.
//!
//! Every codec follows the SDKs' contract (sdk-go `converter/codec.go`): encoding wraps the
//! serialized Payload into a new payload whose `encoding` metadata names the codec; decoding
//! touches only payloads carrying that exact encoding and passes every other payload through
//! unchanged.

pub mod aes_gcm;
pub mod age;
pub mod budget;
pub mod compress;
pub mod kms;
pub mod kms_aws;
pub mod kms_ext;
pub mod kms_runtime;
pub mod remote;

use crate::payload::{self, Payload};

pub use aes_gcm::{AesGcmCodec, Keyring};
pub use budget::Budget;
pub use compress::{Algorithm, CompressCodec};

pub use crate::direction::Direction;

/// A payload codec: one payload in, one payload out.
pub trait Codec: Send + Sync {
    /// The codec's configuration name (`aes-256-gcm`, `zlib`, ...).
    fn name(&self) -> &str;
    /// The `encoding` metadata value this codec writes and owns (`binary/encrypted`, ...).
    fn encoding(&self) -> &str;
    /// Encodes one payload.
    fn encode(&self, payload: Payload) -> Result<Payload, CodecError>;
    /// Decodes one payload; passes through payloads this codec does not own.
    fn decode(&self, payload: Payload) -> Result<Payload, CodecError>;
    /// Whether decoding can produce more bytes than it reads (decompression): such work
    /// never runs on the server's I/O threads.
    fn expands(&self) -> bool {
        false
    }
    /// Decodes one payload, drawing the bytes it produces from `budget` (shared by the
    /// whole request or document). Codecs that cannot expand their input need not draw.
    fn decode_within(&self, payload: Payload, budget: &Budget) -> Result<Payload, CodecError> {
        let _ = budget;
        self.decode(payload)
    }
}

/// Why a codec failed on a payload. Never carries key material or plaintext.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CodecError {
    /// The payload names a key id the keyring does not hold.
    #[error("unknown encryption key id {0:?}")]
    UnknownKeyId(String),
    /// An encrypted payload has no key id.
    #[error("encrypted payload has no `encryption-key-id` metadata")]
    MissingKeyId,
    /// The ciphertext is shorter than nonce plus tag.
    #[error("encrypted data is truncated: {len} bytes, at least 28 needed (12-byte nonce + 16-byte tag)")]
    Truncated {
        /// Length found.
        len: usize,
    },
    /// AES-GCM authentication failed.
    #[error("decryption failed for key id {key_id:?}: wrong key or tampered ciphertext")]
    Authentication {
        /// The key id that was tried.
        key_id: String,
    },
    /// The decoded bytes are not a serialized Payload.
    #[error("{codec}: decoded bytes are not a serialized Payload ({reason})")]
    InnerPayload {
        /// The codec.
        codec: String,
        /// The protobuf parser's reason.
        reason: String,
    },
    /// Decompression failed.
    #[error("{codec}: corrupt compressed data ({reason})")]
    Corrupt {
        /// The codec.
        codec: String,
        /// The decompressor's reason.
        reason: String,
    },
    /// Decompression would exceed the configured limit.
    #[error("{codec}: decompressed size exceeds the limit of {limit} bytes (possible decompression bomb)")]
    TooLarge {
        /// The codec.
        codec: String,
        /// The configured limit.
        limit: u64,
    },
    /// The request or document as a whole decoded to more bytes than its budget.
    #[error("decoded size of the request or document exceeds the limit of {limit} bytes in total (possible decompression bombs)")]
    BudgetExceeded {
        /// The total allowed.
        limit: u64,
    },
    /// An export object's executions together rendered to more than `--max-decoded-file`.
    #[error("the export object's executions together passed --max-decoded-file ({limit} bytes of output)")]
    FileTooLarge {
        /// The total allowed.
        limit: u64,
    },
    /// The request ran past its time limit; the remaining payloads were not processed.
    #[error("request time limit reached before this payload")]
    DeadlineExceeded,
    /// age decryption or encryption failed.
    #[error("age: {reason}")]
    Age {
        /// What happened (never key text).
        reason: String,
    },
    /// A KMS (key encryption key provider) failed or could not be reached: AWS KMS, a KMS
    /// extension server. The message names the KEK (redacted if secret) and the reason.
    #[error("{message}")]
    Kms {
        /// What happened (never key material).
        message: String,
    },
    /// The remote codec server failed or gave an unusable answer.
    #[error("remote codec: {message}")]
    Remote {
        /// What happened (URL, status, short reason; never payload contents).
        message: String,
    },
    /// A storage reference is unusable or names an object that is missing, too large or
    /// fails its integrity check.
    #[error("external storage: {message}")]
    StorageObject {
        /// What happened (object key, hashes; never contents or credentials).
        message: String,
    },
    /// The storage could not be reached (network, credentials, time limit).
    #[error("external storage unavailable: {message}")]
    StorageUnavailable {
        /// What happened.
        message: String,
    },
    /// Compression failed.
    #[error("{codec}: compression failed ({reason})")]
    Compress {
        /// The codec.
        codec: String,
        /// The compressor's reason.
        reason: String,
    },
}

/// True when `payload`'s `encoding` metadata is exactly `wanted`.
pub fn has_encoding(payload: &Payload, wanted: &str) -> bool {
    payload::encoding(payload) == Some(wanted.as_bytes())
}

/// Parses the serialized Payload a codec unwrapped.
pub fn inner_payload(codec: &str, bytes: &[u8]) -> Result<Payload, CodecError> {
    let invalid = |reason: String| CodecError::InnerPayload {
        codec: codec.to_string(),
        reason,
    };
    // The common shape, read by hand, within the entry limit.
    if let Some(payload) = crate::payload::proto::plain_payload(bytes, MAX_METADATA_ENTRIES) {
        return Ok(payload);
    }
    // Count entries before building them: a few MB of decoded bytes could otherwise hold
    // millions of tiny metadata entries, each a map entry in memory.
    let entries = count_field(bytes, 1).ok_or_else(|| invalid("malformed protobuf".into()))?;
    if entries > MAX_METADATA_ENTRIES {
        return Err(invalid(format!(
            "{entries} metadata entries, more than the {MAX_METADATA_ENTRIES} allowed"
        )));
    }
    // prost itself: the hand-written reader already said no.
    <Payload as prost::Message>::decode(bytes).map_err(|e| invalid(e.to_string()))
}

/// Most metadata entries a decoded payload may have (the SDKs write two or three).
pub const MAX_METADATA_ENTRIES: usize = 1024;

/// How often top-level field `field` occurs in protobuf `bytes`; `None` when the wire
/// format is broken. Reads only tags and lengths.
fn count_field(bytes: &[u8], field: u64) -> Option<usize> {
    let mut rest = bytes;
    let mut count = 0;
    while !rest.is_empty() {
        let tag = prost::encoding::decode_varint(&mut rest).ok()?;
        if tag >> 3 == field {
            count += 1;
        }
        match tag & 7 {
            0 => {
                prost::encoding::decode_varint(&mut rest).ok()?;
            }
            1 => rest = rest.get(8..)?,
            2 => {
                let len = usize::try_from(prost::encoding::decode_varint(&mut rest).ok()?).ok()?;
                rest = rest.get(len..)?;
            }
            5 => rest = rest.get(4..)?,
            _ => return None,
        }
    }
    Some(count)
}
