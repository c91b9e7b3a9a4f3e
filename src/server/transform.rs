//! The codec work of one request without HTTP: read the body (fast readers first, the
//! general reader last), run the pipeline within the request's budget and time, render the
//! answer within its cap. Errors are 4xx/5xx with one short line. Also the fuzz target's
//! and the transform bench's entry.

use std::time::Instant;

use axum::http::StatusCode;

use super::log::log;
use super::state::RequestLimits;
use crate::codec::{Budget, CodecError, Direction};
use crate::payload::{self, Payload};

/// What one request asks beyond its direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask {
    /// `?preserveStorageRefs=true`: references come back unchanged.
    pub keep_refs: bool,
    /// `/download`: every payload must be a reference; each is resolved and decoded.
    pub download: bool,
    /// When the request must be answered: storage fetches stop then.
    pub deadline: Option<Instant>,
    /// Record the key ids of the encrypted payloads (only metrics and the audit log read
    /// them: a string per payload otherwise costs for nothing).
    pub key_ids: bool,
}

/// What [`transform_until`] learned about a request, for [`Logged`].
#[derive(Debug, Default)]
pub struct Report {
    /// Payloads in the request.
    pub payloads_in: usize,
    /// Key ids of its encrypted payloads, one per payload, sorted.
    pub key_ids: Vec<String>,
    /// The codec error kind, when the codec failed.
    pub error: Option<usize>,
}

/// Parses a request body, runs the pipeline, renders the answer: the codec endpoint's
/// work without HTTP (also the fuzz target's entry). Errors are 4xx with a short reason.
pub fn transform(
    pipeline: &crate::pipeline::Pipeline,
    direction: Direction,
    body: &[u8],
    limits: &RequestLimits,
) -> Result<(usize, Vec<u8>), (StatusCode, String)> {
    transform_until(
        pipeline,
        direction,
        body,
        limits,
        Ask::default(),
        &|| false,
        &mut Report::default(),
    )
}

/// [`transform`], giving up between payloads once `expired` says so (answered 503).
pub fn transform_until(
    pipeline: &crate::pipeline::Pipeline,
    direction: Direction,
    body: &[u8],
    limits: &RequestLimits,
    ask: Ask,
    expired: &dyn Fn() -> bool,
    report: &mut Report,
) -> Result<(usize, Vec<u8>), (StatusCode, String)> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let too_large = |why: String| (StatusCode::PAYLOAD_TOO_LARGE, why);
    let max_values = limits.max_payloads.saturating_mul(STRUCTURE_PER_PAYLOAD) + 64;
    // The plain reader holds at most the payloads and entries allowed (it gives up past
    // them); the other readers are bounded before they parse.
    let plain = crate::document::plain_body::payloads_within(body, limits.max_payloads, max_values);
    let payloads = match plain {
        Some(payloads) => payloads,
        None => {
            // Every payload is a JSON object, every JSON value but the first follows a `,`
            // or opens a container. memchr's vectorized search: a byte-at-a-time count
            // cost ~10% of the server's CPU.
            let structure = memchr::memchr3_iter(b'{', b'[', b',', body).count();
            if structure > max_values {
                return Err(too_large(format!(
                    "the body holds too many JSON values for at most {} payloads (--max-payloads)",
                    limits.max_payloads
                )));
            }
            match crate::document::payload_body::typed_payloads(body) {
                Some(payloads) => payloads,
                None => crate::document::read_body(body).map_err(bad)?,
            }
        }
    };
    if payloads.len() > limits.max_payloads {
        return Err(too_large(format!(
            "{} payloads, over the limit of {} per request (--max-payloads)",
            payloads.len(),
            limits.max_payloads
        )));
    }
    report.payloads_in = payloads.len();
    // The key ids the payloads claim, by index: recorded only for payloads a configured
    // key actually decrypted, once the whole request has succeeded (never what a caller
    // merely wrote into metadata).
    let claimed: Vec<(usize, Vec<u8>)> = if direction == Direction::Decode && ask.key_ids {
        payloads
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                crate::codec::has_encoding(p, crate::codec::aes_gcm::ENCODING_ENCRYPTED)
            })
            .filter_map(|(i, p)| {
                payload::meta(p, payload::ENCRYPTION_KEY_ID).map(|id| (i, id.to_vec()))
            })
            .collect()
    } else {
        Vec::new()
    };
    if ask.download {
        if let Some(index) = payloads.iter().position(|p| {
            !crate::storage::reference::is_reference(p) && !crate::storage::reference::is_marked(p)
        }) {
            return Err(bad(format!(
                "payloads[{index}]: not an external storage reference (/download resolves references only)"
            )));
        }
    }
    let mut budget = Budget::new(limits.max_decoded)
        .keeping_refs(ask.keep_refs)
        .offloading(limits.offload_on_encode);
    if let Some(deadline) = ask.deadline {
        budget = budget.until(deadline);
    }
    let payloads: Vec<Payload> = pipeline
        .run_sequential_until(direction, payloads, &budget, expired)
        .inspect_err(|e| report.error = Some(super::metrics::error_kind(&e.source)))
        .map_err(|e| match e.source {
            CodecError::DeadlineExceeded => (
                StatusCode::SERVICE_UNAVAILABLE,
                "request time limit reached (--request-timeout)".to_string(),
            ),
            CodecError::BudgetExceeded { .. } => too_large(format!(
                "payloads[{}]: {} (--max-decoded-size)",
                e.index, e.source
            )),
            // The store's own text names internal endpoints, buckets and paths: the client
            // gets a stable kind and the payload index, the server log the details.
            CodecError::StorageUnavailable { .. } => {
                log(format_args!(
                    "tcodec serve: payloads[{}]: {}",
                    e.index,
                    e.source.to_string().escape_debug()
                ));
                (
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "payloads[{}]: external storage unavailable (details in the server log)",
                        e.index
                    ),
                )
            }
            // A KMS or a remote codec server out of reach: an upstream failed (502). Its
            // text names internal hosts and the provider's words: to the log only.
            CodecError::Remote { .. } | CodecError::Kms { .. } => {
                log(format_args!(
                    "tcodec serve: payloads[{}]: {}",
                    e.index,
                    e.source.to_string().escape_debug()
                ));
                (
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "payloads[{}]: a codec service (KMS or remote codec server) is unavailable (details in the server log)",
                        e.index
                    ),
                )
            }
            source => bad(format!("payloads[{}]: {source}", e.index)),
        })?;
    report.key_ids = keys_that_acted(&claimed, &payloads);
    let count = payloads.len();
    let cap = usize::try_from(limits.max_decoded).unwrap_or(usize::MAX);
    let answer = render(&payloads, cap).ok_or_else(|| {
        too_large(format!(
            "the answer would be over the limit of {} bytes (--max-decoded-size)",
            limits.max_decoded
        ))
    })?;
    Ok((count, answer))
}

/// The key id of every payload a key decrypted (sorted; one entry per payload, for the
/// metrics' per-key counts): those whose payload at the same index is no longer encrypted
/// under that id in `decoded`. A key the keyring does not hold cannot decrypt, so only
/// configured keys are named, and so the distinct ids are few.
fn keys_that_acted(claimed: &[(usize, Vec<u8>)], decoded: &[Payload]) -> Vec<String> {
    let mut ids: Vec<String> = claimed
        .iter()
        .filter(|(i, id)| {
            decoded.get(*i).is_some_and(|p| {
                !crate::codec::has_encoding(p, crate::codec::aes_gcm::ENCODING_ENCRYPTED)
                    || payload::meta(p, payload::ENCRYPTION_KEY_ID) != Some(id.as_slice())
            })
        })
        .map(|(_, id)| String::from_utf8_lossy(id).into_owned())
        .collect();
    ids.sort();
    ids
}

/// JSON values a plain payload needs at most: itself, `metadata`, its entries, `data`,
/// `externalPayloads` and a few of those.
const STRUCTURE_PER_PAYLOAD: usize = 32;

/// `{"payloads":[...]}`, compact; `None` once it passes `cap` bytes (checked after each
/// payload, so it never holds more than `cap` plus one payload).
fn render(payloads: &[Payload], cap: usize) -> Option<Vec<u8>> {
    let estimate = 16
        + payloads
            .iter()
            .map(|p| p.data.len() * 4 / 3 + 96)
            .sum::<usize>();
    let mut out = Vec::with_capacity(estimate.min(cap));
    out.extend_from_slice(b"{\"payloads\":[");
    for (i, p) in payloads.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        payload::write_payload_json(p, &mut out);
        if out.len() > cap {
            return None;
        }
    }
    out.extend_from_slice(b"]}");
    (out.len() <= cap).then_some(out)
}
