//! The payload model (`temporal.api.common.v1.Payload` / `Payloads` from the official
//! `temporalio-protos` crate): metadata keys, encodings, base64, and the default
//! converter's values. Its proto3 JSON form is in [`super::json`], its wire form in
//! [`super::proto`].
//!
//! JSON out is what Go's `protojson` writes: lowerCamelCase names, standard base64 with
//! padding, map keys sorted, int64 as strings, empty fields omitted. JSON in is lenient like
//! `protojson`/`json_format`: proto names (`external_payloads`) too, URL-safe or unpadded
//! base64, int64 as a string or a number. Unknown fields are rejected, as `protojson` does,
//! because a codec would otherwise drop them silently.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::Value;

pub use temporalio_protos::protos::temporal::api::common::v1::payload::ExternalPayloadDetails;
pub use temporalio_protos::protos::temporal::api::common::v1::{Payload, Payloads};

/// Metadata key naming a payload's encoding.
pub const ENCODING: &str = "encoding";
/// Metadata key carrying the id of the key a payload was encrypted with (samples format).
pub const ENCRYPTION_KEY_ID: &str = "encryption-key-id";
/// Metadata key of temporal-proxy's wrapped data key (standard base64).
pub const ENCRYPTION_DEK: &str = "encryption-dek";
/// Encoding of the default converter for JSON values.
pub const ENCODING_JSON_PLAIN: &str = "json/plain";
/// Encoding of the default converter for null / None / nil.
pub const ENCODING_NULL: &str = "binary/null";
/// Encoding of the default converter for raw bytes.
pub const ENCODING_BINARY_PLAIN: &str = "binary/plain";
/// Encoding of a protobuf message as proto JSON.
pub const ENCODING_JSON_PROTOBUF: &str = "json/protobuf";

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes base64 the way Go's protojson does: standard or URL-safe, padded or not.
///
/// The common case (standard alphabet, canonical) is decoded with SIMD (`base64-simd`,
/// ~4x the `base64` crate on payload-sized strings here), which is exactly as strict: it
/// refuses non-zero trailing bits and anything but the alphabet and canonical padding
/// (`simd_accepts_only_what_the_base64_crate_accepts`). Anything it refuses is decided,
/// and its error named, by the `base64` crate.
pub fn decode_base64(text: &(impl AsRef<[u8]> + ?Sized)) -> Result<Vec<u8>, base64::DecodeError> {
    let text = text.as_ref();
    // Padded text always has a length that is a multiple of 4.
    let simd = if text.len().is_multiple_of(4) {
        &base64_simd::STANDARD
    } else {
        &base64_simd::STANDARD_NO_PAD
    };
    if let Ok(bytes) = simd.decode_to_vec(text) {
        return Ok(bytes);
    }
    // Standard first (what every SDK writes); URL-safe only when that fails. Scanning for
    // `-`/`_` first cost ~5% of the codec server's CPU.
    STANDARD_LENIENT
        .decode(text)
        .or_else(|e| URL_SAFE_LENIENT.decode(text).map_err(|_| e))
}

/// Encodes bytes as standard base64 with padding, as Go's protojson writes them.
pub fn encode_base64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// The payload's `encoding` metadata, if present.
pub fn encoding(payload: &Payload) -> Option<&[u8]> {
    meta(payload, ENCODING)
}

/// The payload's metadata value under `key`, if present. Payloads carry a few entries,
/// and comparing those few keys costs less than hashing the one looked for (the map's
/// SipHash was ~10% of a small-payload server request).
pub fn meta<'a>(payload: &'a Payload, key: &str) -> Option<&'a [u8]> {
    meta_in(&payload.metadata, key)
}

/// Metadata maps up to this size are searched by comparing keys, larger ones by hash.
pub(crate) const SCAN_ENTRIES: usize = 8;

/// Metadata bytes as text, to compare or show: borrowed when they are UTF-8 (`from_utf8`
/// checks a short valid value in about half the time `from_utf8_lossy` takes), else with
/// replacement characters.
pub fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// [`meta`] of a metadata map.
pub fn meta_in<'a>(
    metadata: &'a std::collections::HashMap<String, Vec<u8>>,
    key: &str,
) -> Option<&'a [u8]> {
    if metadata.len() <= SCAN_ENTRIES {
        metadata
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v.as_slice())
    } else {
        metadata.get(key).map(Vec::as_slice)
    }
}

/// A short name for a JSON value's type, for error messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Builds a payload with the given encoding and data (the default converter's shape).
pub fn with_encoding(encoding: &str, data: Vec<u8>) -> Payload {
    let mut payload = Payload {
        data,
        ..Default::default()
    };
    payload
        .metadata
        .insert(ENCODING.to_string(), encoding.as_bytes().to_vec());
    payload
}

/// Converts a plain JSON value to a payload as the SDKs' default converter does:
/// `binary/null` for null, `json/plain` (compact UTF-8 JSON) for everything else.
pub fn from_value(value: &Value) -> Payload {
    match value {
        Value::Null => with_encoding(ENCODING_NULL, Vec::new()),
        // serde_json cannot fail to serialize a Value into a Vec.
        other => with_encoding(
            ENCODING_JSON_PLAIN,
            serde_json::to_vec(other).unwrap_or_default(),
        ),
    }
}

/// The JSON value a payload holds (the inverse of [`from_value`]): `json/plain` and
/// `json/protobuf` data, `null` for `binary/null`, text for UTF-8 `binary/plain`.
pub fn value_of(payload: &Payload) -> Result<Value, String> {
    let encoding = encoding(payload).unwrap_or_default();
    match encoding {
        e if e == ENCODING_NULL.as_bytes() => Ok(Value::Null),
        e if e == ENCODING_JSON_PLAIN.as_bytes() || e == ENCODING_JSON_PROTOBUF.as_bytes() => {
            serde_json::from_slice(&payload.data)
                .map_err(|e| format!("is not JSON ({e}), which has no JSON value; use --readable"))
        }
        e if e == ENCODING_BINARY_PLAIN.as_bytes() => std::str::from_utf8(&payload.data)
            .map(|t| Value::String(t.to_string()))
            .map_err(|_| {
                "is binary/plain bytes, which have no JSON value; use --readable".to_string()
            }),
        other => Err(format!(
            "is {:?}, which has no JSON value (still encoded? check -n); use --readable",
            String::from_utf8_lossy(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The SIMD fast path of `decode_base64` must never accept what the `base64` crate
    /// (the reference, Go protojson's rules) refuses, nor decode anything differently:
    /// every string of up to 6 characters over a set that covers both alphabets,
    /// padding, trailing bits and junk, and mutations of long valid strings.
    #[test]
    fn simd_accepts_only_what_the_base64_crate_accepts() {
        let symbols = [b'A', b'Q', b'g', b'/', b'+', b'=', b'-', b'_', b' ', b'9'];
        let reference = |t: &str| {
            STANDARD_LENIENT
                .decode(t)
                .or_else(|e| URL_SAFE_LENIENT.decode(t).map_err(|_| e))
        };
        let mut checked = 0;
        for len in 0..=6u32 {
            for n in 0..symbols.len().pow(len) {
                let mut k = n;
                let text: String = (0..len)
                    .map(|_| {
                        let c = symbols[k % symbols.len()];
                        k /= symbols.len();
                        char::from(c)
                    })
                    .collect();
                assert_eq!(decode_base64(&text).ok(), reference(&text).ok(), "{text:?}");
                checked += 1;
            }
        }
        assert!(checked > 1_000_000);
        for size in [40usize, 100, 333, 1000] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + size) as u8).collect();
            let good = base64::engine::general_purpose::STANDARD.encode(&bytes);
            assert_eq!(decode_base64(&good).unwrap(), bytes);
            for at in [
                0,
                1,
                good.len() / 2,
                good.len() - 3,
                good.len() - 2,
                good.len() - 1,
            ] {
                for &c in &symbols {
                    let mut text = good.clone().into_bytes();
                    text[at] = c;
                    let text = String::from_utf8(text).unwrap();
                    assert_eq!(decode_base64(&text).ok(), reference(&text).ok(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn values_become_default_converter_payloads() {
        let p = from_value(&json!({"a": 1}));
        assert_eq!(encoding(&p), Some(&b"json/plain"[..]));
        assert_eq!(p.data, br#"{"a":1}"#);
        let n = from_value(&Value::Null);
        assert_eq!(encoding(&n), Some(&b"binary/null"[..]));
        assert!(n.data.is_empty());
    }
}
