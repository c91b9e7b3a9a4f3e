//! Fail closed, round 5: an attacker's review of this stop's export code (the wire check
//! made faster, the JSON decode of an export file read once per field). Each test is one
//! finding, with the input that showed it, built here byte by byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::tcodec_interop;

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A length-delimited field.
fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    varint(number << 3 | 2, &mut out);
    varint(bytes.len() as u64, &mut out);
    out.extend_from_slice(bytes);
    out
}

/// A Payload: metadata `encoding` = `encoding`, `data`, then `extra` bytes as they are.
fn payload(encoding: &str, data: &[u8], extra: &[u8]) -> Vec<u8> {
    let entry = [field(1, b"encoding"), field(2, encoding.as_bytes())].concat();
    [field(1, &entry), field(2, data), extra.to_vec()].concat()
}

/// An export object with one workflow whose first event's started attributes hold `input`
/// (a Payloads) and `extra` bytes after the event's fields.
fn export(input_payload: &[u8], extra_in_event: &[u8]) -> Vec<u8> {
    let payloads = field(1, input_payload);
    // WorkflowExecutionStartedEventAttributes.input = 6; HistoryEvent: event_id = 1 (a
    // varint), workflow_execution_started_event_attributes = 6.
    let started = field(6, &payloads);
    let event = [
        vec![0x08, 0x01],
        field(6, &started),
        extra_in_event.to_vec(),
    ]
    .concat();
    let history = field(1, &event);
    let workflow = field(1, &history);
    field(1, &workflow)
}

fn check(file: &Path) -> (Option<i32>, serde_json::Value) {
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            "default",
            "--type",
            "export",
            "--output-format",
            "json",
        ])
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// A sealed-looking Payload with plaintext in a field the Payload message does not have:
/// a parser drops it, so no rule ever looked at it (it passed, even under a 1 KiB size
/// limit). Now the site is malformed: its bytes are not all its fields.
#[test]
fn plaintext_in_an_unknown_field_of_a_payload_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let secret = [field(15, b"TOP-SECRET-PLAINTEXT").as_slice()].concat();
    let file = dir.path().join("smuggle.binpb");
    std::fs::write(
        &file,
        export(&payload("binary/encrypted", b"sealed?", &secret), &[]),
    )
    .unwrap();
    let (code, report) = check(&file);
    assert_eq!(code, Some(1), "{report}");
    let v = &report["violations"][0];
    assert_eq!(v["rule"], "malformed", "{report}");
    assert_eq!(
        v["path"],
        "workflows[0].history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0]"
    );
    assert_eq!(
        v["message"],
        "the Payload message is 61 bytes, its fields only 39: it holds unknown or repeated fields, unchecked"
    );
    // A Payload holding `data` twice (a parser keeps the last): refused the same way.
    let twice = dir.path().join("twice.binpb");
    let doubled = payload("json/plain", b"\"a\"", &field(2, b"\"b\""));
    std::fs::write(&twice, export(&doubled, &[])).unwrap();
    let (code, report) = check(&twice);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["rule"] == "malformed"),
        "{report}"
    );
}

/// Field number 0 does not exist; parsers refuse it, and so does the wire check (it
/// checked the file as if the field were not there).
#[test]
fn field_number_zero_is_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("field0.binpb");
    // Key 0x02: field 0, length-delimited, length 0.
    std::fs::write(
        &file,
        export(&payload("binary/encrypted", b"x", &[]), &[0x02, 0x00]),
    )
    .unwrap();
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--type", "export", "-q"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("field number 0 at byte"), "{text}");
}

/// `decode -` reads standard input only: with a file named `-` in the working directory,
/// the second (activities) pass read that file, and its activities came out decoded.
#[test]
fn decode_of_standard_input_never_reads_a_file_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = common::fixtures().join("exports/exported/default/0.binpb");
    // The planted file: the fixture twice (two activities); stdin gets it once (one).
    let twice = [
        std::fs::read(&fixture).unwrap(),
        std::fs::read(&fixture).unwrap(),
    ]
    .concat();
    std::fs::write(dir.path().join("-"), twice).unwrap();
    let out = tcodec_interop()
        .current_dir(dir.path())
        .args(["decode", "-n", "default", "--type", "export", "-q"])
        .args(["--output-format", "json", "-"])
        .pipe_stdin(&fixture)
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["workflows"].as_array().unwrap().len(), 3);
    assert_eq!(doc["activities"].as_array().unwrap().len(), 1);
}

/// The JSON decode of an export file reads it twice; a file renamed over it between the
/// two readings must not mix in (both readings go through one open file), nor bytes
/// appended since the first (the second reads as far as the first did).
#[test]
fn the_two_readings_of_an_export_file_are_of_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::fs::read(common::fixtures().join("exports/exported/default/0.binpb")).unwrap();
    // Many copies, so the first reading takes a while; then swap the file by rename.
    let big = fixture.repeat(400);
    let victim = dir.path().join("victim.binpb");
    std::fs::write(&victim, &big).unwrap();
    let other = dir.path().join("other.binpb");
    std::fs::write(&other, fixture.repeat(3)).unwrap();
    let output = dir.path().join("out.json");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg("--config")
        .arg(common::interop_config())
        .args(["decode", "-n", "default", "--type", "export", "-q"])
        .args(["--output-format", "json", "-o"])
        .arg(&output)
        .arg(&victim)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    std::fs::rename(&other, &victim).unwrap();
    let status = child.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    // The first file's 1,200 workflows and 400 activities, or (if the rename came first)
    // the second's 9 and 3: never a mix.
    let counts = (
        doc["workflows"].as_array().unwrap().len(),
        doc["activities"].as_array().unwrap().len(),
    );
    assert!(counts == (1200, 400) || counts == (9, 3), "{counts:?}");
}
