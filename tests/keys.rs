//! Keys beyond a shared secret: age recipients, rekey, key inventory, deterministic
//! fixtures, temporal.toml profiles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};

fn demo() -> PathBuf {
    root().join("examples/demo")
}

fn age_config(dir: &Path, recipients: &[String]) -> PathBuf {
    let cfg = dir.join("age.toml");
    std::fs::write(
        &cfg,
        format!(
            "[namespaces.fixtures]\ncodecs = [{{ type = \"age\", recipients = {} }}]\n",
            serde_json::to_string(recipients).unwrap()
        ),
    )
    .unwrap();
    cfg
}

fn keygen_age(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let out = tcodec()
        .args(["keygen", "--age", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_success(&out);
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(recipient.starts_with("age1"), "{recipient}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The recipient printed is the one recorded in the file.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&format!("# public key: {recipient}\n")));
    (path, recipient)
}

#[test]
fn age_round_trip_with_several_recipients_and_a_wrong_identity() {
    let dir = tempfile::tempdir().unwrap();
    let (id_a, r_a) = keygen_age(dir.path(), "a.agekey");
    let (id_b, r_b) = keygen_age(dir.path(), "b.agekey");
    let (id_c, _) = keygen_age(dir.path(), "c.agekey");
    let cfg = age_config(dir.path(), &[r_a, r_b]);
    let values = std::fs::read(demo().join("values.json")).unwrap();
    // Encoding needs no identity at all.
    let encoded = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "-n", "fixtures", "--from-values", "-"])
        .write_stdin(values.clone())
        .output()
        .unwrap();
    assert!(encoded.status.success());
    let list: Value = serde_json::from_slice(&encoded.stdout).unwrap();
    assert_eq!(list[0]["metadata"], json!({"encoding": "YmluYXJ5L2FnZQ=="}));
    drop(values);
    for id in [&id_a, &id_b] {
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["decode", "-n", "fixtures", "-i"])
            .arg(id)
            .arg("-")
            .write_stdin(encoded.stdout.clone())
            .output()
            .unwrap();
        assert_success(&out);
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            got[1]["data"],
            json!("eyJvcmRlciI6MTA0MiwiaXRlbXMiOlsidGVhIiwic2NvbmVzIl0sInRvdGFsIjoxMi41fQ==")
        );
    }
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "fixtures", "-i"])
        .arg(&id_c)
        .arg("-")
        .write_stdin(encoded.stdout)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.lines().next().unwrap(),
        "tcodec: error: cannot decode payload: <stdin>: [0]: age: no identity matches any recipient of this payload"
    );
    let secret = std::fs::read_to_string(&id_c).unwrap();
    let secret_line = secret.lines().last().unwrap();
    assert!(!err.contains(secret_line));
}

#[test]
fn the_shipped_age_example_round_trips() {
    let cfg = demo().join("tcodec.toml");
    let enc = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "-n", "fixtures", "--from-values"])
        .arg(demo().join("values.json"))
        .output()
        .unwrap();
    assert!(enc.status.success());
    let dec = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "fixtures", "-i"])
        .arg(demo().join("ci.agekey"))
        .arg("-")
        .write_stdin(enc.stdout)
        .output()
        .unwrap();
    assert!(
        dec.status.success(),
        "{}",
        String::from_utf8_lossy(&dec.stderr)
    );
    let got: Value = serde_json::from_slice(&dec.stdout).unwrap();
    assert_eq!(got.as_array().unwrap().len(), 4);
    assert_eq!(got[2]["metadata"]["encoding"], json!("YmluYXJ5L251bGw="));
}

#[test]
fn rekey_turns_two_key_ids_into_the_active_one_and_the_python_peer_still_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join("encoded/default");
    let names = [
        "s-loop-test-key-1.01a20f45-447e-71a1-97bd-7190369da5d8.json",
        "s-loop-test-key-2.01a20f45-50dc-7d3e-9cbc-a0ea379e2250.json",
    ];
    let mut files = Vec::new();
    for n in names {
        let to = dir.path().join(n);
        std::fs::copy(src.join(n), &to).unwrap();
        files.push(to);
    }
    let used = |files: &[PathBuf]| -> Value {
        let out = tcodec()
            .args(["keys", "used", "--format", "json"])
            .args(files)
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = used(&files);
    let ids: Vec<&str> = before["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["keyId"].as_str())
        .collect();
    assert_eq!(ids, ["test-key-1", "test-key-2"]);
    tcodec_interop()
        .args(["rekey", "-n", "default", "--in-place"])
        .args(&files)
        .assert()
        .success();
    let after = used(&files);
    let entries = after["entries"].as_array().unwrap();
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["keyId"].as_str()).collect();
    assert_eq!(ids, ["test-key-1"]);
    assert_eq!(
        entries[0]["payloads"],
        before["entries"][0]["payloads"].as_u64().unwrap()
            + before["entries"][1]["payloads"].as_u64().unwrap()
    );
    // Unencrypted sites (headers) are byte for byte as they were.
    let plain_before: Vec<&Value> = before["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["keyId"].is_null())
        .collect();
    let plain_after: Vec<&Value> = entries.iter().filter(|e| e["keyId"].is_null()).collect();
    assert_eq!(plain_before, plain_after);
    // Still the same plaintext, and the Python peer reads it.
    for (file, name) in files.iter().zip(names) {
        let truth = std::fs::read(fixtures().join("decoded/default").join(name)).unwrap();
        let dec = tcodec_interop()
            .args(["decode", "-n", "default"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            dec.stdout == truth,
            "{name}: rekeyed history decodes to something else"
        );
        if let Some(py) = peer_python() {
            let out = std::process::Command::new(py)
                .arg(fixtures().join("../interop/compare_histories.py"))
                .args(["--peer-decode", "default"])
                .arg(file)
                .arg(fixtures().join("decoded/default").join(name))
                .env("INTEROP_KEYS", fixtures().join("keys.json"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}

#[test]
fn keys_used_text_lists_ids_counts_and_first_locations() {
    let file = fixtures()
        .join("encoded/default/s-loop-test-key-2.49918ec7-468c-4d38-8ecb-48a96bc1014f.json");
    let out = tcodec().args(["keys", "used"]).arg(&file).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("KEY ID      ENCODING"));
    let first = lines.next().unwrap();
    assert!(first.starts_with("test-key-2  binary/encrypted"), "{first}");
    assert!(
        first.ends_with(": events[0].workflowExecutionStartedEventAttributes.input.payloads[0]"),
        "{first}"
    );
}

/// `keys used -n NS` marks each key id as known to the namespace's codecs or not: the
/// question before retiring a key, or when another namespace's data turns up.
#[test]
fn keys_used_with_a_namespace_marks_ids_the_config_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("one-key.toml");
    std::fs::write(
        &cfg,
        format!(
            "[keys]\ntest-key-1 = {{ file = \"{}\", published = true }}\n\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-1\" }}]\n\n[namespaces.zipped]\ncodecs = [{{ type = \"zlib\" }}]\n",
            fixtures().join("keys/test-key-1.key").display()
        ),
    )
    .unwrap();
    let dir_arg = fixtures().join("payloads/default");
    let run = |args: &[&str]| {
        tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["keys", "used"])
            .args(args)
            .arg(&dir_arg)
            .output()
            .unwrap()
    };
    let out = run(&["-n", "default"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("FILES  IN default  FIRST SEEN"), "{text}");
    assert!(
        lines[1].starts_with("test-key-1") && lines[1].contains("  yes  "),
        "{text}"
    );
    assert!(
        lines[2].starts_with("test-key-2") && lines[2].contains("  NO  "),
        "{text}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: 1 key id is not known to namespace \"default\"'s codecs (another namespace's data, or a key the config has dropped)\n"
    );
    let out = run(&["-n", "default", "--output-format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let marks: Vec<(String, Value)> = report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("keyId").is_some())
        .map(|e| {
            (
                e["keyId"].as_str().unwrap().to_string(),
                e["configured"].clone(),
            )
        })
        .collect();
    assert_eq!(
        marks,
        [
            ("test-key-1".to_string(), json!(true)),
            ("test-key-2".to_string(), json!(false))
        ]
    );
    // A namespace without keys knows none: every key id is another namespace's.
    let out = run(&["-n", "zipped"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().nth(1).unwrap().contains("  NO  "), "{text}");
    assert!(text.lines().nth(2).unwrap().contains("  NO  "), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with("tcodec: 2 key ids are not known to namespace \"zipped\"'s codecs"));
}

#[test]
fn deterministic_mode_is_stable_and_only_with_its_flag() {
    let cfg = demo().join("tcodec.toml");
    let run = |extra: &[&str]| {
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["encode", "-n", "demo", "--from-values"])
            .args(extra)
            .arg(demo().join("values.json"))
            .output()
            .unwrap();
        assert!(out.status.success());
        (out.stdout, String::from_utf8(out.stderr).unwrap())
    };
    let (a, warn) = run(&["--deterministic"]);
    let (b, _) = run(&["--deterministic"]);
    assert_eq!(a, b, "same input, same key, same output");
    assert!(warn.contains("for golden test fixtures only"), "{warn}");
    let (c, _) = run(&[]);
    let (d, _) = run(&[]);
    assert_ne!(c, d, "random nonces without the flag");
    // Different payloads never share a nonce.
    let list: Value = serde_json::from_slice(&a).unwrap();
    let nonces: std::collections::BTreeSet<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD
                .decode(p["data"].as_str().unwrap())
                .unwrap();
            hex::encode(&data[..12])
        })
        .collect();
    assert_eq!(nonces.len(), 4);
    // And it decodes like any other payload.
    tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "demo", "-"])
        .write_stdin(a)
        .assert()
        .success();
    // age cannot be deterministic: refused.
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args([
            "encode",
            "-n",
            "fixtures",
            "--deterministic",
            "--from-values",
        ])
        .arg(demo().join("values.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the age codec cannot be deterministic"));
}

#[test]
fn a_temporal_toml_profile_supplies_the_codec_endpoint() {
    let server = Server::start(&interop_config(), &[]);
    let base = server.base.clone();
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("temporal.toml");
    std::fs::write(
        &toml,
        format!("[profile.default]\naddress = \"localhost:7233\"\n\n[profile.staging.codec]\nendpoint = \"{base}\"\n"),
    )
    .unwrap();
    let encoded = fixtures()
        .join("encoded/default/s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.json");
    let truth =
        std::fs::read(fixtures().join(
            "decoded/default/s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.json",
        ))
        .unwrap();
    for how in ["flag", "env"] {
        let mut cmd = tcodec();
        cmd.env("TEMPORAL_CONFIG_FILE", &toml)
            .args(["decode", "-n", "default"]);
        if how == "flag" {
            cmd.args(["--profile", "staging"]);
        } else {
            cmd.env("TEMPORAL_PROFILE", "staging");
        }
        let out = cmd.arg(&encoded).output().unwrap();
        assert!(
            out.status.success(),
            "{how}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout == truth,
            "{how}: decoded through the profile's endpoint"
        );
    }
    let out = tcodec()
        .env("TEMPORAL_CONFIG_FILE", &toml)
        .args(["decode", "-n", "default", "--profile", "prod"])
        .arg(&encoded)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no profile \"prod\" (profiles: default, staging)"));
    drop(server);
}

#[test]
fn version_lists_the_supported_formats() {
    let out = tcodec().arg("--version").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "aes-256-gcm",
        "age",
        "zlib",
        "snappy",
        "zstd",
        "History",
        "JSON lines",
        "binary protobuf",
    ] {
        assert!(text.contains(word), "{word} missing from --version");
    }
}
