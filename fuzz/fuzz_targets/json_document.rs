//! Payload / payload list / history JSON (and JSON lines): parse, then decode every payload.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::codec::Direction;
use tcodec::document::{self, ReadOptions};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let pipeline = common::pipeline();
    if let Ok((_, docs)) = document::parse(data, "fuzz", ReadOptions::default()) {
        for doc in docs {
            let _ = tcodec::document::driver::run_document(&pipeline, Direction::Decode, doc, &tcodec::codec::Budget::unlimited());
        }
    }
});
