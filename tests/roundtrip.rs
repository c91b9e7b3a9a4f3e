//! Round-trip properties: decode(encode(p)) == p for every codec and chain, including
//! empty data, empty metadata, one byte and 4 MiB payloads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use tcodec::codec::{AesGcmCodec, Algorithm, Budget, Codec, CompressCodec, Direction, Keyring};
use tcodec::keys::Key;
use tcodec::payload::{ExternalPayloadDetails, Payload};
use tcodec::pipeline::Pipeline;

fn aes(active: &str) -> Box<dyn Codec> {
    let keys = vec![
        ("k1".to_string(), Key::from_bytes([1; 32])),
        ("k2".to_string(), Key::from_bytes([2; 32])),
    ];
    Box::new(AesGcmCodec::new(Keyring::new(active, keys).unwrap()))
}

fn compress(alg: Algorithm, always: bool) -> Box<dyn Codec> {
    Box::new(CompressCodec::new(alg).always_encode(always))
}

/// Every codec alone, and the chains users configure.
fn pipelines() -> Vec<(&'static str, Pipeline)> {
    let algs = [
        Algorithm::Zlib,
        Algorithm::Gzip,
        Algorithm::Snappy { framed: false },
        Algorithm::Snappy { framed: true },
        Algorithm::Zstd,
    ];
    let mut v = vec![("aes", Pipeline::new("t", vec![aes("k1")]))];
    for alg in algs {
        v.push((alg.name(), Pipeline::new("t", vec![compress(alg, false)])));
        v.push((alg.name(), Pipeline::new("t", vec![compress(alg, true)])));
        v.push((
            "aes+",
            Pipeline::new("t", vec![aes("k2"), compress(alg, true)]),
        ));
    }
    v.push((
        "zlib+zstd",
        Pipeline::new(
            "t",
            vec![
                compress(Algorithm::Zlib, true),
                compress(Algorithm::Zstd, true),
            ],
        ),
    ));
    v
}

fn payload_strategy() -> impl Strategy<Value = Payload> {
    (
        proptest::collection::hash_map(
            "[a-z-]{0,12}",
            proptest::collection::vec(any::<u8>(), 0..16),
            0..4,
        ),
        proptest::collection::vec(any::<u8>(), 0..2048),
        proptest::collection::vec(0i64..1 << 40, 0..2),
    )
        .prop_map(|(metadata, data, sizes)| Payload {
            metadata,
            data,
            external_payloads: sizes
                .into_iter()
                .map(|size_bytes| ExternalPayloadDetails { size_bytes })
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn every_pipeline_round_trips(list in proptest::collection::vec(payload_strategy(), 0..8)) {
        for (name, pipe) in pipelines() {
            let enc = pipe.run(Direction::Encode, list.clone(), &Budget::unlimited()).unwrap();
            prop_assert_eq!(enc.len(), list.len());
            let dec = pipe.run(Direction::Decode, enc, &Budget::unlimited()).unwrap();
            prop_assert_eq!(&dec, &list, "{}", name);
        }
    }
}

#[test]
fn edge_payloads_round_trip() {
    let big = Payload {
        metadata: [("encoding".to_string(), b"binary/plain".to_vec())].into(),
        data: (0..4 * 1024 * 1024)
            .map(|i: u32| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect(),
        external_payloads: vec![],
    };
    let edges = vec![
        Payload::default(),
        Payload {
            data: vec![7],
            ..Default::default()
        },
        Payload {
            metadata: [("encoding".into(), b"binary/null".to_vec())].into(),
            ..Default::default()
        },
        big,
    ];
    for (name, pipe) in pipelines() {
        for p in &edges {
            let enc = pipe.encode(p.clone()).unwrap();
            assert_eq!(&pipe.decode(enc).unwrap(), p, "{name} len {}", p.data.len());
        }
    }
}

#[test]
fn rotation_decodes_old_and_new_keys_in_one_list() {
    let old = Pipeline::new("t", vec![aes("k1")]);
    let new = Pipeline::new("t", vec![aes("k2")]);
    let p = Payload {
        data: b"x".to_vec(),
        ..Default::default()
    };
    let mixed = vec![
        old.encode(p.clone()).unwrap(),
        new.encode(p.clone()).unwrap(),
    ];
    assert_eq!(
        new.run(Direction::Decode, mixed, &Budget::unlimited())
            .unwrap(),
        vec![p.clone(), p]
    );
}
