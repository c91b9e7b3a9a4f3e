//! Differential: the history scanner (with its fallback to the tree walker, as the driver
//! runs it) against the tree walker alone, on any bytes. Both accept with the same JSON
//! (the same bytes on canonical input), or both refuse with the same error; never a panic.
//! Escaped keys, duplicate keys and unknown fields must not let the scanner skip a site.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::codec::{Algorithm, Budget, Direction};
use tcodec::document::{self, scan, tree::SiteFilter, DocType, OutputFormat, ReadOptions};
use tcodec::error::Location;
use tcodec::pipeline::Pipeline;

#[path = "common.rs"]
mod common;

fn tree(data: &[u8], pipeline: &Pipeline, direction: Direction) -> Result<Vec<u8>, String> {
    let (format, docs) =
        document::parse(data, "fuzz", ReadOptions::default()).map_err(|e| e.to_string())?;
    if format != OutputFormat::Json {
        return Err("not one JSON document".into());
    }
    let docs = docs
        .into_iter()
        .map(|d| document::driver::run_document(pipeline, direction, d, &Budget::unlimited()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    document::render(&docs, OutputFormat::Json).map_err(|e| e.to_string())
}

fuzz_target!(|data: &[u8]| {
    // Decode through every codec; encode with zlib alone (deterministic bytes), so a payload
    // the scanner skipped shows as a difference in both directions.
    let zlib = Pipeline::new("fuzz", vec![Box::new(common::compress(Algorithm::Zlib))]);
    for (pipeline, direction) in [
        (common::pipeline(), Direction::Decode),
        (zlib, Direction::Encode),
    ] {
        let budget = Budget::unlimited();
        let scanned = scan::transcode(
            data,
            &Location::file("fuzz"),
            DocType::Auto,
            &pipeline,
            direction,
            SiteFilter::for_direction(direction),
            &budget,
        );
        let fast = match scanned {
            Ok(Some(out)) => out.to_vec().map_err(|e| e.to_string()),
            Ok(None) => continue, // the driver runs the tree walker itself
            Err(e) => Err(e.to_string()),
        };
        let tree = tree(data, &pipeline, direction);
        match (&fast, &tree) {
            (Ok(f), Ok(t)) => {
                let fv: serde_json::Value = serde_json::from_slice(f).expect("scanner output is JSON");
                let tv: serde_json::Value = serde_json::from_slice(t).expect("tree output is JSON");
                assert_eq!(fv, tv, "scanner and tree walker differ");
                if t.as_slice() == data {
                    assert!(f == t, "canonical input, different bytes");
                }
            }
            (Err(f), Err(t)) => assert_eq!(f, t, "different errors"),
            _ => panic!("scanner {fast:?} vs tree walker {tree:?}"),
        }
    }
});
