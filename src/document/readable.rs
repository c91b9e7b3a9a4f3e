//! Readable output (`decode --readable`), like the Web UI's "Readable" download: after
//! decoding, each payload shows its data as what it means, not as base64.
//!
//! A readable payload is `{"metadata": {...}, "data": ...}` with metadata values as text,
//! and `data` as: the JSON value itself for `json/plain` and `json/protobuf`; text for
//! `binary/plain`; `null` for `binary/null`; base64 for anything else (still encrypted,
//! `binary/protobuf`, ...). Bytes that cannot be shown as their encoding says (non-UTF-8
//! `binary/plain`, `json/plain` that is not JSON) appear as `"base64": "..."` in place of
//! `data`, so text and bytes are never confused. A payload that fails to decode keeps its
//! stored form and gains an `"error"` field with the reason. SDK replayers cannot read
//! this form; `tcodec encode --from-readable` turns it back into payloads.

use serde_json::{Map, Value};

use crate::codec::{Budget, Direction};
use crate::document::tree::{self, SiteFilter, SiteKind};
use crate::document::TreeDocument;
use crate::error::{Error, Result};
use crate::payload::{
    self, Payload, ENCODING, ENCODING_BINARY_PLAIN, ENCODING_JSON_PLAIN, ENCODING_JSON_PROTOBUF,
    ENCODING_NULL,
};
use crate::pipeline::Pipeline;

/// A payload that could not be decoded, shown inline in the readable output.
#[derive(Debug)]
pub struct InlineError {
    /// The full error, with its location.
    pub error: Error,
}

/// Decodes every payload site of `tree` (search attributes are shown readable but never
/// decoded) and rewrites each as its readable form, in place. Returns the payloads that
/// failed, which also carry an inline `"error"` field.
pub fn readable(
    tree: &mut TreeDocument,
    pipeline: &Pipeline,
    budget: &Budget,
) -> Result<Vec<InlineError>> {
    let policy = SiteFilter::for_direction(Direction::Decode);
    let sites = tree::collect_root(&mut tree.value, tree.message, tree.location.clone());
    let mut parsed = Vec::with_capacity(sites.len());
    for site in sites {
        let stored = payload::payload_from_json(site.value).map_err(|e| Error::Parse {
            location: if e.path.is_empty() {
                site.location.clone()
            } else {
                site.location.join(&e.path)
            },
            message: e.message,
        })?;
        parsed.push((site, stored));
    }
    // Decode every site the codecs see in one list (a remote stage gets whole batches).
    let wanted = |kind: SiteKind| policy.includes(kind) && kind != SiteKind::SearchAttribute;
    let list: Vec<Payload> = parsed
        .iter()
        .filter(|(site, _)| wanted(site.kind))
        .map(|(_, stored)| stored.clone())
        .collect();
    let mut decoded = pipeline
        .run_each(Direction::Decode, list, budget)
        .into_iter();
    let mut failures = Vec::new();
    for (site, stored) in parsed {
        let result = if wanted(site.kind) {
            decoded.next().unwrap_or_else(|| Ok(stored.clone()))
        } else {
            Ok(stored.clone())
        };
        *site.value = match result {
            Ok(plain) => readable_payload(&plain),
            Err(source) => {
                let mut shown = readable_payload(&stored);
                if let Value::Object(o) = &mut shown {
                    o.insert("error".into(), Value::String(source.to_string()));
                }
                failures.push(InlineError {
                    error: Error::Codec {
                        direction: "decode",
                        location: site.location,
                        source,
                    },
                });
                shown
            }
        };
    }
    Ok(failures)
}

/// The readable form of one (decoded) payload.
pub fn readable_payload(p: &Payload) -> Value {
    let mut object = Map::new();
    if !p.metadata.is_empty() {
        let mut keys: Vec<&String> = p.metadata.keys().collect();
        keys.sort();
        let metadata = keys
            .into_iter()
            .map(|k| (k.clone(), text_or_base64(&p.metadata[k])))
            .collect();
        object.insert("metadata".into(), Value::Object(metadata));
    }
    let encoding = p.metadata.get(ENCODING).map(Vec::as_slice);
    let raw = || Value::String(payload::encode_base64(&p.data));
    // (key, value): "data" with the meaning, or "base64" with bytes that have none.
    let (key, data) = match encoding {
        Some(e) if e == ENCODING_NULL.as_bytes() => ("data", Value::Null),
        Some(e)
            if e == ENCODING_JSON_PLAIN.as_bytes() || e == ENCODING_JSON_PROTOBUF.as_bytes() =>
        {
            match serde_json::from_slice(&p.data) {
                Ok(value) => ("data", value),
                Err(_) => ("base64", raw()),
            }
        }
        Some(e) if e == ENCODING_BINARY_PLAIN.as_bytes() => match std::str::from_utf8(&p.data) {
            Ok(text) => ("data", Value::String(text.to_string())),
            Err(_) => ("base64", raw()),
        },
        _ => ("data", raw()),
    };
    if !(p.data.is_empty() && data.is_string()) {
        object.insert(key.into(), data);
    }
    if !p.external_payloads.is_empty() {
        if let Value::Object(mut stored) = payload::payload_to_json(p) {
            if let Some(ext) = stored.remove("externalPayloads") {
                object.insert("externalPayloads".into(), ext);
            }
        }
    }
    Value::Object(object)
}

/// The payload a readable payload stands for (the inverse of [`readable_payload`]).
/// Errors name the field, relative to the payload object.
pub fn payload_from_readable(value: &Value) -> std::result::Result<Payload, String> {
    let object = value.as_object().ok_or_else(|| {
        format!(
            "expected a readable payload object, found {}",
            payload::kind(value)
        )
    })?;
    let mut p = Payload::default();
    if let Some(meta) = object.get("metadata") {
        let meta = meta
            .as_object()
            .ok_or("metadata: expected an object of text values")?;
        for (k, v) in meta {
            let text = v.as_str().ok_or_else(|| {
                format!("metadata.{k}: expected text, found {}", payload::kind(v))
            })?;
            p.metadata.insert(k.clone(), text.as_bytes().to_vec());
        }
    }
    let encoding = p.metadata.get(ENCODING).cloned().unwrap_or_default();
    match (object.get("data"), object.get("base64")) {
        (Some(_), Some(_)) => return Err("has both data and base64: keep one".into()),
        (None, Some(b)) => {
            let text = b.as_str().ok_or("base64: expected a base64 string")?;
            p.data =
                payload::decode_base64(text).map_err(|e| format!("base64: invalid base64: {e}"))?;
        }
        (Some(data), None) => {
            p.data = match encoding.as_slice() {
                e if e == ENCODING_NULL.as_bytes() => match data {
                    Value::Null => Vec::new(),
                    other => {
                        return Err(format!(
                            "data: binary/null holds null, found {}",
                            payload::kind(other)
                        ))
                    }
                },
                e if e == ENCODING_JSON_PLAIN.as_bytes()
                    || e == ENCODING_JSON_PROTOBUF.as_bytes() =>
                {
                    serde_json::to_vec(data).map_err(|e| format!("data: {e}"))?
                }
                e if e == ENCODING_BINARY_PLAIN.as_bytes() => data
                    .as_str()
                    .ok_or_else(|| {
                        format!(
                            "data: binary/plain holds text (or use base64), found {}",
                            payload::kind(data)
                        )
                    })?
                    .as_bytes()
                    .to_vec(),
                _ => {
                    let text = data.as_str().ok_or_else(|| {
                        format!(
                            "data: expected base64 for this encoding, found {}",
                            payload::kind(data)
                        )
                    })?;
                    payload::decode_base64(text)
                        .map_err(|e| format!("data: invalid base64: {e}"))?
                }
            };
        }
        (None, None) => {}
    }
    if let Some(ext) = object.get("externalPayloads") {
        let stored = payload::payload_from_json(&serde_json::json!({ "externalPayloads": ext }))
            .map_err(|e| format!("externalPayloads: {}", e.message))?;
        p.external_payloads = stored.external_payloads;
    }
    for key in object.keys() {
        if !["metadata", "data", "base64", "externalPayloads", "error"].contains(&key.as_str()) {
            return Err(format!(
                "unknown field {key:?} (expected metadata, data or base64)"
            ));
        }
    }
    Ok(p)
}

fn text_or_base64(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(text.to_string()),
        Err(_) => Value::String(payload::encode_base64(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_encoding_shows_its_meaning() {
        let p = payload::with_encoding("json/plain", br#"{"a":[1,2]}"#.to_vec());
        assert_eq!(
            readable_payload(&p),
            json!({"metadata": {"encoding": "json/plain"}, "data": {"a": [1, 2]}})
        );
        let p = payload::with_encoding("binary/null", Vec::new());
        assert_eq!(
            readable_payload(&p),
            json!({"metadata": {"encoding": "binary/null"}, "data": null})
        );
        let p = payload::with_encoding("binary/plain", b"hi".to_vec());
        assert_eq!(readable_payload(&p)["data"], json!("hi"));
        // Bytes that are not what the encoding says are marked as bytes, never text.
        let p = payload::with_encoding("binary/plain", vec![0xff, 0x00]);
        assert_eq!(
            readable_payload(&p),
            json!({"metadata": {"encoding": "binary/plain"}, "base64": "/wA="})
        );
        let p = payload::with_encoding("json/plain", b"not json".to_vec());
        assert_eq!(readable_payload(&p)["base64"], json!("bm90IGpzb24="));
        let p = payload::with_encoding("binary/encrypted", vec![1, 2, 3]);
        assert_eq!(readable_payload(&p)["data"], json!("AQID"));
    }

    #[test]
    fn readable_payloads_turn_back_into_the_same_payloads() {
        let cases = [
            payload::with_encoding("json/plain", br#"{"a":[1,2.5,"x"]}"#.to_vec()),
            payload::with_encoding("binary/null", Vec::new()),
            payload::with_encoding("binary/plain", b"hi".to_vec()),
            payload::with_encoding("binary/plain", vec![0xff, 0x00]),
            payload::with_encoding("json/plain", b"not json".to_vec()),
            payload::with_encoding("binary/encrypted", vec![1, 2, 3]),
        ];
        for p in cases {
            assert_eq!(payload_from_readable(&readable_payload(&p)).unwrap(), p);
        }
        for (bad, why) in [
            (
                json!({"metadata": {"encoding": "binary/null"}, "data": 1}),
                "data: binary/null holds null, found a number",
            ),
            (
                json!({"data": 1, "base64": "AA=="}),
                "has both data and base64: keep one",
            ),
            (
                json!({"metadata": {"encoding": "binary/plain"}, "data": [1]}),
                "data: binary/plain holds text (or use base64), found an array",
            ),
            (
                json!({"extra": 1}),
                "unknown field \"extra\" (expected metadata, data or base64)",
            ),
            (
                json!([]),
                "expected a readable payload object, found an array",
            ),
        ] {
            assert_eq!(payload_from_readable(&bad).unwrap_err(), why);
        }
    }
}
