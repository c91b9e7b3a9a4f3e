//! Fail closed, round 3: an attacker's review of the export, KMS and shard-report code
//! (each test is one finding, with the input that showed it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{fixtures, tcodec, tcodec_interop};

/// A published test KEK (32 bytes 0..31): never use it for real data.
const KEK: &str = "base64key://AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

fn kms_config(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("kms.toml");
    std::fs::write(
        &cfg,
        format!("[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\" }}]\n"),
    )
    .unwrap();
    cfg
}

fn plain_payloads() -> std::path::PathBuf {
    common::files_ending(&fixtures().join("payloads/default"), ".decoded.json")
        .into_iter()
        .next()
        .unwrap()
}

/// A payload sealed under a base64key:// KEK, decoded by a namespace without it: the
/// "still encoded" warning names the key id by fingerprint, never the key.
#[test]
fn a_kek_in_a_payloads_key_id_is_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.json");
    let out = tcodec()
        .arg("--config")
        .arg(kms_config(dir.path()))
        .args(["encode", "-n", "default", "-q", "-o"])
        .arg(&sealed)
        .arg(plain_payloads())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = tcodec_interop()
        .args(["decode", "-n", "default", "-o", "/dev/null"])
        .arg(&sealed)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("key ids base64key://*** (sha256 "), "{err}");
    assert!(!err.contains("AAECAw"), "{err}");
}

/// The shared AWS config file's endpoint is checked like the environment's: plain http
/// to another host is refused before any data key is sent.
#[test]
fn an_aws_config_file_endpoint_over_plain_http_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let aws = dir.path().join("aws-config");
    std::fs::write(
        &aws,
        "[default]\nregion = us-east-1\nendpoint_url = http://192.0.2.2:18080\n",
    )
    .unwrap();
    let cfg = dir.path().join("aws.toml");
    std::fs::write(
        &cfg,
        "[namespaces.a]\ncodecs = [{ type = \"kms\", kek = \"awskms:///alias/x?region=us-east-1\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["config", "check"])
        .env("AWS_CONFIG_FILE", &aws)
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_KMS")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("the AWS KMS endpoint http://192.0.2.2:18080: plain http is allowed only to a loopback host"),
        "{err}"
    );
}

/// A truncated export decoded to stdout (a pipe): nothing is written, exit 3, one line.
#[test]
fn a_truncated_export_writes_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(fixtures().join("exports/exported/default/0.binpb")).unwrap();
    let cut = dir.path().join("cut.binpb");
    std::fs::write(&cut, &real[..8000]).unwrap();
    for format in ["proto", "json", "jsonl"] {
        let out = tcodec_interop()
            .args([
                "decode",
                "-n",
                "default",
                "--type",
                "export",
                "--output-format",
                format,
            ])
            .arg(&cut)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{format}");
        assert!(
            out.stdout.is_empty(),
            "{format}: {} bytes written",
            out.stdout.len()
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("cut.binpb: not a binary Cloud Export object at byte 5453: truncated"),
            "{err}"
        );
    }
}

/// `check --merge` of nothing, or of a report whose violations are not a list, fails.
#[test]
fn a_merge_without_reports_or_of_a_malformed_report_fails() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = tcodec()
        .args(["check", "--merge"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: check --merge: the inputs hold no report (expected `check --output-format json` reports)\n"
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"ok":true,"files":1,"inputs":1,"payloads":3,"rules":[],"violations":{"a":1},"notices":[]}"#,
    )
    .unwrap();
    let out = tcodec()
        .args(["check", "--merge"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(\"violations\" is not a list)"));
    // A shard's report under any name in a folder is found (and its violation kept).
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let planted = dir.path().join("plain.json");
    std::fs::copy(plain_payloads(), &planted).unwrap();
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--report-to"])
        .arg(reports.join("shard-1.report"))
        .arg(&planted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The same report twice would count its shard twice: refused.
    let report = reports.join("shard-1.report");
    let out = tcodec()
        .args(["check", "--merge"])
        .arg(&report)
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is given twice"));
    let out = tcodec()
        .args(["check", "--merge", "--output-format", "json"])
        .arg(&reports)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["ok"], false);
    assert!(!merged["violations"].as_array().unwrap().is_empty());
}

/// A KMS out of reach does not hide another namespace's configuration error.
#[test]
fn config_check_reports_every_error_behind_an_unreachable_kms() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("mix.toml");
    std::fs::write(
        &cfg,
        "[namespaces.a]\ncodecs = [{ type = \"kms\", kek = \"awskms:///alias/x?region=us-east-1\" }]\n\
         [namespaces.b]\ncodecs = [{ type = \"kms\", kek = \"base64key://AAEC\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["config", "check"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "y")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("AWS KMS Encrypt with awskms:///alias/x?region=us-east-1: unreachable"),
        "{err}"
    );
    assert!(
        err.contains("kms codec: base64key://***: the key must be 32 bytes"),
        "{err}"
    );
}
