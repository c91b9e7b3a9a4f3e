//! Binary protobuf histories: to and from the proto3 JSON tree the walker works on, through
//! `prost-reflect` over the official descriptor set.

use std::sync::OnceLock;

use prost::Message as _;
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions,
};
use serde_json::Value;

use super::schema::descriptor_set;

fn pool() -> Result<&'static DescriptorPool, String> {
    static POOL: OnceLock<Result<DescriptorPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        let set = descriptor_set().map_err(|e| e.to_string())?;
        DescriptorPool::from_file_descriptor_set(set).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn descriptor(message: &str) -> Result<MessageDescriptor, String> {
    pool()?
        .get_message_by_name(message)
        .ok_or_else(|| format!("{message} is not in the bundled Temporal API"))
}

/// Decodes binary `message` and renders it as proto3 JSON (camelCase names, int64 as
/// strings, enums by name, defaults omitted), as `temporal ... --output json` prints it.
pub fn to_json(message: &str, bytes: &[u8]) -> Result<Value, String> {
    let descriptor = descriptor(message)?;
    let msg = DynamicMessage::decode(descriptor.clone(), bytes).map_err(|e| e.to_string())?;
    // Straight into a tree: no text in between.
    let mut value = msg
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .map_err(|e| e.to_string())?;
    go_floats(&mut value);
    sort_maps(&mut value, &descriptor, 0);
    Ok(value)
}

/// Puts the entries of every protobuf map in key order, as Go's protojson writes them:
/// prost-reflect keeps maps in a hash map, whose order changes from run to run, and the
/// same input must give the same bytes. Only map fields are sorted (found through the
/// descriptor); message fields keep their declared order.
fn sort_maps(value: &mut Value, descriptor: &MessageDescriptor, depth: usize) {
    let Value::Object(object) = value else { return };
    if depth > 100 {
        return;
    }
    for field in descriptor.fields() {
        let Some(child) = object.get_mut(field.json_name()) else {
            continue;
        };
        let target = match field.kind() {
            prost_reflect::Kind::Message(m) => m,
            _ => continue,
        };
        if field.is_map() {
            if let Value::Object(entries) = child {
                entries.sort_keys();
                let value_kind = target.map_entry_value_field().kind();
                if let prost_reflect::Kind::Message(inner) = value_kind {
                    for entry in entries.values_mut() {
                        sort_maps(entry, &inner, depth + 1);
                    }
                }
            }
        } else if field.is_list() {
            if let Value::Array(items) = child {
                for item in items {
                    sort_maps(item, &target, depth + 1);
                }
            }
        } else {
            sort_maps(child, &target, depth + 1);
        }
    }
}

/// Writes integral floats as Go's protojson does (`2`, not `2.0`): Go formats doubles with
/// `strconv.FormatFloat(f, 'g', -1, 64)`, which drops a zero fraction below 1e21
/// (protobuf-go `encoding/protojson/encode.go`). Found by comparing a binary history's
/// decode with the `temporal` CLI's, field by field (`retryPolicy.backoffCoefficient`).
fn go_floats(value: &mut Value) {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            if text.contains(['.', 'e', 'E']) {
                if let Some(f) = n.as_f64() {
                    if f.fract() == 0.0 && f.abs() < 1e21 {
                        if let Ok(int) = format!("{f:.0}").parse::<serde_json::Number>() {
                            *n = int;
                        }
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(go_floats),
        Value::Object(fields) => fields.values_mut().for_each(go_floats),
        _ => {}
    }
}

/// Parses proto3 JSON of `message` and encodes it as binary protobuf.
pub fn from_json(message: &str, value: &Value) -> Result<Vec<u8>, String> {
    // serde_json's arbitrary precision hands a number with a fraction or an exponent to
    // prost-reflect as a map, which it refuses for a double (`backoffCoefficient: 1.5`);
    // proto3 JSON also takes a double as a string, which it reads exactly.
    // Only a document that has such a number is copied (a big history usually has few).
    let text = if has_fraction(value) {
        let mut value = value.clone();
        fractions_as_strings(&mut value);
        serde_json::to_vec(&value)
    } else {
        serde_json::to_vec(value)
    }
    .map_err(|e| e.to_string())?;
    let mut de = serde_json::Deserializer::from_slice(&text);
    let msg = DynamicMessage::deserialize_with_options(
        descriptor(message)?,
        &mut de,
        &DeserializeOptions::new().deny_unknown_fields(false),
    )
    .map_err(|e| e.to_string())?;
    Ok(msg.encode_to_vec())
}

/// Whether `value` holds a number written with a fraction or an exponent.
fn has_fraction(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.to_string().contains(['.', 'e', 'E']),
        Value::Array(items) => items.iter().any(has_fraction),
        Value::Object(fields) => fields.values().any(has_fraction),
        _ => false,
    }
}

/// Numbers written with a fraction or an exponent, as the JSON strings proto3 accepts for
/// floating-point fields.
fn fractions_as_strings(value: &mut Value) {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            if text.contains(['.', 'e', 'E']) {
                *value = Value::String(text);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fractions_as_strings),
        Value::Object(fields) => fields.values_mut().for_each(fractions_as_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::schema::HISTORY;

    #[test]
    fn fixture_history_survives_binary_round_trip() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/encoded/default/s-failing-test-key-1.01a20f45-407a-7dfc-a13d-1ed70d7e4c26.json");
        let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let bin = from_json(HISTORY, &json).unwrap();
        let back = to_json(HISTORY, &bin).unwrap();
        // Same content; key order and number spelling (2 vs 2.0) may differ.
        assert!(
            canonical(&back) == canonical(&json),
            "binary round trip changed the history"
        );
    }

    fn canonical(v: &Value) -> String {
        match v {
            Value::Object(o) => {
                let mut entries: Vec<String> = o
                    .iter()
                    .map(|(k, v)| format!("{k:?}:{}", canonical(v)))
                    .collect();
                entries.sort();
                format!("{{{}}}", entries.join(","))
            }
            Value::Array(a) => format!(
                "[{}]",
                a.iter().map(canonical).collect::<Vec<_>>().join(",")
            ),
            Value::Number(n) => format!("{}", n.as_f64().unwrap()),
            other => other.to_string(),
        }
    }
}
