//! A namespace's codec pipeline, ordered exactly like Go's `CodecDataConverter`.
//!
//! sdk-go `converter/codec.go` (`encodePayloads` / `decodePayloads`): codecs listed
//! `[a, b]` encode **last to first** (b, then a: earlier codecs wrap later ones) and decode
//! **first to last** (a, then b). So a Go `NewCodecDataConverter(dc, encryption, zlib)`
//! ports to `codecs = [aes-256-gcm, zlib]` as written. Payloads of a list are independent,
//! so large lists are spread across cores.

use rayon::prelude::*;

use crate::codec::{Codec, CodecError, Direction};
use crate::payload::Payload;

/// Lists with fewer payloads and fewer bytes than these run on the calling thread:
/// handing work to other cores costs more than it saves.
const PARALLEL_MIN_PAYLOADS: usize = 64;
const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// An ordered chain of codecs for one namespace.
pub struct Pipeline {
    namespace: String,
    codecs: Vec<Box<dyn Codec>>,
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
        }
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
        self.codecs
            .iter()
            .rev()
            .try_fold(payload, |p, codec| codec.encode(p))
    }

    /// Decodes one payload: codecs first to last.
    pub fn decode(&self, payload: Payload) -> Result<Payload, CodecError> {
        self.codecs
            .iter()
            .try_fold(payload, |p, codec| codec.decode(p))
    }

    /// Runs one payload in `direction`.
    pub fn apply(&self, direction: Direction, payload: Payload) -> Result<Payload, CodecError> {
        match direction {
            Direction::Encode => self.encode(payload),
            Direction::Decode => self.decode(payload),
        }
    }

    /// Runs a list of payloads, keeping count and order. Fails on the first bad payload
    /// (lowest index), as the SDKs fail the whole batch.
    pub fn run(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
    ) -> Result<Vec<Payload>, PipelineError> {
        let step = |(index, p): (usize, Payload)| {
            self.apply(direction, p)
                .map_err(|source| PipelineError { index, source })
        };
        let small = payloads.len() < 2
            || (payloads.len() < PARALLEL_MIN_PAYLOADS
                && payloads.iter().map(|p| p.data.len()).sum::<usize>() < PARALLEL_MIN_BYTES);
        if small {
            payloads.into_iter().enumerate().map(step).collect()
        } else {
            let results: Vec<_> = payloads.into_par_iter().enumerate().map(step).collect();
            results.into_iter().collect()
        }
    }
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
        let enc = pipe.run(Direction::Encode, list.clone()).unwrap();
        assert_eq!(pipe.run(Direction::Decode, enc.clone()).unwrap(), list);
        let mut broken = enc;
        broken[150].data = vec![1, 2, 3];
        broken[170].data = vec![1, 2, 3];
        assert_eq!(pipe.run(Direction::Decode, broken).unwrap_err().index, 150);
    }
}
