//! The one driver of every document: read → sites → pipeline → write.
//!
//! A walker ([`super::scan`] over the bytes of a JSON history, [`super::tree`] over a parsed
//! tree) finds the payload sites; [`run_sites`] runs them through the pipeline in one call
//! and names the first failing site; the walker writes back only what changed. [`each`]
//! picks the walker for an input: the scanner when it applies, else parse and walk the tree.
//! The scanner's output is written here, straight into the sink; when the scanner gives up
//! mid-way (`Error::ScanGaveUp`, which never leaves this module) what it wrote is taken back
//! and the tree walker takes the document from the start. The caller sees only documents.

use crate::codec::{Budget, Direction};
use crate::document::scan::{self, Transcoded};
pub use crate::document::sites::run_sites;
use crate::document::tree::{self, SiteFilter};
use crate::document::{self as doc, DocType, Document, InputFormat, OutputFormat, ReadOptions};
use crate::error::{Error, Location, Result};
use crate::pipeline::Pipeline;

/// A transform the scanner may do on its own: the pipeline, direction and budget.
#[derive(Clone, Copy)]
pub struct ScanJob<'a> {
    /// The namespace's pipeline.
    pub pipeline: &'a Pipeline,
    /// Encode, decode or rekey.
    pub direction: Direction,
    /// The document's budget.
    pub budget: &'a Budget,
}

impl<'a> ScanJob<'a> {
    fn transcode<'b>(
        &'b self,
        bytes: &'b [u8],
        at: &Location,
        doc_type: DocType,
    ) -> Result<Option<Transcoded<'b>>> {
        scan::transcode(
            bytes,
            at,
            doc_type,
            self.pipeline,
            self.direction,
            SiteFilter::for_direction(self.direction),
            self.budget,
        )
    }
}

/// Where a document's output goes. The scanner's output may stream into it and be taken
/// back when the scanner gives up mid-way; a sink that cannot take back gives no mark,
/// and the scanner then finishes every payload before it writes a byte.
pub trait Sink {
    /// A point to rewind to, when this sink can take back what follows it.
    fn mark(&mut self) -> Result<Option<u64>>;
    /// Takes back everything written after `mark`.
    fn rewind(&mut self, mark: u64) -> Result<()>;
    /// Appends bytes.
    fn write(&mut self, bytes: &[u8]) -> Result<()>;
}

/// Writes the scanner's output into `sink`: `true` when written, `false` when the scanner
/// gave up (nothing of it is left in the sink) and the tree walker must take the document.
fn write_text<S: Sink>(text: &Transcoded<'_>, newline: bool, sink: &mut S) -> Result<bool> {
    // Into a temporary file committed at the end, chunks stream as they are done;
    // elsewhere a failure must write nothing, so every payload is done first.
    let mark = sink.mark()?;
    match text.write_to(|bytes| sink.write(bytes), mark.is_some()) {
        Ok(()) => {}
        Err(Error::ScanGaveUp) => {
            if let Some(mark) = mark {
                sink.rewind(mark)?;
            }
            return Ok(false);
        }
        Err(e) => return Err(e),
    }
    if newline {
        sink.write(b"\n")?;
    }
    Ok(true)
}

/// Every document of one whole input: the scanner's output written into `sink` when `scan`
/// is given and the input is a JSON history written as JSON, else each parsed document
/// handed to `emit` with its output format (and the sink). `forced` is the output format
/// asked for, if any.
#[allow(clippy::too_many_arguments)] // one call site; the inputs are distinct choices
pub fn each<S: Sink>(
    bytes: &[u8],
    name: &str,
    options: ReadOptions,
    forced: Option<OutputFormat>,
    readable: bool,
    scan: Option<ScanJob<'_>>,
    sink: &mut S,
    mut emit: impl FnMut(Document, OutputFormat, &mut S) -> Result<()>,
) -> Result<()> {
    // Try the scanner before detecting the format: it accepts exactly one JSON history
    // document, and detection would parse the input once more.
    let may_be_json = matches!(options.format, InputFormat::Auto | InputFormat::Json)
        && matches!(forced, None | Some(OutputFormat::Json))
        && matches!(bytes.trim_ascii_start().first(), Some(b'{' | b'['));
    if let Some(job) = scan.filter(|_| may_be_json) {
        if let Some(out) = job.transcode(bytes, &Location::file(name), options.doc_type)? {
            if write_text(&out, false, sink)? {
                return Ok(());
            }
        }
    }
    let detected = doc::resolve_format(bytes, name, options)?;
    // Readable output is JSON whatever the input was.
    let format = match (forced, readable) {
        (Some(f), _) => f,
        (None, true) if detected == OutputFormat::Proto => OutputFormat::Json,
        (None, _) => detected,
    };
    doc::parse_each(bytes, name, detected, options, |d| emit(d, format, sink))
}

/// One JSON line (a document of a JSON-lines input): the scanner's output written into
/// `sink` when it applies and the output is JSON lines, else the parsed document to `emit`.
pub fn each_line<S: Sink>(
    line: &[u8],
    at: Location,
    options: ReadOptions,
    format: OutputFormat,
    scan: Option<ScanJob<'_>>,
    sink: &mut S,
    mut emit: impl FnMut(Document, OutputFormat, &mut S) -> Result<()>,
) -> Result<()> {
    if let Some(job) = scan.filter(|_| format == OutputFormat::Jsonl) {
        if let Some(out) = job.transcode(line, &at, options.doc_type)? {
            if write_text(&out, true, sink)? {
                return Ok(());
            }
        }
    }
    emit(doc::parse_line(line, at, options)?, format, sink)
}

/// Runs one document's payloads through the pipeline, naming the payload on failure.
pub fn run_document(
    pipeline: &Pipeline,
    direction: Direction,
    doc: Document,
    budget: &Budget,
) -> Result<Document> {
    match doc {
        Document::Payloads(mut doc) => {
            let payloads = std::mem::take(&mut doc.payloads);
            doc.payloads = pipeline
                .run(direction, payloads, budget)
                .map_err(|e| Error::Codec {
                    direction: direction.verb(),
                    location: doc.payload_location(e.index),
                    source: e.source,
                })?;
            Ok(Document::Payloads(doc))
        }
        Document::Tree(mut tree) => {
            let policy = SiteFilter::for_direction(direction);
            let message = tree.message;
            let location = tree.location.clone();
            if let serde_json::Value::Array(events) = &mut tree.value {
                for (i, event) in events.iter_mut().enumerate() {
                    let here = location.join(&format!("[{i}]"));
                    tree::transform(event, message, here, pipeline, direction, policy, budget)?;
                }
            } else {
                tree::transform(
                    &mut tree.value,
                    message,
                    location,
                    pipeline,
                    direction,
                    policy,
                    budget,
                )?;
            }
            Ok(Document::Tree(tree))
        }
    }
}
