//! Binary export objects transformed on the wire: each execution's payload sites (found by
//! [`super::wire::sites`]) run through the pipeline, and the new Payloads are put back in
//! place by [`super::wire::rewrite`]. Every other byte is kept as it was: fields this
//! build's protos do not know (a newer API's) survive `decode` and `encode` in protobuf
//! form, and an execution without a changed payload is copied whole. Executions run on
//! every core, a batch at a time, and come out in input order.

use std::io::Read;

use prost::Message as _;

use super::model::ExecutionPart;
use super::sites::{run_sites, SiteFilter};
use crate::codec::{Budget, Direction};
use crate::error::{Error, Location, Result};
use crate::pipeline::Pipeline;

/// Reads a binary export object from `reader` and hands each execution, transformed, to
/// `write` in input order: its part and its new bytes (the contents of the
/// `workflows`/`activities` item). `budget` makes each execution's budget.
pub fn each_binary(
    reader: impl Read,
    top: &Location,
    pipeline: &Pipeline,
    direction: Direction,
    budget: &(dyn Fn() -> Budget + Sync),
    mut write: impl FnMut(ExecutionPart, Vec<u8>) -> Result<()>,
) -> Result<()> {
    use rayon::prelude::*;
    super::executions::read_batches(reader, top, super::executions::WIRE_BATCH, None, |batch| {
        let done: Vec<Result<Vec<u8>>> = batch
            .par_iter()
            .map(|(part, bytes)| {
                let location = super::executions::execution_location(top, *part, bytes);
                execution(
                    bytes,
                    part.message(),
                    &location,
                    pipeline,
                    direction,
                    &budget(),
                )
            })
            .collect();
        let parts: Vec<ExecutionPart> = batch.iter().map(|(part, _)| *part).collect();
        batch.clear();
        for (part, bytes) in parts.into_iter().zip(done) {
            write(part, bytes?)?;
        }
        Ok(())
    })
}

/// One execution of `message` (`WorkflowExecution`, `ActivityExecution`) transformed.
fn execution(
    bytes: &[u8],
    message: &str,
    location: &Location,
    pipeline: &Pipeline,
    direction: Direction,
    budget: &Budget,
) -> Result<Vec<u8>> {
    let bad = |at: Location, why: String| Error::Parse {
        location: at,
        message: format!("not a binary {message} ({why})"),
    };
    let sites = super::wire::sites(bytes, message, location).map_err(|(at, why)| bad(at, why))?;
    let filter = SiteFilter::for_direction(direction);
    let touched: Vec<&super::wire::WireSite<'_>> =
        sites.iter().filter(|s| filter.includes(s.kind)).collect();
    let results = run_sites(
        &touched,
        |site| {
            crate::payload::Payload::decode(site.bytes).map_err(|e| Error::Parse {
                location: site.location.clone(),
                message: format!("not a binary Payload ({e})"),
            })
        },
        |site| site.location.clone(),
        pipeline,
        direction,
        budget,
    )?;
    if results.iter().all(Option::is_none) {
        return Ok(bytes.to_vec());
    }
    // Per site in wire order: the new bytes of a changed one.
    let mut changed = results.into_iter();
    let mut replacements: Vec<Option<Vec<u8>>> = Vec::with_capacity(sites.len());
    for site in &sites {
        let new = if filter.includes(site.kind) {
            changed.next().flatten()
        } else {
            None
        };
        replacements.push(new.map(|p| {
            let mut out = Vec::with_capacity(p.encoded_len());
            crate::payload::write_proto(&p, &mut out);
            out
        }));
    }
    let mut next = replacements.into_iter();
    let mut asked = 0usize;
    let out = super::wire::rewrite(bytes, message, &mut || {
        asked += 1;
        next.next().flatten()
    })
    .map_err(|why| bad(location.clone(), why))?;
    // The two walks visit the same sites in the same order; anything else is refused.
    if asked != sites.len() {
        return Err(bad(
            location.clone(),
            format!("{asked} payload sites rewritten, {} found", sites.len()),
        ));
    }
    Ok(out)
}
