//! The payload model (`temporal.api.common.v1.Payload` / `Payloads` from the official
//! `temporalio-protos` crate) and its proto3 JSON form.
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
use prost::Message as _;
use serde_json::{Map, Value};

pub use temporalio_protos::protos::temporal::api::common::v1::payload::ExternalPayloadDetails;
pub use temporalio_protos::protos::temporal::api::common::v1::{Payload, Payloads};

/// Metadata key naming a payload's encoding.
pub const ENCODING: &str = "encoding";
/// Metadata key carrying the id of the key a payload was encrypted with (samples format).
pub const ENCRYPTION_KEY_ID: &str = "encryption-key-id";
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

/// Why a JSON value is not a Payload. `path` is relative to the payload object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where inside the payload (`metadata.encoding`, `data`), empty for the object itself.
    pub path: String,
    /// What was expected.
    pub message: String,
}

impl JsonError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        JsonError {
            path: path.into(),
            message: message.into(),
        }
    }
}

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

/// Metadata maps up to this size are searched by comparing keys, larger ones by hash.
const SCAN_ENTRIES: usize = 8;

/// Parses one Payload from its proto3 JSON object.
pub fn payload_from_json(value: &Value) -> Result<Payload, JsonError> {
    let object = value.as_object().ok_or_else(|| {
        JsonError::at(
            "",
            format!("expected a Payload object, found {}", kind(value)),
        )
    })?;
    let mut payload = Payload::default();
    for (name, field) in object {
        match name.as_str() {
            "metadata" => payload.metadata = metadata_from_json(field)?,
            "data" => payload.data = bytes_from_json(field, "data")?,
            "externalPayloads" | "external_payloads" => {
                payload.external_payloads = external_from_json(field, name)?
            }
            other => {
                return Err(JsonError::at(
                    other,
                    "unknown Payload field (expected metadata, data or externalPayloads)",
                ))
            }
        }
    }
    Ok(payload)
}

fn metadata_from_json(
    value: &Value,
) -> Result<std::collections::HashMap<String, Vec<u8>>, JsonError> {
    match value {
        Value::Null => Ok(Default::default()),
        Value::Object(entries) => entries
            .iter()
            .map(|(key, v)| Ok((key.clone(), bytes_from_json(v, &format!("metadata.{key}"))?)))
            .collect(),
        other => Err(JsonError::at(
            "metadata",
            format!(
                "expected an object of base64 strings, found {}",
                kind(other)
            ),
        )),
    }
}

fn bytes_from_json(value: &Value, path: &str) -> Result<Vec<u8>, JsonError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(text) => {
            decode_base64(text).map_err(|e| JsonError::at(path, format!("invalid base64 ({e})")))
        }
        other => Err(JsonError::at(
            path,
            format!("expected a base64 string, found {}", kind(other)),
        )),
    }
}

fn external_from_json(value: &Value, name: &str) -> Result<Vec<ExternalPayloadDetails>, JsonError> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(JsonError::at(
                name,
                format!("expected an array, found {}", kind(other)),
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("{name}[{i}]");
            let object = item.as_object().ok_or_else(|| {
                JsonError::at(&path, format!("expected an object, found {}", kind(item)))
            })?;
            let mut details = ExternalPayloadDetails::default();
            for (field, v) in object {
                match field.as_str() {
                    "sizeBytes" | "size_bytes" => {
                        details.size_bytes = int64_from_json(v, &format!("{path}.{field}"))?
                    }
                    other => {
                        return Err(JsonError::at(
                            format!("{path}.{other}"),
                            "unknown field (expected sizeBytes)",
                        ))
                    }
                }
            }
            Ok(details)
        })
        .collect()
}

fn int64_from_json(value: &Value, path: &str) -> Result<i64, JsonError> {
    let parsed = match value {
        Value::Null => Some(0),
        Value::String(text) => text.parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    parsed.ok_or_else(|| JsonError::at(path, "expected an int64 (string or number)"))
}

/// A payload as its proto3 JSON object for serde serializers (same fields and order as
/// [`payload_to_json`], without building a tree): pretty output straight from the payload.
pub struct JsonPayload<'a>(pub &'a Payload);

impl serde::Serialize for JsonPayload<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        struct Metadata<'a>(&'a std::collections::HashMap<String, Vec<u8>>);
        impl serde::Serialize for Metadata<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut keys: Vec<&String> = self.0.keys().collect();
                keys.sort();
                let mut map = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    map.serialize_entry(k, &encode_base64(&self.0[k]))?;
                }
                map.end()
            }
        }
        struct Details<'a>(&'a [ExternalPayloadDetails]);
        impl serde::Serialize for Details<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq as _;
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for d in self.0 {
                    let size = (d.size_bytes != 0).then(|| d.size_bytes.to_string());
                    seq.serialize_element(&SizeBytes(size))?;
                }
                seq.end()
            }
        }
        struct SizeBytes(Option<String>);
        impl serde::Serialize for SizeBytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(usize::from(self.0.is_some())))?;
                if let Some(size) = &self.0 {
                    map.serialize_entry("sizeBytes", size)?;
                }
                map.end()
            }
        }
        let p = self.0;
        let mut map = s.serialize_map(None)?;
        if !p.metadata.is_empty() {
            map.serialize_entry("metadata", &Metadata(&p.metadata))?;
        }
        if !p.data.is_empty() {
            map.serialize_entry("data", &encode_base64(&p.data))?;
        }
        if !p.external_payloads.is_empty() {
            map.serialize_entry("externalPayloads", &Details(&p.external_payloads))?;
        }
        map.end()
    }
}

/// Writes one Payload as the proto3 JSON object Go's protojson emits.
pub fn payload_to_json(payload: &Payload) -> Value {
    let mut object = Map::new();
    if !payload.metadata.is_empty() {
        let mut keys: Vec<&String> = payload.metadata.keys().collect();
        keys.sort();
        let metadata: Map<String, Value> = keys
            .into_iter()
            .map(|k| {
                (
                    k.clone(),
                    Value::String(encode_base64(&payload.metadata[k])),
                )
            })
            .collect();
        object.insert("metadata".into(), Value::Object(metadata));
    }
    if !payload.data.is_empty() {
        object.insert("data".into(), Value::String(encode_base64(&payload.data)));
    }
    if !payload.external_payloads.is_empty() {
        let details = payload
            .external_payloads
            .iter()
            .map(|d| {
                let mut o = Map::new();
                if d.size_bytes != 0 {
                    o.insert("sizeBytes".into(), Value::String(d.size_bytes.to_string()));
                }
                Value::Object(o)
            })
            .collect();
        object.insert("externalPayloads".into(), Value::Array(details));
    }
    Value::Object(object)
}

/// Appends `text` as a JSON string: as it is between quotes when nothing in it needs an
/// escape (metadata keys almost never do), else as serde_json escapes it.
fn write_json_string(text: &str, out: &mut Vec<u8>) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Appends the compact proto3 JSON of a Payload to `out`: the same object as
/// [`payload_to_json`], written directly (base64 needs no escaping), for hot paths such as
/// the codec server's answers.
pub fn write_payload_json(payload: &Payload, out: &mut Vec<u8>) {
    let base64 = |bytes: &[u8], out: &mut Vec<u8>| {
        out.push(b'"');
        base64_simd::STANDARD.encode_append(bytes, out);
        out.push(b'"');
    };
    out.push(b'{');
    let mut first = true;
    let mut comma = |out: &mut Vec<u8>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
    };
    if !payload.metadata.is_empty() {
        comma(out);
        out.extend_from_slice(b"\"metadata\":{");
        // Sorted by key; a payload's few entries are sorted on the stack.
        let mut few: [(&str, &[u8]); SCAN_ENTRIES] = [("", &[]); SCAN_ENTRIES];
        let mut many = Vec::new();
        let entries: &mut [(&str, &[u8])] = if payload.metadata.len() <= SCAN_ENTRIES {
            for (slot, (k, v)) in few.iter_mut().zip(&payload.metadata) {
                *slot = (k.as_str(), v.as_slice());
            }
            &mut few[..payload.metadata.len()]
        } else {
            many.extend(
                payload
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_slice())),
            );
            &mut many
        };
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_string(k, out);
            out.push(b':');
            base64(v, out);
        }
        out.push(b'}');
    }
    if !payload.data.is_empty() {
        comma(out);
        out.extend_from_slice(b"\"data\":");
        base64(&payload.data, out);
    }
    if !payload.external_payloads.is_empty() {
        comma(out);
        out.extend_from_slice(b"\"externalPayloads\":[");
        for (i, d) in payload.external_payloads.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if d.size_bytes == 0 {
                out.extend_from_slice(b"{}");
            } else {
                out.extend_from_slice(format!("{{\"sizeBytes\":\"{}\"}}", d.size_bytes).as_bytes());
            }
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// Serializes a Payload to protobuf bytes.
///
/// Metadata entries are written in key order (as Go's `proto.MarshalOptions{Deterministic:
/// true}` does), so equal payloads always serialize to equal bytes: what codecs wrap, and
/// what `--deterministic` hashes, does not depend on a hash map's order.
pub fn to_proto(payload: &Payload) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.encoded_len());
    write_proto(payload, &mut out);
    out
}

/// [`to_proto`], appended to `out` (a codec serializes straight into its output buffer).
pub fn write_proto(payload: &Payload, out: &mut Vec<u8>) {
    use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};
    if payload.metadata.len() < 2 {
        // Cannot fail: a Vec grows as needed.
        let _ = payload.encode(out);
        return;
    }
    let mut entries: Vec<(&String, &Vec<u8>)> = payload.metadata.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let field_len = |len: usize| {
        if len == 0 {
            0
        } else {
            1 + encoded_len_varint(len as u64) + len
        }
    };
    out.reserve(payload.encoded_len());
    for (key, value) in entries {
        // A map entry is a message {1: key, 2: value}; prost leaves out empty fields.
        encode_key(1, WireType::LengthDelimited, out);
        encode_varint((field_len(key.len()) + field_len(value.len())) as u64, out);
        for (tag, bytes) in [(1, key.as_bytes()), (2, value.as_slice())] {
            if !bytes.is_empty() {
                encode_key(tag, WireType::LengthDelimited, out);
                encode_varint(bytes.len() as u64, out);
                out.extend_from_slice(bytes);
            }
        }
    }
    if !payload.data.is_empty() {
        prost::encoding::bytes::encode(2, &payload.data, out);
    }
    for details in &payload.external_payloads {
        prost::encoding::message::encode(3, details, out);
    }
}

/// Parses a Payload from protobuf bytes.
pub fn from_proto(bytes: &[u8]) -> Result<Payload, prost::DecodeError> {
    match crate::payload_proto::plain_payload(bytes, usize::MAX) {
        Some(payload) => Ok(payload),
        None => Payload::decode(bytes),
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

    /// Keys are written exactly as serde_json writes them: every ASCII character and some
    /// beyond, alone and inside text.
    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        let mut texts: Vec<String> = (0u32..0x80)
            .chain([0xe9, 0x2028, 0x1f600])
            .filter_map(char::from_u32)
            .flat_map(|c| [c.to_string(), format!("encoding{c}x")])
            .collect();
        texts.push(String::new());
        for text in texts {
            let mut ours = Vec::new();
            write_json_string(&text, &mut ours);
            assert_eq!(ours, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    /// Metadata is written sorted by key, with few entries and with many.
    #[test]
    fn metadata_is_written_sorted_by_key() {
        for n in [1usize, 2, 8, 9, 20] {
            let mut p = Payload::default();
            for i in (0..n).rev() {
                p.metadata.insert(format!("k{i:02}"), vec![i as u8]);
            }
            let mut out = Vec::new();
            write_payload_json(&p, &mut out);
            let text = String::from_utf8(out).unwrap();
            let positions: Vec<usize> = (0..n)
                .map(|i| text.find(&format!("\"k{i:02}\"")).unwrap())
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
            assert_eq!(
                payload_from_json(&serde_json::from_str(&text).unwrap()).unwrap(),
                p
            );
        }
    }

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
    fn to_proto_is_deterministic_and_equal_to_prost() {
        let mut p = with_encoding("json/plain", b"{}".to_vec());
        for k in ["zeta", "alpha", "mid", "empty"] {
            p.metadata.insert(
                k.into(),
                if k == "empty" {
                    Vec::new()
                } else {
                    k.as_bytes().to_vec()
                },
            );
        }
        p.external_payloads
            .push(ExternalPayloadDetails { size_bytes: 9 });
        let bytes = to_proto(&p);
        assert_eq!(from_proto(&bytes).unwrap(), p);
        assert_eq!(bytes.len(), p.encoded_len());
        for _ in 0..8 {
            let mut q = Payload::default();
            // Insert in another order: a fresh map may iterate differently.
            let mut keys: Vec<_> = p.metadata.keys().cloned().collect();
            keys.reverse();
            for k in keys {
                q.metadata.insert(k.clone(), p.metadata[&k].clone());
            }
            q.data = p.data.clone();
            q.external_payloads = p.external_payloads.clone();
            assert_eq!(to_proto(&q), bytes);
        }
        // Keys in order: alpha, empty, encoding, mid, zeta.
        let alpha = bytes.windows(5).position(|w| w == b"alpha").unwrap();
        let zeta = bytes.windows(4).position(|w| w == b"zeta").unwrap();
        assert!(alpha < zeta);
    }
    use serde_json::json;

    #[test]
    fn json_round_trip_is_protojson_shaped() {
        let mut p = with_encoding("binary/encrypted", vec![0xfb, 0xff, 1]);
        p.metadata
            .insert("encryption-key-id".into(), b"k1".to_vec());
        p.external_payloads
            .push(ExternalPayloadDetails { size_bytes: 42 });
        let v = payload_to_json(&p);
        assert_eq!(
            v,
            json!({
                "metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA==", "encryption-key-id": "azE="},
                "data": "+/8B",
                "externalPayloads": [{"sizeBytes": "42"}]
            })
        );
        assert_eq!(payload_from_json(&v).unwrap(), p);
    }

    #[test]
    fn accepts_url_safe_unpadded_and_proto_names() {
        let v = json!({"metadata": {"e": "-_8"}, "data": "-_8B", "external_payloads": [{"size_bytes": 7}]});
        let p = payload_from_json(&v).unwrap();
        assert_eq!(p.metadata["e"], vec![0xfb, 0xff]);
        assert_eq!(p.data, vec![0xfb, 0xff, 1]);
        assert_eq!(p.external_payloads[0].size_bytes, 7);
    }

    #[test]
    fn direct_writer_matches_the_value_form() {
        let mut p = with_encoding("binary/encrypted", vec![0xfb, 0xff, 1, 2]);
        p.metadata.insert("a\"key".into(), vec![]);
        p.metadata
            .insert("encryption-key-id".into(), b"k1".to_vec());
        p.external_payloads
            .push(ExternalPayloadDetails { size_bytes: 42 });
        p.external_payloads
            .push(ExternalPayloadDetails { size_bytes: 0 });
        for p in [p, Payload::default(), with_encoding("x", vec![1])] {
            let mut out = Vec::new();
            write_payload_json(&p, &mut out);
            assert_eq!(out, serde_json::to_vec(&payload_to_json(&p)).unwrap());
        }
    }

    #[test]
    fn empty_payload_is_an_empty_object() {
        assert_eq!(payload_to_json(&Payload::default()), json!({}));
        assert_eq!(payload_from_json(&json!({})).unwrap(), Payload::default());
    }

    #[test]
    fn errors_name_the_field() {
        let e = payload_from_json(&json!({"data": "%%%"})).unwrap_err();
        assert_eq!(e.path, "data");
        assert!(e.message.starts_with("invalid base64"), "{}", e.message);
        let e = payload_from_json(&json!({"metadata": {"encoding": 5}})).unwrap_err();
        assert_eq!(e.path, "metadata.encoding");
        assert_eq!(e.message, "expected a base64 string, found a number");
        let e = payload_from_json(&json!({"bogus": 1})).unwrap_err();
        assert_eq!(e.path, "bogus");
        let e = payload_from_json(&json!([1])).unwrap_err();
        assert_eq!(e.message, "expected a Payload object, found an array");
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
