//! `tcodec doctor` against real codec servers: `tcodec serve` (right origin, wrong origin,
//! no CORS, auth missing, Cloud's https rule) and the Python peer codec server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{fixtures, interop_config, peer_python, tcodec, Server};

const UI: &str = "http://localhost:8233";

fn doctor(endpoint: &str, origin: &str, extra: &[&str]) -> (Option<i32>, String) {
    // An empty working directory: no ./tcodec.toml is found unless --config names one.
    let empty = tempfile::tempdir().unwrap();
    let out = tcodec()
        .current_dir(empty.path())
        .env_remove("TCODEC_CONFIG")
        .args(["doctor", "--codec-endpoint", endpoint, "--origin", origin])
        .args(extra)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn doctor_passes_when_the_origin_is_allowed() {
    let server = Server::start(&interop_config(), &["--allow-origin", UI]);
    let (code, out) = doctor(&server.base, UI, &["--include-credentials"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("ok    preflight: origin http://localhost:8233 allowed with content-type, x-namespace\n"), "{out}");
    assert!(out.contains("ok    decode: POST /decode?preserveStorageRefs=true in namespace \"default\" answered 200 with payloads\n"), "{out}");
    assert!(
        out.contains("info  download: 404, no external storage"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "a browser at {UI} would see plaintext from {}\n",
            server.base
        )),
        "{out}"
    );
    // The keys are proven by a probe the server encodes and decodes back (issue #25).
    assert!(out.contains("ok    round trip: a probe payload encoded by the server decodes back to itself (the keys work)\n"), "{out}");
}

/// A server that encodes with a key it cannot decrypt with (its decoding pipeline lost the
/// key): doctor's round trip says so, where an empty decode would have passed.
#[test]
fn doctor_fails_when_the_server_cannot_decode_what_it_encodes() {
    // zlib always encodes, but may decode at most one byte: what it seals it cannot open.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[namespaces.default]\ncodecs = [{ type = \"zlib\", always_encode = true, max_decoded_size = 1 }]\n",
    )
    .unwrap();
    let server = Server::start(&cfg, &["--allow-origin", UI]);
    let (code, out) = doctor(&server.base, UI, &[]);
    assert_ne!(code, Some(0), "{out}");
    assert!(
        out.contains("FAIL  round trip: the server could not decode what it encoded"),
        "{out}"
    );
}

#[test]
fn doctor_names_the_fix_for_a_refused_or_missing_origin() {
    for extra in [
        &["--allow-origin", "http://other.example:8233"][..],
        &[][..],
    ] {
        let server = Server::start(&interop_config(), extra);
        let (code, out) = doctor(&server.base, UI, &[]);
        assert_eq!(code, Some(1), "{out}");
        assert!(
            out.contains(&format!(
                "FAIL  preflight: origin {UI} is not allowed (HTTP 200, no Access-Control-Allow-Origin): start serve with --allow-origin {UI}\n"
            )),
            "{out}"
        );
        assert!(out.ends_with(&format!(
            "a browser at {UI} would NOT see plaintext from {}\n",
            server.base
        )));
    }
}

#[test]
fn doctor_says_when_a_token_is_needed_and_where_tokens_may_go() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "t0ken decode\n").unwrap();
    let server = Server::start(
        &interop_config(),
        &[
            "--allow-origin",
            UI,
            "--auth-tokens",
            &tokens.display().to_string(),
        ],
    );
    let (code, out) = doctor(&server.base, UI, &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("FAIL  decode: HTTP 401 (missing bearer token): the server wants a token: enable Pass access token in the UI (https endpoint) and give doctor --codec-auth 'Bearer ...'\n"),
        "{out}"
    );
    // The UI never sends a token to plain http.
    let (code, out) = doctor(&server.base, UI, &["--codec-auth", "Bearer t0ken"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("FAIL  endpoint: the UI sends the access token (Pass access token) only to https endpoints"), "{out}");
    // Temporal Cloud needs https and credentials.
    let (code, out) = doctor(&server.base, "https://cloud.temporal.io", &[]);
    assert_eq!(code, Some(1));
    assert!(out.starts_with("FAIL  endpoint: Temporal Cloud (https://cloud.temporal.io) needs an https codec endpoint"), "{out}");
}

#[test]
fn doctor_exits_5_when_nothing_answers() {
    let (code, out) = doctor("http://127.0.0.1:9", UI, &[]);
    assert_eq!(code, Some(5));
    assert!(
        out.starts_with("FAIL  cannot reach http://127.0.0.1:9"),
        "{out}"
    );
}

#[test]
fn doctor_checks_the_python_peer_codec_server() {
    let Some(py) = peer_python() else {
        return;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut peer = std::process::Command::new(py)
        .arg(fixtures().join("../interop/codec_server.py"))
        .args(["--port", &port.to_string(), "--allow-origin", UI])
        .env("INTEROP_KEYS", fixtures().join("keys.json"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the peer did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let endpoint = format!("http://127.0.0.1:{port}");
    let (code, out) = doctor(&endpoint, UI, &["--include-credentials"]);
    let refused = doctor(&endpoint, "http://localhost:9999", &[]);
    let _ = peer.kill();
    let _ = peer.wait();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("ok    decode:"), "{out}");
    assert_eq!(refused.0, Some(1), "{}", refused.1);
    assert!(refused
        .1
        .contains("start serve with --allow-origin http://localhost:9999"));
}

/// A token that may decode but not encode, over https signed by a private CA (issue #25):
/// without `--ca-cert` doctor cannot connect; with it, the round trip cannot use `/encode`,
/// so doctor fails unless `--config` lets it seal a probe itself, which the server must
/// decode (and does not, when the config's key is not the server's).
#[test]
fn doctor_proves_the_keys_for_a_decode_only_token_behind_a_private_ca() {
    let data = common::root().join("tests/data");
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "t0ken decode\n").unwrap();
    let server = Server::start(
        &interop_config(),
        &[
            "--allow-origin",
            UI,
            "--auth-tokens",
            &tokens.display().to_string(),
            "--tls-cert",
            &data.join("tls-cert.pem").display().to_string(),
            "--tls-key",
            &data.join("tls-key.pem").display().to_string(),
        ],
    );
    let auth = ["--codec-auth", "Bearer t0ken"];
    let (code, out) = doctor(&server.base, UI, &auth);
    assert_eq!(code, Some(5), "{out}");
    assert!(out.contains("invalid peer certificate: UnknownIssuer: the server's certificate is not trusted: pass --ca-cert CA.pem (the CA that signed it), or serve a certificate for this host from a public CA\n"), "{out}");
    // http:// to the TLS port says so.
    let plain = server.base.replace("https://", "http://");
    let (code, out) = doctor(&plain, UI, &[]);
    assert_eq!(code, Some(5), "{out}");
    assert!(
        out.contains(": the server answers with TLS: use an https:// endpoint\n"),
        "{out}"
    );
    // probe trusts the same CA.
    let ca = data.join("tls-ca.pem").display().to_string();
    let health = format!("{}/healthz", server.base);
    let probe = tcodec().args(["probe", &health]).output().unwrap();
    assert_eq!(probe.status.code(), Some(5), "{probe:?}");
    let probe = tcodec()
        .args(["probe", "--ca-cert", &ca, &health])
        .output()
        .unwrap();
    assert_eq!(probe.status.code(), Some(0), "{probe:?}");

    let trusted = [&auth[..], &["--ca-cert", &ca][..]].concat();
    let (code, out) = doctor(&server.base, UI, &trusted);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL  round trip: /encode answered 403 for this token, so the keys are not proven: give tcodec --config FILE (or a ./tcodec.toml) with the namespace's keys: doctor encodes a probe with them and asks the server to decode it; or a token that may encode\n"), "{out}");

    let config = interop_config().display().to_string();
    let with_config = [&["--config", &config][..], &trusted[..]].concat();
    let (code, out) = doctor(&server.base, UI, &with_config);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("ok    round trip: a probe payload encoded here with the config decodes back to itself (the keys work)\n"), "{out}");

    // A ./tcodec.toml in the working directory serves as well (it can only seal a probe).
    let cwd = tempfile::tempdir().unwrap();
    std::fs::write(
        cwd.path().join("tcodec.toml"),
        format!(
            "[keys]\ntest-key-1 = {{ file = {:?}, published = true }}\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-1\" }}]\n",
            fixtures().join("keys/test-key-1.key").display().to_string()
        ),
    )
    .unwrap();
    let out = tcodec()
        .current_dir(cwd.path())
        .env_remove("TCODEC_CONFIG")
        .args(["doctor", "--codec-endpoint", &server.base, "--origin", UI])
        .args(&trusted)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "ok    round trip: a probe payload encoded here with the config decodes back to itself"
        ),
        "{text}"
    );

    // A config whose key the server does not have: the server cannot open the probe.
    let other = dir.path().join("other.toml");
    let key = dir.path().join("other.key");
    std::fs::write(&key, [7u8; 32]).unwrap();
    std::fs::write(
        &other,
        format!(
            "[keys]\nother = {{ file = {:?}, published = true }}\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"other\" }}]\n",
            key.display().to_string()
        ),
    )
    .unwrap();
    let other = other.display().to_string();
    let wrong = [&["--config", &other][..], &trusted[..]].concat();
    let (code, out) = doctor(&server.base, UI, &wrong);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "FAIL  round trip: the server could not decode a probe encoded here with the config"
        ),
        "{out}"
    );
}

#[test]
fn doctor_ca_cert_must_hold_a_certificate() {
    let out = tcodec()
        .args([
            "doctor",
            "--codec-endpoint",
            "https://127.0.0.1:1",
            "--origin",
            UI,
            "--ca-cert",
            "Cargo.toml",
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: --ca-cert Cargo.toml: no PEM certificate (-----BEGIN CERTIFICATE-----) in it\n"
    );
}

/// Issue #24: with a local config, doctor proves each KEK of the namespace with a wrap and
/// unwrap round trip (the server needs the same KMS), and fails naming a KEK it cannot use.
#[test]
fn doctor_proves_the_namespaces_keks() {
    let dir = tempfile::tempdir().unwrap();
    let kek = "base64key://AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        format!("[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{kek}\" }}]\n"),
    )
    .unwrap();
    let server = Server::start(&good, &["--allow-origin", UI]);
    let (code, out) = doctor(&server.base, UI, &["--config", good.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("ok    KEK base64key://*** (sha256 ")
            && out.contains("): wrap and unwrap round trip\n"),
        "{out}"
    );
    assert!(
        !out.contains("AAECAwQF"),
        "the KEK's key never shows: {out}"
    );
    // A decrypt-only KEK whose KMS is out of reach: named, with the fix.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!(
            "[namespaces.default]\ncodecs = [{{ type = \"kms\", kek = \"{kek}\", decrypt_keks = [\"extension://hsm/old\"], extension_servers = {{ hsm = \"http://127.0.0.1:9\" }} }}]\n"
        ),
    )
    .unwrap();
    let (code, out) = doctor(&server.base, UI, &["--config", bad.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("FAIL  KEK extension://hsm/old (namespace default): KMS extension Encrypt with extension://hsm/old: Unavailable: "),
        "{out}"
    );
    assert!(out.contains("the KMS must be reachable"), "{out}");
}
