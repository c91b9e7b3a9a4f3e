//! Differential: the history scanner (the fast path) against the tree walker, on a corpus
//! of mutated real histories (escaped keys, duplicate keys at every level, unusual
//! whitespace, unknown fields). Where the scanner accepts a document it must give the tree
//! walker's bytes (canonical input) or the same JSON (other layouts); where it gives up,
//! the driver falls back to the tree walker; errors must be the tree walker's errors.
//! Issue #20 item 2: an escaped `"inp\u0075t"` was skipped, leaving a payload plaintext.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{files_ending, fixtures, interop_config, tcodec_interop};
use serde_json::Value;
use tcodec::codec::{Budget, Direction};
use tcodec::document::{self, scan, tree::SiteFilter, DocType, OutputFormat, ReadOptions};
use tcodec::error::Location;
use tcodec::pipeline::Pipeline;

/// What the driver does: the scanner, and the tree walker when the scanner gives up.
fn fast(bytes: &[u8], pipeline: &Pipeline, direction: Direction) -> Result<Vec<u8>, String> {
    let budget = Budget::unlimited();
    let scanned = scan::transcode(
        bytes,
        &Location::file("f"),
        DocType::Auto,
        pipeline,
        direction,
        SiteFilter::for_direction(direction),
        &budget,
    )
    .map_err(|e| e.to_string())?;
    match scanned {
        Some(out) => out.to_vec().map_err(|e| e.to_string()),
        None => tree(bytes, pipeline, direction),
    }
}

/// The tree walker alone: parse, walk, render.
fn tree(bytes: &[u8], pipeline: &Pipeline, direction: Direction) -> Result<Vec<u8>, String> {
    let (_, docs) =
        document::parse(bytes, "f", ReadOptions::default()).map_err(|e| e.to_string())?;
    let docs = docs
        .into_iter()
        .map(|d| {
            tcodec::document::driver::run_document(pipeline, direction, d, &Budget::unlimited())
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    document::render(&docs, OutputFormat::Json).map_err(|e| e.to_string())
}

/// `text` with the first `"key":` replaced by `with`.
fn replace_key(text: &str, key: &str, with: &str) -> Option<String> {
    let needle = format!("\"{key}\":");
    let at = text.find(&needle)?;
    Some(format!(
        "{}{with}:{}",
        &text[..at],
        &text[at + needle.len()..]
    ))
}

/// `text` with a copy of the first `"key": VALUE` member inserted before it (a duplicate).
fn duplicate_key(text: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\":");
    let at = text.find(&needle)?;
    // The value's extent: parse from after the colon with a streaming deserializer.
    let after = &text[at + needle.len()..];
    let mut stream = serde_json::Deserializer::from_str(after).into_iter::<Value>();
    stream.next()?.ok()?;
    let end = stream.byte_offset();
    let member = &text[at..at + needle.len() + end];
    Some(format!("{}{member},\n{}", &text[..at], &text[at..]))
}

/// `text` with a copy of the first `"key": VALUE` member inserted before it under the
/// field's proto name (`workflow_execution_started_event_attributes`): one field twice.
fn proto_name_duplicate(text: &str, key: &str) -> Option<String> {
    let snake: String = key
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['_', c.to_ascii_lowercase()]
            } else {
                vec![c]
            }
        })
        .collect();
    if snake == key {
        return None;
    }
    let dup = duplicate_key(text, key)?;
    Some(dup.replacen(&format!("\"{key}\":"), &format!("\"{snake}\":"), 1))
}

/// `key` with its first letter written as a `\u` escape: the same key to every JSON reader.
fn escaped(key: &str) -> String {
    let mut chars = key.chars();
    let first = chars.next().unwrap();
    format!("\"\\u{:04x}{}\"", first as u32, chars.as_str())
}

/// Every key the walkers know a payload by, and the levels around them.
const KEYS: [&str; 16] = [
    "events",
    "eventId",
    "workflowExecutionStartedEventAttributes",
    "activityTaskScheduledEventAttributes",
    "activityTaskCompletedEventAttributes",
    "input",
    "result",
    "payloads",
    "metadata",
    "encoding",
    "data",
    "header",
    "fields",
    "memo",
    "details",
    "failure",
];

/// The mutated corpus for one history.
fn mutations(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for key in KEYS {
        if let Some(m) = replace_key(text, key, &escaped(key)) {
            out.push((format!("escaped {key}"), m));
        }
        if let Some(m) = replace_key(text, key, &format!("\"{key}\\/\"")) {
            out.push((format!("escaped slash after {key}"), m));
        }
        if let Some(m) = duplicate_key(text, key) {
            out.push((format!("duplicate {key}"), m));
        }
        if let Some(m) = proto_name_duplicate(text, key) {
            out.push((format!("{key} beside its proto name"), m));
        }
    }
    out.push(("CRLF and tabs".into(), text.replace("\n  ", "\r\n\t")));
    out.push(("space before colons".into(), text.replace("\":", "\" :")));
    out.push(("minified".into(), {
        let v: Value = serde_json::from_str(text).unwrap();
        v.to_string()
    }));
    if let Some(m) = replace_key(
        text,
        "input",
        "\"zzUnknown\": {\"payloads\": [{\"data\": \"AA==\"}]}, \"input\"",
    ) {
        out.push(("unknown field beside input".into(), m));
    }
    out
}

fn pipelines() -> [(Pipeline, Direction, &'static str); 2] {
    let config = tcodec::config::Config::load(&interop_config()).unwrap();
    [
        // Decode AES-GCM histories; encode plain ones with zlib (deterministic bytes).
        (
            config.pipeline("default").unwrap(),
            Direction::Decode,
            "encoded/default",
        ),
        (
            config.pipeline("zipped").unwrap(),
            Direction::Encode,
            "decoded/zipped",
        ),
    ]
}

#[test]
fn the_scanner_and_the_tree_walker_agree_on_mutated_histories() {
    let mut compared = 0;
    let mut refused = 0;
    for (pipeline, direction, dir) in pipelines() {
        for file in files_ending(&fixtures().join(dir), ".json")
            .into_iter()
            .take(4)
        {
            let text = std::fs::read_to_string(&file).unwrap();
            for (what, input) in mutations(&text) {
                let bytes = input.as_bytes();
                let fast = fast(bytes, &pipeline, direction);
                let tree = tree(bytes, &pipeline, direction);
                let name = format!("{} ({what})", file.display());
                match (&fast, &tree) {
                    (Ok(f), Ok(t)) => {
                        let (fv, tv): (Value, Value) = (
                            serde_json::from_slice(f).unwrap(),
                            serde_json::from_slice(t).unwrap(),
                        );
                        assert_eq!(fv, tv, "{name}: different output");
                        if bytes == t.as_slice() {
                            assert!(f == t, "{name}: canonical input, different bytes");
                        }
                        compared += 1;
                    }
                    (Err(f), Err(t)) => {
                        assert_eq!(f, t, "{name}: different errors");
                        refused += 1;
                    }
                    _ => panic!("{name}: fast {fast:?} vs tree {tree:?}"),
                }
            }
        }
    }
    assert!(
        compared > 100 && refused > 50,
        "{compared} compared, {refused} refused"
    );
}

/// The attacker's input, end to end: `encode` of a history whose `input` key is escaped
/// must encode that payload; a duplicate key is refused with the tree walker's located
/// error (exit 3), by `encode`, `decode` and `check` alike.
#[test]
fn an_escaped_key_is_encoded_and_a_duplicate_key_is_refused() {
    let file = files_ending(&fixtures().join("decoded/default"), ".json")
        .into_iter()
        .next()
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let input = replace_key(&text, "input", "\"inp\\u0075t\"").unwrap();
    let out = tcodec_interop()
        .args(["encode", "-n", "default", "-"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let encoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &encoded["events"][0]["workflowExecutionStartedEventAttributes"]["input"];
    assert_eq!(
        first["payloads"][0]["metadata"]["encoding"], "YmluYXJ5L2VuY3J5cHRlZA==",
        "binary/encrypted"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("inp\\u0075t"));
    let check = tcodec_interop()
        .args(["check", "-n", "default", "-"])
        .write_stdin(String::from_utf8(out.stdout).unwrap())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{check:?}");

    let dup = duplicate_key(&text, "input").unwrap();
    // serde_json names the line of the repeated (second) key.
    let second = dup.match_indices("\"input\":").nth(1).unwrap().0;
    let line = dup[..second].matches('\n').count() + 1;
    for verb in ["encode", "decode"] {
        let out = tcodec_interop()
            .args([verb, "-n", "default", "-"])
            .write_stdin(dup.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{verb}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with(&format!(
                "tcodec: error: malformed input: <stdin>: line {line}, column "
            )) && err.contains(": invalid JSON: duplicate key \"input\"\n"),
            "{verb}: {err}"
        );
        assert!(out.stdout.is_empty(), "{verb}: nothing written");
    }
    let out = tcodec_interop()
        .args(["check", "-n", "default", "-"])
        .write_stdin(dup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("duplicate key \"input\""));
}

/// JSON lines read as a stream refuse duplicate keys too (as one document does).
#[test]
fn json_lines_refuse_duplicate_keys() {
    let out = tcodec_interop()
        .args(["decode", "-n", "zipped", "--input-format", "jsonl", "-"])
        .write_stdin("{\"payloads\": []}\n{\"payloads\": [], \"payloads\": []}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("duplicate key \"payloads\""), "{err}");
}
