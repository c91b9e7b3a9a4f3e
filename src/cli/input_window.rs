//! Small binary export files worked a file per core (a window of them at a time), for the
//! commands that only read their payload sites (`check`, `keys used`).
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

/// How many inputs from the start of `inputs` make a window: local regular files of at
/// most [`FILE_MAX`] bytes, [`WINDOW_BYTES`] together. Fewer than two: no window.
pub(super) fn len(inputs: &[String]) -> usize {
    let mut total = 0u64;
    inputs
        .iter()
        .take_while(|input| {
            if *input == "-" || crate::storage::bucket::is_url(input) {
                return false;
            }
            match std::fs::metadata(input) {
                Ok(m) if m.is_file() && m.len() <= FILE_MAX && total + m.len() <= WINDOW_BYTES => {
                    total += m.len();
                    true
                }
                _ => false,
            }
        })
        .count()
}

/// One windowed input, worked.
pub(super) enum Outcome {
    /// A binary export: its executions' results, to merge in order.
    Sites(SiteResults<Report>),
    /// Another shape: its bytes, for the caller's one-at-a-time path.
    Other(Vec<u8>, OutputFormat),
    /// It could not be read, or its format not told.
    Failed(Error),
}

/// Reads and works `inputs` (a window: see [`len`]) on every core; one outcome per input,
/// in order.
pub(super) fn work(
    inputs: &[String],
    options: ReadOptions,
    work: &(dyn Fn(Vec<WireSite<'_>>) -> Report + Sync),
) -> Vec<Outcome> {
    inputs
        .par_iter()
        .with_max_len(1)
        .map(|input| {
            let name = crate::io::display_name(input);
            // A buffer per file: one kept per core saved no page faults here (measured).
            let mut bytes = Vec::new();
            if let Err(e) = crate::io::read_input_into(input, &mut bytes) {
                return Outcome::Failed(e);
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
