//! `tcodec encode` and `tcodec decode`: read documents, run the pipeline, write them back.

use std::io::IsTerminal as _;
use std::path::Path;

use super::{report, Cli, TransformArgs};
use crate::codec::Direction;
use crate::config::Config;
use crate::document::{self, Document, OutputFormat, ReadOptions};
use crate::error::{Error, ExitStatus, Result};
use crate::io;
use crate::pipeline::Pipeline;

/// Runs encode or decode over every input; a failing input is reported and the others
/// still run, and the exit status is the worst seen.
pub fn run(
    cli: &Cli,
    args: &TransformArgs,
    direction: Direction,
    from_values: bool,
) -> Result<ExitStatus> {
    validate(args)?;
    let config = Config::discover(cli.config.as_deref())?;
    let pipeline = config.pipeline(&args.namespace)?;
    let options = ReadOptions {
        format: args.input_format,
        proto_type: args.proto_type,
        from_values,
    };
    if let [only] = args.inputs.as_slice() {
        transform_file(&pipeline, args, only, direction, options)?;
        return Ok(ExitStatus::Ok);
    }
    let mut worst = ExitStatus::Ok;
    for input in &args.inputs {
        if let Err(e) = transform_file(&pipeline, args, input, direction, options) {
            report(&e);
            worst = worst.max(e.exit_status());
        }
    }
    Ok(worst)
}

fn validate(args: &TransformArgs) -> Result<()> {
    if args.in_place && args.inputs.iter().any(|i| i == "-") {
        return Err(Error::Usage(
            "--in-place needs input files; standard input (-) cannot be rewritten".into(),
        ));
    }
    if args.output.is_some() && args.inputs.len() > 1 {
        return Err(Error::Usage(format!(
            "-o takes one input, {} were given; use --in-place or one call per file",
            args.inputs.len()
        )));
    }
    if args.inputs.iter().filter(|i| *i == "-").count() > 1 {
        return Err(Error::Usage(
            "standard input (-) can be named only once".into(),
        ));
    }
    Ok(())
}

fn transform_file(
    pipeline: &Pipeline,
    args: &TransformArgs,
    path: &str,
    direction: Direction,
    options: ReadOptions,
) -> Result<()> {
    let bytes = io::read_input(path)?;
    let input = document::parse(&bytes, io::display_name(path), options)?;
    let format = args
        .output_format
        .or_else(|| args.output.as_deref().and_then(format_from_extension))
        .unwrap_or(input.format);
    let documents = input
        .documents
        .into_iter()
        .map(|doc| run_document(pipeline, direction, doc))
        .collect::<Result<Vec<_>>>()?;
    let rendered = document::render(&documents, format)?;
    if args.in_place {
        io::write_atomic(Path::new(path), &rendered)
    } else if let Some(out) = &args.output {
        io::write_atomic(out, &rendered)
    } else {
        if format == OutputFormat::Proto && std::io::stdout().is_terminal() {
            return Err(Error::Usage(
                "refusing to write binary protobuf to a terminal; use -o FILE or a pipe".into(),
            ));
        }
        io::write_stdout(&rendered)
    }
}

/// Runs one document's payloads through the pipeline, naming the payload on failure.
pub fn run_document(
    pipeline: &Pipeline,
    direction: Direction,
    mut doc: Document,
) -> Result<Document> {
    let payloads = std::mem::take(&mut doc.payloads);
    doc.payloads = pipeline
        .run(direction, payloads)
        .map_err(|e| Error::Codec {
            direction: direction.verb(),
            location: doc.payload_location(e.index),
            source: e.source,
        })?;
    Ok(doc)
}

fn format_from_extension(path: &Path) -> Option<OutputFormat> {
    match path.extension()?.to_str()? {
        "json" => Some(OutputFormat::Json),
        "jsonl" | "ndjson" => Some(OutputFormat::Jsonl),
        "pb" | "bin" | "binpb" => Some(OutputFormat::Proto),
        _ => None,
    }
}
