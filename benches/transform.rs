//! The codec server's per-request work without HTTP (`server::routes::transform`): read a
//! `{"payloads":[...]}` body, run the pipeline, render the answer. Reports µs per request
//! and requests/s on one core, for the body `scripts/bench-serve` sends (10 encrypted
//! payloads of ~0.5 KB). The HTTP side is measured by `scripts/bench-serve`.
//! Usage: `cargo bench --bench transform -- [ITERATIONS] [decode|encode]`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use tcodec::codec::{AesGcmCodec, Codec, Direction, Keyring};
use tcodec::keys::Key;
use tcodec::payload;
use tcodec::pipeline::Pipeline;
use tcodec::server::routes::{transform, RequestLimits};

fn main() {
    let ring = Keyring::new("k1", vec![("k1".into(), Key::from_bytes([7; 32]))]).unwrap();
    let codecs: Vec<Box<dyn Codec>> = vec![Box::new(AesGcmCodec::new(ring))];
    let pipeline = Pipeline::new("bench", codecs);
    let limits = RequestLimits {
        max_body: 4 << 20,
        max_decoded: 64 << 20,
        max_payloads: 1000,
        offload_on_encode: false,
    };
    let mut plain = b"{\"payloads\":[".to_vec();
    for i in 0..10 {
        if i > 0 {
            plain.push(b',');
        }
        let value = format!("{{\"order\":{i},\"note\":\"{}\"}}", "x".repeat(440));
        payload::write_payload_json(
            &payload::with_encoding("json/plain", value.into_bytes()),
            &mut plain,
        );
    }
    plain.extend_from_slice(b"]}");
    let (_, body) = transform(&pipeline, Direction::Encode, &plain, &limits).unwrap();
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let only = std::env::args().nth(2);
    for (name, direction, input) in [
        ("decode", Direction::Decode, &body),
        ("encode", Direction::Encode, &plain),
    ] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let mut best = f64::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            for _ in 0..iterations / 5 {
                let answer = transform(&pipeline, direction, input, &limits).unwrap();
                std::hint::black_box(answer);
            }
            let per = started.elapsed().as_secs_f64() / f64::from(iterations / 5);
            best = best.min(per);
        }
        println!(
            "transform {name:<6} 10 x ~0.5 KB, {} B body: {:6.2} us/request, {:8.0} requests/s, {:6.0} MB/s of body (best of 5)",
            input.len(),
            best * 1e6,
            1.0 / best,
            input.len() as f64 / best / 1e6
        );
    }
}
