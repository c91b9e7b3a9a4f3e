//! The scanner of the fast path for JSON histories: walks the input bytes following the
//! Temporal schema, skipping every value that cannot hold a payload and recording the byte
//! span of every payload object ([`Found`]). It checks the JSON structure as it goes; on
//! anything it does not fully understand (an escaped or repeated key, a field given twice,
//! odd syntax, deep nesting) it gives up, and the tree walker decides.

use super::schema::{
    Cardinality, FieldSite, Schema, HEADER, HISTORY, HISTORY_EVENT, HISTORY_RESPONSE,
    MARKER_RECORDED, PAYLOAD, SEARCH_ATTRIBUTES,
};
use super::sites::{map_key_step, SiteKind};
use crate::document::DocType;

/// The scanner met something it does not handle; the DOM path will say what.
#[derive(Debug)]
pub(super) struct GiveUp;

type Scan<T> = std::result::Result<T, GiveUp>;

/// A payload object found in the input.
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: SiteKind,
}

/// Keys an object may have before its duplicate check switches from a linear look per key
/// to one sort when it closes.
const LINEAR_KEYS: usize = 32;

/// Payload sites per chunk: enough to keep both cores busy, small enough to bound memory.
pub(super) const CHUNK_SITES: usize = 1024;

/// Nesting deeper than this gives up (serde_json's own limit, which the DOM path then
/// reports): recursion must not overflow the stack on hostile input.
const MAX_DEPTH: usize = 128;

pub(super) struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    /// The keys of the objects open now, innermost last: a key escaped or repeated in its
    /// object gives up, so the tree path (which reads escapes and refuses duplicates with a
    /// located error) decides; the scanner never skips a key it did not understand.
    keys: Vec<&'a [u8]>,
    schema: &'static Schema,
    pub(super) found: Vec<Found>,
    /// Paths are kept only for the site starting here (a failing site, found again): a
    /// String per site cost ~10% of a big history's peak memory.
    pub(super) path_of: Option<usize>,
    pub(super) path_found: Option<String>,
    /// Pipelined scanning: full chunks of sites go here as they are found (and are kept
    /// no longer); once the receiver is gone the scan goes on only to validate.
    pub(super) chunks: Option<std::sync::mpsc::SyncSender<Vec<Found>>>,
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn valid_number(n: &[u8]) -> bool {
    let digits = |i: &mut usize| {
        let from = *i;
        while n.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    let mut i = usize::from(n.first() == Some(&b'-'));
    match n.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if n.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(n.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(n.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == n.len()
}

impl<'a> Scanner<'a> {
    /// Reads the next member key of the object whose keys start at `base` in `self.keys`.
    /// An escaped key, or one the object already has, gives up.
    fn member_key(&mut self, base: usize) -> Scan<(usize, usize)> {
        let (start, end) = self.string()?;
        let bytes: &'a [u8] = self.bytes;
        let key = &bytes[start..end];
        if key.contains(&b'\\') {
            return Err(GiveUp);
        }
        let seen = &self.keys[base..];
        // Small objects (nearly all): a linear look; large ones are checked once, sorted, when
        // they close.
        if seen.len() < LINEAR_KEYS && seen.contains(&key) {
            return Err(GiveUp);
        }
        self.keys.push(key);
        Ok((start, end))
    }

    /// Past an object's `{`: `None` for an empty object (its `}` consumed too), else where
    /// its keys start in `self.keys`.
    fn open_object(&mut self) -> Option<usize> {
        self.pos += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return None;
        }
        Some(self.keys.len())
    }

    /// The object whose keys start at `base` closed: a large one is checked for repeated
    /// keys now; its keys are forgotten.
    fn close_members(&mut self, base: usize) -> Scan<()> {
        if self.keys.len() - base > LINEAR_KEYS {
            let mut keys = self.keys[base..].to_vec();
            keys.sort_unstable();
            if keys.windows(2).any(|w| w[0] == w[1]) {
                return Err(GiveUp);
            }
        }
        self.keys.truncate(base);
        Ok(())
    }

    /// Sends the sites found so far, when scanning pipelined.
    pub(super) fn flush(&mut self) {
        if let Some(tx) = &self.chunks {
            let chunk = std::mem::take(&mut self.found);
            if tx.send(chunk).is_err() {
                self.chunks = None;
            }
        }
    }

    /// A scanner over `bytes` from the start.
    pub(super) fn new(bytes: &[u8]) -> Scanner<'_> {
        Scanner {
            bytes,
            pos: 0,
            depth: 0,
            keys: Vec::new(),
            schema: Schema::temporal(),
            found: Vec::new(),
            path_of: None,
            path_found: None,
            chunks: None,
        }
    }

    pub(super) fn document(&mut self, doc_type: DocType) -> Scan<()> {
        self.ws();
        let message = match doc_type {
            DocType::Auto => self.peek_type()?,
            DocType::History => HISTORY,
            DocType::Event | DocType::Events => HISTORY_EVENT,
            DocType::Response => HISTORY_RESPONSE,
            _ => return Err(GiveUp),
        };
        let mut path = String::new();
        match self.peek() {
            Some(b'[') if message == HISTORY_EVENT => {
                self.list(message, &mut path, SiteKind::Data)?
            }
            Some(b'{') => self.object(message, &mut path, SiteKind::Data)?,
            _ => return Err(GiveUp),
        }
        self.ws();
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// Tells the history kind from the first key of the root object (or of the first
    /// element of a root array).
    fn peek_type(&self) -> Scan<&'static str> {
        let mut probe = Scanner {
            bytes: self.bytes,
            pos: self.pos,
            depth: 0,
            keys: Vec::new(),
            schema: self.schema,
            found: Vec::new(),
            path_of: None,
            path_found: None,
            chunks: None,
        };
        let in_array = probe.peek() == Some(b'[');
        if in_array {
            probe.pos += 1;
            probe.ws();
        }
        probe.expect(b'{')?;
        probe.ws();
        let (start, end) = probe.string()?;
        let key = &probe.bytes[start..end];
        match (in_array, key) {
            (false, b"events") => Ok(HISTORY),
            (false, b"history") => Ok(HISTORY_RESPONSE),
            (_, b"eventId" | b"eventTime" | b"eventType") => Ok(HISTORY_EVENT),
            _ => Err(GiveUp),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Scan<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// Scans a string; returns the span of its raw content (between the quotes).
    fn string(&mut self) -> Scan<(usize, usize)> {
        self.expect(b'"')?;
        let start = self.pos;
        loop {
            let rest = &self.bytes[self.pos..];
            let i = memchr::memchr2(b'"', b'\\', rest).ok_or(GiveUp)?;
            if rest[..i].iter().any(|&b| b < 0x20) {
                return Err(GiveUp);
            }
            self.pos += i;
            if rest[i] == b'"' {
                self.pos += 1;
                return Ok((start, self.pos - 1));
            }
            // An escape: \uXXXX or one of the single-character escapes.
            match self.bytes.get(self.pos + 1) {
                Some(b'u') => {
                    let hex = self.bytes.get(self.pos + 2..self.pos + 6).ok_or(GiveUp)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(GiveUp);
                    }
                    self.pos += 6;
                }
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 2,
                _ => return Err(GiveUp),
            }
        }
    }

    fn enter(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// Skips any JSON value, checking its structure.
    fn skip(&mut self) -> Scan<()> {
        self.enter()?;
        let result = self.skip_value();
        self.depth -= 1;
        result
    }

    fn skip_value(&mut self) -> Scan<()> {
        match self.peek().ok_or(GiveUp)? {
            b'"' => self.string().map(|_| ()),
            b'{' => {
                let Some(base) = self.open_object() else {
                    return Ok(());
                };
                loop {
                    self.ws();
                    self.member_key(base)?;
                    self.ws();
                    self.expect(b':')?;
                    self.ws();
                    self.skip()?;
                    if self.end_of(b'}')? {
                        return self.close_members(base);
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.skip()?;
                    if self.end_of(b']')? {
                        return Ok(());
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => {
                let start = self.pos;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
                    self.pos += 1;
                }
                if valid_number(&self.bytes[start..self.pos]) {
                    Ok(())
                } else {
                    Err(GiveUp)
                }
            }
            _ => Err(GiveUp),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Scan<()> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// After a member: true at the closing bracket, false after a comma.
    fn end_of(&mut self, close: u8) -> Scan<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(GiveUp),
        }
    }

    /// Walks an object of type `message`, descending only into payload-bearing fields.
    fn object(&mut self, message: &str, path: &mut String, kind: SiteKind) -> Scan<()> {
        self.enter()?;
        let result = self.object_members(message, path, kind);
        self.depth -= 1;
        result
    }

    fn object_members(&mut self, message: &str, path: &mut String, kind: SiteKind) -> Scan<()> {
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let table = self.schema.table(message);
        let base = self.keys.len();
        // Payload fields met in this object: a field given twice, by its JSON and its proto
        // name, is ambiguous (Go's protojson: "duplicate field"): the tree walker reports it.
        let mut fields: [Option<&FieldSite>; 16] = [None; 16];
        let mut met = 0;
        loop {
            self.ws();
            let (start, end) = self.member_key(base)?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let raw_key = &self.bytes[start..end];
            match table.and_then(|t| t.get(raw_key)) {
                Some(field) => {
                    if met == fields.len()
                        || fields[..met]
                            .iter()
                            .any(|f| f.is_some_and(|f| std::ptr::eq(f, field)))
                    {
                        return Err(GiveUp);
                    }
                    fields[met] = Some(field);
                    met += 1;
                    let key = field.json_name;
                    let key = if raw_key == key.as_bytes() {
                        key
                    } else {
                        field.proto_name
                    };
                    let mark = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    let child_kind = match field.target {
                        SEARCH_ATTRIBUTES => SiteKind::SearchAttribute,
                        HEADER => SiteKind::Header,
                        _ => kind,
                    };
                    let target = field.target;
                    match field.cardinality {
                        Cardinality::Single => self.value(target, path, child_kind)?,
                        Cardinality::List => self.list(target, path, child_kind)?,
                        Cardinality::Map => {
                            let marker = message == MARKER_RECORDED;
                            self.map(target, path, child_kind, marker)?
                        }
                    }
                    path.truncate(mark);
                }
                _ => self.skip()?,
            }
            if self.end_of(b'}')? {
                return self.close_members(base);
            }
        }
    }

    /// One value of type `target`: a payload span, a message to walk, or null.
    fn value(&mut self, target: &str, path: &mut String, kind: SiteKind) -> Scan<()> {
        match self.peek() {
            Some(b'{') if target == PAYLOAD => {
                let start = self.pos;
                self.skip()?;
                if self.path_of == Some(start) {
                    self.path_found = Some(path.clone());
                }
                self.found.push(Found {
                    start,
                    end: self.pos,
                    kind,
                });
                if self.found.len() >= CHUNK_SITES {
                    self.flush();
                }
                Ok(())
            }
            Some(b'{') => self.object(target, path, kind),
            _ => self.skip(),
        }
    }

    fn list(&mut self, target: &str, path: &mut String, kind: SiteKind) -> Scan<()> {
        if self.peek() != Some(b'[') {
            return self.skip();
        }
        self.pos += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut index = 0usize;
        loop {
            self.ws();
            let mark = path.len();
            path.push('[');
            path.push_str(itoa::Buffer::new().format(index));
            path.push(']');
            self.value(target, path, kind)?;
            path.truncate(mark);
            index += 1;
            if self.end_of(b']')? {
                return Ok(());
            }
        }
    }

    fn map(&mut self, target: &str, path: &mut String, kind: SiteKind, marker: bool) -> Scan<()> {
        if self.peek() != Some(b'{') {
            return self.skip();
        }
        let Some(base) = self.open_object() else {
            return Ok(());
        };
        loop {
            self.ws();
            let (start, end) = self.member_key(base)?;
            let key = std::str::from_utf8(&self.bytes[start..end]).map_err(|_| GiveUp)?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let mark = path.len();
            path.push_str(&map_key_step(key));
            let entry_kind = if marker && key == "data" {
                SiteKind::MarkerData
            } else {
                kind
            };
            self.value(target, path, entry_kind)?;
            path.truncate(mark);
            if self.end_of(b'}')? {
                return self.close_members(base);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_follow_the_json_grammar() {
        for ok in ["0", "-0", "12", "1.5", "-1.5e10", "2E-3", "0.0"] {
            assert!(super::valid_number(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", "--1", "1-2", "+1"] {
            assert!(!super::valid_number(bad.as_bytes()), "{bad}");
        }
    }
}
