//! Where `decode`, `encode` and `rekey` write: the output directory of `-o DIR/`, the
//! format an output file's extension implies, and no binary output to a terminal.

use std::path::Path;

use super::TransformArgs;
use crate::document::OutputFormat;
use crate::error::{Error, Result};

/// The output directory of `-o DIR/` (a trailing `/`, or an existing directory), made if
/// missing. A directory input needs one, or `--in-place`: one output file cannot hold a tree.
pub(super) fn output_directory(args: &TransformArgs) -> Result<Option<std::path::PathBuf>> {
    if args.in_place
        && args
            .input
            .inputs
            .iter()
            .any(|a| crate::storage::bucket::is_url(a))
    {
        return Err(Error::Usage(
            "--in-place does not rewrite bucket objects: write them with -o DIR/ (one file per object, below DIR)".into(),
        ));
    }
    let dir = args
        .output
        .as_ref()
        .filter(|o| o.to_string_lossy().ends_with('/') || (o.as_os_str() != "-" && o.is_dir()));
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        return Ok(Some(dir.clone()));
    }
    if !args.in_place && super::inputs::has_directory(&args.input.inputs) {
        let first = args
            .input
            .inputs
            .iter()
            .find(|a| Path::new(a).is_dir())
            .cloned();
        return Err(Error::Usage(match first {
            Some(first) => format!(
                "{first} is a directory: write its documents with -o DIR/ (the same tree below DIR) or rewrite them with --in-place"
            ),
            None => "a bucket URL stands for many objects: write them with -o DIR/ (one file per object, below DIR)".into(),
        }));
    }
    Ok(None)
}

/// Binary protobuf is not written to a terminal (it would garble it).
pub(super) fn binary_to_terminal(format: OutputFormat, target: Option<&Path>) -> Result<()> {
    if format == OutputFormat::Proto
        && target.is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        return Err(Error::Usage(
            "refusing to write binary protobuf to a terminal; use -o FILE or a pipe".into(),
        ));
    }
    Ok(())
}

pub(super) fn format_from_extension(path: &Path) -> Option<OutputFormat> {
    match path.extension()?.to_str()? {
        "json" => Some(OutputFormat::Json),
        "jsonl" | "ndjson" => Some(OutputFormat::Jsonl),
        "pb" | "bin" | "binpb" => Some(OutputFormat::Proto),
        _ => None,
    }
}
