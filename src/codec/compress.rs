//! Compression codecs: zlib (Go SDK `ZlibCodec` format), gzip, snappy and zstd.
//!
//! All four compress the whole serialized Payload and write a payload with exactly one
//! metadata entry, `encoding` = `binary/<algorithm>` (sdk-go `converter/codec.go` for zlib;
//! samples-go `snappycompress/` for snappy's raw block format; samples-python
//! `external_storage/codec.py` for gzip). Temporal's sources name no zstd encoding; tcodec
//! writes `binary/zstd`, following the same pattern. As in Go's `ZlibCodec`, the compressed
//! form is used only when strictly smaller, unless `always_encode` is set.
//!
//! Decoding is bounded: inflating past `max_decoded_size` stops with an error, so a tiny
//! hostile payload cannot exhaust memory.

use std::io::{Read, Write};

use super::{has_encoding, inner_payload, Budget, Codec, CodecError};
use crate::payload::{self, Payload};

/// Default bound on a decompressed payload: 128 MiB, the gRPC message limit the Go SDK
/// raises its client to (sdk-go issue #794), far above Temporal's 2 MB blob error limit.
pub const DEFAULT_MAX_DECODED_SIZE: u64 = 128 * 1024 * 1024;

/// The snappy framing format's stream identifier chunk.
const SNAPPY_FRAMED_MAGIC: &[u8] = b"\xff\x06\x00\x00sNaPpY";

/// A compression algorithm and its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RFC 1950 zlib stream, `binary/zlib`.
    Zlib,
    /// RFC 1952 gzip stream, `binary/gzip`.
    Gzip,
    /// Snappy, `binary/snappy`: raw block on encode (or framed), both on decode.
    Snappy {
        /// Encode in the framing format (cramjam / Python samples) instead of raw block.
        framed: bool,
    },
    /// Zstandard frame, `binary/zstd`.
    Zstd,
}

impl Algorithm {
    /// The configuration name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Zlib => "zlib",
            Algorithm::Gzip => "gzip",
            Algorithm::Snappy { .. } => "snappy",
            Algorithm::Zstd => "zstd",
        }
    }

    /// The `encoding` metadata value this algorithm writes and owns.
    pub fn encoding(self) -> &'static str {
        match self {
            Algorithm::Zlib => "binary/zlib",
            Algorithm::Gzip => "binary/gzip",
            Algorithm::Snappy { .. } => "binary/snappy",
            Algorithm::Zstd => "binary/zstd",
        }
    }
}

thread_local! {
    /// Deflate and inflate states are costly to set up (hundreds of KiB for deflate), and
    /// payloads are often small: each thread keeps one of each and resets it.
    static DEFLATE: std::cell::RefCell<Option<(u32, flate2::Compress)>> =
        const { std::cell::RefCell::new(None) };
    static INFLATE: std::cell::RefCell<Option<flate2::Decompress>> =
        const { std::cell::RefCell::new(None) };
}

/// zlib (RFC 1950) compression with a reused per-thread deflate state.
fn zlib_compress(
    input: &[u8],
    level: flate2::Compression,
) -> Result<Vec<u8>, flate2::CompressError> {
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let state = match slot.as_mut() {
            Some((l, state)) if *l == level.level() => {
                state.reset();
                state
            }
            _ => {
                &mut slot
                    .insert((level.level(), flate2::Compress::new(level, true)))
                    .1
            }
        };
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        loop {
            let consumed = state.total_in() as usize;
            let status =
                state.compress_vec(&input[consumed..], &mut out, flate2::FlushCompress::Finish)?;
            if status == flate2::Status::StreamEnd {
                return Ok(out);
            }
            out.reserve(out.capacity().max(64));
        }
    })
}

/// zlib decompression with a reused per-thread inflate state. `Ok(None)` when the output
/// would pass `limit`.
fn zlib_decompress(input: &[u8], limit: u64) -> Result<Option<Vec<u8>>, CodecError> {
    let corrupt = |reason: String| CodecError::Corrupt {
        codec: "zlib".into(),
        reason,
    };
    INFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let state = match slot.as_mut() {
            Some(state) => {
                state.reset(true);
                state
            }
            None => slot.insert(flate2::Decompress::new(true)),
        };
        let cap = (limit.saturating_add(1)).min(input.len() as u64 * 4 + 64) as usize;
        let mut out = Vec::with_capacity(cap);
        loop {
            let (in_before, out_before) = (state.total_in(), state.total_out());
            let status = state
                .decompress_vec(
                    &input[in_before as usize..],
                    &mut out,
                    flate2::FlushDecompress::Finish,
                )
                .map_err(|e| corrupt(e.to_string()))?;
            if out.len() as u64 > limit {
                return Ok(None);
            }
            if status == flate2::Status::StreamEnd {
                return Ok(Some(out));
            }
            let stalled = state.total_in() == in_before && state.total_out() == out_before;
            if out.len() < out.capacity() && (stalled || state.total_in() as usize == input.len()) {
                return Err(corrupt("truncated stream".into()));
            }
            let room =
                (limit.saturating_add(1) - out.len() as u64).min(out.capacity().max(64) as u64);
            out.reserve(room as usize);
        }
    })
}

/// A compression codec.
#[derive(Debug, Clone)]
pub struct CompressCodec {
    algorithm: Algorithm,
    always_encode: bool,
    level: Option<i32>,
    max_decoded_size: u64,
}

impl CompressCodec {
    /// A codec with the algorithm's default level, compressing only when smaller.
    pub fn new(algorithm: Algorithm) -> Self {
        CompressCodec {
            algorithm,
            always_encode: false,
            level: None,
            max_decoded_size: DEFAULT_MAX_DECODED_SIZE,
        }
    }

    /// Encode every payload, even when compression does not shrink it (Go `AlwaysEncode`).
    pub fn always_encode(mut self, yes: bool) -> Self {
        self.always_encode = yes;
        self
    }

    /// Compression level (zlib/gzip 0-9, zstd 1-22); `None` for the default.
    pub fn level(mut self, level: Option<i32>) -> Self {
        self.level = level;
        self
    }

    /// Bound on a decompressed payload.
    pub fn max_decoded_size(mut self, limit: u64) -> Self {
        self.max_decoded_size = limit;
        self
    }

    fn compress(&self, input: &[u8]) -> Result<Vec<u8>, CodecError> {
        let fail = |e: &dyn std::fmt::Display| CodecError::Compress {
            codec: self.algorithm.name().into(),
            reason: e.to_string(),
        };
        let flate_level = || {
            self.level
                .map(|l| flate2::Compression::new(l.clamp(0, 9) as u32))
                .unwrap_or_default()
        };
        match self.algorithm {
            Algorithm::Zlib => zlib_compress(input, flate_level()).map_err(|e| fail(&e)),
            Algorithm::Gzip => {
                let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate_level());
                enc.write_all(input).map_err(|e| fail(&e))?;
                enc.finish().map_err(|e| fail(&e))
            }
            Algorithm::Snappy { framed: false } => snap::raw::Encoder::new()
                .compress_vec(input)
                .map_err(|e| fail(&e)),
            Algorithm::Snappy { framed: true } => {
                let mut enc = snap::write::FrameEncoder::new(Vec::new());
                enc.write_all(input).map_err(|e| fail(&e))?;
                enc.into_inner().map_err(|e| fail(&e.error()))
            }
            Algorithm::Zstd => {
                zstd::bulk::compress(input, self.level.unwrap_or(zstd::DEFAULT_COMPRESSION_LEVEL))
                    .map_err(|e| fail(&e))
            }
        }
    }

    /// Decompresses at most `limit` bytes (`None` past it).
    fn decompress(&self, input: &[u8], limit: u64) -> Result<Option<Vec<u8>>, CodecError> {
        let codec = self.algorithm.name();
        let corrupt = |e: &dyn std::fmt::Display| CodecError::Corrupt {
            codec: codec.into(),
            reason: e.to_string(),
        };
        match self.algorithm {
            Algorithm::Zlib => zlib_decompress(input, limit),
            Algorithm::Gzip => self.bounded(flate2::read::GzDecoder::new(input), limit),
            // A framed stream of nothing is empty: the encoder writes no header for no data.
            Algorithm::Snappy { .. } if input.is_empty() => Ok(Some(Vec::new())),
            Algorithm::Snappy { .. } if input.starts_with(SNAPPY_FRAMED_MAGIC) => {
                self.bounded(snap::read::FrameDecoder::new(input), limit)
            }
            Algorithm::Snappy { .. } => {
                let len = snap::raw::decompress_len(input).map_err(|e| corrupt(&e))?;
                if len as u64 > limit {
                    return Ok(None);
                }
                snap::raw::Decoder::new()
                    .decompress_vec(input)
                    .map(Some)
                    .map_err(|e| corrupt(&e))
            }
            Algorithm::Zstd => self.bounded(
                zstd::stream::read::Decoder::with_buffer(input).map_err(|e| corrupt(&e))?,
                limit,
            ),
        }
    }

    /// Reads a decompressor to its end, stopping one byte past `limit` (`None` then).
    fn bounded(&self, reader: impl Read, limit: u64) -> Result<Option<Vec<u8>>, CodecError> {
        let mut out = Vec::new();
        reader
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| CodecError::Corrupt {
                codec: self.algorithm.name().into(),
                reason: e.to_string(),
            })?;
        if out.len() as u64 > limit {
            return Ok(None);
        }
        Ok(Some(out))
    }

    fn too_large(&self) -> CodecError {
        CodecError::TooLarge {
            codec: self.algorithm.name().into(),
            limit: self.max_decoded_size,
        }
    }
}

impl Codec for CompressCodec {
    fn name(&self) -> &str {
        self.algorithm.name()
    }

    fn encoding(&self) -> &str {
        self.algorithm.encoding()
    }

    fn encode(&self, payload: Payload) -> Result<Payload, CodecError> {
        let serialized = payload::to_proto(&payload);
        let compressed = self.compress(&serialized)?;
        if self.always_encode || compressed.len() < serialized.len() {
            Ok(payload::with_encoding(
                self.algorithm.encoding(),
                compressed,
            ))
        } else {
            Ok(payload)
        }
    }

    fn expands(&self) -> bool {
        true
    }

    fn decode(&self, payload: Payload) -> Result<Payload, CodecError> {
        self.decode_within(payload, &Budget::unlimited())
    }

    fn decode_within(&self, payload: Payload, budget: &Budget) -> Result<Payload, CodecError> {
        if !has_encoding(&payload, self.algorithm.encoding()) {
            return Ok(payload);
        }
        let remaining = budget.remaining();
        let limit = self.max_decoded_size.min(remaining);
        let Some(bytes) = self.decompress(&payload.data, limit)? else {
            // Past the smaller of the two limits: name the one that was hit.
            return Err(if remaining < self.max_decoded_size {
                budget.exceeded()
            } else {
                self.too_large()
            });
        };
        budget.spend(bytes.len() as u64)?;
        inner_payload(self.name(), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Algorithm; 5] = [
        Algorithm::Zlib,
        Algorithm::Gzip,
        Algorithm::Snappy { framed: false },
        Algorithm::Snappy { framed: true },
        Algorithm::Zstd,
    ];

    fn big() -> Payload {
        payload::with_encoding("json/plain", "\"abc\"".repeat(1000).into_bytes())
    }

    #[test]
    fn round_trips_and_owns_only_its_encoding() {
        for alg in ALL {
            let c = CompressCodec::new(alg);
            let enc = c.encode(big()).unwrap();
            assert_eq!(enc.metadata.len(), 1, "{alg:?}");
            assert_eq!(payload::encoding(&enc), Some(alg.encoding().as_bytes()));
            assert_eq!(c.decode(enc).unwrap(), big(), "{alg:?}");
            let other = payload::with_encoding("binary/other", vec![9]);
            assert_eq!(c.decode(other.clone()).unwrap(), other);
        }
    }

    #[test]
    fn keeps_payload_unless_smaller_or_always() {
        let tiny = payload::with_encoding("json/plain", b"1".to_vec());
        for alg in ALL {
            let c = CompressCodec::new(alg);
            assert_eq!(c.encode(tiny.clone()).unwrap(), tiny, "{alg:?}");
            let forced = c.clone().always_encode(true).encode(tiny.clone()).unwrap();
            assert_eq!(payload::encoding(&forced), Some(alg.encoding().as_bytes()));
            assert_eq!(c.decode(forced).unwrap(), tiny);
        }
    }

    #[test]
    fn snappy_decodes_both_formats() {
        let raw = CompressCodec::new(Algorithm::Snappy { framed: false });
        let framed = CompressCodec::new(Algorithm::Snappy { framed: true });
        assert_eq!(raw.decode(framed.encode(big()).unwrap()).unwrap(), big());
        assert_eq!(framed.decode(raw.encode(big()).unwrap()).unwrap(), big());
    }

    #[test]
    fn bombs_stop_at_the_limit() {
        let huge = payload::with_encoding("x", vec![0u8; 1 << 20]);
        for alg in ALL {
            let enc = CompressCodec::new(alg).encode(huge.clone()).unwrap();
            assert!(enc.data.len() < 1 << 16, "{alg:?} compresses zeros");
            let small = CompressCodec::new(alg).max_decoded_size(4096);
            match small.decode(enc) {
                Err(CodecError::TooLarge { limit: 4096, .. }) => {}
                other => panic!("{alg:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn corrupt_data_is_an_error_not_a_panic() {
        for alg in ALL {
            let bad = payload::with_encoding(alg.encoding(), vec![1, 2, 3, 4, 5]);
            assert!(CompressCodec::new(alg).decode(bad).is_err(), "{alg:?}");
        }
    }
}
