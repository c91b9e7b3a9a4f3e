//! The one trait a pipeline knows: a stage runs a batch of payloads one way. The local
//! codec chain, a remote codec server and External Storage are stages.

use std::sync::Arc;

use crate::codec::remote::RemoteCodec;
use crate::codec::{Budget, Codec, CodecError, Direction};
use crate::payload::Payload;
use crate::storage::Storage;

/// Lists with fewer payloads and fewer bytes than these run on the calling thread:
/// handing work to other cores costs more than it saves.
const PARALLEL_MIN_PAYLOADS: usize = 64;
const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// One step of a pipeline: a batch of payloads in, one result per payload out, in order.
/// Local codecs, a remote codec server and External Storage are all stages.
pub trait Stage: Send + Sync {
    /// A short name for messages.
    fn name(&self) -> &str;
    /// Runs `batch` in `direction`. A failed payload does not stop the others.
    fn run(
        &self,
        direction: Direction,
        batch: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>>;
}

/// A chain of local codecs as one stage: encode last to first, decode first to last
/// (Go order); large batches are spread across cores.
pub struct Codecs(pub(super) Arc<[Box<dyn Codec>]>);

impl Codecs {
    /// Whether decoding `payload` changes it: when any codec owns its encoding (the chain
    /// decodes only what a codec owns, so nothing acts if none owns the original).
    pub(super) fn decodes(&self, payload: &Payload) -> bool {
        self.0
            .iter()
            .any(|c| crate::codec::has_encoding(payload, c.encoding()))
    }

    /// Runs one payload through the chain.
    pub(super) fn one(
        &self,
        direction: Direction,
        payload: Payload,
        budget: &Budget,
    ) -> Result<Payload, CodecError> {
        match direction {
            Direction::Encode => self.0.iter().rev().try_fold(payload, |p, c| c.encode(p)),
            Direction::Decode => self
                .0
                .iter()
                .try_fold(payload, |p, c| c.decode_within(p, budget)),
            Direction::Rekey => {
                if owned_by(&self.0, &payload) {
                    let plain = self.one(Direction::Decode, payload, budget)?;
                    self.one(Direction::Encode, plain, budget)
                } else {
                    Ok(payload)
                }
            }
        }
    }
}

impl Stage for Codecs {
    fn name(&self) -> &str {
        "codecs"
    }

    fn run(
        &self,
        direction: Direction,
        batch: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        let large = !is_small(&batch);
        crate::parallel::map(batch, large, |p| self.one(direction, p, budget))
    }
}

impl Stage for RemoteCodec {
    fn name(&self) -> &str {
        "remote codec"
    }

    fn run(
        &self,
        direction: Direction,
        batch: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        if direction == Direction::Rekey {
            let refused = CodecError::Remote {
                message: "rekey runs local codecs only; drop --codec-endpoint".into(),
            };
            return batch.iter().map(|_| Err(refused.clone())).collect();
        }
        self.run_each(direction, batch, budget)
    }
}

impl Stage for Storage {
    fn name(&self) -> &str {
        "external storage"
    }

    fn run(
        &self,
        direction: Direction,
        batch: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        match direction {
            Direction::Decode if !budget.keeps_refs() => self.resolve(batch, budget),
            Direction::Encode if budget.offloads() => self.offload(batch),
            _ => batch.into_iter().map(Ok).collect(),
        }
    }
}

/// Whether the outermost of `codecs` owns `payload`'s encoding.
pub(super) fn owned_by(codecs: &[Box<dyn Codec>], payload: &Payload) -> bool {
    codecs
        .first()
        .is_some_and(|c| crate::codec::has_encoding(payload, c.encoding()))
}

/// Lists too small to be worth spreading across cores.
pub(super) fn is_small(payloads: &[Payload]) -> bool {
    payloads.len() < 2
        || (payloads.len() < PARALLEL_MIN_PAYLOADS
            && payloads.iter().map(|p| p.data.len()).sum::<usize>() < PARALLEL_MIN_BYTES)
}
