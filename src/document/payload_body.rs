//! A fast, typed reader for the common case of a `{"payloads": [...]}` body: the codec
//! server's hot path, after the hand-written [`super::plain_body`] reader for the
//! plainest of them. It accepts only plain, valid bodies and says `None` to anything else,
//! which then goes through the general reader ([`crate::document`]) for the exact,
//! located error. Both give the same payloads for what this one accepts (tested, and
//! fuzzed by `server_request`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::payload::{decode_base64, ExternalPayloadDetails, Payload};

// serde's derived structs also accept the sequence form (`[]` as a struct), which
// protojson refuses: these read JSON objects only, and refuse unknown or repeated keys.

struct Body<'a> {
    payloads: Option<Vec<PayloadIn<'a>>>,
}

struct PayloadIn<'a> {
    metadata: Option<Metadata<'a>>,
    data: Option<Text<'a>>,
    external_payloads: Option<Vec<ExternalIn<'a>>>,
}

/// A JSON string, borrowed from the input unless it has escapes (serde's own `Cow<str>`
/// always copies: an allocation per key and value).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

struct ExternalIn<'a> {
    size_bytes: Option<Int64<'a>>,
}

/// Sets `slot` from the map's next value, refusing a key seen before.
fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(serde::de::Error::custom("duplicate field"));
    }
    // `null` reads as absent, as protojson does.
    *slot = map.next_value::<Option<T>>()?;
    Ok(())
}

fn unknown<E: serde::de::Error>(key: &str) -> E {
    E::custom(format!("unknown field {key}"))
}

impl<'de: 'a, 'a> Deserialize<'de> for Body<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Body<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a {\"payloads\": [...]} object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut payloads = None;
                let mut seen = false;
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    match key.0.as_ref() {
                        "payloads" if !seen => {
                            seen = true;
                            payloads = map.next_value()?;
                        }
                        other => return Err(unknown(other)),
                    }
                }
                Ok(Body { payloads })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PayloadIn<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = PayloadIn<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Payload object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut p = PayloadIn {
                    metadata: None,
                    data: None,
                    external_payloads: None,
                };
                let mut seen = [false; 3];
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    let at = match key.0.as_ref() {
                        "metadata" => 0,
                        "data" => 1,
                        "externalPayloads" | "external_payloads" => 2,
                        other => return Err(unknown(other)),
                    };
                    if std::mem::replace(&mut seen[at], true) {
                        return Err(serde::de::Error::custom("duplicate field"));
                    }
                    match at {
                        0 => once(&mut p.metadata, &mut map)?,
                        1 => once(&mut p.data, &mut map)?,
                        _ => once(&mut p.external_payloads, &mut map)?,
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ExternalIn<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ExternalIn<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ExternalPayloadDetails object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut e = ExternalIn { size_bytes: None };
                let mut seen = false;
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    match key.0.as_ref() {
                        "sizeBytes" | "size_bytes" if !seen => {
                            seen = true;
                            once(&mut e.size_bytes, &mut map)?;
                        }
                        other => return Err(unknown(other)),
                    }
                }
                Ok(e)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Int64<'a> {
    Number(i64),
    #[serde(borrow)]
    Text(Cow<'a, str>),
}

/// Metadata entries in input order; duplicate keys are refused (as by the general reader).
struct Metadata<'a>(Vec<(Text<'a>, Text<'a>)>);

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
                while let Some((k, v)) = map.next_entry::<Text<'de>, Text<'de>>()? {
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
    super::plain_body::payloads(body).or_else(|| typed_payloads(body))
}

/// [`payloads`] by the typed serde reader alone (after [`super::plain_body`] said `None`).
pub fn typed_payloads(body: &[u8]) -> Option<Vec<Payload>> {
    let body: Body<'_> = from_utf8_json(body)?;
    let list = body.payloads.unwrap_or_default();
    let text: usize = list
        .iter()
        .map(|p| p.data.as_ref().map_or(0, |d| d.0.len()))
        .sum();
    crate::parallel::map_all(list, text >= crate::parallel::LARGE_TEXT, convert)
}

/// One plain Payload object, or `None` when it needs the general reader (anything unusual,
/// including every error): the history scanner's per-payload reader.
pub fn payload(text: &[u8]) -> Option<Payload> {
    if let Some(payload) = super::plain_body::payload(text) {
        return Some(payload);
    }
    convert(from_utf8_json(text)?)
}

/// Parses JSON after one SIMD UTF-8 check of the whole text: serde_json then reads its
/// strings without checking each again (per-string checks were ~3% of the server's CPU).
fn from_utf8_json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    let text = simdutf8::basic::from_utf8(bytes).ok()?;
    serde_json::from_str(text).ok()
}

fn convert(p: PayloadIn<'_>) -> Option<Payload> {
    let mut out = Payload::default();
    if let Some(Metadata(entries)) = p.metadata {
        let mut metadata = HashMap::with_capacity(entries.len());
        for (k, v) in entries {
            if metadata
                .insert(k.0.into_owned(), decode_base64(v.0.as_ref()).ok()?)
                .is_some()
            {
                return None;
            }
        }
        out.metadata = metadata;
    }
    if let Some(data) = p.data {
        out.data = decode_base64(data.0.as_ref()).ok()?;
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

    /// The DOM reader alone: `document::parse` would run this module's readers first.
    fn general(body: &[u8]) -> Option<Vec<Payload>> {
        crate::document::read_body(body).ok()
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
            // Both fast readers: the typed one alone, and the chain.
            let typed = typed_payloads(body).expect("accepted");
            assert_eq!(
                Some(typed),
                general(body),
                "{}",
                String::from_utf8_lossy(body)
            );
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
            b"[]",
            br#"{"payloads": [[]]}"#,
            br#"{"payloads": [["AA"]]}"#,
            br#"{"payloads": [{"externalPayloads": [[]]}]}"#,
            br#"{"payloads": [], "payloads": []}"#,
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
