// Shared by the fuzz targets: pipelines over fixed, public fuzzing keys.
use tcodec::codec::{AesGcmCodec, Algorithm, Codec, CompressCodec, Keyring};
use tcodec::keys::Key;
use tcodec::pipeline::Pipeline;

/// Decompression limit for fuzzing: small, so bombs are cut off fast.
pub const LIMIT: u64 = 1 << 20;

pub fn aes() -> AesGcmCodec {
    let keys = vec![
        ("k1".to_string(), Key::from_bytes([1; 32])),
        ("k2".to_string(), Key::from_bytes([2; 32])),
    ];
    AesGcmCodec::new(Keyring::new("k1", keys).expect("k1 is in the ring"))
}

pub fn compress(alg: Algorithm) -> CompressCodec {
    CompressCodec::new(alg).max_decoded_size(LIMIT)
}

/// AES-256-GCM wrapping zlib, plus the other decompressors: every decoder sees the input.
pub fn pipeline() -> Pipeline {
    let codecs: Vec<Box<dyn Codec>> = vec![
        Box::new(aes()),
        Box::new(compress(Algorithm::Zlib)),
        Box::new(compress(Algorithm::Gzip)),
        Box::new(compress(Algorithm::Snappy { framed: false })),
        Box::new(compress(Algorithm::Zstd)),
    ];
    Pipeline::new("fuzz", codecs)
}
