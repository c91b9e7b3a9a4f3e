//! A namespace's codec pipeline, ordered exactly like Go's `CodecDataConverter`.
//!
//! sdk-go `converter/codec.go` (`encodePayloads` / `decodePayloads`): codecs listed
//! `[a, b]` encode **last to first** (b, then a: earlier codecs wrap later ones) and decode
//! **first to last** (a, then b). So a Go `NewCodecDataConverter(dc, encryption, zlib)`
//! ports to `codecs = [aes-256-gcm, zlib]` as written. Payloads of a list are independent,
//! so large lists are spread across cores.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::codec::remote::RemoteCodec;
use crate::codec::{Budget, Codec, CodecError, Direction};
use crate::payload::Payload;

/// Lists with fewer payloads and fewer bytes than these run on the calling thread:
/// handing work to other cores costs more than it saves.
const PARALLEL_MIN_PAYLOADS: usize = 64;
const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// An ordered chain of codecs for one namespace.
pub struct Pipeline {
    namespace: String,
    codecs: Vec<Box<dyn Codec>>,
    /// A remote codec server, last in the list: decoded after the local codecs, encoded
    /// before them (Go order), always over whole batches.
    remote: Option<RemoteCodec>,
    /// Encode leaves payloads that already carry the outer encoding as they are.
    skip_encoded: bool,
    /// What runs did, for the command line's summary lines.
    stats: Stats,
}

/// Encodings of the codecs tcodec knows: a payload still carrying one after a decode was
/// not decoded.
pub const CODEC_ENCODINGS: [&str; 6] = [
    "binary/encrypted",
    "binary/age",
    "binary/zlib",
    "binary/gzip",
    "binary/snappy",
    "binary/zstd",
];

/// Counts kept across runs of a pipeline.
#[derive(Debug, Default)]
pub struct Stats {
    processed: AtomicUsize,
    skipped: AtomicUsize,
    still_encoded: AtomicUsize,
    /// Encodings left after decoding, each with the key ids seen.
    left: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl Stats {
    /// Payloads run through the codecs.
    pub fn processed(&self) -> usize {
        self.processed.load(Ordering::Relaxed)
    }

    /// Payloads encode left alone because they already carried the outer encoding.
    pub fn skipped(&self) -> usize {
        self.skipped.load(Ordering::Relaxed)
    }

    /// Payloads that still carried a known codec's encoding after decoding.
    pub fn still_encoded(&self) -> usize {
        self.still_encoded.load(Ordering::Relaxed)
    }

    /// Those encodings, each with the key ids seen.
    pub fn left(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.left.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn record_left(&self, payload: &Payload) {
        let Some(encoding) = crate::payload::encoding(payload) else {
            return;
        };
        let encoding = String::from_utf8_lossy(encoding);
        if !CODEC_ENCODINGS.contains(&encoding.as_ref()) {
            return;
        }
        self.still_encoded.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut left) = self.left.lock() {
            let ids = left.entry(encoding.into_owned()).or_default();
            if let Some(id) = payload.metadata.get(crate::payload::ENCRYPTION_KEY_ID) {
                ids.insert(String::from_utf8_lossy(id).into_owned());
            }
        }
    }
}

/// A codec failure with the index of the payload it happened on.
#[derive(Debug)]
pub struct PipelineError {
    /// Index of the payload in the list given to [`Pipeline::run`].
    pub index: usize,
    /// The codec's reason.
    pub source: CodecError,
}

impl Pipeline {
    /// A pipeline for `namespace` over `codecs` in configuration (Go) order.
    pub fn new(namespace: impl Into<String>, codecs: Vec<Box<dyn Codec>>) -> Self {
        Pipeline {
            namespace: namespace.into(),
            codecs,
            remote: None,
            skip_encoded: false,
            stats: Stats::default(),
        }
    }

    /// Encode leaves payloads that already carry the outer codec's encoding as they are
    /// (counted in [`Stats::skipped`]): running encode twice does not encrypt twice.
    pub fn skip_already_encoded(mut self, yes: bool) -> Self {
        self.skip_encoded = yes;
        self
    }

    /// What the runs so far did.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Adds a remote codec server as the last stage.
    pub fn with_remote(mut self, remote: RemoteCodec) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Whether a remote stage is configured (callers then batch whole documents).
    pub fn has_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The encoding the outermost codec writes, if any codec.
    pub fn outer_encoding(&self) -> Option<&str> {
        self.codecs.first().map(|c| c.encoding())
    }

    /// Whether any codec can decode to more bytes than it reads (see [`Codec::expands`]).
    pub fn expands(&self) -> bool {
        self.codecs.iter().any(|c| c.expands())
    }

    /// The namespace this pipeline serves.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The codec names in configuration order.
    pub fn codec_names(&self) -> Vec<&str> {
        self.codecs.iter().map(|c| c.name()).collect()
    }

    /// Encodes one payload: codecs last to first.
    pub fn encode(&self, payload: Payload) -> Result<Payload, CodecError> {
        self.apply(Direction::Encode, payload, &Budget::unlimited())
    }

    /// Decodes one payload: codecs first to last.
    pub fn decode(&self, payload: Payload) -> Result<Payload, CodecError> {
        self.apply(Direction::Decode, payload, &Budget::unlimited())
    }

    fn local(
        &self,
        direction: Direction,
        payload: Payload,
        budget: &Budget,
    ) -> Result<Payload, CodecError> {
        match direction {
            Direction::Encode => {
                // With a remote stage, skipping was decided before it ran (run_each).
                if self.skip_encoded && self.remote.is_none() && self.owns(&payload) {
                    self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                    return Ok(payload);
                }
                self.stats.processed.fetch_add(1, Ordering::Relaxed);
                self.encode_chain(payload)
            }
            Direction::Decode => {
                self.stats.processed.fetch_add(1, Ordering::Relaxed);
                let decoded = self.decode_chain(payload, budget)?;
                // With a remote stage next, it may still decode what is left.
                if self.remote.is_none() {
                    self.stats.record_left(&decoded);
                }
                Ok(decoded)
            }
            Direction::Rekey => {
                if self.owns(&payload) {
                    self.stats.processed.fetch_add(1, Ordering::Relaxed);
                    let plain = self.decode_chain(payload, budget)?;
                    self.encode_chain(plain)
                } else {
                    Ok(payload)
                }
            }
        }
    }

    /// The local codecs' encode: last to first.
    fn encode_chain(&self, payload: Payload) -> Result<Payload, CodecError> {
        self.codecs
            .iter()
            .rev()
            .try_fold(payload, |p, codec| codec.encode(p))
    }

    /// The local codecs' decode: first to last.
    fn decode_chain(&self, payload: Payload, budget: &Budget) -> Result<Payload, CodecError> {
        self.codecs
            .iter()
            .try_fold(payload, |p, codec| codec.decode_within(p, budget))
    }

    /// Whether the outermost codec's encoding is the payload's: what `rekey` re-encodes.
    pub fn owns(&self, payload: &Payload) -> bool {
        self.codecs
            .first()
            .is_some_and(|c| crate::codec::has_encoding(payload, c.encoding()))
    }

    /// Runs a list, one result per payload (a failed remote batch fails each of its
    /// payloads). Local codecs run in parallel; the remote stage gets whole batches.
    pub fn run_each(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        if direction == Direction::Encode && self.skip_encoded && self.remote.is_some() {
            // Already encoded payloads skip every stage; the rest go through all of them
            // (the remote stage's output is not "already encoded" for the local codecs).
            let steps = payloads
                .into_iter()
                .map(|p| {
                    if self.owns(&p) {
                        self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                        Step::Done(Ok(p))
                    } else {
                        Step::Forward(p)
                    }
                })
                .collect();
            return forward_some(steps, |rest| self.run_stages(direction, rest, budget));
        }
        self.run_stages(direction, payloads, budget)
    }

    /// [`Pipeline::run_each`] without the skip of already encoded payloads.
    fn run_stages(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        let local = |list: Vec<Payload>| -> Vec<Result<Payload, CodecError>> {
            if is_small(&list) {
                list.into_iter()
                    .map(|p| self.local(direction, p, budget))
                    .collect()
            } else {
                list.into_par_iter()
                    .map(|p| self.local(direction, p, budget))
                    .collect()
            }
        };
        let Some(remote) = &self.remote else {
            return local(payloads);
        };
        let (first, then_remote) = match direction {
            Direction::Decode => (local(payloads), true),
            Direction::Encode => (remote.run_each(direction, payloads), false),
            Direction::Rekey => {
                let refused = CodecError::Remote {
                    message: "rekey runs local codecs only; drop --codec-endpoint".into(),
                };
                return payloads.iter().map(|_| Err(refused.clone())).collect();
            }
        };
        // Send the successes on to the other stage, keep failures in place.
        let steps = first
            .into_iter()
            .map(|r| match r {
                Ok(p) => Step::Forward(p),
                Err(e) => Step::Done(Err(e)),
            })
            .collect();
        forward_some(steps, |forward| {
            if then_remote {
                remote.run_each(direction, forward)
            } else {
                local(forward)
            }
        })
    }

    /// Runs one payload in `direction`.
    pub fn apply(
        &self,
        direction: Direction,
        payload: Payload,
        budget: &Budget,
    ) -> Result<Payload, CodecError> {
        if self.remote.is_some() {
            return one(self.run_each(direction, vec![payload], budget));
        }
        self.local(direction, payload, budget)
    }

    /// Runs a list on the calling thread only. The codec server uses this: its
    /// parallelism comes from concurrent requests, and spreading one request over all cores
    /// as well made tail latency under load ~20x worse (scripts/bench-serve).
    pub fn run_sequential(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Result<Vec<Payload>, PipelineError> {
        self.run_sequential_until(direction, payloads, budget, &|| false)
    }

    /// [`Pipeline::run_sequential`], checking `expired` between payloads: a request past
    /// its deadline stops spending CPU at the next payload.
    pub fn run_sequential_until(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
        expired: &dyn Fn() -> bool,
    ) -> Result<Vec<Payload>, PipelineError> {
        if self.remote.is_some() {
            return self.run(direction, payloads, budget);
        }
        payloads
            .into_iter()
            .enumerate()
            .map(|(index, p)| {
                if expired() {
                    return Err(PipelineError {
                        index,
                        source: CodecError::DeadlineExceeded,
                    });
                }
                self.local(direction, p, budget)
                    .map_err(|source| PipelineError { index, source })
            })
            .collect()
    }

    /// Runs a list of payloads, keeping count and order. Fails on the first bad payload
    /// (lowest index), as the SDKs fail the whole batch.
    pub fn run(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Result<Vec<Payload>, PipelineError> {
        if self.remote.is_some() {
            return self
                .run_each(direction, payloads, budget)
                .into_iter()
                .enumerate()
                .map(|(index, r)| r.map_err(|source| PipelineError { index, source }))
                .collect();
        }
        let step = |(index, p): (usize, Payload)| {
            self.local(direction, p, budget)
                .map_err(|source| PipelineError { index, source })
        };
        if is_small(&payloads) {
            payloads.into_iter().enumerate().map(step).collect()
        } else {
            let results: Vec<_> = payloads.into_par_iter().enumerate().map(step).collect();
            results.into_iter().collect()
        }
    }
}

/// One payload's state between two stages: finished, or going on to the next stage.
enum Step {
    Done(Result<Payload, CodecError>),
    Forward(Payload),
}

/// Runs `stage` on the payloads going on, as one list, and puts each result back in its
/// place: count and order kept.
fn forward_some(
    steps: Vec<Step>,
    stage: impl FnOnce(Vec<Payload>) -> Vec<Result<Payload, CodecError>>,
) -> Vec<Result<Payload, CodecError>> {
    let mut out: Vec<Option<Result<Payload, CodecError>>> = Vec::with_capacity(steps.len());
    let mut forward = Vec::new();
    let mut slots = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Done(r) => out.push(Some(r)),
            Step::Forward(p) => {
                forward.push(p);
                slots.push(i);
                out.push(None);
            }
        }
    }
    for (slot, r) in slots.into_iter().zip(stage(forward)) {
        out[slot] = Some(r);
    }
    out.into_iter()
        .map(|r| {
            r.unwrap_or(Err(CodecError::Remote {
                message: "no answer for a payload".into(),
            }))
        })
        .collect()
}

/// Lists too small to be worth spreading across cores.
fn is_small(payloads: &[Payload]) -> bool {
    payloads.len() < 2
        || (payloads.len() < PARALLEL_MIN_PAYLOADS
            && payloads.iter().map(|p| p.data.len()).sum::<usize>() < PARALLEL_MIN_BYTES)
}

/// The only result of a one-payload remote call.
fn one(mut results: Vec<Result<Payload, CodecError>>) -> Result<Payload, CodecError> {
    results.pop().unwrap_or(Err(CodecError::Remote {
        message: "no answer for a payload".into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Algorithm, CompressCodec};
    use crate::payload;

    /// A codec that tags payloads so the order of application is visible.
    struct Tag(&'static str);
    impl Codec for Tag {
        fn name(&self) -> &str {
            self.0
        }
        fn encoding(&self) -> &str {
            self.0
        }
        fn encode(&self, mut p: Payload) -> Result<Payload, CodecError> {
            p.data.extend_from_slice(self.0.as_bytes());
            Ok(p)
        }
        fn decode(&self, mut p: Payload) -> Result<Payload, CodecError> {
            assert!(
                p.data.ends_with(self.0.as_bytes()),
                "decode order wrong at {}",
                self.0
            );
            p.data.truncate(p.data.len() - self.0.len());
            Ok(p)
        }
    }

    #[test]
    fn go_order_earlier_codecs_wrap_later_ones() {
        let pipe = Pipeline::new("ns", vec![Box::new(Tag("a")), Box::new(Tag("b"))]);
        let enc = pipe.encode(Payload::default()).unwrap();
        assert_eq!(enc.data, b"ba", "encode runs last to first");
        assert_eq!(pipe.decode(enc).unwrap(), Payload::default());
    }

    #[test]
    fn run_keeps_order_and_reports_the_failing_index() {
        let pipe = Pipeline::new("ns", vec![Box::new(CompressCodec::new(Algorithm::Zlib))]);
        let list: Vec<Payload> = (0..200)
            .map(|i| payload::with_encoding("json/plain", format!("{i}").repeat(50).into_bytes()))
            .collect();
        let b = Budget::unlimited();
        let enc = pipe.run(Direction::Encode, list.clone(), &b).unwrap();
        assert_eq!(pipe.run(Direction::Decode, enc.clone(), &b).unwrap(), list);
        let mut broken = enc;
        broken[150].data = vec![1, 2, 3];
        broken[170].data = vec![1, 2, 3];
        assert_eq!(
            pipe.run(Direction::Decode, broken, &b).unwrap_err().index,
            150
        );
    }
}
