//! The fast path for JSON histories: a streaming, schema-guided transcoder.
//!
//! Instead of building a DOM, a scanner walks the input bytes following the Temporal
//! schema, skipping every value that cannot hold a payload and recording the byte span of
//! every payload object. The payloads are then decoded (or encoded) on all cores, and the
//! output is the input with only the changed payload spans replaced, re-rendered in the
//! indentation they had. Every other byte is copied verbatim.
//!
//! The scanner checks the JSON structure as it goes (and UTF-8 up front); on anything it
//! does not accept it gives up, and the caller falls back to the DOM path, which reports
//! precise errors. Both paths give the same bytes on valid input (tested on every fixture).

use rayon::prelude::*;
use serde::Serialize as _;
use serde_json::Value;

use super::schema::{
    Cardinality, FieldSite, Schema, HEADER, HISTORY, HISTORY_EVENT, HISTORY_RESPONSE,
    MARKER_RECORDED, PAYLOAD, SEARCH_ATTRIBUTES,
};
use super::sites::{map_key_step, SiteKind, SitePolicy};
use crate::codec::{Budget, Direction};
use crate::document::DocType;
use crate::error::{Error, Location, Result};
use crate::payload;
use crate::pipeline::Pipeline;

/// The scanner met something it does not handle; the DOM path will say what.
#[derive(Debug)]
struct GiveUp;

type Scan<T> = std::result::Result<T, GiveUp>;

/// A payload object found in the input.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: usize,
    end: usize,
    kind: SiteKind,
}

/// Keys an object may have before its duplicate check switches from a linear look per key
/// to one sort when it closes.
const LINEAR_KEYS: usize = 32;

/// Nesting deeper than this gives up (serde_json's own limit, which the DOM path then
/// reports): recursion must not overflow the stack on hostile input.
const MAX_DEPTH: usize = 128;

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    /// The keys of the objects open now, innermost last: a key escaped or repeated in its
    /// object gives up, so the tree path (which reads escapes and refuses duplicates with a
    /// located error) decides; the scanner never skips a key it did not understand.
    keys: Vec<&'a [u8]>,
    schema: &'static Schema,
    found: Vec<Found>,
    /// Paths are kept only for the site starting here (a failing site, found again): a
    /// String per site cost ~10% of a big history's peak memory.
    path_of: Option<usize>,
    path_found: Option<String>,
    /// Pipelined scanning: full chunks of sites go here as they are found (and are kept
    /// no longer); once the receiver is gone the scan goes on only to validate.
    chunks: Option<std::sync::mpsc::SyncSender<Vec<Found>>>,
}

/// A scanned document, transcoded while it is written: the input's bytes go out as they
/// are between payload spans, and the payloads are run through the pipeline chunk by chunk
/// on all cores, the next chunk while the current one is written. Only one or two chunks of
/// new payload texts are held at a time, so memory stays near the input's size.
pub struct Transcoded<'a> {
    input: &'a [u8],
    doc_type: DocType,
    policy: SitePolicy,
    /// The sites, when the document was scanned up front (small documents).
    found: Option<Vec<Found>>,
    top: Location,
    pipeline: &'a Pipeline,
    direction: Direction,
    budget: &'a Budget,
}

fn worker_failed() -> Error {
    Error::Usage("internal error: a worker thread failed".into())
}

/// New text for input bytes `start..end`, in input order.
type Replaced = Vec<(usize, usize, Vec<u8>)>;

/// Documents at least this large are scanned while they are transcoded.
const PIPELINE_MIN: usize = 8 << 20;

/// Payload sites per chunk: enough to keep both cores busy, small enough to bound memory.
const CHUNK_SITES: usize = 1024;

impl Transcoded<'_> {
    /// Where a site is: its path is found again by scanning once more (only for errors).
    fn location(&self, site: &Found) -> Location {
        let mut scanner = Scanner::new(self.input);
        scanner.path_of = Some(site.start);
        let _ = scanner.document(self.doc_type);
        self.top.join(&scanner.path_found.unwrap_or_default())
    }

    /// The new texts of the payloads of `sites` that a stage changed.
    fn run(&self, sites: &[Found]) -> Result<Replaced> {
        let bytes = self.input;
        let changed = super::sites::run_sites(
            sites,
            |f| parse_one(&bytes[f.start..f.end], || self.location(f)),
            |f| self.location(f),
            self.pipeline,
            self.direction,
            self.budget,
        )?;
        Ok(sites
            .par_iter()
            .zip(changed.into_par_iter())
            .filter_map(|(f, new)| {
                new.map(|new| (f.start, f.end, render_like(&bytes[f.start..f.end], &new)))
            })
            .collect())
    }

    /// Writes the document through `write`, in pieces of at most ~1 MiB (large unchanged
    /// runs of the input go through as they are). With `stream`, chunks are written as
    /// they are done (into a file that is committed only at the end); without it every
    /// payload is done before the first byte is written, so a failure writes nothing.
    /// `Error::ScanGaveUp` when the scanner does not accept the document after all.
    pub fn write_to(&self, mut write: impl FnMut(&[u8]) -> Result<()>, stream: bool) -> Result<()> {
        let mut out = Output::new(self.input);
        if stream && self.found.is_none() && !self.pipeline.batches() {
            self.pipelined(&mut out, &mut write)?;
            return out.finish(&mut write);
        }
        let scanned;
        let found = match &self.found {
            Some(found) => found,
            None => {
                let mut scanner = Scanner::new(self.input);
                scanner
                    .document(self.doc_type)
                    .map_err(|_| Error::ScanGaveUp)?;
                scanned = scanner.found;
                &scanned
            }
        };
        let found: Vec<Found> = found
            .iter()
            .filter(|f| self.policy.includes(f.kind))
            .copied()
            .collect();
        // A remote or storage stage gets the whole document as one batch.
        let size = if self.pipeline.batches() {
            found.len().max(1)
        } else {
            CHUNK_SITES
        };
        let chunks: Vec<&[Found]> = found.chunks(size).collect();
        if !stream {
            let all: Vec<Replaced> = chunks.iter().map(|c| self.run(c)).collect::<Result<_>>()?;
            for replaced in &all {
                out.put(replaced, &mut write)?;
            }
            return out.finish(&mut write);
        }
        let mut current = match chunks.first() {
            Some(first) => self.run(first)?,
            None => Vec::new(),
        };
        for at in 0..chunks.len() {
            let next = chunks.get(at + 1).copied();
            let (ahead, wrote) = std::thread::scope(|scope| {
                let ahead = next.map(|chunk| scope.spawn(move || self.run(chunk)));
                let wrote = out.put(&current, &mut write);
                (ahead.map(|h| h.join()), wrote)
            });
            wrote?;
            current = match ahead {
                None => break,
                Some(Ok(done)) => done?,
                Some(Err(_)) => return Err(worker_failed()),
            };
        }
        out.finish(&mut write)
    }

    /// Scans on one thread while the chunks it finds are transcoded on the others and
    /// written in order. A codec failure is reported only if the scanner accepts the whole
    /// document (else the tree walker reports what is wrong with it, as without
    /// pipelining). Three long-lived threads: scanner → transcoder → this one, the writer
    /// (a thread per chunk cost ~600 thread starts on a 200 MB history).
    fn pipelined(
        &self,
        out: &mut Output<'_>,
        write: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        std::thread::scope(|scope| {
            let (found_tx, found_rx) = std::sync::mpsc::sync_channel::<Vec<Found>>(2);
            let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Result<Replaced>>(1);
            let scanner = scope.spawn(move || {
                let mut scanner = Scanner::new(self.input);
                scanner.chunks = Some(found_tx);
                let scanned = scanner.document(self.doc_type).is_ok();
                if scanned {
                    scanner.flush();
                }
                scanned
            });
            let policy = self.policy;
            let transcoder = scope.spawn(move || {
                for chunk in found_rx.iter() {
                    let chunk: Vec<Found> = chunk
                        .into_iter()
                        .filter(|f| policy.includes(f.kind))
                        .collect();
                    // The writer is gone (it failed): stop, and let the scanner only
                    // validate.
                    if done_tx.send(self.run(&chunk)).is_err() {
                        break;
                    }
                }
            });
            let mut failed: Option<Error> = None;
            for done in done_rx.iter() {
                if let Err(e) = done.and_then(|replaced| out.put(&replaced, write)) {
                    failed = Some(e);
                    break;
                }
            }
            drop(done_rx);
            let transcoded = transcoder.join();
            let scanned = scanner.join().map_err(|_| worker_failed())?;
            // A document the scanner refuses goes to the tree walker whatever happened
            // to its chunks (which then reports what is wrong with it).
            if !scanned {
                return Err(Error::ScanGaveUp);
            }
            transcoded.map_err(|_| worker_failed())?;
            match failed {
                Some(e) => Err(e),
                None => Ok(()),
            }
        })?;
        Ok(())
    }

    /// The whole document in one buffer.
    pub fn to_vec(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.input.len() + self.input.len() / 8);
        self.write_to(
            |bytes| {
                out.extend_from_slice(bytes);
                Ok(())
            },
            false,
        )?;
        Ok(out)
    }
}

/// The output side: input bytes between replaced spans, and the new texts, gathered into
/// pieces of about 1 MiB.
struct Output<'a> {
    input: &'a [u8],
    copied: usize,
    buffer: Vec<u8>,
}

const PIECE: usize = 1 << 20;

impl<'a> Output<'a> {
    fn new(input: &'a [u8]) -> Self {
        Output {
            input,
            copied: 0,
            buffer: Vec::with_capacity(PIECE),
        }
    }

    fn piece(&mut self, bytes: &[u8], write: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if self.buffer.len() + bytes.len() > PIECE {
            write(&self.buffer)?;
            self.buffer.clear();
        }
        if bytes.len() >= PIECE {
            write(bytes)
        } else {
            self.buffer.extend_from_slice(bytes);
            Ok(())
        }
    }

    fn put(
        &mut self,
        replaced: &Replaced,
        write: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let input = self.input;
        for (start, end, text) in replaced {
            self.piece(&input[self.copied..*start], write)?;
            self.piece(text, write)?;
            self.copied = *end;
        }
        Ok(())
    }

    fn finish(mut self, write: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let input = self.input;
        self.piece(&input[self.copied..], write)?;
        if !self.buffer.is_empty() {
            write(&self.buffer)?;
        }
        Ok(())
    }
}

/// Scans a JSON history document for its payload sites (the pipeline runs when it is
/// written). `Ok(None)` when the scanner does not apply (not a history kind, or input it
/// does not accept): use the tree walker instead.
pub fn transcode<'a>(
    bytes: &'a [u8],
    top: &Location,
    doc_type: DocType,
    pipeline: &'a Pipeline,
    direction: Direction,
    policy: SitePolicy,
    budget: &'a Budget,
) -> Result<Option<Transcoded<'a>>> {
    if !is_utf8(bytes) {
        return Ok(None);
    }
    // Big documents are scanned while their payloads are transcoded (see
    // `Transcoded::write_to`); if the scanner then gives up, writing says so
    // (`Error::ScanGaveUp`) and the caller takes the tree walker.
    let found = if bytes.len() >= PIPELINE_MIN {
        None
    } else {
        let mut scanner = Scanner::new(bytes);
        if scanner.document(doc_type).is_err() {
            return Ok(None);
        }
        Some(scanner.found)
    };
    Ok(Some(Transcoded {
        input: bytes,
        doc_type,
        policy,
        found,
        top: top.clone(),
        pipeline,
        direction,
        budget,
    }))
}

/// UTF-8 validation of a whole document (SIMD, `simdutf8`: ~5x `std` here), large ones
/// split at a character boundary and checked on both cores.
fn is_utf8(bytes: &[u8]) -> bool {
    const SPLIT_MIN: usize = 8 << 20;
    let valid = |b: &[u8]| simdutf8::basic::from_utf8(b).is_ok();
    if bytes.len() < SPLIT_MIN {
        return valid(bytes);
    }
    let mut mid = bytes.len() / 2;
    // Never split inside a character: continuation bytes are 0b10xx_xxxx.
    while mid < bytes.len() && bytes[mid] & 0xC0 == 0x80 {
        mid += 1;
    }
    let (a, b) = bytes.split_at(mid);
    let (ok_a, ok_b) = rayon::join(|| valid(a), || valid(b));
    ok_a && ok_b
}

/// Parses one payload span found by the scanner.
fn parse_one(text: &[u8], location: impl Fn() -> Location) -> Result<payload::Payload> {
    let invalid = |e: serde_json::Error| Error::Parse {
        location: location(),
        message: format!("invalid JSON: {e}"),
    };
    // Duplicate keys inside payloads were already refused by the scanner (every object's keys are).
    // The typed reader takes plain payloads; anything else gets the general reader's
    // exact error.
    if let Some(p) = super::payload_body::payload(text) {
        return Ok(p);
    }
    let value: Value = serde_json::from_slice(text).map_err(invalid)?;
    payload::payload_from_json(&value).map_err(|e| Error::Parse {
        location: if e.path.is_empty() {
            location()
        } else {
            location().join(&e.path)
        },
        message: e.message,
    })
}

/// Renders `value` in the layout of `original`: compact if it was on one line, else
/// indented with its indent unit and continued at its base indentation.
fn render_like(original: &[u8], payload: &payload::Payload) -> Vec<u8> {
    let Some(first_nl) = memchr::memchr(b'\n', original) else {
        let mut out = Vec::with_capacity(original.len());
        payload::write_payload_json(payload, &mut out);
        return out;
    };
    let last_nl = memchr::memrchr(b'\n', original).unwrap_or(first_nl);
    let base = &original[last_nl + 1..original.len().saturating_sub(1)];
    let inner = &original[first_nl + 1..];
    let inner_ws = &inner[..inner
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(0)];
    let unit = inner_ws
        .strip_prefix(base)
        .filter(|u| !u.is_empty())
        .unwrap_or(b"  ");
    let mut pretty = Vec::with_capacity(original.len());
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit);
    let mut ser = serde_json::Serializer::with_formatter(&mut pretty, formatter);
    // Serializing into a Vec cannot fail.
    let _ = payload::JsonPayload(payload).serialize(&mut ser);
    if base.is_empty() {
        return pretty;
    }
    let mut out = Vec::with_capacity(pretty.len() + 64);
    let mut rest = pretty.as_slice();
    while let Some(nl) = memchr::memchr(b'\n', rest) {
        out.extend_from_slice(&rest[..=nl]);
        out.extend_from_slice(base);
        rest = &rest[nl + 1..];
    }
    out.extend_from_slice(rest);
    out
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
    fn flush(&mut self) {
        if let Some(tx) = &self.chunks {
            let chunk = std::mem::take(&mut self.found);
            if tx.send(chunk).is_err() {
                self.chunks = None;
            }
        }
    }

    /// A scanner over `bytes` from the start.
    fn new(bytes: &[u8]) -> Scanner<'_> {
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

    fn document(&mut self, doc_type: DocType) -> Scan<()> {
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
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(());
                }
                let base = self.keys.len();
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
                    let key = field.json_name.as_str();
                    let key = if raw_key == key.as_bytes() {
                        key
                    } else {
                        field.proto_name.as_str()
                    };
                    let mark = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    let child_kind = match field.target.as_str() {
                        SEARCH_ATTRIBUTES => SiteKind::SearchAttribute,
                        HEADER => SiteKind::Header,
                        _ => kind,
                    };
                    let target = field.target.as_str();
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
        self.pos += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let base = self.keys.len();
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
