//! Issue #20: the second round of ways tcodec failed open, each reproduced with the
//! attacker's input and now refused. Server cases run a real `tcodec serve` on loopback;
//! CLI cases run the binary. (The scanner's differential test is in `tests/scanner.rs`, the
//! storage budget's in `tests/storage.rs`, the manifests' in `tests/deploy.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{fixtures, interop_config, interop_config_text, jwt, now, root, tcodec, Server};
use serde_json::{json, Value};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

/// POSTs `body` to `path` for namespace `ns`, with a bearer `token` if any.
fn call(server: &Server, path: &str, ns: &str, token: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut request = agent()
        .post(server.url(path))
        .header("X-Namespace", ns)
        .header("Content-Type", "application/json");
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut answer = request.send(body).unwrap();
    let status = answer.status().as_u16();
    (
        status,
        answer.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// An encrypted payload list the interop config's `default` namespace decodes.
fn encrypted_body() -> Vec<u8> {
    let file = common::files_ending(&fixtures().join("payloads/default"), ".encoded.json")
        .into_iter()
        .next()
        .unwrap();
    std::fs::read(file).unwrap()
}

/// Waits until the server's log holds `text` (10 s at most).
fn wait_for_log(server: &Server, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.log().contains(text) {
        assert!(
            Instant::now() < deadline,
            "no {text:?} in:\n{}",
            server.log()
        );
    }
}

fn sighup(server: &Server) {
    let ok = std::process::Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// The metrics text from the server's own metrics listener.
fn metrics(server: &Server) -> String {
    let url = server
        .log()
        .lines()
        .find_map(|l| l.strip_prefix("tcodec serve: metrics on "))
        .unwrap()
        .to_string();
    agent()
        .get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

fn cloud_token(email: &str) -> String {
    jwt(json!({
        "aud": "https://saas-api.tmprl.cloud",
        "exp": now() + 600,
        "https://saas-api.tmprl.cloud/user/email": email,
    }))
}

const POLICY: &str = "\n[[policy.allow]]\nwho = [\"domain:example.com\"]\ncan = [\"decode\"]\nnamespaces = [\"default\"]\n";

// 1. A reload runs every check start runs; Cloud namespaces map only for named accounts.
#[test]
fn a_reload_without_the_required_policy_is_refused_and_the_old_policy_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cloud.toml");
    let base = interop_config_text();
    std::fs::write(&cfg, format!("{base}{POLICY}")).unwrap();
    let jwks = root().join("tests/data/jwks.json").display().to_string();
    let server = Server::start(
        &cfg,
        &[
            "--auth-preset",
            "temporal-cloud",
            "--jwks",
            &jwks,
            "--cloud-account",
            "acct123",
            "--metrics",
            "--metrics-listen",
            "127.0.0.1:0",
        ],
    );
    let body = encrypted_body();
    let ada = cloud_token("ada@example.com");
    let eve = cloud_token("eve@elsewhere.example");
    assert_eq!(
        call(&server, "/decode", "default.acct123", Some(&ada), &body).0,
        200
    );
    assert_eq!(
        call(&server, "/decode", "default.acct123", Some(&eve), &body).0,
        403
    );
    // Another account's namespace maps to nothing.
    let (status, answer) = call(&server, "/decode", "default.acct999", Some(&ada), &body);
    assert_eq!(status, 404, "{answer}");
    assert_eq!(
        answer.trim(),
        "no codec pipeline configured for namespace \"default.acct999\""
    );
    assert!(!server.log().contains("without --cloud-account"));

    // The attack: the same config without [policy], reloaded.
    std::fs::write(&cfg, &base).unwrap();
    sighup(&server);
    wait_for_log(
        &server,
        "tcodec serve: SIGHUP: new configuration refused, keeping the old one: --auth-preset temporal-cloud: Cloud tokens carry no tcodec scopes, so a [policy] in the config must say who may decode and encode",
    );
    assert_eq!(
        call(&server, "/decode", "default.acct123", Some(&eve), &body).0,
        403
    );
    assert_eq!(
        call(&server, "/decode", "default.acct123", Some(&ada), &body).0,
        200
    );
    let text = metrics(&server);
    assert!(
        text.contains("tcodec_config_reloads_total{result=\"refused\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tcodec_config_reloads_total{result=\"applied\"} 0"),
        "{text}"
    );
    // A good reload is applied and counted.
    std::fs::write(&cfg, format!("{base}{POLICY}")).unwrap();
    sighup(&server);
    wait_for_log(&server, "SIGHUP: configuration and keys reloaded");
    assert!(metrics(&server).contains("tcodec_config_reloads_total{result=\"applied\"} 1"));

    // Without --cloud-account every account maps, and the server says so at start.
    let open = Server::start(&cfg, &["--auth-preset", "temporal-cloud", "--jwks", &jwks]);
    wait_for_log(
        &open,
        "tcodec serve: warning: --auth-preset temporal-cloud without --cloud-account: a Cloud namespace `<ns>.<account>` of any account maps to the configured `<ns>`",
    );
    assert_eq!(
        call(&open, "/decode", "default.acct999", Some(&ada), &body).0,
        200
    );
    // --cloud-account without the preset is a usage error.
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["serve", "--cloud-account", "acct123"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: --cloud-account goes with --auth-preset temporal-cloud (it names the Cloud accounts whose namespaces map)\n"
    );
}

/// The file-driver storage config of the shared fixtures, with `extra` appended.
fn storage_file_config(dir: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/storage-file.toml"))
        .unwrap()
        .replace(
            "../../shared",
            &root().join("../shared").display().to_string(),
        );
    let cfg = dir.join("storage.toml");
    std::fs::write(&cfg, format!("{text}{extra}")).unwrap();
    cfg
}

/// The start input of the `order` workflow: its references only.
fn references_body() -> Vec<u8> {
    let file = common::files_ending(&fixtures().join("storage/encoded/default"), ".json")
        .into_iter()
        .find(|f| f.to_string_lossy().contains("st-order-default."))
        .unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let payloads = v["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["metadata"]["encoding"] == "anNvbi9wcm90b2J1Zg==")
        .cloned()
        .collect::<Vec<_>>();
    assert!(!payloads.is_empty());
    json!({ "payloads": payloads }).to_string().into_bytes()
}

// 5. /download needs the download right: decode does not imply it.
#[test]
fn download_is_its_own_right() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(
        &tokens,
        "reader-secret decode * name=reader\ndl-secret decode * name=dl\n",
    )
    .unwrap();
    let cfg = storage_file_config(
        dir.path(),
        "\n[[policy.allow]]\nwho = [\"token:reader\", \"token:dl\"]\ncan = [\"decode\"]\nnamespaces = [\"*\"]\n\
         [[policy.allow]]\nwho = [\"token:dl\"]\ncan = [\"download\"]\nnamespaces = [\"*\"]\n",
    );
    let server = Server::start(&cfg, &["--auth-tokens", &tokens.display().to_string()]);
    let body = references_body();
    let (status, answer) = call(
        &server,
        "/download",
        "default",
        Some("reader-secret"),
        &body,
    );
    assert_eq!(status, 403, "{answer}");
    assert_eq!(
        answer.trim(),
        "policy: reader may not download in namespace \"default\""
    );
    // Nor is /decode a way around it: for a caller without `download` references stay as
    // they are (what preserveStorageRefs=true gives).
    let sent: Value = serde_json::from_slice(&body).unwrap();
    let (status, answer) = call(&server, "/decode", "default", Some("reader-secret"), &body);
    assert_eq!(status, 200, "{answer}");
    let got: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(got["payloads"], sent["payloads"], "references kept");
    let (status, answer) = call(&server, "/decode", "default", Some("dl-secret"), &body);
    assert_eq!(status, 200, "{answer}");
    let resolved: Value = serde_json::from_str(&answer).unwrap();
    assert_ne!(
        resolved["payloads"], sent["payloads"],
        "references resolved"
    );
    let (status, answer) = call(&server, "/download", "default", Some("dl-secret"), &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(serde_json::from_str::<Value>(&answer).unwrap(), resolved);
}

/// A JWKS-verified server (audience `tcodec`) with a policy matching emails of example.com.
fn email_policy_server(dir: &Path) -> Server {
    let cfg = dir.join("c.toml");
    std::fs::write(&cfg, format!("{}{POLICY}", interop_config_text())).unwrap();
    let jwks = root().join("tests/data/jwks.json").display().to_string();
    Server::start(&cfg, &["--jwks", &jwks, "--jwt-audience", "tcodec"])
}

// 6. Only the boolean true verifies an email.
#[test]
fn only_email_verified_true_verifies_an_email() {
    let dir = tempfile::tempdir().unwrap();
    let server = email_policy_server(dir.path());
    let body = encrypted_body();
    let token = |verified: Option<Value>| {
        let mut claims = json!({
            "aud": "tcodec", "exp": now() + 600, "sub": "u1",
            "scope": "tcodec:decode", "email": "ada@example.com",
        });
        if let Some(v) = verified {
            claims["email_verified"] = v;
        }
        jwt(claims)
    };
    assert_eq!(
        call(
            &server,
            "/decode",
            "default",
            Some(&token(Some(json!(true)))),
            &body
        )
        .0,
        200
    );
    for odd in [
        None,
        Some(json!(false)),
        Some(json!("true")),
        Some(json!("false")),
        Some(json!(1)),
        Some(json!(0)),
        Some(Value::Null),
        Some(json!([true])),
    ] {
        let (status, answer) = call(
            &server,
            "/decode",
            "default",
            Some(&token(odd.clone())),
            &body,
        );
        assert_eq!(status, 403, "email_verified {odd:?}: {answer}");
        assert_eq!(
            answer.trim(),
            "policy: u1 may not decode in namespace \"default\"",
            "{odd:?}"
        );
    }
}

/// A one-shot HTTP server: answers each request with `answer(request head)`, records the
/// heads it got.
fn http_server(
    answer: impl Fn(&str) -> Vec<u8> + Send + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            log.lock().unwrap().push(head.clone());
            let _ = stream.write_all(&answer(&head));
        }
    });
    (base, seen)
}

fn payload_list_file(dir: &Path) -> PathBuf {
    let input = dir.join("p.json");
    std::fs::write(
        &input,
        r#"{"payloads": [{"metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA=="}, "data": "AAAA"}]}"#,
    )
    .unwrap();
    input
}

// 9. The remote codec stage: no redirects, plain http only to loopback, answers within the
// decode budget.
#[test]
fn the_remote_codec_stage_follows_no_redirect_and_stays_in_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let input = payload_list_file(dir.path());
    let (target, target_seen) =
        http_server(|_| b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"payloads\":[]}".to_vec());
    let location = format!("{target}/stolen");
    let (redirector, _) = http_server(move |_| {
        format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n")
            .into_bytes()
    });
    let out = tcodec()
        .args(["decode", "--codec-endpoint", &redirector])
        .args(["--codec-header", "X-Secret=shh"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "HTTP 302: the codec server redirects; redirects are not followed (give the final URL)"
        ),
        "{err}"
    );
    assert!(
        target_seen.lock().unwrap().is_empty(),
        "the redirect target got a request"
    );

    // Plain http elsewhere than loopback: a usage error before any request.
    let out = tcodec()
        .args([
            "decode",
            "--codec-endpoint",
            "http://10.1.2.3:8081/{namespace}",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: --codec-endpoint http://10.1.2.3:8081/default: plain http is allowed only to a loopback host (127.0.0.1, [::1], localhost): use https\n"
    );

    // An answer bigger than the document's decode budget is not read past the budget.
    let big = format!(
        "{{\"payloads\":[{{\"metadata\":{{\"encoding\":\"anNvbi9wbGFpbg==\"}},\"data\":\"{}\"}}]}}",
        "A".repeat(4 * 1024 * 1024)
    );
    let (bomb, _) = http_server(move |_| {
        let mut answer =
            format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", big.len()).into_bytes();
        answer.extend_from_slice(big.as_bytes());
        answer
    });
    let out = tcodec()
        .args([
            "decode",
            "--codec-endpoint",
            &bomb,
            "--max-decoded-total",
            "1MiB",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exceeds the limit of 1048576 bytes in total"),
        "{err}"
    );
    // Within the budget the same answer is taken.
    let out = tcodec()
        .args([
            "decode",
            "--codec-endpoint",
            &bomb,
            "--max-decoded-total",
            "8MiB",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// 10. A storage outage answers a stable kind; the store's text goes to the server log only.
#[test]
fn storage_errors_do_not_leak_endpoints_or_buckets_to_clients() {
    let config = root().join("examples/storage.toml");
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let env = vec![
        (
            "AWS_ENDPOINT_URL".to_string(),
            format!("http://127.0.0.1:{closed}"),
        ),
        ("AWS_ACCESS_KEY_ID".to_string(), "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY".to_string(), "testing".to_string()),
        ("AWS_DEFAULT_REGION".to_string(), "us-east-1".to_string()),
        (
            "TCODEC_SHARED".to_string(),
            root().join("../shared").display().to_string(),
        ),
    ];
    let server = Server::start_env(&config, &["--request-timeout", "20"], &env);
    let (status, answer) = call(&server, "/decode", "default", None, &references_body());
    assert_eq!(status, 502, "{answer}");
    assert_eq!(
        answer.trim(),
        "payloads[0]: external storage unavailable (details in the server log)"
    );
    for internal in ["127.0.0.1", &closed.to_string(), "temporal-payloads", "v0/"] {
        assert!(!answer.contains(internal), "{internal} in {answer}");
    }
    wait_for_log(
        &server,
        "tcodec serve: payloads[0]: external storage unavailable: cannot fetch",
    );
}

// 11. The audit log records the configured key ids that decrypted, never invented ones.
#[test]
fn the_audit_log_records_only_keys_that_acted() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let server = Server::start(
        &interop_config(),
        &["--audit-log", &audit.display().to_string()],
    );
    // A failing request full of made-up key ids.
    let invented: Vec<Value> = (0..200)
        .map(|i| {
            json!({"metadata": {
                "encoding": "YmluYXJ5L2VuY3J5cHRlZA==",
                "encryption-key-id": base64_of(&format!("made-up-{i}-{}", "x".repeat(200))),
            }, "data": "AAAA"})
        })
        .collect();
    let (status, _) = call(
        &server,
        "/decode",
        "default",
        None,
        json!({ "payloads": invented }).to_string().as_bytes(),
    );
    assert_eq!(status, 400);
    // A good one.
    assert_eq!(
        call(&server, "/decode", "default", None, &encrypted_body()).0,
        200
    );
    // Encrypted payloads a namespace without that key passes through: no key acted.
    assert_eq!(
        call(&server, "/decode", "zipped", None, &encrypted_body()).0,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines = loop {
        let text = std::fs::read_to_string(&audit).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if lines.len() >= 3 || Instant::now() > deadline {
            break lines;
        }
    };
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["keyIds"], json!([]));
    assert_eq!(lines[0]["error"], "unknown_key_id");
    assert!(lines[0].to_string().len() < 1000, "{}", lines[0]);
    let ids = lines[1]["keyIds"].as_array().unwrap();
    assert!(!ids.is_empty());
    assert!(ids
        .iter()
        .all(|id| ["test-key-1", "test-key-2"].contains(&id.as_str().unwrap())));
    assert_eq!(lines[2]["keyIds"], json!([]));
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

// 13. check: a namespace only the fallback serves, foreign encodings, zero payloads.
#[test]
fn check_refuses_a_fallback_namespace_foreign_encodings_and_empty_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "{}\n[namespaces.\"*\"]\ncodecs = [{{ type = \"zlib\" }}]\n",
            interop_config_text()
        ),
    )
    .unwrap();
    let decoded = common::files_ending(&fixtures().join("decoded/default"), ".json");
    let check = |args: &[&str], files: &[PathBuf]| {
        tcodec()
            .arg("--config")
            .arg(&cfg)
            .arg("check")
            .args(args)
            .args(files)
            .output()
            .unwrap()
    };
    let out = check(&["-n", "defualt"], &decoded);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: namespace \"defualt\" is not configured by name; only the [namespaces.\"*\"] fallback would serve it (configured: both, default, zipped): did you mean \"default\"? check the name, or pass --allow-fallback\n"
    );
    assert_eq!(
        check(&["-n", "defualt", "--allow-fallback"], &decoded)
            .status
            .code(),
        Some(0)
    );
    // A named temporal CLI profile without a codec endpoint is no remote stage: still refused.
    let temporal = dir.path().join("temporal.toml");
    std::fs::write(
        &temporal,
        "[profile.default]\naddress = \"localhost:7233\"\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&cfg)
        .env("TEMPORAL_CONFIG_FILE", &temporal)
        .args(["check", "--profile", "default", "-n", "defualt"])
        .args(&decoded)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Encrypted histories checked as a zlib namespace: every payload is foreign.
    let encrypted = common::files_ending(&fixtures().join("encoded/default"), ".json");
    let out = check(&["-n", "zipped", "--format", "json"], &encrypted[..1]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let violations = report["violations"].as_array().unwrap();
    assert!(!violations.is_empty());
    assert!(
        violations.iter().all(|v| v["rule"] == "foreign-encoding"),
        "{violations:?}"
    );
    assert_eq!(
        violations[0]["message"],
        "encoding \"binary/encrypted\" is not one this namespace's codecs decode (binary/zlib): another namespace's data, or the wrong -n?"
    );
    // The right namespace passes.
    assert_eq!(
        check(&["-n", "default"], &encrypted[..1]).status.code(),
        Some(0)
    );
    // Nothing to check: said, and a failure with --require-payloads.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "{\"payloads\": []}").unwrap();
    let out = check(&["-n", "default"], std::slice::from_ref(&empty));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("tcodec: warning: the inputs hold no payload: nothing was checked"));
    let out = check(&["-n", "default", "--require-payloads"], &[empty]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: the inputs hold no payload: nothing was checked (--require-payloads)\n"
    );
}

// Issue #26 item 3: every payload under the budget, their sum over it. A budget that
// recorded only its first charge would let all four through.

/// Four zstd payloads of 1.5 MiB each once decoded (a few hundred bytes each on the wire).
fn four_and_a_half() -> Vec<u8> {
    use tcodec::codec::{Algorithm, Codec, CompressCodec};
    let list: Vec<Value> = (0..4)
        .map(|i| {
            let plain = tcodec::payload::with_encoding("json/plain", vec![b'a' + i; 3 << 19]);
            let small = CompressCodec::new(Algorithm::Zstd).encode(plain).unwrap();
            tcodec::payload::payload_to_json(&small)
        })
        .collect();
    json!({ "payloads": list }).to_string().into_bytes()
}

fn zstd_config(dir: &Path) -> PathBuf {
    let cfg = dir.join("zstd.toml");
    std::fs::write(&cfg, "[namespaces.zstd]\ncodecs = [{ type = \"zstd\" }]\n").unwrap();
    cfg
}

#[test]
fn the_cli_budget_is_the_sum_of_payloads_each_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = zstd_config(dir.path());
    let input = dir.path().join("four.json");
    let body = four_and_a_half();
    assert!(body.len() < 4096);
    std::fs::write(&input, &body).unwrap();
    let output = dir.path().join("out.json");
    let run = |budget: &str| {
        tcodec()
            .arg("--config")
            .arg(&cfg)
            .args(["decode", "-n", "zstd", "--max-decoded-total", budget])
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap()
    };
    let out = run("5MiB");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().next().unwrap(),
        format!(
            "tcodec: error: cannot decode payload: {}: payloads[3]: decoded size of the request or document exceeds the limit of 5242880 bytes in total (possible decompression bombs)",
            input.display()
        )
    );
    assert!(!output.exists(), "nothing written");
    // Each alone, and all four under a budget that holds them, decode.
    let out = run("8MiB");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_server_budget_is_the_sum_of_payloads_each_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&zstd_config(dir.path()), &["--max-decoded-size", "5MiB"]);
    let pid = server.child.id();
    let peak = || -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    // A first small request, so the code a request runs is paged in before the peak is
    // read: the bound below is about the data a request holds, not the binary's pages.
    let warm = {
        use tcodec::codec::{Algorithm, Codec, CompressCodec};
        let plain = tcodec::payload::with_encoding("json/plain", b"\"warm\"".to_vec());
        let small = CompressCodec::new(Algorithm::Zstd).encode(plain).unwrap();
        json!({ "payloads": [tcodec::payload::payload_to_json(&small)] })
            .to_string()
            .into_bytes()
    };
    let (status, answer) = call(&server, "/decode", "zstd", None, &warm);
    assert_eq!(status, 200, "{answer}");
    let before = peak();
    let (status, answer) = call(&server, "/decode", "zstd", None, &four_and_a_half());
    assert_eq!(status, 413, "{answer}");
    assert_eq!(
        answer,
        "payloads[3]: decoded size of the request or document exceeds the limit of 5242880 bytes in total (possible decompression bombs) (--max-decoded-size)\n"
    );
    let grew_mb = (peak() - before) / 1024;
    assert!(
        grew_mb < 24,
        "peak memory grew by {grew_mb} MiB for a 5 MiB budget"
    );
}

/// The storage config of the shared fixtures with `endpoint` set for namespace `default`.
fn s3_config(dir: &Path, endpoint: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/storage.toml"))
        .unwrap()
        .replace(
            "../../shared",
            &root().join("../shared").display().to_string(),
        );
    let text = match endpoint {
        Some(e) => text.replacen(
            "storage = { driver = \"s3\", bucket = \"temporal-payloads\"",
            &format!(
                "storage = {{ driver = \"s3\", endpoint = \"{e}\", bucket = \"temporal-payloads\""
            ),
            1,
        ),
        None => text,
    };
    let cfg = dir.join("s3.toml");
    std::fs::write(&cfg, text).unwrap();
    cfg
}

fn storage_decode(cfg: &Path, input: &Path, env: &[(&str, String)]) -> std::process::Output {
    let mut cmd = tcodec();
    cmd.env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_S3")
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_SESSION_TOKEN", "SESSION-TOKEN-SECRET")
        .env("AWS_DEFAULT_REGION", "us-east-1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.arg("--config")
        .arg(cfg)
        .args(["decode", "-n", "default"])
        .arg(input)
        .output()
        .unwrap()
}

// Found attacking the first fixes: the endpoint object_store really uses, and redirects.
#[test]
fn storage_clients_use_the_checked_endpoint_and_follow_no_redirect() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("refs.json");
    std::fs::write(&input, references_body()).unwrap();
    let not_found = |_: &str| b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec();
    // The configured endpoint wins over AWS_ENDPOINT_URL_S3, whatever its case.
    let (configured, configured_seen) = http_server(not_found);
    let (other, other_seen) = http_server(not_found);
    let cfg = s3_config(dir.path(), Some(&configured));
    let out = storage_decode(&cfg, &input, &[("AWS_Endpoint_Url_S3", other.clone())]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !configured_seen.lock().unwrap().is_empty(),
        "the configured endpoint was asked"
    );
    assert!(
        other_seen.lock().unwrap().is_empty(),
        "the variable's endpoint was not"
    );
    // Without one in the config, every endpoint the client would use is checked.
    let cfg = s3_config(dir.path(), None);
    // (AWS_ENDPOINT_URL stays on a closed loopback port: should a variable not be read,
    // nothing leaves this machine and the assertion below fails.)
    for name in [
        "AWS_ENDPOINT_URL_S3",
        "AWS_Endpoint_Url_S3",
        "AWS_ENDPOINT_URL_STS",
    ] {
        let out = storage_decode(
            &cfg,
            &input,
            &[
                (name, "http://[::ffff:10.1.2.3]:9000".to_string()),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:1".to_string()),
            ],
        );
        assert_eq!(out.status.code(), Some(5), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("storage endpoint http://[::ffff:a01:203]:9000: plain http is allowed only to a loopback host")
                || err.contains("storage endpoint http://[::ffff:10.1.2.3]:9000: plain http is allowed only to a loopback host"),
            "{name}: {err}"
        );
    }
    // A redirect is not followed: the signed headers and the session token stay home.
    let (target, target_seen) = http_server(not_found);
    let location = format!("{target}/elsewhere");
    let (redirector, _) = http_server(move |_| {
        format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n")
            .into_bytes()
    });
    let cfg = s3_config(dir.path(), Some(&redirector));
    let out = storage_decode(&cfg, &input, &[]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        target_seen.lock().unwrap().is_empty(),
        "the redirect was followed"
    );
}
