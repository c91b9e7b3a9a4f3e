//! `tcodec serve` as a real process on loopback: protocol, CORS, auth, limits, TLS, the
//! remote codec stage against it, and the end-to-end run with the real `temporal` CLI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::io::Read;
use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const GREETING: &str = "s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd";
const ORIGIN: &str = "http://localhost:8233";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// POSTs `body` with headers; returns (status, headers as lowercase "k: v" lines, body).
fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, String) {
    let mut req = agent().post(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = req.send(body).unwrap();
    answer(&mut resp)
}

fn answer(resp: &mut ureq::http::Response<ureq::Body>) -> (u16, String, String) {
    let status = resp.status().as_u16();
    let heads: String = resp
        .headers()
        .iter()
        .map(|(k, v)| format!("{}: {}\n", k.as_str(), v.to_str().unwrap_or("")))
        .collect();
    let mut text = String::new();
    resp.body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .unwrap();
    (status, heads, text)
}

fn preflight(url: &str, origin: &str) -> (u16, String, String) {
    let mut resp = agent()
        .options(url)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-namespace")
        .call()
        .unwrap();
    answer(&mut resp)
}

fn fixture_body(kind: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(format!("payloads/default/{GREETING}.{kind}.json"))).unwrap()
}

#[test]
fn decode_and_encode_round_trip_with_the_fixture_payloads() {
    let server = Server::start(&interop_config(), &[]);
    let (status, heads, body) = post(
        &server.url("/decode"),
        &[
            ("X-Namespace", "default"),
            ("Content-Type", "application/json"),
        ],
        &fixture_body("encoded"),
    );
    assert_eq!(status, 200, "{body}");
    assert!(heads.contains("content-type: application/json"), "{heads}");
    let got: Value = serde_json::from_str(&body).unwrap();
    let want: Value = serde_json::from_slice(&fixture_body("decoded")).unwrap();
    assert_eq!(got, want);

    // Encode in namespace `both` named by the path prefix, then decode it back.
    let (status, _, encoded) = post(&server.url("/both/encode"), &[], body.as_bytes());
    assert_eq!(status, 200, "{encoded}");
    assert!(encoded.contains("YmluYXJ5L2VuY3J5cHRlZA=="));
    let (status, _, back) = post(&server.url("/both/decode"), &[], encoded.as_bytes());
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&back).unwrap(), want);

    // `{}` is an empty list (what the Go client sends), answered with zero payloads.
    assert_eq!(
        post(&server.url("/decode"), &[], b"{}").2,
        "{\"payloads\":[]}"
    );
    let log = server.log();
    assert!(
        log.contains("POST /decode ns=default status=200 payloads=28 "),
        "{log}"
    );
}

#[test]
fn malformed_requests_get_4xx_with_a_reason_and_the_server_stays_up() {
    let server = Server::start(&interop_config(), &["--max-body-size", "64KiB"]);
    let cases: &[(&str, &[u8], u16, &str)] = &[
        (
            "/decode",
            b"",
            400,
            "empty body: expected {\"payloads\": [...]}\n",
        ),
        (
            "/decode",
            b"{bad",
            400,
            "invalid JSON: key must be a string at line 1 column 2\n",
        ),
        (
            "/decode",
            b"[1]",
            400,
            "expected {\"payloads\": [...]}, found an array\n",
        ),
        ("/decode", br#"{"payloads": [{"data": "%%%"}]}"#, 400, ""),
        (
            "/decode",
            br#"{"payloads": 3}"#,
            400,
            "payloads: expected an array of Payloads, found a number\n",
        ),
        (
            "/elsewhere",
            b"{}",
            404,
            "not found: use POST /encode, /decode or /download\n",
        ),
        (
            "/download",
            b"{}",
            404,
            "namespace \"default\" has no external storage to download from\n",
        ),
    ];
    for (path, body, status, text) in cases {
        let got = post(&server.url(path), &[], body);
        assert_eq!(
            got.0,
            *status,
            "{path} {}: {}",
            String::from_utf8_lossy(body),
            got.2
        );
        if !text.is_empty() {
            assert_eq!(got.2, *text);
        }
    }
    // Tampered ciphertext is a 400 naming the payload, without key material.
    let all: Value = serde_json::from_slice(&fixture_body("encoded")).unwrap();
    let first = json!({"payloads": [all["payloads"][0].clone()]}).to_string();
    let tampered = first.replacen("\"data\":\"", "\"data\":\"AAAA", 1);
    assert_ne!(tampered, first);
    let (status, _, text) = post(&server.url("/decode"), &[], tampered.as_bytes());
    assert_eq!(status, 400);
    assert!(
        text.starts_with("payloads[0]: decryption failed for key id \"test-key-1\""),
        "{text}"
    );
    assert_no_key_material(&text);
    // Unknown namespace.
    let (status, _, text) = post(&server.url("/decode"), &[("X-Namespace", "nope")], b"{}");
    assert_eq!(
        (status, text.as_str()),
        (404, "no codec pipeline configured for namespace \"nope\"\n")
    );
    // Over the body limit.
    let big = vec![b' '; 100 * 1024];
    assert_eq!(post(&server.url("/decode"), &[], &big).0, 413);
    // GET on a codec path.
    let mut resp = agent().get(&server.url("/decode")).call().unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    let _ = answer(&mut resp);
    // Still healthy.
    let mut resp = agent().get(&server.url("/healthz")).call().unwrap();
    let (status, _, body) = answer(&mut resp);
    assert_eq!((status, body.as_str()), (200, "ok\n"));
    assert_no_key_material(&server.log());
}

#[test]
fn cors_allows_listed_origins_with_credentials_and_refuses_others() {
    let server = Server::start(
        &interop_config(),
        &["--allow-origin", ORIGIN, "--auth-tokens", &tokens_file()],
    );
    // The UI's preflight, answered before auth (it carries no token).
    let (status, heads, _) = preflight(&server.url("/decode?preserveStorageRefs=true"), ORIGIN);
    assert_eq!(status, 200);
    assert!(
        heads.contains(&format!("access-control-allow-origin: {ORIGIN}\n")),
        "{heads}"
    );
    assert!(
        heads.contains("access-control-allow-credentials: true\n"),
        "{heads}"
    );
    let allowed = heads
        .lines()
        .find(|l| l.starts_with("access-control-allow-headers: "))
        .unwrap();
    for h in ["content-type", "x-namespace", "authorization"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    assert!(!heads.contains("access-control-allow-origin: *"));
    // A foreign origin gets no CORS grant: the browser blocks it.
    let (_, heads, _) = preflight(&server.url("/decode"), "http://evil.example");
    assert!(!heads.contains("access-control-allow-origin"), "{heads}");
    // The actual request from the UI: origin, namespace, token.
    let (status, heads, _) = post(
        &server.url("/decode?preserveStorageRefs=true"),
        &[
            ("Origin", ORIGIN),
            ("X-Namespace", "default"),
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer reader-token"),
        ],
        &fixture_body("encoded"),
    );
    assert_eq!(status, 200);
    assert!(heads.contains(&format!("access-control-allow-origin: {ORIGIN}\n")));
    // `*` is refused at start: credentials are allowed.
    let out = tcodec_interop()
        .args(["serve", "--listen", "127.0.0.1:0", "--allow-origin", "*"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`*` is refused"));
}

fn tokens_file() -> String {
    let dir = std::env::temp_dir().join(format!("tcodec-tokens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tokens.txt");
    std::fs::write(
        &path,
        "# test tokens\nreader-token decode default\nwriter-token encode,decode *\n",
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn bearer_tokens_grant_rights_per_namespace() {
    let server = Server::start(&interop_config(), &["--auth-tokens", &tokens_file()]);
    let call_in = |ns: Option<&str>, path: &str, token: Option<&str>| {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = Vec::new();
        if let Some(ns) = ns {
            headers.push(("X-Namespace", ns));
        }
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let (status, _, body) = post(&server.url(path), &headers, b"{}");
        (status, body)
    };
    let call = |path: &str, token: Option<&str>| call_in(Some("default"), path, token);
    assert_eq!(
        call("/decode", None),
        (401, "missing bearer token\n".into())
    );
    assert_eq!(
        call("/decode", Some("wrong")),
        (401, "unknown token\n".into())
    );
    assert_eq!(call("/decode", Some("reader-token")).0, 200);
    assert_eq!(
        call("/encode", Some("reader-token")),
        (
            403,
            "token does not grant encode in namespace \"default\"\n".into()
        )
    );
    assert_eq!(
        call("/zipped/decode", Some("reader-token")).0,
        200,
        "X-Namespace wins over the path"
    );
    assert_eq!(
        call_in(None, "/zipped/decode", Some("reader-token")).0,
        403,
        "then the path names it"
    );
    assert_eq!(
        call_in(None, "/decode", Some("reader-token")).0,
        200,
        "then the default"
    );
    assert_eq!(call("/encode", Some("writer-token")).0, 200);
    let log = server.log();
    assert!(
        !log.contains("reader-token") && !log.contains("writer-token"),
        "{log}"
    );
}

#[test]
fn jwts_are_verified_against_the_jwks_with_a_namespace_claim() {
    let server = jwt_server(&["--jwt-namespace-claim", "namespaces"]);
    let call = |token: &str, ns: &str, path: &str| {
        let auth = format!("Bearer {token}");
        let (status, _, body) = post(
            &server.url(path),
            &[("X-Namespace", ns), ("Authorization", &auth)],
            b"{}",
        );
        (status, body)
    };
    let good = jwt(
        json!({"aud": "tcodec", "exp": now() + 600, "namespaces": ["default"], "scope": "tcodec:decode tcodec:encode"}),
    );
    assert_eq!(call(&good, "default", "/decode").0, 200);
    assert_eq!(
        call(&good, "zipped", "/decode"),
        (
            403,
            "token does not grant decode in namespace \"zipped\"\n".into()
        )
    );
    let expired = jwt(json!({"aud": "tcodec", "exp": now() - 3600, "namespaces": ["default"]}));
    assert_eq!(
        call(&expired, "default", "/decode"),
        (401, "token expired\n".into())
    );
    let wrong_aud = jwt(json!({"aud": "other", "exp": now() + 600, "namespaces": "*"}));
    assert_eq!(
        call(&wrong_aud, "default", "/decode"),
        (401, "token audience not accepted\n".into())
    );
    let decode_only = jwt(
        json!({"aud": "tcodec", "exp": now() + 600, "namespaces": "*", "scope": "tcodec:decode"}),
    );
    assert_eq!(call(&decode_only, "zipped", "/decode").0, 200);
    assert_eq!(call(&decode_only, "zipped", "/encode").0, 403);
    let mut forged = good.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    assert_eq!(
        call(&forged, "default", "/decode"),
        (401, "bad token signature\n".into())
    );
}

#[test]
fn public_binds_need_tls_and_auth() {
    let out = tcodec_interop()
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(
            "tcodec: error: refusing to serve decrypted payloads on 0.0.0.0:0 without TLS and auth"
        ),
        "{err}"
    );
}

#[test]
fn tls_serves_https() {
    let data = root().join("tests/data");
    let server = Server::start(
        &interop_config(),
        &[
            "--tls-cert",
            &data.join("tls-cert.pem").display().to_string(),
            "--tls-key",
            &data.join("tls-key.pem").display().to_string(),
        ],
    );
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let cert = ureq::tls::Certificate::from_pem(&std::fs::read(data.join("tls-ca.pem")).unwrap())
        .unwrap()
        .to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
        .build();
    let agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut resp = agent
        .post(&server.url("/decode"))
        .header("X-Namespace", "default")
        .send(&fixture_body("encoded"))
        .unwrap();
    let (status, _, body) = answer(&mut resp);
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        serde_json::from_slice::<Value>(&fixture_body("decoded")).unwrap()
    );
}

/// The request is in flight for certain: its body is only half sent when SIGTERM lands.
#[test]
fn sigterm_finishes_a_request_whose_body_is_still_arriving() {
    use std::io::{Read as _, Write as _};
    let mut server = Server::start(&interop_config(), &[]);
    let body = fixture_body("encoded");
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /decode HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Namespace: default\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let half = body.len() / 2;
    s.write_all(&body[..half]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.child.try_wait().unwrap().is_none(), "still serving");
    s.write_all(&body[half..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn sigterm_finishes_in_flight_requests_then_exits() {
    let mut server = Server::start(&interop_config(), &[]);
    let url = server.url("/decode");
    let body = fixture_body("encoded");
    let inflight = std::thread::spawn(move || post(&url, &[("X-Namespace", "default")], &body).0);
    std::thread::sleep(Duration::from_millis(20));
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(inflight.join().unwrap(), 200);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(server.log().contains("shutting down"));
}

#[test]
fn remote_codec_stage_batches_a_whole_history_into_one_request() {
    let server = Server::start(&interop_config(), &[]);
    let encoded = fixtures().join(format!("encoded/default/{GREETING}.json"));
    let truth = std::fs::read(fixtures().join(format!("decoded/default/{GREETING}.json"))).unwrap();
    // Remote alone: no local configuration at all.
    let out = tcodec()
        .args(["decode", "-n", "default", "--codec-endpoint", &server.base])
        .arg(&encoded)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        out.stdout == truth,
        "remote decode differs from the CLI's decode"
    );
    let log = server.log();
    assert_eq!(log.matches("POST /decode").count(), 1, "{log}");
    assert!(
        log.contains("POST /decode ns=default status=200 payloads=30 "),
        "{log}"
    );

    // `{namespace}` in the endpoint, a codec header, and encode through the server.
    let plain = std::fs::read(fixtures().join(format!("decoded/default/{GREETING}.json"))).unwrap();
    let out = tcodec()
        .args(["encode", "-n", "both", "--codec-endpoint"])
        .arg(format!("{}/{{namespace}}", server.base))
        .args(["--codec-header", "X-Trace=1", "-"])
        .write_stdin(plain)
        .output()
        .unwrap();
    assert_success(&out);
    let back = tcodec_interop()
        .args(["decode", "-n", "both", "-"])
        .write_stdin(out.stdout)
        .output()
        .unwrap();
    assert!(back.stdout == truth);
    assert!(server
        .log()
        .contains("POST /both/encode ns=both status=200"));
}

#[test]
fn remote_codec_failures_exit_5_with_the_reason() {
    let server = Server::start(&interop_config(), &["--auth-tokens", &tokens_file()]);
    let encoded = fixtures().join(format!("encoded/default/{GREETING}.json"));
    let out = tcodec()
        .args(["decode", "-n", "default", "--codec-endpoint", &server.base])
        .arg(&encoded)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "remote codec: {}/decode: HTTP 401: missing bearer token",
            server.base
        )),
        "{err}"
    );
    let out = tcodec()
        .env("TEMPORAL_CODEC_ENDPOINT", &server.base)
        .env("TEMPORAL_CODEC_AUTH", "Bearer reader-token")
        .args(["decode", "-n", "default"])
        .arg(&encoded)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "env vars as the temporal CLI reads them"
    );
    drop(server);
    let out = tcodec()
        .args([
            "decode",
            "-n",
            "default",
            "--codec-endpoint",
            "http://127.0.0.1:9",
        ])
        .arg(&encoded)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn the_real_temporal_cli_decodes_through_tcodec_serve() {
    if peer_python().is_none() {
        return;
    }
    let out = Command::new("bash")
        .arg(root().join("tests/interop/serve_e2e.sh"))
        .arg(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg(interop_config())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("serve e2e: 20 runs decoded"), "{text}");
}

/// Runs the shared Web UI check (headless Chromium on the official UI of the dev server)
/// against `tcodec serve` allowing `origin` ("" for the UI's own origin).
fn webui_check(port: u16, origin: &str) -> (bool, String) {
    let shared = std::path::PathBuf::from(std::env::var_os("TCODEC_SHARED").unwrap());
    let run = tempfile::tempdir().unwrap();
    let origin = if origin.is_empty() {
        "$UI_ORIGIN"
    } else {
        origin
    };
    // The server starts from a config file alone: its [serve] table has the listen address
    // and the allowed origin (the UI's, known only when the check script runs).
    let serve_toml = run.path().join("serve.toml");
    let cmd = format!(
        "{{ sed 's#\\.\\./\\.\\./shared#{shared}#g' {interop}; printf '\\n[serve]\\nlisten = \"127.0.0.1:{port}\"\\nallow-origin = [\"%s\"]\\n' \"{origin}\"; }} > {serve_toml} && exec {bin} --config {serve_toml} serve",
        shared = shared.display(),
        interop = interop_config().display(),
        serve_toml = serve_toml.display(),
        bin = assert_cmd::cargo::cargo_bin("tcodec").display(),
    );
    let out = Command::new("bash")
        .arg(shared.join("interop/webui_check.sh"))
        .arg(port.to_string())
        .arg(cmd)
        .env("INTEROP_RUN", run.path())
        .env("INTEROP_KEYS", shared.join("fixtures/keys.json"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_official_web_ui_shows_plaintext_through_tcodec_serve_in_chromium() {
    if std::env::var_os("TCODEC_SKIP_BROWSER").is_some() {
        common::skip("TCODEC_SKIP_BROWSER is set (no Chromium)");
        return;
    }
    if peer_python().is_none() {
        return;
    }
    let (shown, text) = webui_check(free_port(), "");
    assert!(shown, "{text}");
    assert!(text.contains("web UI shows decoded payloads"), "{text}");
    // Control: with the UI's origin not allowed, the browser refuses the answers.
    let (shown, text) = webui_check(free_port(), "http://other.example");
    assert!(!shown, "{text}");
    assert!(text.contains("did not show decoded payloads"), "{text}");
}
