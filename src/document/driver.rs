//! The one driver of every document: read → sites → pipeline → write.
//!
//! A walker ([`super::scan`] over the bytes of a JSON history, [`super::tree`] over a parsed
//! tree) finds the payload sites; [`run_sites`] runs them through the pipeline in one call
//! and names the first failing site; the walker writes back only what changed. [`each`]
//! picks the walker for an input: the scanner when it applies, else parse and walk the tree.

use crate::codec::{Budget, Direction};
use crate::document::scan::{self, Transcoded};
pub use crate::document::sites::run_sites;
use crate::document::tree::{self, SiteFilter};
use crate::document::{self as doc, DocType, Document, InputFormat, OutputFormat, ReadOptions};
use crate::error::{Error, Location, Result};
use crate::pipeline::Pipeline;

/// What one document of an input became: a parsed document for the caller to finish and
/// render, or the scanner's finished output (and whether a JSON-lines newline follows).
pub enum Produced<'a> {
    /// Parsed: transform (or make readable) and render it.
    Doc(Document),
    /// Transcoded by the scanner: write it as it is.
    Text(Transcoded<'a>, bool),
}

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

/// Every document of one whole input, each handed to `emit` with its output format: the
/// scanner's output when `scan` is given and the input is a JSON history written as JSON,
/// else the parsed documents. `forced` is the output format asked for, if any.
pub fn each(
    bytes: &[u8],
    name: &str,
    options: ReadOptions,
    forced: Option<OutputFormat>,
    readable: bool,
    scan: Option<ScanJob<'_>>,
    mut emit: impl FnMut(Produced<'_>, OutputFormat) -> Result<()>,
) -> Result<()> {
    // Try the scanner before detecting the format: it accepts exactly one JSON history
    // document, and detection would parse the input once more.
    let may_be_json = matches!(options.format, InputFormat::Auto | InputFormat::Json)
        && matches!(forced, None | Some(OutputFormat::Json))
        && matches!(bytes.trim_ascii_start().first(), Some(b'{' | b'['));
    if let Some(job) = scan.filter(|_| may_be_json) {
        if let Some(out) = job.transcode(bytes, &Location::file(name), options.doc_type)? {
            match emit(Produced::Text(out, false), OutputFormat::Json) {
                // The scanner did not accept it after all (nothing of it was kept).
                Err(Error::ScanGaveUp) => {}
                done => return done,
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
    doc::parse_each(bytes, name, detected, options, |d| {
        emit(Produced::Doc(d), format)
    })
}

/// One JSON line (a document of a JSON-lines input): the scanner's output when it applies
/// and the output is JSON lines, else the parsed document.
pub fn each_line(
    line: &[u8],
    at: Location,
    options: ReadOptions,
    format: OutputFormat,
    scan: Option<ScanJob<'_>>,
    mut emit: impl FnMut(Produced<'_>, OutputFormat) -> Result<()>,
) -> Result<()> {
    if let Some(job) = scan.filter(|_| format == OutputFormat::Jsonl) {
        if let Some(out) = job.transcode(line, &at, options.doc_type)? {
            match emit(Produced::Text(out, true), format) {
                Err(Error::ScanGaveUp) => {}
                done => return done,
            }
        }
    }
    emit(Produced::Doc(doc::parse_line(line, at, options)?), format)
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
