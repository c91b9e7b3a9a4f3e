//! Known answers made outside tcodec (tests/data/vectors.json, by tests/data/make_vectors.py):
//! AES-256-GCM test cases from the GCM specification against the codec's core; gzip,
//! snappy (raw and framed), zstd and age payloads written by Python's gzip, python-snappy,
//! zstandard and pyrage, which tcodec must decode exactly; and the same libraries reading
//! back what tcodec encodes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{peer_python, root, tcodec};
use serde_json::{json, Value};
use tcodec::codec::aes_gcm;
use tcodec::keys::Key;

fn vectors() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("tests/data/vectors.json")).unwrap())
        .unwrap()
}

fn hex(s: &Value) -> Vec<u8> {
    ::hex::decode(s.as_str().unwrap()).unwrap()
}

#[test]
fn aes_256_gcm_core_matches_the_gcm_specification_test_cases() {
    let cases = vectors()["aes_256_gcm"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let key = Key::from_slice(&hex(&case["key"])).unwrap();
        let nonce: [u8; 12] = hex(&case["nonce"]).try_into().unwrap();
        let plaintext = hex(&case["plaintext"]);
        let mut expected = nonce.to_vec();
        expected.extend(hex(&case["ciphertext"]));
        expected.extend(hex(&case["tag"]));
        let n = &case["case"];
        assert_eq!(
            aes_gcm::seal(&key, &nonce, &plaintext).unwrap(),
            expected,
            "test case {n}"
        );
        assert_eq!(
            aes_gcm::open(&key, &expected).unwrap(),
            plaintext,
            "test case {n}"
        );
        let mut tampered = expected.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(aes_gcm::open(&key, &tampered).is_err(), "test case {n}");
    }
}

/// A config with one namespace per codec; compressors always encode, so read-back sees
/// every payload encoded.
fn config(dir: &Path, age: &Value) -> PathBuf {
    let identity = dir.join("age.key");
    std::fs::write(
        &identity,
        format!("{}\n", age["identity"].as_str().unwrap()),
    )
    .unwrap();
    std::fs::set_permissions(
        &identity,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let cfg = dir.join("codecs.toml");
    std::fs::write(
        &cfg,
        format!(
            "[namespaces.gzip]\ncodecs = [{{ type = \"gzip\", always_encode = true }}]\n\
             [namespaces.snappy]\ncodecs = [{{ type = \"snappy\", always_encode = true }}]\n\
             [namespaces.snappy-framed]\ncodecs = [{{ type = \"snappy\", framed = true, always_encode = true }}]\n\
             [namespaces.zstd]\ncodecs = [{{ type = \"zstd\", always_encode = true }}]\n\
             [namespaces.age]\ncodecs = [{{ type = \"age\", recipients = [{:?}], identities = [\"age.key\"] }}]\n",
            age["recipient"].as_str().unwrap()
        ),
    )
    .unwrap();
    cfg
}

/// Metadata compared as a map: proto3 JSON leaves map order free.
fn normalized(doc: &Value) -> Value {
    let list: Vec<Value> = doc["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let meta: std::collections::BTreeMap<String, Value> = p["metadata"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            json!({"metadata": meta, "data": p.get("data").cloned().unwrap_or(json!(""))})
        })
        .collect();
    json!(list)
}

#[test]
fn payloads_other_implementations_encoded_decode_exactly() {
    let v = vectors();
    let codecs = v["codecs"].as_object().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &codecs["age"]);
    for (name, case) in codecs {
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["decode", "-n", name, "-"])
            .write_stdin(json!({"payloads": [case["encoded"]]}).to_string())
            .output()
            .unwrap();
        common::assert_success(&out);
        let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            normalized(&decoded),
            normalized(&json!({"payloads": [case["decoded"]]})),
            "{name}"
        );
        assert!(
            out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn other_implementations_read_back_what_tcodec_encodes() {
    let Some(py) = peer_python() else {
        return;
    };
    let v = vectors();
    let codecs = v["codecs"].as_object().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &codecs["age"]);
    let plain = json!({"payloads": [codecs["gzip"]["decoded"], {"metadata": {"encoding": "YmluYXJ5L251bGw="}}]});
    for name in codecs.keys() {
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["encode", "-n", name, "-"])
            .write_stdin(plain.to_string())
            .output()
            .unwrap();
        common::assert_success(&out);
        let encoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        let expected_encoding = if name == "snappy-framed" {
            "binary/snappy".to_string()
        } else {
            format!("binary/{name}")
        };
        for p in encoded["payloads"].as_array().unwrap() {
            let enc = p["metadata"]["encoding"].as_str().unwrap();
            use base64::Engine as _;
            let enc = base64::engine::general_purpose::STANDARD
                .decode(enc)
                .unwrap();
            assert_eq!(String::from_utf8(enc).unwrap(), expected_encoding, "{name}");
        }
        let mut read = std::process::Command::new(&py);
        read.arg(root().join("tests/interop/read_back.py"))
            .arg(name);
        if name == "age" {
            read.arg(codecs["age"]["identity"].as_str().unwrap());
        }
        let read = read
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        read.stdin.as_ref().unwrap().write_all(&out.stdout).unwrap();
        let result = read.wait_with_output().unwrap();
        assert!(
            result.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        let back: Value = serde_json::from_slice(&result.stdout).unwrap();
        assert_eq!(normalized(&back), normalized(&plain), "{name}");
    }
}
