//! Interop with the Python peer: the official `temporalio` Payload protos with the
//! `cryptography` AES-GCM and zlib codecs of `../shared/interop/harness_codecs.py`.
//! What tcodec encodes, the peer decodes; what the peer encodes (with either rotated key),
//! tcodec decodes. Needs `TCODEC_PEER_PYTHON` (set up by `scripts/test`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

fn python() -> Option<PathBuf> {
    match std::env::var_os("TCODEC_PEER_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var_os("TCODEC_SKIP_INTEROP").is_some() => None,
        None => panic!(
            "TCODEC_PEER_PYTHON is not set: run the tests with `scripts/test` (it builds the peer venv), \
             or set TCODEC_SKIP_INTEROP=1 to skip the Python interop tests"
        ),
    }
}

fn peer(python: &Path, args: &[&str]) {
    let out = Command::new(python)
        .arg(root().join("tests/interop/peer.py"))
        .args(args)
        .env("TCODEC_SHARED", root().join("../shared"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "peer {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every plaintext payload of the fixtures, plus from-values edge cases, as one body.
fn plaintext(dir: &Path) -> (PathBuf, Value) {
    let mut all = Vec::new();
    for file in files_ending(&fixtures().join("payloads/default"), ".decoded.json") {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        all.extend(v["payloads"].as_array().unwrap().iter().cloned());
    }
    let values = format!("[\"\", 0, [], {{}}, null, \"{}\"]", "x".repeat(3 << 20));
    let out = tcodec_interop()
        .args(["encode", "--from-values", "-n", "zipped"])
        .write_stdin(values)
        .output()
        .unwrap();
    let extra: Value = serde_json::from_slice(&out.stdout).unwrap();
    // zipped compressed the big one; decode it back to plain first.
    let decoded = tcodec_interop()
        .args(["decode", "-n", "zipped"])
        .write_stdin(extra.to_string())
        .output()
        .unwrap();
    let extra: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    all.extend(extra.as_array().unwrap().iter().cloned());
    all.push(serde_json::json!({}));
    let body = serde_json::json!({ "payloads": all });
    let path = dir.join("plain.json");
    std::fs::write(&path, body.to_string()).unwrap();
    (path, body)
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn python_peer_decodes_what_tcodec_encodes() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (plain, want) = plaintext(dir.path());
    for ns in ["default", "zipped", "both"] {
        let enc = dir.path().join(format!("{ns}.enc.json"));
        tcodec_interop()
            .args(["encode", "-n", ns])
            .arg(&plain)
            .arg("-o")
            .arg(&enc)
            .assert()
            .success();
        let by_peer = dir.path().join(format!("{ns}.peer.json"));
        peer(
            &py,
            &[
                "decode",
                ns,
                enc.to_str().unwrap(),
                by_peer.to_str().unwrap(),
            ],
        );
        assert_eq!(read(&by_peer), want, "namespace {ns}");
    }
}

#[test]
fn tcodec_decodes_what_the_python_peer_encodes_with_either_key() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (plain, want) = plaintext(dir.path());
    for ns in ["default", "zipped", "both"] {
        for key in ["test-key-1", "test-key-2"] {
            let enc = dir.path().join(format!("{ns}-{key}.json"));
            peer(
                &py,
                &[
                    "encode",
                    ns,
                    key,
                    plain.to_str().unwrap(),
                    enc.to_str().unwrap(),
                ],
            );
            let out = tcodec_interop()
                .args(["decode", "-n", ns])
                .arg(&enc)
                .output()
                .unwrap();
            assert_success(&out);
            let got: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(got, want, "namespace {ns}, key {key}");
        }
    }
}
