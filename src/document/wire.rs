//! Payload sites of a binary protobuf message, found on the wire by the schema's field
//! numbers: no `DynamicMessage`, no JSON tree. Only the fields through which a Payload can
//! be reached are entered (every other field is skipped by its wire type, bounds checked);
//! each site is named by the same JSON path the tree walker gives it (`history.events[3].
//! workflowExecutionStartedEventAttributes.input.payloads[0]`), so findings read the same.
//! `check` reads binary export executions this way (the tree conversion was ~60% of its
//! time); anything that writes output still goes through the tree.

use super::schema::{
    Cardinality, FieldSite, Schema, Table, HEADER, MARKER_RECORDED, PAYLOAD, SEARCH_ATTRIBUTES,
};
use super::sites::{map_key, SiteKind};
use crate::error::Location;
use crate::location::push_segment;

/// How deep messages may nest (failure causes nest): as prost's decoder allows.
const MAX_DEPTH: usize = 100;

/// One payload site on the wire: its kind, where it is, and the Payload message's bytes.
#[derive(Debug)]
pub struct WireSite<'a> {
    /// The kind of place (data, header, marker data, search attribute).
    pub kind: SiteKind,
    /// The file, execution and JSON path of the payload.
    pub location: Location,
    /// The serialized `temporal.api.common.v1.Payload`.
    pub bytes: &'a [u8],
}

/// Every payload site of binary `message` in `bytes`, in wire order. Errors name the path
/// of the field whose bytes do not hold together.
pub fn sites<'a>(
    bytes: &'a [u8],
    message: &str,
    location: &Location,
) -> Result<Vec<WireSite<'a>>, (Location, String)> {
    let mut walker = Walker {
        schema: Schema::temporal(),
        base: location,
        path: location.path.clone(),
        out: Vec::new(),
    };
    if let Some(table) = walker.schema.table(message) {
        walker.walk(bytes, table, SiteKind::Data, 0)?;
    }
    Ok(walker.out)
}

/// A base-128 varint at the start of `bytes` (prost's decoder), and its length.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    // Most keys and lengths fit in one byte (a third of `check`'s walk went here).
    if let Some(&byte) = bytes.first() {
        if byte < 0x80 {
            return Some((u64::from(byte), 1));
        }
    }
    let mut rest = bytes;
    let value = prost::encoding::decode_varint(&mut rest).ok()?;
    Some((value, bytes.len() - rest.len()))
}

/// The fields of one message on the wire: (number, wire type, the field's bytes: the
/// contents of a length-delimited field, else the encoded scalar).
struct Fields<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Where the field last returned starts (its key).
    start: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, u64, &'a [u8]), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let at = self.pos;
        self.start = at;
        // The common fields first: a one-byte key (field 1-15) with a one-byte length or
        // value. The general reading below gives the same answer for them, slower.
        if let [key, byte, ..] = self.bytes[at..] {
            if key < 0x80 && key >> 3 != 0 && byte < 0x80 {
                let (from, end) = match key & 7 {
                    2 => (at + 2, at + 2 + usize::from(byte)),
                    0 => (at + 1, at + 2),
                    _ => (0, usize::MAX),
                };
                if end <= self.bytes.len() {
                    self.pos = end;
                    return Some(Ok((
                        u32::from(key >> 3),
                        u64::from(key & 7),
                        &self.bytes[from..end],
                    )));
                }
            }
        }
        let truncated = || Err(format!("truncated field at byte {at}"));
        let Some((key, n)) = varint(&self.bytes[self.pos..]) else {
            return Some(truncated());
        };
        self.pos += n;
        let (number, wire) = (key >> 3, key & 7);
        // Field 0 does not exist (parsers refuse it).
        let Ok(number) = u32::try_from(number)
            .and_then(|n| std::num::NonZeroU32::try_from(n).map(std::num::NonZeroU32::get))
        else {
            return Some(Err(format!("field number {number} at byte {at}")));
        };
        let len = match wire {
            // A scalar: only its length matters (up to its first byte under 0x80).
            // (A tenth byte holds the 64th bit only, as prost's decoder requires.)
            0 => match self.bytes[self.pos..]
                .iter()
                .take(10)
                .position(|&b| b < 0x80)
            {
                Some(9) if self.bytes[self.pos + 9] > 1 => return Some(truncated()),
                Some(last) => last + 1,
                None => return Some(truncated()),
            },
            1 => 8,
            5 => 4,
            2 => match varint(&self.bytes[self.pos..]) {
                Some((len, n)) => {
                    self.pos += n;
                    match usize::try_from(len) {
                        Ok(len) => len,
                        Err(_) => return Some(truncated()),
                    }
                }
                None => return Some(truncated()),
            },
            other => return Some(Err(format!("wire type {other} at byte {at}"))),
        };
        let Some(end) = self.pos.checked_add(len).filter(|&e| e <= self.bytes.len()) else {
            return Some(truncated());
        };
        let field = &self.bytes[self.pos..end];
        self.pos = end;
        Some(Ok((number, wire, field)))
    }
}

fn fields(bytes: &[u8]) -> Fields<'_> {
    Fields {
        bytes,
        pos: 0,
        start: 0,
    }
}

/// The walk over one message tree: the JSON path so far in one buffer (a segment pushed
/// on the way in, cut on the way out), so a site costs one path string, not one per level.
struct Walker<'s, 'a> {
    schema: &'s Schema,
    base: &'s Location,
    path: String,
    out: Vec<WireSite<'a>>,
}

impl<'s, 'a> Walker<'s, 'a> {
    fn here(&self) -> Location {
        self.base.at_path(self.path.clone())
    }

    fn walk(
        &mut self,
        bytes: &'a [u8],
        table: &'s Table,
        kind: SiteKind,
        depth: usize,
    ) -> Result<(), (Location, String)> {
        if depth > MAX_DEPTH {
            return Err((self.here(), "messages nest too deep".into()));
        }
        // Repeated fields count their items (a message holds few payload-bearing lists).
        let mut counts: Vec<(u32, usize)> = Vec::new();
        for field in fields(bytes) {
            let (number, wire, value) = field.map_err(|why| (self.here(), why))?;
            let Some(site) = table.by_number(number) else {
                continue;
            };
            let mark = self.path.len();
            push_segment(&mut self.path, site.json_name);
            if wire != 2 {
                return Err((
                    self.here(),
                    format!("wire type {wire}, expected a message (2)"),
                ));
            }
            let child_kind = match site.target {
                SEARCH_ATTRIBUTES => SiteKind::SearchAttribute,
                HEADER => SiteKind::Header,
                _ => kind,
            };
            match site.cardinality {
                Cardinality::Single => self.visit(value, site, child_kind, depth)?,
                Cardinality::List => {
                    let i = match counts.iter_mut().find(|(n, _)| *n == number) {
                        Some((_, count)) => {
                            *count += 1;
                            *count - 1
                        }
                        None => {
                            counts.push((number, 1));
                            0
                        }
                    };
                    // itoa: `write!` cost ~300 instructions per item, ~4% of a check.
                    self.path.push('[');
                    self.path.push_str(itoa::Buffer::new().format(i));
                    self.path.push(']');
                    self.visit(value, site, child_kind, depth)?;
                }
                Cardinality::Map => {
                    let (key, item) = map_entry(value).map_err(|why| (self.here(), why))?;
                    let entry_kind = if table.name == MARKER_RECORDED && key == "data" {
                        SiteKind::MarkerData
                    } else {
                        child_kind
                    };
                    push_segment(&mut self.path, &map_key(key));
                    self.visit(item, site, entry_kind, depth)?;
                }
            }
            self.path.truncate(mark);
        }
        Ok(())
    }

    /// The value of `site`: a Payload (the target has no table), or a message to enter.
    fn visit(
        &mut self,
        bytes: &'a [u8],
        site: &FieldSite,
        kind: SiteKind,
        depth: usize,
    ) -> Result<(), (Location, String)> {
        match site.target_index.and_then(|i| self.schema.table_at(i)) {
            Some(table) => self.walk(bytes, table, kind, depth + 1),
            None => {
                let location = self.here();
                self.out.push(WireSite {
                    kind,
                    location,
                    bytes,
                });
                Ok(())
            }
        }
    }
}

/// `bytes` of `message` with payload sites replaced, everything else (unknown fields
/// among it) copied byte for byte. `replace` is asked once per site, in the order [`sites`]
/// gives them, for the new serialized Payload (`None`: keep it as it is); only the messages
/// around a replaced site are written anew (their length prefixes change).
pub fn rewrite(
    bytes: &[u8],
    message: &str,
    replace: &mut dyn FnMut() -> Option<Vec<u8>>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len());
    rewrite_into(Schema::temporal(), bytes, message, 0, replace, &mut out)?;
    Ok(out)
}

/// Appends `bytes` of `message` rewritten to `out`; whether anything in it changed.
fn rewrite_into(
    schema: &Schema,
    bytes: &[u8],
    message: &str,
    depth: usize,
    replace: &mut dyn FnMut() -> Option<Vec<u8>>,
    out: &mut Vec<u8>,
) -> Result<bool, String> {
    let Some(table) = schema.table(message) else {
        out.extend_from_slice(bytes);
        return Ok(false);
    };
    if depth > MAX_DEPTH {
        return Err("messages nest too deep".into());
    }
    let mut changed = false;
    let mut it = fields(bytes);
    let mut inner = Vec::new();
    while let Some(field) = it.next() {
        let (number, wire, value) = field?;
        let whole = &bytes[it.start..it.pos];
        let Some(site) = table.by_number(number).filter(|_| wire == 2) else {
            out.extend_from_slice(whole);
            continue;
        };
        let target = site.target;
        inner.clear();
        let replaced = if site.cardinality == Cardinality::Map {
            rewrite_entry(schema, value, target, depth, replace, &mut inner)?
        } else {
            rewrite_site(schema, value, target, depth, replace, &mut inner)?
        };
        if replaced {
            changed = true;
            put_field(number, &inner, out);
        } else {
            out.extend_from_slice(whole);
        }
    }
    Ok(changed)
}

/// One payload-bearing value: a Payload (asked for its replacement) or a message to enter.
fn rewrite_site(
    schema: &Schema,
    bytes: &[u8],
    target: &str,
    depth: usize,
    replace: &mut dyn FnMut() -> Option<Vec<u8>>,
    out: &mut Vec<u8>,
) -> Result<bool, String> {
    if target != PAYLOAD {
        return rewrite_into(schema, bytes, target, depth + 1, replace, out);
    }
    match replace() {
        Some(new) => {
            out.extend_from_slice(&new);
            Ok(true)
        }
        None => {
            out.extend_from_slice(bytes);
            Ok(false)
        }
    }
}

/// A map entry: its key and any other field copied, its value (field 2) rewritten.
fn rewrite_entry(
    schema: &Schema,
    bytes: &[u8],
    target: &str,
    depth: usize,
    replace: &mut dyn FnMut() -> Option<Vec<u8>>,
    out: &mut Vec<u8>,
) -> Result<bool, String> {
    let mut changed = false;
    let mut it = fields(bytes);
    let mut seen_value = false;
    let mut inner = Vec::new();
    while let Some(field) = it.next() {
        let (number, wire, value) = field?;
        if (number, wire) != (2, 2) {
            out.extend_from_slice(&bytes[it.start..it.pos]);
            continue;
        }
        seen_value = true;
        inner.clear();
        if rewrite_site(schema, value, target, depth, replace, &mut inner)? {
            changed = true;
            put_field(2, &inner, out);
        } else {
            out.extend_from_slice(&bytes[it.start..it.pos]);
        }
    }
    // An entry without a value holds an empty message (a site all the same, as in `walk`).
    if !seen_value {
        inner.clear();
        if rewrite_site(schema, &[], target, depth, replace, &mut inner)? {
            changed = true;
            put_field(2, &inner, out);
        }
    }
    Ok(changed)
}

/// Appends a length-delimited field: key, length, `bytes`.
pub fn put_field(number: u32, bytes: &[u8], out: &mut Vec<u8>) {
    prost::encoding::encode_key(number, prost::encoding::WireType::LengthDelimited, out);
    prost::encoding::encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A map entry's string key (field 1) and message value (field 2, empty when absent).
fn map_entry(bytes: &[u8]) -> Result<(&str, &[u8]), String> {
    let (mut key, mut value): (Option<&[u8]>, Option<&[u8]>) = (None, None);
    for field in fields(bytes) {
        match field? {
            // Parsers merge a repeated key or value: what they would read is not what one
            // site holds (a plaintext first half would stay in the bytes). Refused.
            (1, 2, _) if key.is_some() => return Err("map entry holds its key twice".into()),
            (2, 2, _) if value.is_some() => return Err("map entry holds its value twice".into()),
            (1, 2, k) => key = Some(k),
            (2, 2, v) => value = Some(v),
            (1 | 2, wire, _) => return Err(format!("map entry field with wire type {wire}")),
            _ => {}
        }
    }
    let key = std::str::from_utf8(key.unwrap_or_default())
        .map_err(|_| "map key is not UTF-8".to_string())?;
    Ok((key, value.unwrap_or_default()))
}

/// The first string found by following `path` (field numbers) from the top of `bytes`:
/// the first occurrence of each field, as `events[0]` is the first event.
pub fn first_string<'a>(bytes: &'a [u8], path: &[u32]) -> Option<&'a str> {
    let (&first, rest) = path.split_first()?;
    let (_, _, value) = fields(bytes)
        .map_while(Result::ok)
        .find(|&(n, w, _)| n == first && w == 2)?;
    if rest.is_empty() {
        std::str::from_utf8(value).ok()
    } else {
        first_string(value, rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every wire type with one- and two-byte keys and lengths: the one-byte fast path
    /// and the general reading must agree with protobuf's own encoding.
    #[test]
    fn fields_read_keys_and_values_as_protobuf_does() {
        let long = vec![7u8; 200];
        let mut bytes = Vec::new();
        prost::encoding::uint64::encode(1, &5, &mut bytes);
        prost::encoding::bytes::encode(2, &b"abc".to_vec(), &mut bytes);
        prost::encoding::uint64::encode(16, &1, &mut bytes);
        // Fixed32 whose first byte would read as a length of 2.
        prost::encoding::fixed32::encode(3, &u32::from_le_bytes([2, 0x41, 0x42, 0x43]), &mut bytes);
        prost::encoding::fixed64::encode(4, &9, &mut bytes);
        prost::encoding::uint64::encode(5, &300, &mut bytes);
        prost::encoding::bytes::encode(17, &long, &mut bytes);
        let got: Vec<(u32, u64, Vec<u8>)> = fields(&bytes)
            .map(|f| f.map(|(n, w, v)| (n, w, v.to_vec())))
            .collect::<Result<_, _>>()
            .unwrap();
        let want: Vec<(u32, u64, Vec<u8>)> = vec![
            (1, 0, vec![5]),
            (2, 2, b"abc".to_vec()),
            (16, 0, vec![1]),
            (3, 5, vec![2, 0x41, 0x42, 0x43]),
            (4, 1, 9u64.to_le_bytes().to_vec()),
            (5, 0, vec![0xac, 0x02]),
            (17, 2, long),
        ];
        assert_eq!(got, want);
        // Wire type 7 does not exist, even behind a one-byte key and value.
        let e = fields(&[0x0f, 0x01]).next().unwrap().unwrap_err();
        assert_eq!(e, "wire type 7 at byte 0");
    }

    #[test]
    fn fields_are_bounds_checked() {
        // Field 1, length-delimited, claims 5 bytes, holds 2.
        let e = fields(&[0x0a, 0x05, 1, 2]).next().unwrap().unwrap_err();
        assert_eq!(e, "truncated field at byte 0");
        // A group (wire type 3) is refused.
        let e = fields(&[0x0b]).next().unwrap().unwrap_err();
        assert_eq!(e, "wire type 3 at byte 0");
        // Scalars are skipped whole.
        let all: Vec<_> = fields(&[0x08, 0x96, 0x01, 0x15, 1, 2, 3, 4])
            .map(Result::unwrap)
            .map(|(n, w, _)| (n, w))
            .collect();
        assert_eq!(all, vec![(1, 0), (2, 5)]);
        // A scalar of ten bytes holds 64 bits at most: a tenth byte over 1 is refused.
        let mut max = vec![0x08];
        max.extend_from_slice(&[0xff; 9]);
        max.push(0x01);
        assert!(fields(&max).next().unwrap().is_ok());
        *max.last_mut().unwrap() = 0x02;
        assert!(fields(&max).next().unwrap().is_err());
        // Field number 0 does not exist.
        let e = fields(&[0x02, 0x00]).next().unwrap().unwrap_err();
        assert_eq!(e, "field number 0 at byte 0");
    }

    #[test]
    fn a_payload_bearing_field_with_the_wrong_wire_type_is_refused() {
        // Payloads.payloads (field 1) as a varint.
        let e = sites(
            &[0x08, 0x01],
            super::super::schema::PAYLOADS,
            &Location::file("f"),
        )
        .unwrap_err();
        assert_eq!(e.0.to_string(), "f: payloads");
        assert_eq!(e.1, "wire type 0, expected a message (2)");
    }

    const MEMO: &str = "temporal.api.common.v1.Memo";

    /// A Memo (`map<string, Payload> fields = 1`) holding one entry.
    fn memo(entry: &[u8]) -> Vec<u8> {
        let mut out = vec![0x0a, entry.len() as u8];
        out.extend_from_slice(entry);
        out
    }

    #[test]
    fn a_map_entry_holding_its_value_twice_is_refused() {
        // key "a", value {data: "x"}, value {data: "y"}: a parser would merge the two.
        let entry = [
            0x0a, 1, b'a', 0x12, 3, 0x12, 1, b'x', 0x12, 3, 0x12, 1, b'y',
        ];
        let e = sites(&memo(&entry), MEMO, &Location::file("f")).unwrap_err();
        assert_eq!(e.1, "map entry holds its value twice");
    }

    #[test]
    fn rewrite_replaces_sites_in_order_and_keeps_every_other_byte() {
        // Entry: an unknown field 3 (varint 5), key "a", value {data: "x"}; then an unknown
        // field 9 of the Memo itself.
        let entry = [0x18, 5, 0x0a, 1, b'a', 0x12, 3, 0x12, 1, b'x'];
        let mut bytes = memo(&entry);
        bytes.extend_from_slice(&[0x48, 1]);
        assert_eq!(sites(&bytes, MEMO, &Location::file("f")).unwrap().len(), 1);
        let kept = rewrite(&bytes, MEMO, &mut || None).unwrap();
        assert_eq!(kept, bytes);
        let new = rewrite(&bytes, MEMO, &mut || Some(vec![0x12, 2, b'y', b'z'])).unwrap();
        let expected_entry = [0x18, 5, 0x0a, 1, b'a', 0x12, 4, 0x12, 2, b'y', b'z'];
        let mut expected = memo(&expected_entry);
        expected.extend_from_slice(&[0x48, 1]);
        assert_eq!(new, expected);
    }
}
