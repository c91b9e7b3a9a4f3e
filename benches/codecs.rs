//! Codec throughput: MB/s (of plaintext payload bytes) for encoding and decoding a payload
//! list through each codec and chain, on all cores. Run with `scripts/bench`, which also
//! runs the Python peer on the same workload for comparison.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

// The allocator the tcodec binary uses (src/main.rs): the codec core is measured as it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use tcodec::codec::{AesGcmCodec, Algorithm, Codec, CompressCodec, Direction, Keyring};
use tcodec::keys::Key;
use tcodec::payload::{self, Payload};
use tcodec::pipeline::Pipeline;

/// JSON-like text payloads (compressible, like real workflow data).
fn workload(count: usize, size: usize) -> Vec<Payload> {
    (0..count)
        .map(|i| {
            let mut text = format!("{{\"id\":{i},\"items\":[");
            let mut j = 0u64;
            while text.len() < size {
                j += 1;
                text.push_str(&format!(
                    "{{\"sku\":\"A{:08}\",\"qty\":{},\"note\":\"order line\"}},",
                    (i as u64) * 7919 + j * 104729 % 100_000_000,
                    j % 9
                ));
            }
            text.truncate(size - 2);
            text.push_str("]}");
            payload::with_encoding("json/plain", text.into_bytes())
        })
        .collect()
}

fn aes() -> Box<dyn Codec> {
    let ring = Keyring::new("k1", vec![("k1".into(), Key::from_bytes([7; 32]))]).unwrap();
    Box::new(AesGcmCodec::new(ring))
}

fn zip(alg: Algorithm) -> Box<dyn Codec> {
    Box::new(CompressCodec::new(alg).always_encode(true))
}

/// Median of 5 runs of `f` over fresh copies of `input` (copying is not timed).
fn time(input: &[Payload], mut f: impl FnMut(Vec<Payload>)) -> Duration {
    let mut runs: Vec<Duration> = (0..5)
        .map(|_| {
            let copy = input.to_vec();
            let t = Instant::now();
            f(copy);
            t.elapsed()
        })
        .collect();
    runs.sort();
    runs[2]
}

fn main() {
    let filter = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let workloads = [
        ("10000 x 1 KiB", workload(10_000, 1024)),
        ("16 x 1 MiB", workload(16, 1 << 20)),
    ];
    let pipelines: Vec<(&str, Vec<Box<dyn Codec>>)> = vec![
        ("aes-256-gcm", vec![aes()]),
        ("zlib", vec![zip(Algorithm::Zlib)]),
        ("gzip", vec![zip(Algorithm::Gzip)]),
        ("snappy", vec![zip(Algorithm::Snappy { framed: false })]),
        ("zstd", vec![zip(Algorithm::Zstd)]),
        ("aes-256-gcm+zlib", vec![aes(), zip(Algorithm::Zlib)]),
    ];
    println!(
        "{:<18} {:<14} {:>12} {:>12}",
        "codec", "workload", "encode MB/s", "decode MB/s"
    );
    for (name, codecs) in pipelines {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let pipe = Pipeline::new("bench", codecs);
        for (label, list) in &workloads {
            let bytes: usize = list.iter().map(|p| p.data.len()).sum();
            let mb = bytes as f64 / 1e6;
            let encoded = pipe
                .run(
                    Direction::Encode,
                    list.clone(),
                    &tcodec::codec::Budget::unlimited(),
                )
                .unwrap();
            let enc = time(list, |l| {
                drop(
                    pipe.run(Direction::Encode, l, &tcodec::codec::Budget::unlimited())
                        .unwrap(),
                )
            });
            let dec = time(&encoded, |l| {
                let out = pipe
                    .run(Direction::Decode, l, &tcodec::codec::Budget::unlimited())
                    .unwrap();
                assert_eq!(out.len(), list.len());
            });
            println!(
                "{name:<18} {label:<14} {:>12.0} {:>12.0}",
                mb / enc.as_secs_f64(),
                mb / dec.as_secs_f64()
            );
        }
    }
    println!("peak RSS {} MB", peak_rss_mb());
}

/// This process's peak resident memory (VmHWM), in MB; 0 where /proc is missing.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
