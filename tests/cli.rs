//! The command line as a user meets it: shapes, formats, files, exact errors and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use predicates::prelude::*;

const VALUES: &str = r#"["hello", {"a": 1}, null]"#;

fn encode_values(ns: &str) -> Vec<u8> {
    let out = tcodec_interop()
        .args(["encode", "--from-values", "-n", ns])
        .write_stdin(VALUES)
        .output()
        .unwrap();
    assert_success(&out);
    out.stdout
}

fn payload_json(encoding: &str, data: Option<&[u8]>) -> serde_json::Value {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut v = serde_json::json!({"metadata": {"encoding": b64(encoding.as_bytes())}});
    if let Some(d) = data {
        v["data"] = b64(d).into();
    }
    v
}

#[test]
fn from_values_round_trip_through_stdin_and_stdout() {
    for ns in ["default", "zipped", "both"] {
        let encoded = encode_values(ns);
        let out = tcodec_interop()
            .args(["decode", "-n", ns, "-"])
            .write_stdin(encoded)
            .output()
            .unwrap();
        assert!(out.status.success());
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want = serde_json::json!([
            payload_json("json/plain", Some(b"\"hello\"")),
            payload_json("json/plain", Some(br#"{"a":1}"#)),
            payload_json("binary/null", None),
        ]);
        assert_eq!(got, want, "{ns}");
    }
}

#[test]
fn encrypted_output_has_the_samples_metadata() {
    let encoded: serde_json::Value = serde_json::from_slice(&encode_values("default")).unwrap();
    for p in encoded.as_array().unwrap() {
        assert_eq!(p["metadata"]["encoding"], "YmluYXJ5L2VuY3J5cHRlZA=="); // binary/encrypted
        assert_eq!(p["metadata"]["encryption-key-id"], "dGVzdC1rZXktMQ=="); // test-key-1
    }
}

#[test]
fn namespace_comes_from_temporal_namespace_then_default() {
    let encoded = encode_values("zipped");
    // zipped leaves these tiny payloads alone; default would encrypt them.
    let via_env = tcodec_interop()
        .env("TEMPORAL_NAMESPACE", "zipped")
        .args(["encode", "--from-values"])
        .write_stdin(VALUES)
        .output()
        .unwrap();
    assert_eq!(via_env.stdout, encoded);
    let default = tcodec_interop()
        .args(["encode", "--from-values"])
        .write_stdin(VALUES)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&default.stdout).contains("YmluYXJ5L2VuY3J5cHRlZA=="));
}

#[test]
fn protobuf_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("payloads.bin");
    let values = dir.path().join("v.json");
    std::fs::write(&values, VALUES).unwrap();
    tcodec_interop()
        .args(["encode", "--from-values", "-n", "default"])
        .arg(&values)
        .arg("-o")
        .arg(&bin)
        .assert()
        .success();
    assert_ne!(std::fs::read(&bin).unwrap()[0], b'[', "binary output");
    let out = dir.path().join("out.json");
    tcodec_interop()
        .args(["decode", "--input-format", "proto"])
        .arg(&bin)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let got: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        got["payloads"][0],
        payload_json("json/plain", Some(b"\"hello\""))
    );
    // Auto-detection reads the same file without --input-format.
    tcodec_interop()
        .args(["decode", "--output-format", "json"])
        .arg(&bin)
        .assert()
        .success()
        .stdout(predicate::str::contains("ImhlbGxvIg=="));
}

#[test]
fn json_lines_stay_json_lines() {
    let line = payload_json("json/plain", Some(b"1")).to_string();
    let input = format!("{line}\n{{\"payloads\":[{line}]}}\n");
    let enc = tcodec_interop()
        .args(["encode", "-n", "both"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(enc.status.success());
    assert_eq!(String::from_utf8_lossy(&enc.stdout).lines().count(), 2);
    let dec = tcodec_interop()
        .args(["decode", "-n", "both"])
        .write_stdin(enc.stdout)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(dec.stdout).unwrap(), input);
}

#[test]
fn in_place_rewrites_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = (0..2)
        .map(|i| {
            let p = dir.path().join(format!("f{i}.json"));
            std::fs::write(
                &p,
                format!("[{}]\n", payload_json("json/plain", Some(b"7"))),
            )
            .unwrap();
            p
        })
        .collect();
    tcodec_interop()
        .args(["encode", "-n", "default", "--in-place"])
        .args(&files)
        .assert()
        .success();
    for f in &files {
        assert!(std::fs::read_to_string(f)
            .unwrap()
            .contains("dGVzdC1rZXktMQ=="));
    }
    tcodec_interop()
        .args(["decode", "-n", "default", "--in-place"])
        .args(&files)
        .assert()
        .success();
    for f in &files {
        assert!(std::fs::read_to_string(f).unwrap().contains("Nw=="));
    }
}

fn tampered_fixture() -> String {
    let file = fixtures().join(
        "payloads/default/s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.encoded.json",
    );
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let data = v["payloads"][2]["data"].as_str().unwrap().to_string();
    let flipped = if data.starts_with('A') { "B" } else { "A" };
    v["payloads"][2]["data"] = format!("{flipped}{}", &data[1..]).into();
    v.to_string()
}

/// Runs `tcodec decode` on `input` and checks exit code and exact stderr.
fn decode_fails(ns: &str, input: &str, code: i32, stderr: &str) {
    let out = tcodec_interop()
        .args(["decode", "-n", ns, "-"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err, stderr);
    assert!(out.stdout.is_empty(), "no partial output");
    assert_no_key_material(&err);
}

#[test]
fn tampered_ciphertext_is_its_own_error() {
    decode_fails(
        "default",
        &tampered_fixture(),
        3,
        "tcodec: error: cannot decode payload: <stdin>: payloads[2]: decryption failed for key id \"test-key-1\": wrong key or tampered ciphertext\n\
         hint: check that the key file for this id holds the key the payload was written with\n",
    );
}

#[test]
fn unknown_key_id_names_the_id() {
    let mut p = payload_json("binary/encrypted", Some(&[0u8; 40]));
    p["metadata"]["encryption-key-id"] = "cmV0aXJlZC0yMDIw".into(); // retired-2020
    decode_fails(
        "default",
        &format!("{{\"payloads\": [{p}]}}"),
        3,
        "tcodec: error: cannot decode payload: <stdin>: payloads[0]: unknown encryption key id \"retired-2020\"\n\
         hint: add the key to [keys] and list its id in the namespace's decrypt_keys (rotation keeps old keys decrypt-only)\n",
    );
}

#[test]
fn truncated_ciphertext_and_missing_key_id() {
    let mut p = payload_json("binary/encrypted", Some(&[1, 2, 3]));
    p["metadata"]["encryption-key-id"] = "dGVzdC1rZXktMQ==".into();
    decode_fails(
        "default",
        &format!("[{p}]"),
        3,
        "tcodec: error: cannot decode payload: <stdin>: [0]: encrypted data is truncated: 3 bytes, at least 28 needed (12-byte nonce + 16-byte tag)\n",
    );
    let p = payload_json("binary/encrypted", Some(&[1, 2, 3]));
    decode_fails(
        "default",
        &p.to_string(),
        3,
        "tcodec: error: cannot decode payload: <stdin>: encrypted payload has no `encryption-key-id` metadata\n",
    );
}

#[test]
fn wrong_key_fails_authentication() {
    // Encrypt with test-key-1, then decode with a config where test-key-1 is another key.
    let encoded = encode_values("default");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let key2 = fixtures().join("keys/test-key-2.key");
    std::fs::write(
        &cfg,
        format!(
            "[keys]\ntest-key-1 = {{ file = {:?}, published = true }}\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-1\" }}]\n",
            key2.display().to_string()
        ),
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-"])
        .write_stdin(encoded)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("tcodec: error: cannot decode payload: <stdin>: [0]: decryption failed for key id \"test-key-1\""), "{err}");
    assert_no_key_material(&err);
}

#[test]
fn malformed_inputs_each_get_a_located_message() {
    let hint = "hint: expected a Payload, a JSON array of Payloads, {\"payloads\": [...]}, a history (or events), JSON lines of those, or binary protobuf (see --input-format, --type)\n";
    let cases = [
        (
            "{\"payloads\": [{\"data\": \"!!\"}]}",
            "<stdin>: payloads[0].data: invalid base64 (Invalid symbol 33, offset 0.)",
        ),
        (
            "{\"payloads\": [{\"metadata\": {\"encoding\": 1}}]}",
            "<stdin>: payloads[0].metadata.encoding: expected a base64 string, found a number",
        ),
        (
            "{\"payloads\": [",
            "<stdin>: line 1, column 14: truncated JSON: EOF while parsing a list",
        ),
        (
            "[{\"data\": \"MQ==\"} oops]",
            "<stdin>: line 1, column 19: invalid JSON: expected `,` or `]`",
        ),
        (
            "{\"payload\": []}",
            "<stdin>: payload: unknown Payload field (expected metadata, data or externalPayloads)",
        ),
        (
            "{\"payloads\": 3}",
            "<stdin>: payloads: expected an array of Payloads, found a number",
        ),
        ("", "<stdin>: input is empty"),
    ];
    for (input, want) in cases {
        decode_fails(
            "default",
            input,
            3,
            &format!("tcodec: error: malformed input: {want}\n{hint}"),
        );
    }
}

#[test]
fn configuration_errors_exit_2() {
    tcodec()
        .args(["decode", "-n", "default", "-"])
        .env("HOME", "/nonexistent")
        .current_dir(std::env::temp_dir())
        .write_stdin("[]")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "tcodec: error: invalid configuration: no configuration file found: pass --config FILE or set TCODEC_CONFIG (looked for tcodec.toml",
        ));
    tcodec_interop()
        .args(["decode", "-n", "nowhere", "-"])
        .write_stdin("[]")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(format!(
            "tcodec: error: no codec pipeline configured for namespace \"nowhere\" in {} (configured: both, default, zipped)\nhint: ",
            interop_config().display()
        )));
    tcodec().args(["decode", "--bogus"]).assert().code(2);
}

#[test]
fn bad_key_file_is_a_config_error_without_key_bytes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("short.key"), "00112233").unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[keys]\nk = { file = \"short.key\" }\n[namespaces.default]\ncodecs = [{ type = \"aes-256-gcm\", key = \"k\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-"])
        .write_stdin("[]")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot load key \"k\": key file "), "{err}");
    assert!(
        err.contains("short.key holds 6 bytes after decoding; expected a 32-byte key"),
        "{err}"
    );
    assert!(!err.contains("00112233"));
}

#[test]
fn io_errors_exit_4_and_leave_output_untouched() {
    tcodec_interop()
        .args(["decode", "/nonexistent/in.json"])
        .assert()
        .code(4)
        .stderr("tcodec: error: cannot read /nonexistent/in.json: No such file or directory (os error 2)\n");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(&out, "precious").unwrap();
    tcodec_interop()
        .args(["decode", "-n", "default", "-", "-o"])
        .arg(&out)
        .write_stdin(tampered_fixture())
        .assert()
        .code(3);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[test]
fn several_files_keep_going_and_exit_with_the_worst_code() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, "[]").unwrap();
    let out = tcodec_interop()
        .args(["decode", "/nonexistent/a.json"])
        .arg(&good)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "[]\n");
}

#[test]
fn usage_conflicts_are_refused_before_work() {
    tcodec_interop()
        .args(["decode", "--in-place", "-"])
        .assert()
        .code(2)
        .stderr(
            "tcodec: error: --in-place needs input files; standard input (-) cannot be rewritten\n",
        );
    tcodec_interop()
        .args(["decode", "a.json", "b.json", "-o", "c.json"])
        .assert()
        .code(2)
        .stderr("tcodec: error: -o FILE takes one input, 2 were given; write them to a directory with -o DIR/, rewrite them with --in-place, or make one call per file\n");
}

#[test]
fn keygen_writes_an_owner_only_key_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("prod-2026.key");
    tcodec()
        .args(["keygen", "--id", "prod-2026", "-o"])
        .arg(&key)
        .assert()
        .success()
        .stderr(predicate::str::contains("prod-2026 = { file = "));
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let before = std::fs::read(&key).unwrap();
    tcodec().args(["keygen", "-o"]).arg(&key).assert().code(4);
    assert_eq!(std::fs::read(&key).unwrap(), before);
    let hex = tcodec()
        .args(["keygen", "--format", "hex"])
        .output()
        .unwrap();
    assert_eq!(hex.stdout.len(), 65);
    // The generated key works in a config.
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[keys]\nk = { file = \"prod-2026.key\" }\n[namespaces.\"*\"]\ncodecs = [{ type = \"aes-256-gcm\", key = \"k\" }]\n").unwrap();
    let enc = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "--from-values", "-n", "any"])
        .write_stdin("1")
        .output()
        .unwrap();
    assert!(enc.status.success());
    let dec = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "other"])
        .write_stdin(enc.stdout)
        .output()
        .unwrap();
    assert!(String::from_utf8(dec.stdout)
        .unwrap()
        .contains("\"data\": \"MQ==\""));
}

#[test]
fn config_check_lists_namespaces_codecs_and_keys() {
    let out = tcodec_interop().args(["config", "check"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  test-key-1: ok (file "), "{text}");
    assert!(
        text.contains("  both: aes-256-gcm [active test-key-1; decrypt-only test-key-2] -> zlib\n"),
        "{text}"
    );
    assert!(text.contains("  zipped: zlib\n"), "{text}");
    assert_no_key_material(&text);
}

#[test]
fn key_sources_env_and_command() {
    let hex = std::fs::read_to_string(fixtures().join("keys/test-key-1.hex")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[keys]\ntest-key-1 = {{ env = \"MY_KEY\" }}\ntest-key-2 = {{ command = [\"cat\", {:?}] }}\n\
             [namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-1\", decrypt_keys = [\"test-key-2\"] }}]\n",
            fixtures().join("keys/test-key-2.hex").display().to_string()
        ),
    )
    .unwrap();
    for file in files_ending(&fixtures().join("payloads/default"), ".encoded.json") {
        let want =
            std::fs::read_to_string(file.to_string_lossy().replace(".encoded.", ".decoded."))
                .unwrap();
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .env("MY_KEY", hex.trim())
            .arg("decode")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim_end(),
            want.trim_end()
        );
    }
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-"])
        .write_stdin("[]")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "tcodec: error: cannot load key \"test-key-1\": environment variable MY_KEY is not set\n\
         hint: check the key's source in the [keys] table; data already encrypted needs that same key (`tcodec keygen` makes a new key, for new data only)\n"
    );
}

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    tcodec()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("3  bad data"));
    tcodec()
        .args(["decode", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    tcodec()
        .args(["encode", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--from-values"));
}
