//! The fast path for JSON histories: a streaming, schema-guided transcoder.
//!
//! Instead of building a DOM, [`super::scanner`] walks the input bytes and records the byte
//! span of every payload object. The payloads are then decoded (or encoded) on all cores,
//! and the output is the input with only the changed payload spans replaced, re-rendered in
//! the indentation they had. Every other byte is copied verbatim.
//!
//! On anything the scanner does not accept the caller falls back to the tree walker, which
//! reports precise errors. Both paths give the same bytes on valid input (tested on every
//! fixture and on mutated histories, and fuzzed).

use rayon::prelude::*;
use serde::Serialize as _;
use serde_json::Value;

use super::scanner::{Found, Scanner, CHUNK_SITES};
use super::sites::SiteFilter;
use crate::codec::{Budget, Direction};
use crate::document::DocType;
use crate::error::{Error, Location, Result};
use crate::payload;
use crate::pipeline::Pipeline;

/// A scanned document, transcoded while it is written: the input's bytes go out as they
/// are between payload spans, and the payloads are run through the pipeline chunk by chunk
/// on all cores, the next chunk while the current one is written. Only one or two chunks of
/// new payload texts are held at a time, so memory stays near the input's size.
pub struct Transcoded<'a> {
    input: &'a [u8],
    doc_type: DocType,
    policy: SiteFilter,
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
    policy: SiteFilter,
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
