//! A Payload's proto3 JSON form. JSON out is what Go's `protojson` writes: lowerCamelCase
//! names, standard base64 with padding, map keys sorted, int64 as strings, empty fields
//! omitted. JSON in is lenient like `protojson`/`json_format`: proto names
//! (`external_payloads`) too, URL-safe or unpadded base64, int64 as a string or a number.
//! Unknown fields are rejected, as `protojson` does, because a codec would otherwise drop
//! them silently.

use serde_json::Value;

use super::model::{
    decode_base64, encode_base64, kind, ExternalPayloadDetails, Payload, SCAN_ENTRIES,
};

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
        Value::String(text) => decode_base64(text).map_err(|e| {
            // `decode --readable` writes metadata as text: say what was meant.
            let readable = path.starts_with("metadata.") && looks_like_an_encoding(text);
            JsonError::at(
                path,
                if readable {
                    format!(
                        "{text:?} is text, not base64: this looks like `decode --readable` output; add --from-readable"
                    )
                } else {
                    format!("invalid base64 ({e})")
                },
            )
        }),
        other => Err(JsonError::at(
            path,
            format!("expected a base64 string, found {}", kind(other)),
        )),
    }
}

/// `json/plain`, `binary/encrypted`: an encoding name as `--readable` shows it.
fn looks_like_an_encoding(text: &str) -> bool {
    text.split_once('/').is_some_and(|(kind, rest)| {
        !kind.is_empty()
            && !rest.is_empty()
            && kind.bytes().all(|b| b.is_ascii_lowercase())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-+._".contains(&b))
    })
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

/// Writes one Payload as the proto3 JSON object Go's protojson emits: the tree form of
/// [`JsonPayload`] (one definition of the object's fields and order).
pub fn payload_to_json(payload: &Payload) -> Value {
    // Cannot fail: every map key is a string and every value a string, map or list.
    serde_json::to_value(JsonPayload(payload)).unwrap_or_default()
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
/// [`JsonPayload`], written directly (base64 needs no escaping), for hot paths such as
/// the codec server's answers. Kept beside the serde form by measurement: through
/// `serde_json::to_writer(JsonPayload)` the codec server's transform bench took 9.3-10.7 µs
/// per request instead of 6.6-6.9 µs (10 payloads of 0.5 KB); `direct_writer_matches_the_value_form`
/// holds the two to the same bytes.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::model::with_encoding;
    use serde_json::json;

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
}
