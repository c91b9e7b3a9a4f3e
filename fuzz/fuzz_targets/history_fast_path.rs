//! Differential: where the streaming transcoder accepts a document, it must give exactly
//! the bytes of the DOM path (pretty-printed input), and it must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::codec::Direction;
use tcodec::document::{self, DocType, OutputFormat, ReadOptions};
use tcodec::error::Location;
use tcodec::document::{scan, tree::SitePolicy};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let pipeline = common::pipeline();
    let policy = SitePolicy::for_direction(Direction::Decode);
    let budget = tcodec::codec::Budget::unlimited();
    let Ok(Some(out)) = scan::transcode(
        data,
        &Location::file("fuzz"),
        DocType::Auto,
        &pipeline,
        Direction::Decode,
        policy,
        &budget,
    ) else {
        return;
    };
    let Ok(fast) = out.to_vec() else {
        return;
    };
    // Only compare on canonical (pretty, as `temporal` prints) input: the fast path keeps
    // the input's own layout.
    let Ok((OutputFormat::Json, docs)) = document::parse(data, "fuzz", ReadOptions::default())
    else {
        return;
    };
    let Ok(canonical) = document::render(&docs, OutputFormat::Json) else {
        return;
    };
    if canonical != data {
        return;
    }
    let decoded: Result<Vec<_>, _> = docs
        .into_iter()
        .map(|d| tcodec::document::driver::run_document(&pipeline, Direction::Decode, d, &tcodec::codec::Budget::unlimited()))
        .collect();
    if let Ok(decoded) = decoded {
        let dom = document::render(&decoded, OutputFormat::Json).expect("renders");
        assert_eq!(fast, dom, "fast path and DOM path differ");
    }
    let _ = DocType::Auto;
});
