//! Payload sites, shared by both walkers (the scanner over bytes, the tree walker over a
//! parsed tree): what kind of place a payload sits in, which kinds a transform touches, how
//! a map key reads in a path, and [`run_sites`], the one call that runs a walker's sites
//! through the pipeline. The walkers import this; it imports neither.

use serde_json::Value;

use crate::codec::{Budget, Direction};
use crate::error::{Error, Location, Result};
use crate::payload::Payload;
use crate::pipeline::Pipeline;

/// What kind of place a payload sits in; the SDKs treat some of them specially.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// An ordinary payload: inputs, results, memo, failures, user metadata, ...
    Data,
    /// A header field (the SDKs do not run headers through codecs by default).
    Header,
    /// A local-activity marker's `details.data` (SDK bookkeeping, left plain by the SDKs).
    MarkerData,
    /// A search attribute (indexed by the server: never encoded).
    SearchAttribute,
}

/// Which site kinds a transform touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteFilter {
    /// Run headers through the pipeline.
    pub headers: bool,
    /// Run local-activity marker data through the pipeline.
    pub marker_data: bool,
}

impl SiteFilter {
    /// The sites a direction touches by default, as the SDKs and the `temporal` CLI do:
    /// decoding offers every site but search attributes to the codecs (what no codec
    /// claims passes unchanged); encoding leaves headers and marker data plain, as the
    /// SDKs write them.
    pub fn for_direction(direction: Direction) -> Self {
        // Rekey offers every site too: only what the pipeline encoded is re-encoded.
        let all = direction != Direction::Encode;
        SiteFilter {
            headers: all,
            marker_data: all,
        }
    }

    /// Whether a site of this kind is touched.
    pub fn includes(self, kind: SiteKind) -> bool {
        match kind {
            SiteKind::Data => true,
            SiteKind::Header => self.headers,
            SiteKind::MarkerData => self.marker_data,
            SiteKind::SearchAttribute => false,
        }
    }
}

/// A map key as a path step to append: `.name` for a plain identifier, else `["..."]`.
pub(crate) fn map_key_step(name: &str) -> String {
    let key = map_key(name);
    if key.starts_with('[') {
        key
    } else {
        format!(".{key}")
    }
}

/// A map key as a JSON path step: `name` when it is a plain identifier, else `["..."]`.
pub(crate) fn map_key(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        name.to_string()
    } else {
        format!("[{}]", Value::String(name.to_string()))
    }
}

/// Sites fewer than this run on the calling thread.
const PARALLEL_MIN_SITES: usize = 64;

/// Runs every site's payload through `pipeline` and returns, per site, the new payload
/// when a stage changed it (`None`: unchanged). `parse` reads a site's payload (in
/// parallel), `location` names a site. Fails on the first failing site in document order.
/// With a remote or storage stage the whole list is one batch; otherwise each payload runs
/// on its own, on all cores.
pub fn run_sites<S: Sync>(
    sites: &[S],
    parse: impl Fn(&S) -> Result<Payload> + Sync,
    location: impl Fn(&S) -> Location + Sync,
    pipeline: &Pipeline,
    direction: Direction,
    budget: &Budget,
) -> Result<Vec<Option<Payload>>> {
    let codec_error = |site: &S, source| Error::Codec {
        direction: direction.verb(),
        location: location(site),
        source,
    };
    if pipeline.batches() {
        let large = sites.len() >= PARALLEL_MIN_SITES;
        let originals: Vec<Payload> = crate::parallel::map_ref(sites, large, &parse)
            .into_iter()
            .collect::<Result<_>>()?;
        let results = pipeline.run_each(direction, originals.clone(), budget);
        return sites
            .iter()
            .zip(originals)
            .zip(results)
            .map(|((site, old), new)| match new {
                Ok(new) => Ok((new != old).then_some(new)),
                Err(source) => Err(codec_error(site, source)),
            })
            .collect();
    }
    let one = |site: &S| -> Result<Option<Payload>> {
        pipeline
            .apply_changed(direction, parse(site)?, budget)
            .map_err(|source| codec_error(site, source))
    };
    crate::parallel::map_ref(sites, sites.len() >= PARALLEL_MIN_SITES, one)
        .into_iter()
        .collect()
}
