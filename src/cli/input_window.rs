//! Small binary export files worked a file per core, a window of them at a time, for
//! `check` (which reads payload sites only).
//!
//! One file at a time, each core waited about a fifth of the run while the main thread
//! read the next file, split it and merged the last one's results (perf sched on
//! `scripts/bench-exports`: ~0.14 ms of every ~0.65 ms per 375 KB object). A window's
//! files are read and worked on every core together; the results are still merged in
//! input order, so reports, errors and exit codes are those of one file at a time.

use rayon::prelude::*;

use crate::document::executions::SiteResults;
use crate::document::wire::WireSite;
use crate::document::{OutputFormat, ReadOptions};
use crate::error::{Error, Location};
use crate::rules::Report;

/// Most bytes of input one window holds (read buffers; the results are small).
const WINDOW_BYTES: u64 = 32 << 20;
/// Files over this size are not windowed: their executions alone fill both cores.
const FILE_MAX: u64 = 4 << 20;

/// The sizes of the inputs from the start of `inputs` that make a window: local regular
/// files of at most [`FILE_MAX`] bytes, [`WINDOW_BYTES`] together (each read is held to
/// its size, so the bound stands if a file grows). Fewer than two: no window.
pub(super) fn sizes(inputs: &[String]) -> Vec<u64> {
    let mut total = 0u64;
    inputs
        .iter()
        .map_while(|input| {
            if input == "-" || crate::storage::bucket::is_url(input) {
                return None;
            }
            let m = std::fs::metadata(input).ok()?;
            let size = m.len();
            (m.is_file() && size <= FILE_MAX && total + size < WINDOW_BYTES).then(|| {
                total += size + 1;
                size
            })
        })
        .collect()
}

/// One windowed input, worked.
pub(super) enum Outcome {
    /// A binary export: its executions' results, to merge in order.
    Sites(SiteResults<Report>),
    /// Another shape: its bytes, for the caller's one-at-a-time path.
    Other(Vec<u8>, OutputFormat),
    /// It holds more than its size said: left to the one-at-a-time path.
    Grew,
    /// It could not be read, or its format not told.
    Failed(Error),
}

/// Reads and works the window `inputs` (their `sizes`: see [`sizes`]) on every core; one
/// outcome per input, in order.
pub(super) fn work(
    inputs: &[String],
    sizes: &[u64],
    options: ReadOptions,
    work: &(dyn Fn(Vec<WireSite<'_>>) -> Report + Sync),
) -> Vec<Outcome> {
    inputs
        .par_iter()
        .zip(sizes)
        .with_max_len(1)
        .map(|(input, &size)| {
            let name = crate::io::display_name(input);
            let mut bytes = Vec::new();
            match crate::io::read_file_at_most(input, size, &mut bytes) {
                Ok(true) => {}
                Ok(false) => return Outcome::Grew,
                Err(e) => return Outcome::Failed(e),
            }
            match crate::document::resolve_format(&bytes, name, options) {
                Ok(OutputFormat::Proto) => {
                    Outcome::Sites(crate::document::executions::binary_site_results(
                        &bytes,
                        &Location::file(name),
                        work,
                    ))
                }
                Ok(format) => Outcome::Other(bytes, format),
                Err(e) => Outcome::Failed(e),
            }
        })
        .collect()
}
