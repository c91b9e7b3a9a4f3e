//! `decode --readable` and `tcodec check` on the real fixture histories.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::path::PathBuf;

use common::*;
use serde_json::{json, Value};

const GREETING: &str = "s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.json";

fn encoded(ns: &str, name: &str) -> PathBuf {
    fixtures().join("encoded").join(ns).join(name)
}

fn decoded(ns: &str, name: &str) -> PathBuf {
    fixtures().join("decoded").join(ns).join(name)
}

/// A config whose `default` namespace only knows test-key-2: test-key-1 payloads fail.
fn key2_only_config(dir: &std::path::Path) -> PathBuf {
    let cfg = dir.join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[keys]\ntest-key-2 = {{ file = {:?}, published = true }}\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-2\" }}]\n",
            fixtures().join("keys/test-key-2.key").display().to_string()
        ),
    )
    .unwrap();
    cfg
}

#[test]
fn readable_shows_values_and_keeps_everything_else() {
    let out = tcodec_interop()
        .args(["decode", "-n", "default", "--readable"])
        .arg(encoded("default", GREETING))
        .output()
        .unwrap();
    assert_success(&out);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let started = &got["events"][0];
    assert_eq!(
        started["userMetadata"]["summary"],
        json!({"metadata": {"encoding": "json/plain"}, "data": "greeting run test-key-1"})
    );
    let input = &started["workflowExecutionStartedEventAttributes"]["input"]["payloads"];
    assert_eq!(input[0]["data"], json!("Hello"));
    assert_eq!(
        input[1]["data"],
        json!({"name": "Ada", "tags": ["vip", "beta"]})
    );
    assert_eq!(input[2]["data"], json!(7));
    // Non-payload fields are those of the plain history.
    let plain: Value =
        serde_json::from_slice(&std::fs::read(decoded("default", GREETING)).unwrap()).unwrap();
    assert_eq!(started["eventTime"], plain["events"][0]["eventTime"]);
    assert_eq!(
        got["events"].as_array().unwrap().len(),
        plain["events"].as_array().unwrap().len()
    );
    // Nothing is left in base64 JSON form with a json/plain encoding.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("anNvbi9wbGFpbg=="));
}

#[test]
fn readable_reports_undecodable_payloads_inline_and_exits_3_unless_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = key2_only_config(dir.path());
    let run = |extra: &[&str]| {
        tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["decode", "--readable"])
            .args(extra)
            .arg(encoded("default", GREETING))
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with("tcodec: warning: cannot decode payload: ")
            && first.ends_with(
                ": events[0].userMetadata.summary: unknown encryption key id \"test-key-1\""
            ),
        "{first}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .ends_with("could not be decoded (shown inline with \"error\")"),
        "{err}"
    );
    assert_no_key_material(&err);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &got["events"][0]["userMetadata"]["summary"];
    assert_eq!(
        summary["error"],
        json!("unknown encryption key id \"test-key-1\"")
    );
    assert_eq!(summary["metadata"]["encoding"], json!("binary/encrypted"));
    assert_eq!(run(&["--keep-going"]).status.code(), Some(0));
}

#[test]
fn every_encoded_fixture_passes_require_encoded() {
    let files = files_ending(&fixtures().join("encoded/default"), ".json");
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--require-encoded"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text,
        "notice: left plain as the SDKs do by default (not violations; --strict counts headers and marker data): 6 headers, 2 local-activity marker data, 6 search attributes\n\
         checked 10 files, 104 payloads: 0 violations, 14 notices; rules: plaintext, key-id (the namespace's keys), size (<= 2097152 bytes), undecodable, double-encoded, malformed, foreign-encoding, unreadable\n"
    );
}

#[test]
fn plaintext_histories_fail_with_the_location_of_each_leak() {
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--require-encoded"])
        .arg(decoded("default", GREETING))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.ends_with(&format!(
            "{GREETING}: events[0].userMetadata.summary: plaintext: not encoded: encoding \"json/plain\", expected \"binary/encrypted\""
        )),
        "{first}"
    );
    assert!(
        text.contains("violations (") && text.contains(" plaintext)"),
        "{text}"
    );
}

#[test]
fn strict_counts_headers_and_marker_data() {
    let files = files_ending(&fixtures().join("encoded/default"), ".json");
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            "default",
            "--require-encoded",
            "--strict",
            "--format",
            "json",
        ])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], json!(false));
    let sites: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites.iter().filter(|s| **s == "header").count(), 6);
    assert_eq!(sites.iter().filter(|s| **s == "marker-data").count(), 2);
    assert_eq!(
        report["notices"].as_array().unwrap().len(),
        6,
        "search attributes stay notices"
    );
}

#[test]
fn key_ids_off_the_allow_list_and_oversized_payloads_are_violations() {
    let rotated = "s-loop-test-key-2.49918ec7-468c-4d38-8ecb-48a96bc1014f.json";
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            "default",
            "--allow-key-id",
            "test-key-1",
            "--format",
            "json",
        ])
        .arg(encoded("default", rotated))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &report["violations"][0];
    assert_eq!(first["rule"], json!("key-id"));
    assert_eq!(
        first["message"],
        json!("key id \"test-key-2\" is not allowed (allowed: test-key-1)")
    );

    // The greeting history carries a ~300 KB string.
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            "default",
            "--no-decode",
            "--max-payload-size",
            "100KiB",
            "--format",
            "json",
        ])
        .arg(encoded("default", GREETING))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sizes: Vec<&Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"] == "size")
        .collect();
    assert!(!sizes.is_empty(), "{report}");
    assert!(sizes[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("over the limit of 102400 bytes"));

    tcodec_interop()
        .args(["check", "--max-payload-size", "2 parsecs", "-"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid size unit \"parsecs\""));
}

/// A history sealed under another namespace's key (the wrong `-n`): each payload is a
/// key-id violation, found without decoding too (issue #25: `--no-decode` passed it).
#[test]
fn payloads_under_a_key_the_namespace_does_not_know_are_violations() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = key2_only_config(dir.path());
    for extra in [&[][..], &["--no-decode"][..]] {
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["check", "--require-encoded"])
            .args(extra)
            .arg(encoded("default", GREETING))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.lines().next().unwrap().ends_with(
                "events[0].userMetadata.summary: key-id: key id \"test-key-1\" is not one of this namespace's keys (test-key-2): another namespace's data, or the wrong -n?"
            ),
            "{text}"
        );
        // Said once per payload, not again as undecodable.
        assert!(!text.contains("undecodable:"), "{text}");
        assert!(
            text.contains("rules: plaintext, key-id (the namespace's keys), "),
            "{text}"
        );
        assert_no_key_material(&text);
    }
}

/// A payload whose key id the namespace knows but whose ciphertext is damaged.
#[test]
fn undecodable_payloads_are_violations() {
    let dir = tempfile::tempdir().unwrap();
    let mut history: Value =
        serde_json::from_slice(&std::fs::read(encoded("default", GREETING)).unwrap()).unwrap();
    let data = &mut history["events"][0]["userMetadata"]["summary"]["data"];
    let text = data.as_str().unwrap();
    // Another first base64 character (the nonce's first bits): still base64, no longer
    // authentic.
    let first = if text.starts_with('A') { "B" } else { "A" };
    *data = Value::String(format!("{first}{}", &text[1..]));
    let path = dir.path().join("h.json");
    std::fs::write(&path, serde_json::to_vec(&history).unwrap()).unwrap();
    let out = tcodec_interop()
        .args(["check", "--require-encoded"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().next().unwrap().ends_with("events[0].userMetadata.summary: undecodable: decryption failed for key id \"test-key-1\": wrong key or tampered ciphertext"),
        "{text}"
    );
    assert!(
        text.contains("checked 1 file, 33 payloads: 1 violation (1 undecodable), 5 notices"),
        "{text}"
    );
}

#[test]
fn payload_lists_are_checked_too() {
    let body = r#"{"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "MQ=="}]}"#;
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--require-encoded", "-"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "<stdin>: payloads[0]: plaintext: not encoded: encoding \"json/plain\", expected \"binary/encrypted\"\n\
         checked 1 file, 1 payload: 1 violation (1 plaintext), 0 notices; rules: plaintext, key-id (the namespace's keys), size (<= 2097152 bytes), undecodable, double-encoded, malformed, foreign-encoding, unreadable\n"
    );
}

/// With a remote codec alone, "encoded" means not in a payload converter's encoding.
#[test]
fn remote_only_namespaces_fail_plaintext_and_pass_encoded_payloads() {
    let server = Server::start(&interop_config(), &[]);
    let list = r#"{"payloads": [
        {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "MQ=="},
        {"metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA==", "encryption-key-id": "dGVzdC1rZXktMQ=="}, "data": "AAAA"}]}"#;
    let out = tcodec()
        .args([
            "check",
            "-n",
            "remote-only",
            "--no-decode",
            "--codec-endpoint",
            &server.base,
            "-",
        ])
        .write_stdin(list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("<stdin>: payloads[0]: plaintext: not encoded: encoding \"json/plain\", expected \"(a codec's encoding)\"\n"),
        "{text}"
    );
    assert!(!text.contains("payloads[1]"), "{text}");
}

/// The size limit is inclusive: a payload of exactly the limit passes, one byte more fails.
#[test]
fn payload_size_limit_is_inclusive() {
    let p = json!({"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "MTIzNDU2Nzg5MA=="});
    // Serialized: metadata entry (2 + 8 + 2 + 10 = 22, framed 24) + data (2 + 10) = 36.
    let size = 36;
    let run = |limit: usize| {
        tcodec_interop()
            .args(["check", "-n", "zipped", "--no-decode", "--max-payload-size"])
            .arg(limit.to_string())
            .arg("-")
            .write_stdin(json!({"payloads": [p]}).to_string())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(size), Some(0));
    assert_eq!(run(size - 1), Some(1));
}

/// Search attributes are never decoded: even a junk "encrypted" one is no `undecodable`.
#[test]
fn search_attributes_are_never_decoded_by_check() {
    let history = json!({"events": [{
        "eventId": "1",
        "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
        "workflowExecutionStartedEventAttributes": {
            "searchAttributes": {"indexedFields": {"CustomKeywordField": {
                "metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA=="}, "data": "AAAA"}}}
        }
    }]});
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--format", "json", "-"])
        .write_stdin(history.to_string())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["violations"], json!([]), "{report}");
    assert_eq!(out.status.code(), Some(0));
}
