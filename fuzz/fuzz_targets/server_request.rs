//! The codec server's request handling (body parsing, codec, answer) without HTTP: any
//! body gives 200 or a 4xx, never a panic, and a 200 answer is valid JSON with as many
//! payloads as were sent. Each fast reader (JSON body, Payload protobuf) gives what the
//! reference reader gives wherever it accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::codec::Direction;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    // The DOM reader alone (the server's last resort): `document::parse` would run the
    // fast readers first, and compare them with themselves.
    let dom = || tcodec::document::read_body(data).ok();
    // Each fast reader agrees with the DOM reader wherever it accepts.
    if let Some(plain) = tcodec::document::plain_body::payloads(data) {
        assert_eq!(dom().as_ref(), Some(&plain), "plain reader");
    }
    if let Some(typed) = tcodec::document::payload_body::typed_payloads(data) {
        assert_eq!(dom().as_ref(), Some(&typed), "typed reader");
    }
    // The hand-written protobuf reader agrees with prost wherever it answers.
    if let Some(ours) = tcodec::payload_proto::plain_payload(data, usize::MAX) {
        use prost::Message as _;
        assert_eq!(tcodec::payload::Payload::decode(data).ok(), Some(ours), "protobuf reader");
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
