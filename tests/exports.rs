//! Issue #22: exported and archived executions, on the shared fixtures (real histories and
//! standalone activity descriptions as the Python SDK and the dev server stored them, in
//! Cloud Export and server archival shapes). Decoded output is compared with the truth by
//! the Python peer's `compare_exports.py` (another implementation), and what tcodec encodes
//! is decoded by the peer's codecs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixtures, peer_python, root, tcodec_interop};
use serde_json::Value;

fn exports() -> PathBuf {
    fixtures().join("exports")
}

/// (namespace, file) of every fixture in `kind/`.
fn files(kind: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for ns in ["default", "zipped"] {
        let dir = exports().join(kind).join(ns);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut list: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        list.sort();
        out.extend(list.into_iter().map(|p| (ns.to_string(), p)));
    }
    assert!(!out.is_empty(), "no fixtures in {kind}");
    out
}

fn truth(kind: &str, ns: &str, file: &Path) -> PathBuf {
    let stem = file.file_stem().unwrap().to_string_lossy().to_string();
    exports()
        .join(format!("{kind}-truth"))
        .join(ns)
        .join(format!("{stem}.json"))
}

/// `compare_exports.py [extra] CANDIDATE TRUTH` exits 0, or the test skips without a peer.
fn peer_agrees(extra: &[&str], candidate: &Path, truth: &Path) {
    let Some(py) = peer_python() else {
        return;
    };
    let out = Command::new(py)
        .arg(root().join("../shared/interop/compare_exports.py"))
        .args(extra)
        .arg(candidate)
        .arg(truth)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} vs {}: {}{}",
        candidate.display(),
        truth.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Numbers compared by value (`2` and `2.0`: Go writes one, Python the other).
fn normalized(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Number(n) => *v = Value::from(n.as_f64().unwrap()),
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(fields) => fields.values_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

#[test]
fn cloud_export_objects_decode_to_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["exported", "export"] {
        for (ns, file) in files(kind) {
            let out_file = dir.path().join("out.json");
            let out = tcodec_interop()
                .args([
                    "decode",
                    "-n",
                    &ns,
                    "--type",
                    "export",
                    "--output-format",
                    "json",
                    "-o",
                ])
                .arg(&out_file)
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            if kind == "exported" {
                assert_eq!(
                    normalized(json(&out_file)),
                    normalized(json(&truth(kind, &ns, &file))),
                    "{}",
                    file.display()
                );
            }
            peer_agrees(&[], &out_file, &truth(kind, &ns, &file));
        }
    }
}

#[test]
fn archives_are_detected_and_decode_to_the_truth() {
    for kind in ["archive", "blob"] {
        for (ns, file) in files(kind) {
            let out = tcodec_interop()
                .args(["decode", "-n", &ns, "-q"])
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let got: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                normalized(got),
                normalized(json(&truth(kind, &ns, &file))),
                "{}",
                file.display()
            );
        }
    }
}

/// What tcodec encodes (JSON and binary) the peer's codecs decode back to the truth.
#[test]
fn encoded_exports_are_read_by_the_peer_and_round_trip_in_binary() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["exported", "archive", "blob"] {
        for (ns, file) in files(kind).into_iter().take(2) {
            let plain = truth(kind, &ns, &file);
            let sealed = dir.path().join("sealed.json");
            let out = tcodec_interop()
                .args(["encode", "-n", &ns, "-o"])
                .arg(&sealed)
                .arg(&plain)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            peer_agrees(&["--peer-decode", &ns], &sealed, &plain);
        }
    }
    // Binary: encode the truth to an ExportedExecutions object, read it back.
    let (ns, file) = files("exported").remove(0);
    let plain = truth("exported", &ns, &file);
    let binary = dir.path().join("sealed.binpb");
    let out = tcodec_interop()
        .args([
            "encode",
            "-n",
            &ns,
            "--type",
            "export",
            "--output-format",
            "proto",
            "-o",
        ])
        .arg(&binary)
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = tcodec_interop()
        .args([
            "decode",
            "-n",
            &ns,
            "--type",
            "export",
            "--output-format",
            "json",
            "-q",
        ])
        .arg(&binary)
        .output()
        .unwrap();
    let got: Value = serde_json::from_slice(&back.stdout).unwrap();
    assert_eq!(normalized(got), normalized(json(&plain)));
}

#[test]
fn check_and_keys_used_read_exports_and_a_binary_export_without_type_gets_a_hint() {
    let (ns, file) = files("exported").remove(0);
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            &ns,
            "--type",
            "export",
            "--require-payloads",
            "--output-format",
            "json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["payloads"].as_u64().unwrap() > 10);
    // The decoded truth is plaintext: every workflow and activity payload is a violation.
    let plain = truth("exported", &ns, &file);
    let out = tcodec_interop()
        .args(["check", "-n", &ns, "--output-format", "json"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("workflows[0].history.events[")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("activities[0].activity.")),
        "{paths:?}"
    );
    // Without --type, a binary export fails every reading and says what to add.
    let out = tcodec_interop()
        .args(["decode", "-n", &ns])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(a Cloud Export object: --type export;"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
