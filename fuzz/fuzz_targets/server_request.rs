//! The codec server's request handling (body parsing, codec, answer) without HTTP: any
//! body gives 200 or a 4xx, never a panic, and a 200 answer is valid JSON with as many
//! payloads as were sent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::codec::Direction;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The typed fast reader and the general reader agree wherever the fast one accepts.
    if let Some(fast) = tcodec::document::payload_body::payloads(data) {
        let options = tcodec::document::ReadOptions {
            doc_type: tcodec::document::DocType::Payloads,
            ..Default::default()
        };
        let general = tcodec::document::parse(data, "fuzz", options).expect("general reader accepts");
        match general.1.as_slice() {
            [tcodec::document::Document::Payloads(doc)] => assert_eq!(doc.payloads, fast),
            _ => panic!("general reader saw another shape"),
        }
    }
    let pipeline = common::pipeline();
    for direction in [Direction::Decode, Direction::Encode] {
        let limits = tcodec::server::routes::RequestLimits {
            max_body: 1 << 20,
            max_decoded: 4 << 20,
            max_payloads: 1000,
            offload_on_encode: false,
        };
        match tcodec::server::routes::transform(&pipeline, direction, data, &limits) {
            Ok((count, answer)) => {
                let v: serde_json::Value = serde_json::from_slice(&answer).expect("answer is JSON");
                assert_eq!(v["payloads"].as_array().map_or(0, Vec::len), count);
            }
            Err((status, _)) => assert!(status.is_client_error(), "{status}"),
        }
    }
});
