//! `decode`/`encode --type export` from binary to binary: each execution transformed on the
//! wire ([`crate::document::rewrite`]) and written back as an `ExportedExecutions` item, the
//! object's executions together bounded by `--max-decoded-file`.

use crate::codec::{Budget, CodecError, Direction};
use crate::error::{Error, Location, Result};
use crate::pipeline::Pipeline;

/// The error for an export object whose executions together passed `--max-decoded-file`.
pub(super) fn over_file_limit(direction: Direction, location: Location, limit: u64) -> Error {
    Error::Codec {
        direction: direction.verb(),
        location,
        source: CodecError::FileTooLarge { limit },
    }
}

/// Transforms the binary export object from `reader` execution by execution and hands the
/// new object's bytes to `put` in order (each execution's item whole).
pub(super) fn binary_to_binary(
    reader: impl std::io::Read,
    top: &Location,
    (pipeline, direction): (&Pipeline, Direction),
    budget: &(dyn Fn() -> Budget + Sync),
    max_file: u64,
    mut put: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let mut total = 0u64;
    let mut item = Vec::new();
    crate::document::rewrite::each_binary(
        reader,
        top,
        pipeline,
        direction,
        budget,
        |part, bytes| {
            total += bytes.len() as u64;
            if total > max_file {
                let at = crate::document::executions::execution_location(top, part, &bytes);
                return Err(over_file_limit(direction, at, max_file));
            }
            item.clear();
            crate::document::wire::put_field(part.number() as u32, &bytes, &mut item);
            put(&item)
        },
    )
}
