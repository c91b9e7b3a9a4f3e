//! Whole histories: every fixture history (exported by the real `temporal` CLI from the
//! real dev server, written by the real Python SDK) decodes to exactly what the `temporal`
//! CLI itself printed with a codec server; encoding puts payloads back at the SDK's sites.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn histories(ns: &str) -> Vec<PathBuf> {
    files_ending(&fixtures().join("encoded").join(ns), ".json")
}

fn truth(encoded: &Path) -> PathBuf {
    let ns = encoded.parent().unwrap().file_name().unwrap();
    fixtures()
        .join("decoded")
        .join(ns)
        .join(encoded.file_name().unwrap())
}

fn decode(ns: &str, args: &[&str], stdin: Vec<u8>) -> Vec<u8> {
    let out = tcodec_interop()
        .args(["decode", "-n", ns])
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert_success(&out);
    out.stdout
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn every_fixture_history_decodes_byte_for_byte_like_the_temporal_cli() {
    let mut count = 0;
    for ns in ["default", "zipped"] {
        for file in histories(ns) {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("plain.json");
            tcodec_interop()
                .args(["decode", "-n", ns])
                .arg(&file)
                .arg("-o")
                .arg(&out)
                .assert()
                .success();
            let got = std::fs::read(&out).unwrap();
            assert!(
                got == std::fs::read(truth(&file)).unwrap(),
                "{} differs from the CLI's decode",
                file.display()
            );
            count += 1;
        }
    }
    assert_eq!(count, 15);
}

/// (path, encoding) of every payload site, from the JSON tree.
fn encodings(v: &Value, path: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o)
            if o.get("metadata").is_some_and(Value::is_object)
                && o.keys()
                    .all(|k| ["metadata", "data", "externalPayloads"].contains(&k.as_str())) =>
        {
            let enc = o["metadata"]
                .get("encoding")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.push((path, enc));
        }
        Value::Object(o) => o
            .iter()
            .for_each(|(k, v)| encodings(v, format!("{path}.{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| encodings(v, format!("{path}[{i}]"), out)),
        _ => {}
    }
}

#[test]
fn encoding_a_decoded_history_encodes_exactly_the_sdk_sites() {
    for ns in ["default", "zipped"] {
        for file in histories(ns) {
            let plain = std::fs::read(truth(&file)).unwrap();
            let out = tcodec_interop()
                .args(["encode", "-n", ns, "-"])
                .write_stdin(plain)
                .output()
                .unwrap();
            assert!(out.status.success());
            let (mut ours, mut sdk) = (Vec::new(), Vec::new());
            encodings(&json(&out.stdout), String::new(), &mut ours);
            encodings(
                &json(&std::fs::read(&file).unwrap()),
                String::new(),
                &mut sdk,
            );
            assert_eq!(ours, sdk, "{}", file.display());
            // And it decodes back to the truth.
            let back = decode(ns, &["-"], out.stdout);
            assert_eq!(back, std::fs::read(truth(&file)).unwrap());
        }
    }
}

#[test]
fn python_peer_decodes_histories_tcodec_encoded() {
    let Some(py) = peer_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for ns in ["default", "zipped", "both"] {
        for file in histories(if ns == "zipped" { "zipped" } else { "default" }) {
            let enc = dir.path().join("enc.json");
            tcodec_interop()
                .args(["encode", "-n", ns])
                .arg(truth(&file))
                .arg("-o")
                .arg(&enc)
                .assert()
                .success();
            let out = std::process::Command::new(&py)
                .arg(root().join("../shared/interop/compare_histories.py"))
                .args(["--peer-decode", ns])
                .arg(&enc)
                .arg(truth(&file))
                .env("INTEROP_KEYS", fixtures().join("keys.json"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{ns} {}: {}{}",
                file.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn greeting() -> (Vec<u8>, Value) {
    let file = histories("default")
        .into_iter()
        .find(|f| f.to_string_lossy().contains("s-greeting-test-key-2."))
        .unwrap();
    (
        std::fs::read(&file).unwrap(),
        json(&std::fs::read(truth(&file)).unwrap()),
    )
}

#[test]
fn single_events_event_arrays_and_history_responses() {
    let (encoded, want) = greeting();
    let history = json(&encoded);
    let events = history["events"].clone();
    let got = json(&decode("default", &["-"], events.to_string().into_bytes()));
    assert_eq!(got, want["events"]);
    let one = json(&decode(
        "default",
        &["-"],
        events[0].to_string().into_bytes(),
    ));
    assert_eq!(one, want["events"][0]);
    let response =
        serde_json::json!({"history": history, "nextPageToken": null, "archived": false});
    let got = json(&decode(
        "default",
        &["-"],
        response.to_string().into_bytes(),
    ));
    assert_eq!(got["history"], want);
    assert_eq!(got["archived"], false);
}

#[test]
fn json_lines_of_histories_stream_through() {
    let mut input = Vec::new();
    let mut want = Vec::new();
    for file in histories("default") {
        let h = json(&std::fs::read(&file).unwrap());
        input.extend(format!("{h}\n").into_bytes());
        want.push(json(&std::fs::read(truth(&file)).unwrap()));
    }
    let out = decode("default", &["--input-format", "jsonl", "-"], input);
    let got: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn binary_protobuf_histories() {
    let (encoded, want) = greeting();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("history.bin");
    std::fs::write(dir.path().join("h.json"), &encoded).unwrap();
    // JSON history -> binary (no codec change on a plain pass: decode namespace zipped).
    tcodec_interop()
        .args(["decode", "-n", "zipped", "--output-format", "proto"])
        .arg(dir.path().join("h.json"))
        .arg("-o")
        .arg(&bin)
        .assert()
        .success();
    let out = dir.path().join("plain.json");
    tcodec_interop()
        .args([
            "decode",
            "-n",
            "default",
            "--input-format",
            "proto",
            "--type",
            "history",
        ])
        .arg(&bin)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let got = json(&std::fs::read(&out).unwrap());
    assert_eq!(
        got["events"].as_array().unwrap().len(),
        want["events"].as_array().unwrap().len()
    );
    assert!(
        got == want,
        "the whole document decoded from binary equals the temporal CLI's decode"
    );
    let (mut a, mut b) = (Vec::new(), Vec::new());
    encodings(&got, String::new(), &mut a);
    encodings(&want, String::new(), &mut b);
    a.sort();
    b.sort();
    assert_eq!(a, b, "every payload decoded, from binary");
}

#[test]
fn search_attributes_stay_untouched_and_unknown_fields_are_kept() {
    let (encoded, _) = greeting();
    let mut history = json(&encoded);
    let encrypted = history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]
        ["payloads"][0]
        .clone();
    let attrs = &mut history["events"][0]["workflowExecutionStartedEventAttributes"];
    attrs["searchAttributes"] =
        serde_json::json!({"indexedFields": {"CustomKeywordField": encrypted.clone()}});
    attrs["fieldFromTheFuture"] =
        serde_json::from_str(&format!("{{\"payloads\": [{encrypted}], \"n\": 1.50}}")).unwrap();
    history["events"][0]["newTopLevel"] = serde_json::from_str("[1, 2.0, \"x\"]").unwrap();
    let out = decode("default", &["-"], history.to_string().into_bytes());
    let got = json(&out);
    let attrs = &got["events"][0]["workflowExecutionStartedEventAttributes"];
    assert_eq!(
        attrs["searchAttributes"]["indexedFields"]["CustomKeywordField"],
        encrypted
    );
    assert_eq!(
        attrs["fieldFromTheFuture"]["payloads"][0], encrypted,
        "unknown fields are not walked"
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"n\":1.50"), "numbers kept as written");
    assert!(
        text.contains("\"newTopLevel\":[1,2.0,\"x\"]"),
        "unknown fields kept as written"
    );
    assert_ne!(
        attrs["input"]["payloads"][0], encrypted,
        "the real input was decoded"
    );
}

#[test]
fn layout_is_kept_compact_or_indented() {
    let (encoded, want) = greeting();
    let history = json(&encoded);
    let compact = decode("default", &["-"], history.to_string().into_bytes());
    assert_eq!(
        compact,
        want.to_string().into_bytes(),
        "compact in, compact out"
    );
    let mut four = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    serde::Serialize::serialize(
        &history,
        &mut serde_json::Serializer::with_formatter(&mut four, fmt),
    )
    .unwrap();
    let mut want_four = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    serde::Serialize::serialize(
        &want,
        &mut serde_json::Serializer::with_formatter(&mut want_four, fmt),
    )
    .unwrap();
    assert_eq!(
        decode("default", &["-"], four),
        want_four,
        "4-space indent kept"
    );
}

#[test]
fn a_bad_payload_in_a_history_is_named_by_its_json_path() {
    let (encoded, _) = greeting();
    let mut history = json(&encoded);
    let index = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["activityTaskCompletedEventAttributes"]["result"].is_object())
        .unwrap();
    history["events"][index]["activityTaskCompletedEventAttributes"]["result"]["payloads"][0]
        ["metadata"]["encryption-key-id"] = "b2xkLWtleQ==".into(); // old-key
    let out = tcodec_interop()
        .args(["decode", "-n", "default", "-"])
        .write_stdin(history.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!("tcodec: error: cannot decode payload: <stdin>: events[{index}].activityTaskCompletedEventAttributes.result.payloads[0]: unknown encryption key id \"old-key\"\n")),
        "{err}"
    );
}

#[test]
fn fast_path_and_dom_path_give_the_same_bytes() {
    use tcodec::codec::Direction;
    use tcodec::document::{self, DocType, OutputFormat, ReadOptions};
    use tcodec::document::{scan, tree::SiteFilter};
    use tcodec::error::Location;
    let config = tcodec::config::Config::load(&interop_config()).unwrap();
    for ns in ["default", "zipped"] {
        let pipeline = config.pipeline(ns).unwrap();
        for file in histories(ns) {
            let bytes = std::fs::read(&file).unwrap();
            let policy = SiteFilter::for_direction(Direction::Decode);
            let fast = scan::transcode(
                &bytes,
                &Location::file("f"),
                DocType::Auto,
                &pipeline,
                Direction::Decode,
                policy,
                &tcodec::codec::Budget::unlimited(),
            )
            .unwrap()
            .expect("fast path applies to exported histories")
            .to_vec()
            .unwrap();
            let (_, docs) = document::parse(&bytes, "f", ReadOptions::default()).unwrap();
            let docs: Vec<_> = docs
                .into_iter()
                .map(|d| {
                    tcodec::document::driver::run_document(
                        &pipeline,
                        Direction::Decode,
                        d,
                        &tcodec::codec::Budget::unlimited(),
                    )
                    .unwrap()
                })
                .collect();
            let dom = document::render(&docs, OutputFormat::Json).unwrap();
            assert!(fast == dom, "{}: fast and DOM paths differ", file.display());
        }
    }
}

/// An independent rendering of the readable form, from the `temporal` CLI's decoded truth:
/// every payload-shaped object (metadata of base64 strings, optional data) shown as what
/// it means. tcodec's `--readable` of the encoded fixture must give exactly this.
fn readable_from_truth(v: &Value) -> Value {
    use base64::Engine as _;
    let b64 = |s: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(s.as_str().unwrap())
            .unwrap()
    };
    let text_or_b64 = |bytes: Vec<u8>| match String::from_utf8(bytes.clone()) {
        Ok(t) => Value::String(t),
        Err(_) => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
    };
    match v {
        Value::Object(o)
            if o.get("metadata").is_some_and(Value::is_object)
                && o.keys()
                    .all(|k| ["metadata", "data", "externalPayloads"].contains(&k.as_str())) =>
        {
            let mut out = serde_json::Map::new();
            let meta: std::collections::BTreeMap<String, Value> = o["metadata"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), text_or_b64(b64(v))))
                .collect();
            let encoding = meta
                .get("encoding")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.insert("metadata".into(), serde_json::to_value(meta).unwrap());
            let data = o.get("data").map(b64).unwrap_or_default();
            let raw = Value::String(base64::engine::general_purpose::STANDARD.encode(&data));
            // Bytes that are not what their encoding says are shown as "base64".
            let shown = match encoding.as_str() {
                "binary/null" => Some(("data", Value::Null)),
                "json/plain" | "json/protobuf" => Some(match serde_json::from_slice(&data) {
                    Ok(v) => ("data", v),
                    Err(_) => ("base64", raw),
                }),
                "binary/plain" => Some(match String::from_utf8(data.clone()) {
                    Ok(t) => ("data", Value::String(t)),
                    Err(_) => ("base64", raw),
                }),
                _ if data.is_empty() => None,
                _ => Some(("data", raw)),
            };
            if let Some((key, shown)) = shown {
                if !(data.is_empty() && shown.is_string()) {
                    out.insert(key.into(), shown);
                }
            }
            if let Some(ext) = o.get("externalPayloads") {
                out.insert("externalPayloads".into(), ext.clone());
            }
            Value::Object(out)
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), readable_from_truth(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(readable_from_truth).collect()),
        other => other.clone(),
    }
}

#[test]
fn readable_output_of_every_fixture_matches_an_independent_rendering() {
    let mut count = 0;
    for ns in ["default", "zipped"] {
        for file in histories(ns) {
            let out = tcodec_interop()
                .args(["decode", "-n", ns, "--readable"])
                .arg(&file)
                .output()
                .unwrap();
            assert_success(&out);
            let got = json(&out.stdout);
            let want = readable_from_truth(&json(&std::fs::read(truth(&file)).unwrap()));
            assert!(got == want, "{}: readable output differs", file.display());
            count += 1;
        }
    }
    assert!(count >= 10, "{count} fixtures");
}

/// A history of over 8 MiB (the size from which the scanner runs while payloads are
/// transcoded): the fixture's events repeated, and the same events decoded by the CLI.
fn big_history() -> (String, String) {
    let file = histories("default")
        .into_iter()
        .max_by_key(|f| std::fs::metadata(f).unwrap().len())
        .unwrap();
    let encoded = json(&std::fs::read(&file).unwrap());
    let decoded = json(&std::fs::read(truth(&file)).unwrap());
    let events = |v: &Value| v["events"].as_array().unwrap().clone();
    let (mut enc, mut dec) = (Vec::new(), Vec::new());
    while serde_json::to_vec(&enc).unwrap().len() < 9 << 20 {
        enc.extend(events(&encoded));
        dec.extend(events(&decoded));
    }
    let pretty = |events: Vec<Value>| {
        serde_json::to_string_pretty(&serde_json::json!({ "events": events })).unwrap()
    };
    (pretty(enc), pretty(dec))
}

#[test]
fn big_histories_transcode_while_they_are_scanned_and_fall_back_when_the_scanner_gives_up() {
    let (encoded, decoded) = big_history();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.json");
    let output = dir.path().join("out.json");
    std::fs::write(&input, &encoded).unwrap();
    let run = || {
        tcodec_interop()
            .args(["decode", "-n", "default"])
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap()
    };
    // Into a file: scanned and transcoded at once; the same bytes as the CLI's decode.
    assert_success(&run());
    assert_eq!(
        json(&std::fs::read(&output).unwrap()),
        json(decoded.as_bytes())
    );
    let to_stdout = decode("default", &[], encoded.clone().into_bytes());
    assert!(
        std::fs::read(&output).unwrap() == to_stdout,
        "file and stdout differ"
    );
    // A duplicate key in the last payload: the scanner gives up at the very end, after
    // chunks were written; the tree walker then reports it and nothing is kept.
    std::fs::remove_file(&output).unwrap();
    let at = encoded.rfind("\"data\": \"").unwrap();
    let mut bad = encoded.clone();
    bad.insert_str(at, "\"data\": \"AA==\", ");
    std::fs::write(&input, &bad).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("duplicate"), "{err}");
    assert!(!output.exists(), "no output for a refused document");
    // A tampered payload late in the document: named by its path, nothing kept.
    let at = encoded.rfind("\"data\": \"").unwrap() + "\"data\": \"".len();
    let mut tampered = encoded.clone();
    tampered.replace_range(at..at + 4, "AAAA");
    std::fs::write(&input, &tampered).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(": events["), "{err}");
    assert!(!output.exists(), "no output for a failed document");
}
