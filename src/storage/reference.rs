//! External Storage reference payloads: recognising, reading and writing them.
//!
//! Facts from the Python SDK 1.35 (`temporalio/converter/_extstore.py`, read for the shared
//! fixtures' README): a reference is a payload with `encoding` = `json/protobuf` and
//! `messageType` = `temporal.api.sdk.v1.ExternalStorageReference`, whose data is the compact
//! JSON (keys sorted) of `{driverName, claimData}`, and whose `externalPayloads` holds one
//! entry with the stored payload's size. The legacy read-only form has `encoding` =
//! `json/external-storage-reference` and data `{driver_name, driver_claim: {claim_data}}`.
//! A codec-encoded reference carries metadata `__temporal_external_storage_reference` =
//! `true`: it is decoded by the codecs first, and must then be a reference.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::payload::{self, ExternalPayloadDetails, Payload};

/// `messageType` of a current reference.
pub const MESSAGE_TYPE: &str = "temporal.api.sdk.v1.ExternalStorageReference";
/// `encoding` of the legacy read-only form.
pub const LEGACY_ENCODING: &str = "json/external-storage-reference";
/// Metadata key marking a codec-encoded reference.
pub const MARKER: &str = "__temporal_external_storage_reference";
/// The S3 driver's name in claims (`contrib/aws/s3driver/_driver.py`).
pub const S3_DRIVER: &str = "aws.s3driver";
/// The GCS driver's name in claims.
pub const GCS_DRIVER: &str = "gcp.gcsdriver";

/// What a reference names: the driver, and where the stored payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// `driverName`, e.g. `aws.s3driver`.
    pub driver: String,
    /// `claimData.bucket`.
    pub bucket: String,
    /// `claimData.key`: the object key.
    pub key: String,
    /// `claimData.hash_value`: lower-case hex SHA-256 of the stored bytes.
    pub sha256: String,
}

/// Whether `payload` is a plain (not codec-encoded) reference, current or legacy form.
pub fn is_reference(payload: &Payload) -> bool {
    match payload::encoding(payload) {
        Some(e) if e == payload::ENCODING_JSON_PROTOBUF.as_bytes() => {
            payload::meta(payload, "messageType") == Some(MESSAGE_TYPE.as_bytes())
        }
        Some(e) => e == LEGACY_ENCODING.as_bytes(),
        None => false,
    }
}

/// Whether `payload` carries the codec-encoded reference marker (`true`).
pub fn is_marked(payload: &Payload) -> bool {
    payload::meta(payload, MARKER) == Some(b"true".as_slice())
}

/// Reads the claim of a plain reference; the reason when it is not a usable one.
pub fn claim(payload: &Payload) -> Result<Claim, String> {
    let value: Value = serde_json::from_slice(&payload.data)
        .map_err(|e| format!("storage reference data is not JSON ({e})"))?;
    let legacy = payload::encoding(payload) == Some(LEGACY_ENCODING.as_bytes());
    let (driver, data) = if legacy {
        (
            value.get("driver_name"),
            value.get("driver_claim").and_then(|c| c.get("claim_data")),
        )
    } else {
        (value.get("driverName"), value.get("claimData"))
    };
    let driver = driver
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
        .ok_or("storage reference has no driverName")?;
    let data = data
        .and_then(Value::as_object)
        .ok_or("storage reference has no claimData object")?;
    let field = |name: &str| -> Result<String, String> {
        data.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("storage reference claim has no {name}"))
    };
    let algorithm = field("hash_algorithm")?;
    if algorithm != "sha256" {
        return Err(format!(
            "storage reference claim names hash algorithm {algorithm:?}; only sha256 is read"
        ));
    }
    let sha256 = field("hash_value")?;
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("storage reference claim's hash_value is not 64 hex digits".into());
    }
    Ok(Claim {
        driver: driver.to_string(),
        bucket: field("bucket")?,
        key: field("key")?,
        sha256: sha256.to_ascii_lowercase(),
    })
}

/// The reference payload the SDKs write for an object stored under `claim`, `size` bytes
/// long (the stored payload's serialized size).
pub fn build(claim: &Claim, size: u64) -> Payload {
    // Compact JSON with sorted keys, as the Python SDK writes it; serde_json's map keeps
    // insertion order here (preserve_order), so insert in sorted order.
    let mut data = serde_json::Map::new();
    data.insert("bucket".into(), Value::String(claim.bucket.clone()));
    data.insert("hash_algorithm".into(), Value::String("sha256".into()));
    data.insert("hash_value".into(), Value::String(claim.sha256.clone()));
    data.insert("key".into(), Value::String(claim.key.clone()));
    let mut top = serde_json::Map::new();
    top.insert("claimData".into(), Value::Object(data));
    top.insert("driverName".into(), Value::String(claim.driver.clone()));
    let mut metadata = BTreeMap::new();
    metadata.insert(
        payload::ENCODING.to_string(),
        payload::ENCODING_JSON_PROTOBUF.as_bytes().to_vec(),
    );
    metadata.insert("messageType".to_string(), MESSAGE_TYPE.as_bytes().to_vec());
    Payload {
        metadata: metadata.into_iter().collect(),
        data: serde_json::to_vec(&Value::Object(top)).unwrap_or_default(),
        external_payloads: vec![ExternalPayloadDetails {
            size_bytes: size as i64,
        }],
    }
}

/// The names a claim exposes in clear: the object key's namespace and workflow id
/// segments (`check` reports them).
pub fn exposed_names(claim: &Claim) -> Vec<(String, String)> {
    let parts: Vec<&str> = claim.key.split('/').collect();
    let mut out = Vec::new();
    for pair in parts.windows(2) {
        let label = match pair[0] {
            "ns" => "namespace",
            "wt" => "workflow type",
            "wi" => "workflow id",
            "at" => "activity type",
            "ai" => "activity id",
            _ => continue,
        };
        if pair[1] != "null" {
            out.push((label.to_string(), pair[1].to_string()));
        }
    }
    out
}

/// Percent-encodes one key segment as the S3 driver does: everything outside
/// `A-Za-z0-9!-_.*'()` (`_driver.py`).
pub fn key_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"!-_.*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDK_DATA: &str = r#"{"claimData":{"bucket":"temporal-payloads","hash_algorithm":"sha256","hash_value":"bfe641e12ff6fe7bd83270820dcf1bd6280f08b8760580b14294d051d3cd0f1a","key":"v0/ns/default/wt/ReportChild/wi/st-order-default-child/ri/null/d/sha256/bfe641e12ff6fe7bd83270820dcf1bd6280f08b8760580b14294d051d3cd0f1a"},"driverName":"aws.s3driver"}"#;

    #[test]
    fn reads_and_writes_the_sdk_form_byte_for_byte() {
        let mut p = payload::with_encoding("json/protobuf", SDK_DATA.as_bytes().to_vec());
        p.metadata
            .insert("messageType".into(), MESSAGE_TYPE.as_bytes().to_vec());
        assert!(is_reference(&p));
        let c = claim(&p).unwrap();
        assert_eq!(c.driver, S3_DRIVER);
        assert_eq!(c.bucket, "temporal-payloads");
        let built = build(&c, 14123);
        assert_eq!(built.data, SDK_DATA.as_bytes());
        assert_eq!(built.metadata, p.metadata);
        assert_eq!(built.external_payloads[0].size_bytes, 14123);
        assert_eq!(
            exposed_names(&c),
            vec![
                ("namespace".into(), "default".into()),
                ("workflow type".into(), "ReportChild".into()),
                ("workflow id".into(), "st-order-default-child".into())
            ]
        );
    }

    #[test]
    fn legacy_form_and_bad_claims() {
        let legacy = payload::with_encoding(
            LEGACY_ENCODING,
            br#"{"driver_name":"aws.s3driver","driver_claim":{"claim_data":{"bucket":"b","key":"k","hash_algorithm":"sha256","hash_value":"00000000000000000000000000000000000000000000000000000000000000AA"}}}"#.to_vec(),
        );
        assert!(is_reference(&legacy));
        let c = claim(&legacy).unwrap();
        assert_eq!((c.bucket.as_str(), c.key.as_str()), ("b", "k"));
        assert!(c.sha256.ends_with("aa"));
        let json_plain = payload::with_encoding("json/plain", b"{}".to_vec());
        assert!(!is_reference(&json_plain));
        let bad = payload::with_encoding(
            LEGACY_ENCODING,
            br#"{"driver_name":"x","driver_claim":{"claim_data":{"bucket":"b","key":"k","hash_algorithm":"md5","hash_value":"00"}}}"#.to_vec(),
        );
        assert!(claim(&bad).unwrap_err().contains("md5"));
        // Each field is required, and the hash must be exactly 64 hex digits.
        let with = |data: &str| payload::with_encoding(LEGACY_ENCODING, data.as_bytes().to_vec());
        let claim_of = |hash: &str, key: &str, driver: &str| {
            format!(
                r#"{{"driver_name":"{driver}","driver_claim":{{"claim_data":{{"bucket":"b","key":"{key}","hash_algorithm":"sha256","hash_value":"{hash}"}}}}}}"#
            )
        };
        let hex64 = "ab".repeat(32);
        assert!(claim(&with(&claim_of(&hex64, "k", "d"))).is_ok());
        assert!(claim(&with(&claim_of(&hex64[..63], "k", "d")))
            .unwrap_err()
            .contains("64 hex digits"));
        let not_hex = format!("{}g", &hex64[..63]);
        assert!(claim(&with(&claim_of(&not_hex, "k", "d")))
            .unwrap_err()
            .contains("64 hex digits"));
        assert!(claim(&with(&claim_of(&hex64, "", "d")))
            .unwrap_err()
            .contains("no key"));
        assert!(claim(&with(&claim_of(&hex64, "k", "")))
            .unwrap_err()
            .contains("no driverName"));
        assert!(claim(&with("not json")).unwrap_err().contains("not JSON"));
        // A current-form payload whose messageType is another message is no reference.
        let mut other = payload::with_encoding("json/protobuf", b"{}".to_vec());
        other
            .metadata
            .insert("messageType".into(), b"google.protobuf.Empty".to_vec());
        assert!(!is_reference(&other));
        let mut marked = payload::with_encoding("binary/encrypted", Vec::new());
        assert!(!is_marked(&marked));
        marked.metadata.insert(MARKER.into(), b"false".to_vec());
        assert!(!is_marked(&marked));
        marked.metadata.insert(MARKER.into(), b"true".to_vec());
        assert!(is_marked(&marked));
        assert_eq!(key_segment("a b/ü"), "a%20b%2F%C3%BC");
        // Activity-scoped keys name the activity too; `null` segments name nothing.
        let activity = Claim {
            key: "v0/ns/n1/at/Charge/ai/a-7/ri/null/d/sha256/00".into(),
            ..c.clone()
        };
        assert_eq!(
            exposed_names(&activity),
            vec![
                ("namespace".into(), "n1".into()),
                ("activity type".into(), "Charge".into()),
                ("activity id".into(), "a-7".into())
            ]
        );
    }
}
