//! A namespace's codec pipeline, ordered exactly like Go's `CodecDataConverter`.
//!
//! sdk-go `converter/codec.go` (`encodePayloads` / `decodePayloads`): codecs listed
//! `[a, b]` encode **last to first** (b, then a: earlier codecs wrap later ones) and decode
//! **first to last** (a, then b). So a Go `NewCodecDataConverter(dc, encryption, zlib)`
//! ports to `codecs = [aes-256-gcm, zlib]` as written. Payloads of a list are independent,
//! so large lists are spread across cores.

use std::sync::Arc;

use crate::codec::remote::RemoteCodec;
use crate::codec::{Budget, Codec, CodecError, Direction};
use crate::payload::{self, Payload};
use crate::storage::{self, Storage};

mod stage;
mod stats;

use stage::{is_small, owned_by};
pub use stage::{Codecs, Stage};
pub use stats::{Stats, CODEC_ENCODINGS};

/// An ordered chain of codecs for one namespace.
pub struct Pipeline {
    namespace: String,
    /// The codecs before storage (the namespace's `codecs`), in configuration order.
    codecs: Arc<[Box<dyn Codec>]>,
    /// The same codecs as a stage.
    local: Codecs,
    /// Codecs after storage (`post_storage_codecs`): they also see references.
    post: Option<Codecs>,
    /// External Storage: encode offloads after the codecs, decode resolves before them.
    storage: Option<Storage>,
    /// A remote codec server, last in the list: decoded after the local codecs, encoded
    /// before them (Go order), always over whole batches.
    remote: Option<RemoteCodec>,
    /// Encode leaves payloads that already carry the outer encoding as they are.
    skip_encoded: bool,
    /// What runs did, for the command line's summary lines.
    stats: Stats,
}

/// A failure with the index of the payload it happened on.
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
        let codecs: Arc<[Box<dyn Codec>]> = codecs.into();
        Pipeline {
            namespace: namespace.into(),
            local: Codecs(codecs.clone()),
            codecs,
            post: None,
            storage: None,
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

    /// Adds External Storage after the codecs (encode: codecs, then offload), and
    /// `post` codecs after storage (they see references too).
    pub fn with_storage(mut self, storage: Storage, post: Vec<Box<dyn Codec>>) -> Self {
        self.storage = Some(storage);
        if !post.is_empty() {
            self.post = Some(Codecs(post.into()));
        }
        self
    }

    /// The storage stage, if configured.
    pub fn storage(&self) -> Option<&Storage> {
        self.storage.as_ref()
    }

    /// Whether a remote or storage stage is configured: callers then hand over whole
    /// documents as one batch, so objects and remote calls are batched too.
    pub fn batches(&self) -> bool {
        self.remote.is_some() || self.storage.is_some() || self.post.is_some()
    }

    /// Whether a remote stage is configured.
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

    /// Whether the outermost codec's encoding is the payload's: what `rekey` re-encodes.
    pub fn owns(&self, payload: &Payload) -> bool {
        owned_by(&self.codecs, payload)
    }

    /// The stages in decode order: post-storage codecs, storage, codecs, remote server.
    /// Encode runs them in reverse.
    fn stages(&self) -> Vec<&dyn Stage> {
        let mut stages: Vec<&dyn Stage> = Vec::with_capacity(4);
        if let Some(post) = &self.post {
            stages.push(post);
        }
        if let Some(storage) = &self.storage {
            stages.push(storage);
        }
        stages.push(&self.local);
        if let Some(remote) = &self.remote {
            stages.push(remote);
        }
        stages
    }

    /// Whether encode leaves `payload` as it is: it already carries the outer encoding
    /// (unless forced), or it is a storage reference.
    fn leaves(&self, payload: &Payload) -> bool {
        (self.skip_encoded && self.owns(payload))
            || storage::reference::is_reference(payload)
            || storage::reference::is_marked(payload)
    }

    /// Whether a payload goes through the stages at all (counted either way): encode leaves
    /// what [`Pipeline::leaves`] names, rekey what the outermost codec does not own.
    fn first_step(&self, direction: Direction, payload: Payload) -> Step {
        match direction {
            Direction::Encode if self.leaves(&payload) => {
                self.stats.skipped.add(1);
                Step::Done(Ok(payload))
            }
            Direction::Rekey if !self.owns(&payload) => Step::Done(Ok(payload)),
            _ => {
                self.stats.processed.add(1);
                Step::Forward(payload)
            }
        }
    }

    /// One payload through the local codecs only (no other stage configured): the fast
    /// path of [`Pipeline::apply`] and the server.
    fn local(
        &self,
        direction: Direction,
        payload: Payload,
        budget: &Budget,
    ) -> Result<Payload, CodecError> {
        if direction == Direction::Decode {
            return self.local_decoding(payload, budget).map(|(out, _)| out);
        }
        match self.first_step(direction, payload) {
            Step::Done(done) => done,
            Step::Forward(payload) => self.local.one(direction, payload, budget),
        }
    }

    /// [`Pipeline::local`] decoding, and whether a codec decoded the payload.
    fn local_decoding(
        &self,
        payload: Payload,
        budget: &Budget,
    ) -> Result<(Payload, bool), CodecError> {
        let payload = match self.first_step(Direction::Decode, payload) {
            Step::Done(done) => return done.map(|p| (p, false)),
            Step::Forward(payload) => payload,
        };
        let decoded = self.local.decodes(&payload);
        let out = self.local.one(Direction::Decode, payload, budget)?;
        self.stats.record_left(&out);
        if decoded {
            self.stats.changed.add(1);
        }
        Ok((out, decoded))
    }

    /// Runs a list through every stage, one result per payload (a failed payload goes no
    /// further; a failed remote batch fails each of its payloads).
    pub fn run_each(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        if direction == Direction::Rekey
            && self.storage.is_some()
            && payloads.iter().any(storage::reference::is_reference)
        {
            return self.rekey_with_references(payloads, budget);
        }
        if !self.batches() {
            let large = !is_small(&payloads);
            return crate::parallel::map(payloads, large, |p| self.local(direction, p, budget));
        }
        // Decoding counts what a stage changed (the summary says "N decoded" truthfully):
        // the encodings as they came, to compare.
        let before: Vec<Option<Vec<u8>>> = if direction == Direction::Decode {
            payloads
                .iter()
                .map(|p| payload::encoding(p).map(<[u8]>::to_vec))
                .collect()
        } else {
            Vec::new()
        };
        let steps: Vec<Step> = payloads
            .into_iter()
            .map(|p| self.first_step(direction, p))
            .collect();
        let results = forward_some(steps, |batch| self.run_stages(direction, batch, budget));
        if direction == Direction::Decode {
            for (p, was) in results.iter().zip(&before) {
                if let Ok(p) = p {
                    self.stats.record_left(p);
                    if payload::encoding(p) != was.as_deref() {
                        self.stats.changed.add(1);
                    }
                }
            }
        }
        results
    }

    /// Rekey when some payloads are storage references: each referenced object that the
    /// outermost codec owns is fetched, re-encoded with the active key and stored as a new
    /// object under a new reference (old objects are never deleted); the other payloads
    /// are rekeyed in place.
    fn rekey_with_references(
        &self,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        let Some(storage) = &self.storage else {
            return payloads.into_iter().map(Ok).collect();
        };
        type Indexed = Vec<(usize, Payload)>;
        let (refs, rest): (Indexed, Indexed) = payloads
            .into_iter()
            .enumerate()
            .partition(|(_, p)| storage::reference::is_reference(p));
        let (rest_at, rest): (Vec<usize>, Vec<Payload>) = rest.into_iter().unzip();
        let (refs_at, refs): (Vec<usize>, Vec<Payload>) = refs.into_iter().unzip();
        let mut out: Vec<Option<Result<Payload, CodecError>>> =
            (0..rest_at.len() + refs_at.len()).map(|_| None).collect();
        for (at, r) in rest_at
            .into_iter()
            .zip(self.run_each(Direction::Rekey, rest, budget))
        {
            out[at] = Some(r);
        }
        let steps: Vec<Step> = refs
            .iter()
            .cloned()
            .zip(storage.resolve(refs.clone(), budget))
            .map(|(reference, object)| match object {
                Ok(object) if self.owns(&object) => {
                    self.stats.processed.add(1);
                    Step::Forward(object)
                }
                Ok(_) => Step::Done(Ok(reference)),
                Err(e) => Step::Done(Err(e)),
            })
            .collect();
        let rekeyed = forward_some(steps, |objects| {
            let fresh = self.local.run(Direction::Rekey, objects, budget);
            then(fresh, |list| storage.offload_all(list))
        });
        for (at, r) in refs_at.into_iter().zip(rekeyed) {
            out[at] = Some(r);
        }
        out.into_iter()
            .map(|r| r.unwrap_or_else(no_answer))
            .collect()
    }

    /// Every stage in order over `batch`; failures stay in place.
    fn run_stages(
        &self,
        direction: Direction,
        batch: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        let mut stages = self.stages();
        if direction != Direction::Decode {
            stages.reverse();
        }
        let mut results: Vec<Result<Payload, CodecError>> = batch.into_iter().map(Ok).collect();
        for (at, stage) in stages.iter().enumerate() {
            if direction == Direction::Decode && self.storage.is_some() && at + 1 < stages.len() {
                let is_storage = self.post.is_some() as usize == at;
                if is_storage {
                    results = self.unmark(results, &stages[at + 1..], budget);
                }
            }
            results = then(results, |batch| stage.run(direction, batch, budget));
        }
        results
    }

    /// Codec-encoded references (marked `__temporal_external_storage_reference`): decoded
    /// by the codecs after storage first, then they must be plain references (the Python
    /// SDK's `_decode_reference_payload_sequence`).
    fn unmark(
        &self,
        results: Vec<Result<Payload, CodecError>>,
        codecs: &[&dyn Stage],
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        if !results
            .iter()
            .any(|r| r.as_ref().is_ok_and(storage::reference::is_marked))
        {
            return results;
        }
        let mut sizes = Vec::new();
        let steps = results
            .into_iter()
            .map(|r| match r {
                Ok(mut p) if storage::reference::is_marked(&p) => {
                    p.metadata.remove(storage::reference::MARKER);
                    sizes.push(std::mem::take(&mut p.external_payloads));
                    Step::Forward(p)
                }
                other => Step::Done(other),
            })
            .collect();
        forward_some(steps, |batch| {
            let mut batch: Vec<Result<Payload, CodecError>> = batch.into_iter().map(Ok).collect();
            for stage in codecs {
                batch = then(batch, |b| stage.run(Direction::Decode, b, budget));
            }
            batch
                .into_iter()
                .zip(sizes)
                .map(|(r, sizes)| {
                    let mut p = r?;
                    if !storage::reference::is_reference(&p) {
                        return Err(CodecError::StorageObject {
                            message: "a codec-encoded storage reference did not decode to a reference: check that the codec that wrote it is configured".into(),
                        });
                    }
                    if p.external_payloads.is_empty() {
                        p.external_payloads = sizes;
                    }
                    Ok(p)
                })
                .collect()
        })
    }

    /// Runs one payload in `direction`.
    pub fn apply(
        &self,
        direction: Direction,
        payload: Payload,
        budget: &Budget,
    ) -> Result<Payload, CodecError> {
        if self.batches() {
            return one(self.run_each(direction, vec![payload], budget));
        }
        self.local(direction, payload, budget)
    }

    /// [`Pipeline::apply`] for a document walker that keeps unchanged payloads' text:
    /// `None` when the payload came back as it was. Decoding with local codecs only knows
    /// that before running (a codec decodes exactly what it owns), so the payload is not
    /// copied to compare: a copy and a compare per payload cost ~5% of a big history's
    /// decode. Encode and rekey compare: compression hands back payloads it cannot
    /// shrink, and rekeying a compressed payload can give the same bytes.
    pub fn apply_changed(
        &self,
        direction: Direction,
        payload: Payload,
        budget: &Budget,
    ) -> Result<Option<Payload>, CodecError> {
        if self.batches() || direction != Direction::Decode {
            let old = payload.clone();
            let new = self.apply(direction, payload, budget)?;
            return Ok((new != old).then_some(new));
        }
        let (new, decoded) = self.local_decoding(payload, budget)?;
        Ok(decoded.then_some(new))
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
        if self.batches() {
            if expired() {
                return Err(PipelineError {
                    index: 0,
                    source: CodecError::DeadlineExceeded,
                });
            }
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
        self.run_each(direction, payloads, budget)
            .into_iter()
            .enumerate()
            .map(|(index, r)| r.map_err(|source| PipelineError { index, source }))
            .collect()
    }
}

/// One payload's state between two stages: finished, or going on to the next stage.
enum Step {
    Done(Result<Payload, CodecError>),
    Forward(Payload),
}

/// The next stage after `results`: successes go on to `stage`, failures stay in place.
fn then(
    results: Vec<Result<Payload, CodecError>>,
    stage: impl FnOnce(Vec<Payload>) -> Vec<Result<Payload, CodecError>>,
) -> Vec<Result<Payload, CodecError>> {
    let steps = results
        .into_iter()
        .map(|r| match r {
            Ok(p) => Step::Forward(p),
            Err(e) => Step::Done(Err(e)),
        })
        .collect();
    forward_some(steps, stage)
}

/// Runs `stage` on the payloads going on, as one list, and puts each result back in its
/// place: count and order kept.
fn forward_some(
    steps: Vec<Step>,
    stage: impl FnOnce(Vec<Payload>) -> Vec<Result<Payload, CodecError>>,
) -> Vec<Result<Payload, CodecError>> {
    if steps.iter().all(|s| matches!(s, Step::Forward(_))) {
        let all: Vec<Payload> = steps
            .into_iter()
            .filter_map(|s| match s {
                Step::Forward(p) => Some(p),
                Step::Done(_) => None,
            })
            .collect();
        let n = all.len();
        let mut out = stage(all);
        out.resize_with(n, no_answer);
        return out;
    }
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
    if !forward.is_empty() {
        for (slot, r) in slots.into_iter().zip(stage(forward)) {
            out[slot] = Some(r);
        }
    }
    out.into_iter()
        .map(|r| r.unwrap_or_else(no_answer))
        .collect()
}

fn no_answer() -> Result<Payload, CodecError> {
    Err(CodecError::Remote {
        message: "no answer for a payload".into(),
    })
}

/// The only result of a one-payload run.
fn one(mut results: Vec<Result<Payload, CodecError>>) -> Result<Payload, CodecError> {
    results.pop().unwrap_or_else(no_answer)
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

    /// A file-driver storage config in a fresh directory (kept alive by the caller), bucket
    /// `bkt`, offloading every payload.
    fn file_storage() -> (tempfile::TempDir, crate::storage::StorageConfig) {
        let dir = tempfile::tempdir().unwrap();
        let mut config: crate::storage::StorageConfig = toml::from_str(&format!(
            "driver = \"file\"\npath = \"{}\"\nbucket = \"bkt\"\nthreshold = 1",
            dir.path().display()
        ))
        .unwrap();
        config.validate(dir.path()).unwrap();
        (dir, config)
    }

    #[test]
    fn codec_encoded_references_are_decoded_then_resolved() {
        use crate::storage::{reference, Storage};
        let (_dir, config) = file_storage();
        let zlib = || -> Box<dyn Codec> {
            Box::new(CompressCodec::new(Algorithm::Zlib).always_encode(true))
        };
        let pipe = Pipeline::new("ns", vec![zlib()])
            .with_storage(Storage::new("ns", &config).unwrap(), Vec::new());
        let plain = payload::with_encoding("json/plain", b"\"hello\"".to_vec());
        let b = Budget::unlimited();
        // Encode: zlib, then stored; the reference is plain.
        let stored = pipe
            .run(Direction::Encode, vec![plain.clone()], &b)
            .unwrap();
        assert!(reference::is_reference(&stored[0]));
        // A later SDK encodes the reference with the codec and marks it.
        let mut marked = zlib().encode(stored[0].clone()).unwrap();
        marked
            .metadata
            .insert(reference::MARKER.into(), b"true".to_vec());
        marked.external_payloads = stored[0].external_payloads.clone();
        let decoded = pipe
            .run(Direction::Decode, vec![marked.clone()], &b)
            .unwrap();
        assert_eq!(decoded, vec![plain]);
        // Kept references come back decoded from the codec, as plain references.
        let kept = pipe
            .run(
                Direction::Decode,
                vec![marked],
                &Budget::unlimited().keeping_refs(true),
            )
            .unwrap();
        assert_eq!(kept, stored);
        // A marked payload that is no reference after decoding is refused.
        let mut fake = zlib()
            .encode(payload::with_encoding("json/plain", b"1".to_vec()))
            .unwrap();
        fake.metadata
            .insert(reference::MARKER.into(), b"true".to_vec());
        let e = pipe.run(Direction::Decode, vec![fake], &b).unwrap_err();
        assert!(e
            .source
            .to_string()
            .contains("did not decode to a reference"));
    }

    #[test]
    fn apply_changed_is_none_exactly_when_the_payload_came_back_as_it_was() {
        let zlib = || -> Box<dyn Codec> {
            Box::new(CompressCodec::new(Algorithm::Zlib).always_encode(true))
        };
        let pipe = Pipeline::new("ns", vec![zlib()]).skip_already_encoded(true);
        let b = Budget::unlimited();
        let plain = payload::with_encoding("json/plain", b"\"hello\"".to_vec());
        let zipped = zlib().encode(plain.clone()).unwrap();
        let changed = |d, p: &Payload| pipe.apply_changed(d, p.clone(), &b).unwrap();
        // Decode: only what a codec owns changes.
        assert_eq!(changed(Direction::Decode, &plain), None);
        assert_eq!(changed(Direction::Decode, &zipped), Some(plain.clone()));
        // Encode: everything but what the pipeline leaves (already encoded).
        assert_eq!(changed(Direction::Encode, &plain), Some(zipped.clone()));
        assert_eq!(changed(Direction::Encode, &zipped), None);
        let twice = Pipeline::new("ns", vec![zlib()]);
        assert!(twice
            .apply_changed(Direction::Encode, zipped.clone(), &b)
            .unwrap()
            .is_some());
        // Rekey: only what the outermost codec owns, and only if the bytes differ (zlib
        // gives the same bytes again).
        assert_eq!(changed(Direction::Rekey, &plain), None);
        assert_eq!(changed(Direction::Rekey, &zipped), None);
        // Compression that does not pay off hands the payload back: unchanged.
        let lazy = Pipeline::new("ns", vec![Box::new(CompressCodec::new(Algorithm::Zlib))]);
        let tiny = payload::with_encoding("json/plain", b"1".to_vec());
        assert_eq!(
            lazy.apply_changed(Direction::Encode, tiny.clone(), &b)
                .unwrap(),
            None
        );
        // An empty chain changes nothing either way.
        let empty = Pipeline::new("ns", Vec::new());
        for d in [Direction::Encode, Direction::Decode, Direction::Rekey] {
            assert_eq!(empty.apply_changed(d, zipped.clone(), &b).unwrap(), None);
        }
    }

    #[test]
    fn apply_changed_with_a_storage_stage_compares_what_came_back() {
        use crate::storage::Storage;
        let (_dir, config) = file_storage();
        let pipe = Pipeline::new("ns", Vec::new())
            .with_storage(Storage::new("ns", &config).unwrap(), Vec::new());
        let b = Budget::unlimited();
        let plain = payload::with_encoding("json/plain", b"\"hello\"".to_vec());
        let stored = pipe
            .apply_changed(Direction::Encode, plain.clone(), &b)
            .unwrap()
            .expect("offloaded");
        assert_eq!(
            pipe.apply_changed(Direction::Decode, plain.clone(), &b)
                .unwrap(),
            None
        );
        assert_eq!(
            pipe.apply_changed(Direction::Decode, stored, &b).unwrap(),
            Some(plain)
        );
    }

    #[test]
    fn only_decoding_counts_what_stays_encoded() {
        let pipe = Pipeline::new(
            "ns",
            vec![Box::new(
                CompressCodec::new(Algorithm::Zlib).always_encode(true),
            )],
        );
        let b = Budget::unlimited();
        let foreign = payload::with_encoding("binary/encrypted", vec![1, 2, 3]);
        pipe.apply(Direction::Decode, foreign, &b).unwrap();
        assert_eq!(pipe.stats().still_encoded(), 1);
        let plain = payload::with_encoding("json/plain", b"1".to_vec());
        pipe.apply(Direction::Encode, plain, &b).unwrap();
        assert_eq!(
            pipe.stats().still_encoded(),
            1,
            "encode output is not counted"
        );
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
