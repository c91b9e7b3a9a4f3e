//! Issue #24 (first part): temporal-proxy's envelope encryption with `base64key://` KEKs,
//! against an independent implementation (`../shared/interop/proxy_envelope.py`, Python
//! `cryptography` + PyNaCl): what the peer seals tcodec opens, what tcodec seals the peer
//! opens, one data key serves many payloads, and the key never shows in a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{files_ending, fixtures, peer_python, root, tcodec};
use serde_json::Value;

/// A published test KEK (32 bytes 0..31, URL-safe base64): never use it for real data.
const KEK: &str = "base64key://AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn config(dir: &Path) -> PathBuf {
    let cfg = dir.join("proxy.toml");
    std::fs::write(
        &cfg,
        format!("[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\", data_key_lifetime = \"1h\" }}]\n"),
    )
    .unwrap();
    cfg
}

fn peer(args: &[&std::ffi::OsStr]) -> Option<String> {
    let py = peer_python()?;
    let out = Command::new(py)
        .arg(root().join("../shared/interop/proxy_envelope.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

fn plain_payloads() -> PathBuf {
    files_ending(&fixtures().join("payloads/default"), ".decoded.json")
        .into_iter()
        .next()
        .unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn tcodec_and_the_peer_read_each_others_envelopes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let plain = plain_payloads();
    // tcodec seals, the peer opens.
    let sealed = dir.path().join("sealed.json");
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "-n", "default", "-o"])
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
    let doc = json(&sealed);
    let first = &doc["payloads"][0]["metadata"];
    assert_eq!(
        first.as_object().unwrap().len(),
        3,
        "exactly three metadata entries"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("AAECAw"));
    let opened = dir.path().join("opened.json");
    let Some(_) = peer(&["open".as_ref(), sealed.as_os_str(), opened.as_os_str()]) else {
        return;
    };
    assert_eq!(json(&opened)["payloads"], json(&plain)["payloads"]);
    let deks = peer(&["count-deks".as_ref(), sealed.as_os_str()]).unwrap();
    assert_eq!(deks.trim(), "1", "one data key for the whole run");
    // The peer seals (a new data key every 2 payloads), tcodec opens.
    let peer_sealed = dir.path().join("peer.json");
    peer(&[
        "seal".as_ref(),
        "--kek".as_ref(),
        KEK.as_ref(),
        "--dek-every".as_ref(),
        "2".as_ref(),
        plain.as_os_str(),
        peer_sealed.as_os_str(),
    ])
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "default", "-q"])
        .arg(&peer_sealed)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["payloads"], json(&plain)["payloads"]);
    // Another KEK cannot open it, and says so without showing key material.
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "[namespaces.default]\ncodecs = [{ type = \"kms\", kek = \"base64key://HxwdHhsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&other)
        .args(["decode", "-n", "default"])
        .arg(&peer_sealed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown encryption key id \"base64key://*** (sha256 "),
        "{err}"
    );
    assert!(!err.contains("AAECAw") && !err.contains("HxwdHh"), "{err}");
}

#[test]
fn kms_schemes_nothing_here_can_test_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("gcp.toml");
    std::fs::write(
        &cfg,
        "[namespaces.default]\ncodecs = [{ type = \"kms\", kek = \"gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k\" }]\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Listed among the KEKs as failed, not left out.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "  gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k: FAILED (does not open: see the error below)\n"
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("kms codec: KEK scheme gcpkms:// is not supported (base64key://, awskms:// and extension:// are"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `proxy_envelope.py ARGS` with `env` (moto's endpoint and credentials).
fn peer_with(env: &[(String, String)], args: &[&std::ffi::OsStr]) -> String {
    let py = peer_python().unwrap();
    let out = Command::new(py)
        .arg(root().join("../shared/interop/proxy_envelope.py"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Issue #24: `awskms://` KEKs through the AWS SDK against AWS KMS on moto, with the
/// independent peer (boto3): its sealed lists open, what tcodec seals it opens (one KMS
/// wrap for the run's data key), a second KMS key is decrypt-only, a mixed list of proxy
/// envelopes and samples-format payloads goes through `[kms, aes-256-gcm]`, and KMS out of
/// reach is exit 5 naming the KEK.
#[test]
fn aws_kms_keks_interoperate_with_the_peer_on_moto() {
    let Some(s3) = common::S3::start(None) else {
        return common::skip("aws kms: no peer Python");
    };
    let env = &s3.env;
    let dir = tempfile::tempdir().unwrap();
    let old = peer_with(env, &["new-aws-key".as_ref()]);
    let active = peer_with(env, &["new-aws-key".as_ref()]);
    assert!(old.starts_with("awskms:///"), "{old}");
    let cfg = dir.path().join("aws.toml");
    let keys = fixtures().join("keys");
    std::fs::write(
        &cfg,
        format!(
            "[keys]\ntest-key-1 = {{ file = \"{}\", published = true }}\n\n[namespaces.default]\ncodecs = [\n  {{ type = \"kms\", kek = \"{active}\", decrypt_keks = [\"{old}\"] }},\n  {{ type = \"aes-256-gcm\", key = \"test-key-1\" }},\n]\n",
            keys.join("test-key-1.key").display()
        ),
    )
    .unwrap();
    let plain = plain_payloads();
    let run = |args: &[&str], input: &Path| {
        tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(args)
            .arg(input)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap()
    };
    // The peer seals under the old (decrypt-only) KMS key; tcodec opens.
    let peer_sealed = dir.path().join("peer.json");
    peer_with(
        env,
        &[
            "seal".as_ref(),
            "--kek".as_ref(),
            old.as_ref(),
            "--dek-every".as_ref(),
            "2".as_ref(),
            plain.as_os_str(),
            peer_sealed.as_os_str(),
        ],
    );
    s3.record();
    let out = run(&["decode", "-n", "default", "-q"], &peer_sealed);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["payloads"], json(&plain)["payloads"]);
    // Counted on moto's side: one KMS Decrypt per distinct data key (2 payloads each).
    let count = json(&plain)["payloads"].as_array().unwrap().len();
    assert_eq!(
        s3.kms_calls(),
        vec!["Decrypt".to_string(); count.div_ceil(2)]
    );
    // tcodec seals under the active key ([kms, aes-256-gcm]: samples format inside the
    // proxy envelope); the peer opens the envelope, and one data key served the run.
    let sealed = dir.path().join("sealed.json");
    s3.record();
    let out = run(
        &["encode", "-n", "default", "-o", sealed.to_str().unwrap()],
        &plain,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Counted on moto's side: the whole run's data key was wrapped once.
    assert_eq!(s3.kms_calls(), vec!["Encrypt".to_string()]);
    let doc = json(&sealed);
    let meta = doc["payloads"][0]["metadata"].as_object().unwrap();
    assert_eq!(meta.len(), 3, "{meta:?}");
    let opened = dir.path().join("opened.json");
    peer_with(
        env,
        &["open".as_ref(), sealed.as_os_str(), opened.as_os_str()],
    );
    let inner = json(&opened);
    for p in inner["payloads"].as_array().unwrap() {
        // Inside the envelope: the samples' AES-GCM payload under test-key-1.
        assert_eq!(p["metadata"]["encoding"], "YmluYXJ5L2VuY3J5cHRlZA==");
        assert_eq!(p["metadata"]["encryption-key-id"], "dGVzdC1rZXktMQ==");
    }
    assert_eq!(
        peer_with(env, &["count-deks".as_ref(), sealed.as_os_str()]),
        "1"
    );
    let out = run(&["decode", "-n", "default", "-q"], &sealed);
    assert_eq!(out.status.code(), Some(0));
    let back: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(back["payloads"], json(&plain)["payloads"]);
    // KMS out of reach: exit 5, the KEK named, one line.
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["decode", "-n", "default"])
        .arg(&peer_sealed)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&format!("AWS KMS Decrypt with {old}: unreachable")),
        "{err}"
    );
    // config check proves each KEK with a round trip through KMS.
    let check = |extra: &[(&str, &str)]| {
        tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .envs(extra.iter().copied())
            .output()
            .unwrap()
    };
    let out = check(&[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("  {old}: ok\n")), "{text}");
    assert!(text.contains(&format!("  {active}: ok\n")), "{text}");
    let out = check(&[
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_MAX_ATTEMPTS", "1"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&format!("tcodec: error: KEK {active}: ")) && err.contains("unreachable"),
        "{err}"
    );
}

/// A second published test KEK (bytes 31..0): the one `rekey` moves to.
const NEW_KEK: &str = "base64key://HxwdHhsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA";

#[test]
fn proxy_sealed_payloads_work_in_check_keys_used_rekey_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("both.toml");
    std::fs::write(
        &cfg,
        format!(
            "[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\" }}]\n\n\
             [namespaces.rotated]\ncodecs = [{{ type = \"kms\", kek = \"{NEW_KEK}\", decrypt_keks = [\"{KEK}\"] }}]\n"
        ),
    )
    .unwrap();
    let plain = plain_payloads();
    let Some(py) = peer_python() else {
        return;
    };
    // The peer seals (a new data key every 4 payloads): 11 payloads, 3 data keys.
    let sealed = dir.path().join("peer.json");
    peer(&[
        "seal".as_ref(),
        "--kek".as_ref(),
        KEK.as_ref(),
        "--dek-every".as_ref(),
        "4".as_ref(),
        plain.as_os_str(),
        sealed.as_os_str(),
    ])
    .unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // No KEK and no data key, wrapped or not, in any output.
        assert!(
            !text.contains("AAECAw") && !text.contains("HxwdHh"),
            "{text}"
        );
        for p in json(&sealed)["payloads"].as_array().unwrap() {
            let dek = p["metadata"]["encryption-dek"].as_str().unwrap();
            assert!(!text.contains(dek), "a wrapped data key was shown: {text}");
        }
        (out.status.code(), text)
    };
    // config check proves both KEKs, shown by fingerprint only.
    let (code, text) = run(&["config".as_ref(), "check".as_ref()]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("  base64key://*** (sha256 ") && l.ends_with("): ok"))
            .count(),
        2,
        "{text}"
    );
    // check: sealed counts as encrypted.
    let (code, text) = run(&[
        "check".as_ref(),
        "-n".as_ref(),
        "default".as_ref(),
        sealed.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("11 payloads: 0 violations"), "{text}");
    // check: --allow-key-id matches KEK URIs; another KEK is a violation, shown by fingerprint.
    let (code, text) = run(&[
        "check".as_ref(),
        "-n".as_ref(),
        "default".as_ref(),
        "--allow-key-id".as_ref(),
        NEW_KEK.as_ref(),
        sealed.as_os_str(),
    ]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("payloads[0]: key-id: key id \"base64key://*** (sha256 "),
        "{text}"
    );
    assert!(text.contains("11 violations (11 key-id)"), "{text}");
    // keys used: the KEK by fingerprint, and the distinct data keys.
    let (code, text) = run(&[
        "keys".as_ref(),
        "used".as_ref(),
        "--output-format".as_ref(),
        "json".as_ref(),
        sealed.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    let entry = &report["entries"][0];
    assert!(
        entry["keyId"]
            .as_str()
            .unwrap()
            .starts_with("base64key://*** (sha256 "),
        "{report}"
    );
    assert_eq!(entry["payloads"], 11);
    assert_eq!(entry["dataKeys"], 3, "{report}");
    // rekey: re-sealed under the active KEK, which the peer opens.
    let rekeyed = dir.path().join("rekeyed.json");
    let (code, text) = run(&[
        "rekey".as_ref(),
        "-n".as_ref(),
        "rotated".as_ref(),
        "-o".as_ref(),
        rekeyed.as_os_str(),
        sealed.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{text}");
    let doc = json(&rekeyed);
    for p in doc["payloads"].as_array().unwrap() {
        let id = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            p["metadata"]["encryption-key-id"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(id, NEW_KEK.as_bytes());
    }
    let opened = dir.path().join("opened.json");
    peer(&["open".as_ref(), rekeyed.as_os_str(), opened.as_os_str()]).unwrap();
    assert_eq!(json(&opened)["payloads"], json(&plain)["payloads"]);
    drop(py);
    // serve: /decode opens the peer's envelopes.
    let server = common::Server::start(&cfg, &["--metrics", "--metrics-listen", "127.0.0.1:0"]);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut answer = agent
        .post(server.url("/decode"))
        .header("X-Namespace", "rotated")
        .header("Content-Type", "application/json")
        .send(&std::fs::read(&sealed).unwrap())
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let decoded: Value =
        serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(decoded["payloads"], json(&plain)["payloads"]);
    // /encode seals 11 payloads under one new data key, wrapped once.
    let mut answer = agent
        .post(server.url("/encode"))
        .header("X-Namespace", "rotated")
        .header("Content-Type", "application/json")
        .send(&std::fs::read(&plain).unwrap())
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let _ = answer.body_mut().read_to_string().unwrap();
    // Metrics: 3 data keys unwrapped once each (8 cache hits), one data key made and wrapped.
    let metrics_url = server
        .log()
        .lines()
        .find_map(|l| {
            l.strip_prefix("tcodec serve: metrics on ")
                .map(str::to_string)
        })
        .unwrap();
    let metrics = agent
        .get(&metrics_url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    for line in [
        "tcodec_kms_calls_total{provider=\"base64key\",operation=\"unwrap\",result=\"ok\"} 3",
        "tcodec_kms_calls_total{provider=\"base64key\",operation=\"unwrap\",result=\"error\"} 0",
        "tcodec_kms_calls_total{provider=\"base64key\",operation=\"wrap\",result=\"ok\"} 1",
        "tcodec_kms_data_key_cache_total{result=\"miss\"} 3",
        "tcodec_kms_data_key_cache_total{result=\"hit\"} 8",
        "tcodec_kms_data_key_rotations_total 1",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in:\n{metrics}"
        );
    }
}

/// Issue #24 item 4: External Storage under proxy-sealed payloads. tcodec seals a large
/// payload with a KMS data key and offloads it to S3 (moto); the server's `/download` (what
/// the Web UI calls for a reference) and `/decode` give the plaintext back.
#[test]
fn proxy_sealed_payloads_offloaded_to_storage_download_as_plaintext() {
    let Some(s3) = common::S3::start(None) else {
        return common::skip("kms + storage: no peer Python");
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("stored.toml");
    std::fs::write(
        &cfg,
        format!(
            "[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\" }}]\nstorage = {{ driver = \"s3\", bucket = \"temporal-payloads\", threshold = \"1KiB\" }}\n"
        ),
    )
    .unwrap();
    use base64::Engine as _;
    let text = format!("\"{}\"", "order-17 ".repeat(2000));
    let big = serde_json::json!({
        "metadata": {"encoding": "anNvbi9wbGFpbg=="},
        "data": base64::engine::general_purpose::STANDARD.encode(&text),
    });
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, serde_json::json!({ "payloads": [big] }).to_string()).unwrap();
    let sealed = dir.path().join("sealed.json");
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "-n", "default", "-o"])
        .arg(&sealed)
        .arg(&plain)
        .envs(s3.env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = json(&sealed)["payloads"][0].clone();
    // Offloaded: a small json/protobuf reference stands in its place.
    assert_eq!(
        reference["metadata"]["encoding"], "anNvbi9wcm90b2J1Zg==",
        "offloaded: {reference}"
    );
    assert!(
        reference["metadata"].get("messageType").is_some(),
        "{reference}"
    );
    let server = common::Server::start_env(&cfg, &[], &s3.env);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    for path in ["/download", "/decode"] {
        let mut answer = agent
            .post(server.url(path))
            .header("X-Namespace", "default")
            .header("Content-Type", "application/json")
            .send(
                serde_json::json!({ "payloads": [reference.clone()] })
                    .to_string()
                    .as_bytes(),
            )
            .unwrap();
        let body = answer.body_mut().read_to_string().unwrap();
        assert_eq!(answer.status().as_u16(), 200, "{path}: {body}");
        let got: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(got["payloads"][0], big, "{path}");
    }
}
