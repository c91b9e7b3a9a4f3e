//! `tcodec encode` and `tcodec decode`: read documents, run the pipeline, write them back.
//!
//! Documents stream: each is transformed and written before the next is read (JSON lines
//! with `--input-format jsonl` are read a line at a time), into standard output or a
//! temporary file that replaces the target only when every document succeeded.

use std::cell::Cell;
use std::path::Path;

use super::exit::report;
use super::exit::ExitStatus;
use super::progress::Progress;
use super::{Cli, TransformArgs};
use crate::codec::{Budget, Direction};
use crate::document::driver::{self, run_document, ScanJob};
use crate::document::export_writer::ExportWriter;
use crate::document::readable::readable;
use crate::document::{self, Document, InputFormat, OutputFormat, ReadOptions, TreeDocument};
use crate::error::Location;
use crate::error::{Error, Result};
use crate::io::{self, Sink};
use crate::pipeline::Pipeline;
use crate::units::plural;

/// What else the command asks for besides a plain transform.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// Encode: read plain JSON values.
    pub from_values: bool,
    /// Encode: read the readable form.
    pub from_readable: bool,
    /// Decode: write just the values of a payload list.
    pub to_values: bool,
    /// Decode: write the readable form.
    pub readable: bool,
    /// Readable: payloads that fail do not fail the run.
    pub keep_going: bool,
    /// Encode: deterministic AES-GCM nonces (test fixtures).
    pub deterministic: bool,
    /// Encode: also payloads that already carry the outer encoding.
    pub force: bool,
    /// Decode: payloads left encoded fail the run.
    pub strict: bool,
    /// Decode: leave storage references unresolved.
    pub keep_refs: bool,
    /// Encode: never offload to storage.
    pub no_offload: bool,
}

/// Runs encode or decode over every input; a failing input is reported and the others
/// still run, and the exit status is the worst seen.
pub fn run(
    cli: &Cli,
    args: &TransformArgs,
    direction: Direction,
    mode: Mode,
) -> Result<ExitStatus> {
    validate(args)?;
    if mode.readable && args.output_format == Some(OutputFormat::Proto) {
        return Err(Error::Usage(
            "--readable output is JSON only; drop --output-format proto".into(),
        ));
    }
    if mode.deterministic && !cli.quiet {
        eprintln!("tcodec: warning: --deterministic: for golden test fixtures only; equal payloads give equal ciphertexts");
    }
    let options = crate::config::BuildOptions {
        identities: args.identities.clone(),
        deterministic: mode.deterministic,
    };
    let pipeline = args
        .remote
        .pipeline(cli, &cli.namespace(args.namespace.as_deref()), &options)?
        .skip_already_encoded(direction == Direction::Encode && !mode.force);
    let job = Job {
        pipeline: &pipeline,
        args,
        direction,
        options: ReadOptions {
            format: args.input.input_format,
            doc_type: args.input.doc_type,
            from_values: mode.from_values,
            from_readable: mode.from_readable,
        },
        to_values: mode.to_values,
        readable: mode.readable,
        keep_refs: mode.keep_refs,
        offload: !mode.no_offload,
        quiet: cli.quiet,
        failed: Cell::new(0),
        files_written: Cell::new(0),
        mirrors: super::outputs::output_directory(args)?.is_some(),
    };
    let mut worst = ExitStatus::Ok;
    let inputs = super::inputs::expand(
        &args.input.inputs,
        args.input.glob.as_deref(),
        &args.input.select.selection(),
    )?;
    let out_dir = super::outputs::output_directory(args)?;
    let target = |input: &super::inputs::Input| -> Option<std::path::PathBuf> {
        if args.in_place {
            return Some(std::path::PathBuf::from(&input.path));
        }
        match (&out_dir, &input.below) {
            (Some(dir), Some(below)) => Some(dir.join(below)),
            (Some(dir), None) => {
                Some(dir.join(Path::new(&input.path).file_name().unwrap_or_default()))
            }
            (None, _) => args.output.clone(),
        }
    };
    // Two inputs writing one output (two prefixes holding the same names): the second would
    // overwrite the first, or be taken for an earlier run's output and skipped. Refused.
    let mut targets = std::collections::HashMap::new();
    for input in &inputs {
        let to_file = |t: &std::path::PathBuf| !args.in_place && t.as_os_str() != "-";
        if let Some(t) = target(input).filter(to_file) {
            if let Some(first) = targets.insert(t.clone(), input.path.clone()) {
                return Err(Error::Usage(format!(
                    "{first} and {} both write {}: give each its own -o DIR/",
                    input.path,
                    t.display()
                )));
            }
        }
    }
    let mut resumed = 0usize;
    if let ([only], false) = (
        inputs.as_slice(),
        super::inputs::has_directory(&args.input.inputs),
    ) {
        job.file(&only.path, target(only).as_deref())?;
    } else {
        // Objects whose output an earlier run finished are not fetched (see below).
        super::inputs::prefetch(
            inputs
                .iter()
                .filter(|i| !target(i).is_some_and(|t| t.exists()))
                .map(|i| i.path.as_str()),
            args.input.select.jobs,
        )?;
        let bar = super::progress::Inputs::start(
            super::progress::doing(direction),
            inputs.len(),
            cli.quiet,
        );
        for input in &inputs {
            let _done = bar.one();
            let target = target(input);
            // A bucket run resumes: an output already there was written whole (atomically)
            // by an earlier run, so its object is not fetched again.
            if crate::storage::bucket::is_url(&input.path)
                && target.as_ref().is_some_and(|t| t.exists())
            {
                resumed += 1;
                continue;
            }
            if let Err(e) = job.file(&input.path, target.as_deref()) {
                report(&e);
                worst = worst.max(super::exit::status(&e));
            }
        }
    }
    if resumed > 0 && !cli.quiet {
        eprintln!(
            "tcodec: {resumed} object{} already written by an earlier run: kept, not fetched again (delete an output to redo it)",
            plural(resumed)
        );
    }
    let stats = pipeline.stats();
    if stats.skipped() > 0 {
        eprintln!(
            "tcodec: {} payload{} already carried {:?}: left as {} (--force encodes them again)",
            stats.skipped(),
            plural(stats.skipped()),
            pipeline.outer_encoding().unwrap_or_default(),
            if stats.skipped() == 1 {
                "it was"
            } else {
                "they were"
            },
        );
    }
    if direction == Direction::Decode && stats.still_encoded() > 0 && !mode.readable {
        eprintln!(
            "tcodec: warning: {}",
            super::still_encoded::message(cli, &pipeline)
        );
        if mode.strict {
            worst = worst.max(ExitStatus::Data);
        }
    }
    if let Some(storage) = pipeline.storage().filter(|_| !cli.quiet) {
        if storage.resolved() > 0 {
            eprintln!(
                "tcodec: resolved {} reference{} from external storage ({} object{} fetched, SHA-256 checked)",
                storage.resolved(),
                plural(storage.resolved()),
                storage.fetched(),
                plural(storage.fetched())
            );
        }
        if storage.offloaded() > 0 {
            eprintln!(
                "tcodec: offloaded {} payload{} of {} bytes or more to external storage ({} object{} stored)",
                storage.offloaded(),
                plural(storage.offloaded()),
                storage.threshold(),
                storage.stored(),
                plural(storage.stored())
            );
        }
    }
    let files = job.files_written.get();
    if files > 0 && !cli.quiet && worst == ExitStatus::Ok {
        let verb = if args.in_place { "rewrote" } else { "wrote" };
        // Decoding counts only what a codec changed; an already-plain file decodes nothing.
        let count = if direction == Direction::Decode {
            stats.decoded()
        } else {
            stats.processed()
        };
        eprintln!(
            "tcodec: {verb} {files} file{}, {count} payload{} {}",
            plural(files),
            plural(count),
            match direction {
                Direction::Encode => "encoded",
                Direction::Decode => "decoded",
                Direction::Rekey => "rekeyed",
            }
        );
    }
    let failed = job.failed.get();
    if failed > 0 {
        eprintln!(
            "tcodec: {failed} payload{} could not be decoded (shown inline with \"error\")",
            if failed == 1 { "" } else { "s" }
        );
        if !mode.keep_going {
            worst = worst.max(ExitStatus::Data);
        }
    }
    Ok(worst)
}

/// Output format names (ours and the `temporal` CLI's `--output`): never taken as a file.
const FORMAT_NAMES: [&str; 9] = [
    "json", "jsonl", "proto", "pb", "text", "table", "card", "yaml", "none",
];

fn validate(args: &TransformArgs) -> Result<()> {
    if args.in_place && args.input.inputs.iter().any(|i| i == "-") {
        return Err(Error::Usage(
            "--in-place needs input files; standard input (-) cannot be rewritten".into(),
        ));
    }
    if let Some(name) = args.output.as_deref().and_then(|o| o.to_str()) {
        if FORMAT_NAMES.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(Error::Usage(format!(
                "-o {name} would write a file named {name:?}: -o/--output names a file; for the format use --output-format (json, jsonl or proto), or write -o ./{name} to mean the file"
            )));
        }
    }
    let to_directory = args.output.as_ref().is_some_and(|o| {
        o.to_string_lossy().ends_with('/') || (o.as_os_str() != "-" && o.is_dir())
    });
    if args.output.is_some() && args.input.inputs.len() > 1 && !to_directory {
        return Err(Error::Usage(format!(
            "-o FILE takes one input, {} were given; write them to a directory with -o DIR/, rewrite them with --in-place, or make one call per file",
            args.input.inputs.len()
        )));
    }
    if args.input.inputs.iter().filter(|i| *i == "-").count() > 1 {
        return Err(Error::Usage(
            "standard input (-) can be named only once".into(),
        ));
    }
    Ok(())
}

struct Job<'a> {
    pipeline: &'a Pipeline,
    args: &'a TransformArgs,
    direction: Direction,
    options: ReadOptions,
    readable: bool,
    to_values: bool,
    keep_refs: bool,
    offload: bool,
    quiet: bool,
    /// Payloads shown with an inline error (readable mode).
    failed: Cell<usize>,
    /// Output files written (`-o`, `--in-place`).
    files_written: Cell<usize>,
    /// Outputs go below an output directory (`-o DIR/`), their folders made as needed.
    mirrors: bool,
}

impl Job<'_> {
    /// Runs the pipeline over one parsed document (or makes it readable).
    fn transform(&self, doc: Document) -> Result<Document> {
        let budget = self.budget();
        if self.to_values {
            let location = match &doc {
                Document::Payloads(d) => d.location.clone(),
                Document::Tree(t) => t.location.clone(),
            };
            let Document::Payloads(decoded) =
                run_document(self.pipeline, self.direction, doc, &budget)?
            else {
                return Err(Error::Usage(
                    "--to-values prints the values of a payload list; for histories use --readable"
                        .into(),
                ));
            };
            let values = decoded
                .payloads
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    crate::payload::value_of(p).map_err(|why| Error::Parse {
                        location: decoded.payload_location(i),
                        message: why,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(Document::Tree(crate::document::TreeDocument {
                message: crate::document::schema::PAYLOADS,
                value: serde_json::Value::Array(values),
                location,
                part: None,
            }));
        }
        if !self.readable {
            return run_document(self.pipeline, self.direction, doc, &budget);
        }
        let mut tree = doc.into_tree();
        let failures = readable(&mut tree, self.pipeline, &budget)?;
        for failure in &failures {
            eprintln!("tcodec: warning: {}", failure.error);
        }
        self.failed.set(self.failed.get() + failures.len());
        Ok(Document::Tree(tree))
    }

    /// The scanner's job, when it may transcode on its own (not for readable output,
    /// values in or out).
    fn scan_job<'b>(&'b self, budget: &'b Budget) -> Option<ScanJob<'b>> {
        let plain = !(self.options.from_values
            || self.options.from_readable
            || self.readable
            || self.to_values);
        plain.then_some(ScanJob {
            pipeline: self.pipeline,
            direction: self.direction,
            budget,
        })
    }

    /// The per-document budget, with this run's storage choices.
    fn budget(&self) -> Budget {
        self.budgets()()
    }

    /// Makes per-document budgets ([`Self::budget`]) on any thread.
    fn budgets(&self) -> impl Fn() -> Budget + Sync {
        let (limit, keep_refs, offload) =
            (self.args.max_decoded_total, self.keep_refs, self.offload);
        move || {
            Budget::new(limit)
                .keeping_refs(keep_refs)
                .offloading(offload)
        }
    }

    fn file(&self, path: &str, target: Option<&Path>) -> Result<()> {
        let name = io::display_name(path);
        if let Some(parent) = target.and_then(Path::parent).filter(|_| self.mirrors) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
        }
        let forced = self
            .args
            .output_format
            .or_else(|| target.and_then(super::outputs::format_from_extension));
        let size = (path != "-")
            .then(|| std::fs::metadata(path).ok().map(|m| m.len()))
            .flatten();
        let _progress = Progress::start(
            super::progress::doing(self.direction),
            name,
            size,
            self.quiet,
        );
        let mut sink = match target {
            // Decoded output holds what the codecs protected: owner-only (0600).
            Some(t) if self.direction == Direction::Decode => Sink::private_file(t)?,
            Some(t) => Sink::file(t)?,
            None => Sink::stdout(),
        };
        let mut written = 0usize;
        let mut buffer = Vec::new();
        let mut export: Option<ExportWriter> = None;
        // Executions come grouped by field (one pass per field over a file).
        let grouped = Cell::new(false);
        // Executions stream into a file (committed only at the end); to stdout, where
        // nothing can be taken back, they are held until the last one is done, so a
        // failure part-way writes nothing (use -o FILE for constant memory).
        let streams = sink.mark()?.is_some();
        let mut held: Vec<u8> = Vec::new();
        let mut emit = |doc: Document, format: OutputFormat, sink: &mut Sink| -> Result<()> {
            super::outputs::binary_to_terminal(format, target)?;
            // One execution of an export object: written as it comes, into the object.
            if let Document::Tree(TreeDocument {
                part: Some(part), ..
            }) = &doc
            {
                let part = *part;
                let Document::Tree(tree) = self.transform(doc)? else {
                    return Err(Error::Usage(
                        "internal: an execution became payloads".into(),
                    ));
                };
                buffer.clear();
                let writer = export.get_or_insert_with(|| match grouped.get() {
                    true => ExportWriter::grouped(format),
                    false => ExportWriter::new(format),
                });
                writer.item(&tree, part, &mut buffer)?;
                if writer.total() > self.args.max_decoded_file {
                    return Err(super::export_wire::over_file_limit(
                        self.direction,
                        tree.location.clone(),
                        self.args.max_decoded_file,
                    ));
                }
                if streams {
                    return sink.write(&buffer);
                }
                held.extend_from_slice(&buffer);
                return Ok(());
            }
            if format == OutputFormat::Proto && written > 0 {
                return Err(Error::Usage(
                    "protobuf output holds one document, the input has more; use --output-format jsonl".into(),
                ));
            }
            let doc = self.transform(doc)?;
            buffer.clear();
            document::render_into(&doc, format, &mut buffer)?;
            written += 1;
            sink.write(&buffer)
        };
        let export_input = super::inputs::export_input(path, self.options)?;
        // A .jsonl / .ndjson file is read a line at a time (constant memory) unless a
        // format was given.
        let mut options = self.options;
        let jsonl_name = [".jsonl", ".ndjson"].iter().any(|e| path.ends_with(e));
        if options.format == InputFormat::Auto && jsonl_name {
            options.format = InputFormat::Jsonl;
        }
        if options.format == InputFormat::Jsonl {
            let format = forced.unwrap_or(OutputFormat::Jsonl);
            let mut each = |line: &[u8], at: Location| -> Result<()> {
                let budget = self.budget();
                driver::each_line(
                    line,
                    at,
                    options,
                    format,
                    self.scan_job(&budget),
                    &mut sink,
                    &mut emit,
                )
            };
            if path == "-" {
                io::note_terminal_stdin();
                document::for_each_line(std::io::stdin().lock(), name, &mut each)?;
            } else {
                let file =
                    std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
                document::for_each_line(std::io::BufReader::new(file), name, &mut each)?;
            }
        } else if let Some(super::inputs::ExportInput::Binary(reader)) = export_input {
            // A binary export object: one execution at a time from the file (or stdin),
            // never the whole object in memory.
            let format = match (forced, self.readable) {
                (Some(f), _) => f,
                (None, true) => OutputFormat::Json,
                (None, false) => OutputFormat::Proto,
            };
            if format == OutputFormat::Proto && !self.readable && !self.to_values {
                // Binary to binary: on the wire, every byte but the changed payloads kept.
                super::outputs::binary_to_terminal(format, target)?;
                let budget = self.budgets();
                super::export_wire::binary_to_binary(
                    reader,
                    &Location::file(name),
                    (self.pipeline, self.direction),
                    &budget,
                    self.args.max_decoded_file,
                    |bytes| {
                        if streams {
                            sink.write(bytes)
                        } else {
                            held.extend_from_slice(bytes);
                            Ok(())
                        }
                    },
                )?;
                sink.write(&held)?;
                held.clear();
            } else if format == OutputFormat::Json && path != "-" {
                // JSON writes each field's executions together: a file is read once per
                // field (workflows, then activities, protojson's order), so an activity
                // met among workflows is not held until the end, as it is from stdin.
                drop(reader);
                grouped.set(true);
                document::executions::each_binary_by_field(path, &Location::file(name), |d| {
                    emit(d, format, &mut sink)
                })?;
            } else {
                document::executions::each_binary(reader, &Location::file(name), |d| {
                    emit(d, format, &mut sink)
                })?;
            }
        } else {
            let bytes = match export_input {
                Some(super::inputs::ExportInput::Json(bytes)) => io::Input::Owned(bytes),
                _ => io::open_input(path)?,
            };
            let budget = self.budget();
            driver::each(
                &bytes,
                name,
                options,
                forced,
                self.readable,
                self.scan_job(&budget),
                &mut sink,
                &mut emit,
            )?;
        }
        if let Some(writer) = export {
            buffer.clear();
            writer.finish(&mut buffer);
            sink.write(&held)?;
            sink.write(&buffer)?;
        }
        sink.commit()?;
        if target.is_some_and(|t| t != Path::new("-")) {
            self.files_written.set(self.files_written.get() + 1);
        }
        Ok(())
    }
}
