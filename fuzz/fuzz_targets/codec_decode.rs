//! Each codec's decode on hostile payload data: the first byte picks the encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::codec::{Algorithm, Codec};
use tcodec::payload;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (codec, encoding): (Box<dyn Codec>, &str) = match pick % 6 {
        0 => (Box::new(common::aes()), "binary/encrypted"),
        1 => (Box::new(common::compress(Algorithm::Zlib)), "binary/zlib"),
        2 => (Box::new(common::compress(Algorithm::Gzip)), "binary/gzip"),
        3 => (
            Box::new(common::compress(Algorithm::Snappy { framed: false })),
            "binary/snappy",
        ),
        4 => (Box::new(common::compress(Algorithm::Zstd)), "binary/zstd"),
        _ => (
            Box::new(tcodec::codec::age::AgeCodec::new(&[], common::LIMIT).expect("no recipients")),
            "binary/age",
        ),
    };
    let mut p = payload::with_encoding(encoding, rest.to_vec());
    if pick & 0x80 != 0 {
        p.metadata
            .insert("encryption-key-id".into(), b"k1".to_vec());
    }
    if let Ok(decoded) = codec.decode(p) {
        assert!(payload::to_proto(&decoded).len() as u64 <= common::LIMIT + 64);
    }
});
