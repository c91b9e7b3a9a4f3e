//! A fast, typed reader for the common case of a `{"payloads": [...]}` body: the codec
//! server's hot path. It accepts only plain, valid bodies and says `None` to anything else,
//! which then goes through the general reader ([`crate::document`]) for the exact,
//! located error. Both give the same payloads for what this one accepts (tested, and
//! fuzzed by `server_request`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::payload::{decode_base64, ExternalPayloadDetails, Payload};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body<'a> {
    #[serde(borrow, default)]
    payloads: Option<Vec<PayloadIn<'a>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PayloadIn<'a> {
    #[serde(borrow, default)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    data: Option<Cow<'a, str>>,
    #[serde(default, alias = "external_payloads")]
    external_payloads: Option<Vec<ExternalIn<'a>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ExternalIn<'a> {
    #[serde(borrow, default, alias = "size_bytes")]
    size_bytes: Option<Int64<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Int64<'a> {
    Number(i64),
    #[serde(borrow)]
    Text(Cow<'a, str>),
}

/// Metadata entries in input order; duplicate keys are refused (as by the general reader).
struct Metadata<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Metadata<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Entries<'a> {
            type Value = Metadata<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a metadata map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<Cow<'de, str>, Cow<'de, str>>()? {
                    entries.push((k, v));
                }
                Ok(Metadata(entries))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

/// The payloads of a plain `{"payloads": [...]}` body, or `None` when the body needs the
/// general reader (anything unusual, including every error).
pub fn payloads(body: &[u8]) -> Option<Vec<Payload>> {
    let body: Body<'_> = serde_json::from_slice(body).ok()?;
    body.payloads
        .unwrap_or_default()
        .into_iter()
        .map(convert)
        .collect()
}

/// One plain Payload object, or `None` when it needs the general reader (anything unusual,
/// including every error): the history scanner's per-payload reader.
pub fn payload(text: &[u8]) -> Option<Payload> {
    convert(serde_json::from_slice(text).ok()?)
}

fn convert(p: PayloadIn<'_>) -> Option<Payload> {
    let mut out = Payload::default();
    if let Some(Metadata(entries)) = p.metadata {
        let mut metadata = HashMap::with_capacity(entries.len());
        for (k, v) in entries {
            if metadata
                .insert(k.into_owned(), decode_base64(&v).ok()?)
                .is_some()
            {
                return None;
            }
        }
        out.metadata = metadata;
    }
    if let Some(data) = p.data {
        out.data = decode_base64(&data).ok()?;
    }
    for e in p.external_payloads.unwrap_or_default() {
        let size_bytes = match e.size_bytes {
            None => 0,
            Some(Int64::Number(n)) => n,
            Some(Int64::Text(t)) => t.parse().ok()?,
        };
        out.external_payloads
            .push(ExternalPayloadDetails { size_bytes });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{self, DocType, Document, ReadOptions};

    fn general(body: &[u8]) -> Option<Vec<Payload>> {
        let options = ReadOptions {
            doc_type: DocType::Payloads,
            ..Default::default()
        };
        match document::parse(body, "b", options).ok()?.1.pop()? {
            Document::Payloads(d) => Some(d.payloads),
            Document::Tree(_) => None,
        }
    }

    #[test]
    fn agrees_with_the_general_reader_where_it_accepts() {
        let bodies: &[&[u8]] = &[
            br#"{"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg==", "k": "AA"}, "data": "MQ=="}]}"#,
            br#"{"payloads": [{}, {"data": "-_8"}, {"external_payloads": [{"size_bytes": 7}]}]}"#,
            br#"{"payloads": [{"externalPayloads": [{"sizeBytes": "42"}, {}]}]}"#,
            br#"{"payloads": null}"#,
            br#"{}"#,
        ];
        for body in bodies {
            let fast = payloads(body).expect("accepted");
            assert_eq!(
                Some(fast),
                general(body),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn unusual_or_bad_bodies_go_to_the_general_reader() {
        let bodies: &[&[u8]] = &[
            br#"{"payloads": [{"data": "%%%"}]}"#,
            br#"{"payloads": [{"data": "AA", "data": "AQ"}]}"#,
            br#"{"payloads": [{"metadata": {"a": "AA", "a": "AQ"}}]}"#,
            br#"{"payloads": [{"bogus": 1}]}"#,
            br#"{"payloads": [{"externalPayloads": [{"sizeBytes": "x"}]}]}"#,
            br#"{"payloads": [1]}"#,
            br#"[{"data": "AA"}]"#,
            b"{bad",
        ];
        for body in bodies {
            assert!(
                payloads(body).is_none(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
