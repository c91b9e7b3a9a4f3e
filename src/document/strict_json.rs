//! A structural check serde_json does not make: duplicate object keys. Go's protojson
//! rejects them ("duplicate field"); accepting them would silently keep only one value
//! (which one depends on the parser), so tcodec rejects them too, before parsing for real.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Fails on the first object that repeats a key, naming the key; otherwise behaves like
/// parsing the JSON text (same syntax errors, same recursion limit).
pub fn check_no_duplicate_keys(bytes: &[u8]) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    NoDuplicates.deserialize(&mut de)?;
    de.end()
}

/// Checks one value and everything inside it.
struct NoDuplicates;

impl<'de> DeserializeSeed<'de> for NoDuplicates {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoDuplicates {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoDuplicates)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<std::borrow::Cow<'de, str>> = HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            map.next_value_seed(NoDuplicates)?;
            seen.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found_at_any_depth() {
        assert!(check_no_duplicate_keys(br#"{"a": 1, "b": [{"c": 1, "d": 2}]}"#).is_ok());
        let e = check_no_duplicate_keys(br#"{"a": 1, "b": [{"c": 1, "c": 2}]}"#).unwrap_err();
        assert!(
            e.to_string().starts_with("duplicate key \"c\" at line 1"),
            "{e}"
        );
        assert!(check_no_duplicate_keys(br#"{"a": 1, "a": 1}"#).is_err());
        assert!(check_no_duplicate_keys(b"[1, 2").is_err());
        assert!(
            check_no_duplicate_keys(br#"{"k\u0041": 1, "kA": 2}"#).is_err(),
            "escapes are compared decoded"
        );
    }
}
