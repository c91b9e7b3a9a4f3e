//! Issue #14 (part): `/metrics` read by prometheus-client's own parser after known
//! traffic, the audit log (fields, no secrets, SIGHUP reopen) and `/readyz`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{assert_no_key_material, fixtures, interop_config, peer_python, root, Server};
use serde_json::Value;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

fn get_status(url: &str) -> u16 {
    agent().get(url).call().unwrap().status().as_u16()
}

fn post(url: &str, token: Option<&str>, body: &[u8]) -> u16 {
    let mut req = agent().post(url).header("X-Namespace", "default");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    req.send(body).unwrap().status().as_u16()
}

/// The shared fixture payloads, encrypted with test-key-1.
fn encrypted_body() -> (Vec<u8>, usize) {
    let file = fixtures().join(
        "payloads/default/s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.encoded.json",
    );
    let text = std::fs::read(file).unwrap();
    let v: Value = serde_json::from_slice(&text).unwrap();
    let n = v["payloads"].as_array().map_or(1, Vec::len);
    (text, n)
}

#[test]
fn metrics_parse_and_count_known_traffic_and_the_audit_log_names_who_did_what() {
    let Some(py) = peer_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "# comment\nsecret-reader-token decode\n").unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut server = Server::start(
        &interop_config(),
        &[
            "--metrics",
            "--metrics-listen",
            "127.0.0.1:0",
            "--auth-tokens",
            &tokens.display().to_string(),
            "--audit-log",
            &audit.display().to_string(),
        ],
    );
    let decode = server.url("/decode");
    let (body, n) = encrypted_body();
    let token = Some("secret-reader-token");
    assert_eq!(post(&decode, token, &body), 200);
    assert_eq!(post(&decode, token, &body), 200);
    assert_eq!(
        post(&decode, token, b"{\"payloads\": [{\"data\": 5}]}"),
        400
    );
    assert_eq!(post(&decode, None, &body), 401);
    // A tampered ciphertext: a codec error of kind "authentication".
    let mut tampered: Value = serde_json::from_slice(&body).unwrap();
    let data = tampered["payloads"][0]["data"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = if data.starts_with('A') { "B" } else { "A" };
    tampered["payloads"][0]["data"] = Value::String(format!("{flipped}{}", &data[1..]));
    assert_eq!(post(&decode, token, tampered.to_string().as_bytes()), 400);
    assert_eq!(get_status(&server.url("/readyz")), 200);

    // /metrics is served on its own listener only: the codec port answers 404.
    assert_eq!(get_status(&server.url("/metrics")), 404);
    let metrics_url = server
        .log()
        .lines()
        .find_map(|l| l.strip_prefix("tcodec serve: metrics on "))
        .unwrap()
        .to_string();
    let mut answer = agent().get(&metrics_url).call().unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let text = answer.body_mut().read_to_string().unwrap();
    let mut parse = Command::new(&py)
        .arg(root().join("tests/interop/parse_metrics.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    parse
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let parsed = parse.wait_with_output().unwrap();
    assert!(
        parsed.status.success(),
        "the exposition does not parse:\n{text}"
    );
    let mut samples: HashMap<String, f64> = HashMap::new();
    for line in String::from_utf8(parsed.stdout).unwrap().lines() {
        let s: Value = serde_json::from_str(line).unwrap();
        let mut labels: Vec<String> = s["labels"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
            .collect();
        labels.sort();
        samples.insert(
            format!("{}{{{}}}", s["name"].as_str().unwrap(), labels.join(",")),
            s["value"].as_f64().unwrap(),
        );
    }
    let get = |key: &str| {
        *samples
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing:\n{text}"))
    };
    assert_eq!(get("tcodec_requests_total{route=decode,status=2xx}"), 2.0);
    assert_eq!(get("tcodec_requests_total{route=decode,status=4xx}"), 3.0);
    assert_eq!(get("tcodec_requests_total{route=encode,status=2xx}"), 0.0);
    // /readyz (and this scrape while it runs) are "other".
    assert_eq!(get("tcodec_requests_total{route=other,status=2xx}"), 1.0);
    assert_eq!(get("tcodec_codec_errors_total{kind=authentication}"), 1.0);
    assert_eq!(
        get("tcodec_decrypts_total{key_id=test-key-1}"),
        2.0 * n as f64
    );
    assert_eq!(get("tcodec_decrypts_total{key_id=other}"), 0.0);
    assert_eq!(get("tcodec_payloads_out_total{}"), 2.0 * n as f64);
    assert_eq!(get("tcodec_requests_in_flight{}"), 0.0);
    assert_eq!(
        get("tcodec_request_duration_seconds_count{route=decode}"),
        5.0
    );
    assert_eq!(
        get("tcodec_request_duration_seconds_bucket{le=+Inf,route=decode}"),
        5.0
    );
    assert!(
        !text.contains("namespace="),
        "no namespace labels unless asked"
    );

    // The audit log: one line per decode request, who and what, no secrets.
    let lines: Vec<Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let first = &lines[0];
    assert_eq!(first["route"], "decode");
    assert_eq!(first["namespace"], "default");
    assert_eq!(first["status"], 200);
    assert_eq!(first["payloads"], n);
    assert_eq!(first["keyIds"], serde_json::json!(["test-key-1"]));
    assert_eq!(first["subject"]["kind"], "token");
    assert_eq!(first["subject"]["name"], "tokens line 2");
    assert!(first["client"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert!(first["requestId"].as_u64().is_some());
    assert_eq!(lines[3]["status"], 401);
    assert_eq!(lines[3]["subject"], Value::Null, "not authenticated");
    assert_eq!(lines[4]["error"], "authentication");
    let all = std::fs::read_to_string(&audit).unwrap();
    assert!(!all.contains("secret-reader-token"), "no token text");
    assert_no_key_material(&all);
    let payload_data = serde_json::from_slice::<Value>(&body).unwrap()["payloads"][0]["data"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!all.contains(&payload_data[..40]), "no payload data");

    // logrotate: move the file, SIGHUP, and the next line goes to a new file.
    let rotated = dir.path().join("audit.jsonl.1");
    std::fs::rename(&audit, &rotated).unwrap();
    Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(post(&decode, token, &body), 200);
    assert_eq!(std::fs::read_to_string(&audit).unwrap().lines().count(), 1);
    assert_eq!(
        std::fs::read_to_string(&rotated).unwrap().lines().count(),
        5
    );
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "SIGHUP does not stop the server"
    );
    assert!(server.log().contains("SIGHUP: audit log reopened"));
}

/// Every serve option from a `[serve]` table, a `TCODEC_SERVE_*` variable, or a flag:
/// flags win over the environment, which wins over the file.
#[test]
fn serve_options_come_from_the_config_table_then_env_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("serve.toml");
    let interop = common::interop_config_text();
    std::fs::write(
        &cfg,
        format!(
            "{interop}\n[serve]\nmax-payloads = 2\nmax_body_size = \"1KiB\"\nmetrics = true\nmetrics-listen = \"127.0.0.1:0\"\nallow-origin = [\"http://localhost:8233\"]\naudit-log = \"audit.jsonl\"\n"
        ),
    )
    .unwrap();
    let three = br#"{"payloads": [{}, {}, {}]}"#;
    let start = |env: &[(&str, &str)], flags: &[&str]| {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
            .arg("--config")
            .arg(&cfg)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(flags)
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        std::io::BufRead::read_line(&mut lines, &mut first).unwrap();
        let base = first.trim().rsplit(' ').next().unwrap().to_string();
        // With metrics on, the next line names their own listener.
        let mut second = String::new();
        std::io::BufRead::read_line(&mut lines, &mut second).unwrap();
        let metrics = second
            .trim()
            .strip_prefix("tcodec serve: metrics on ")
            .map(str::to_string);
        (child, base, metrics)
    };
    let status = |base: &str, body: &[u8]| {
        agent()
            .post(format!("{base}/decode"))
            .send(body)
            .unwrap()
            .status()
            .as_u16()
    };
    // The file: 2 payloads at most, /metrics on, the audit log beside the config.
    let (mut child, base, metrics) = start(&[], &[]);
    assert_eq!(status(&base, three), 413);
    assert_eq!(
        get_status(&format!("{base}/metrics")),
        404,
        "not on the codec port"
    );
    assert_eq!(get_status(&metrics.unwrap()), 200);
    assert_eq!(status(&base, br#"{"payloads": [{}]}"#), 200);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        dir.path().join("audit.jsonl").exists(),
        "audit-log relative to the config"
    );
    // The environment beats the file...
    let (mut child, base, _) = start(&[("TCODEC_SERVE_MAX_PAYLOADS", "5")], &[]);
    assert_eq!(status(&base, three), 200);
    let _ = child.kill();
    let _ = child.wait();
    // ...and a flag beats both.
    let (mut child, base, _) = start(
        &[("TCODEC_SERVE_MAX_PAYLOADS", "5")],
        &["--max-payloads", "1"],
    );
    assert_eq!(status(&base, br#"{"payloads": [{}, {}]}"#), 413);
    let _ = child.kill();
    let _ = child.wait();
    // An unknown key is a configuration error, not ignored.
    std::fs::write(&cfg, "[serve]\nmax-payload = 3\n").unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg("--config")
        .arg(&cfg)
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "[serve] max-payload: not a serve option; did you mean \"max-payloads\"? the table takes: listen, allow-origin,"
    ));
}

/// SIGHUP under load: requests in flight finish on the old set, new ones use the new set,
/// a bad new configuration is refused and the old one stays; no request fails.
#[test]
fn sighup_reloads_configuration_and_keys_without_failing_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("live.toml");
    let base_config = common::interop_config_text();
    std::fs::write(&cfg, &base_config).unwrap();
    let mut server = Server::start(&cfg, &["-q"]);
    let decode = server.url("/decode");
    let (body, _) = encrypted_body();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..2)
        .map(|_| {
            let (decode, body, stop) = (decode.clone(), body.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && statuses.len() < 5000 {
                    statuses.push(post(&decode, None, &body));
                }
                statuses
            })
        })
        .collect();
    let extra = |ns: &str| {
        let mut req = agent()
            .post(server.url("/decode"))
            .header("X-Namespace", ns);
        req = req.header("Content-Type", "application/json");
        req.send(&b"{\"payloads\": []}"[..])
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(extra("added"), 404);
    let hup = |server: &Server| {
        Command::new("kill")
            .args(["-HUP", &server.child.id().to_string()])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(800));
    };
    std::fs::write(
        &cfg,
        format!("{base_config}\n[namespaces.added]\ncodecs = [{{ type = \"zlib\" }}]\n"),
    )
    .unwrap();
    hup(&server);
    assert_eq!(extra("added"), 200, "the new set serves new requests");
    std::fs::write(&cfg, format!("{base_config}\n[namespaces.broken]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"no-such-key\" }}]\n")).unwrap();
    hup(&server);
    assert_eq!(
        extra("added"),
        200,
        "a refused configuration keeps the old set"
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let statuses: Vec<u16> = load.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert!(statuses.len() > 10, "{} requests", statuses.len());
    assert!(
        statuses.iter().all(|s| *s == 200),
        "a request failed: {statuses:?}"
    );
    let log = server.log();
    assert!(
        log.contains(
            "SIGHUP: configuration and keys reloaded; namespaces: added, both, default, zipped"
        ),
        "{log}"
    );
    assert!(
        log.contains("SIGHUP: new configuration refused, keeping the old one"),
        "{log}"
    );
    assert!(server.child.try_wait().unwrap().is_none());
    assert_eq!(get_status(&server.url("/readyz")), 200);
}

/// A `[policy]`: default deny once it exists; forbid answers 403, passthrough answers 200
/// with the payloads still encoded.
#[test]
fn the_access_policy_allows_by_rule_and_denies_by_mode() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(
        &tokens,
        "tok-ada decode * name=ada\ntok-ci encode,decode * name=ci\n",
    )
    .unwrap();
    let base_config = common::interop_config_text();
    let (body, _) = encrypted_body();
    let call = |server: &Server, token: &str, ns: &str| {
        let mut answer = agent()
            .post(server.url("/decode"))
            .header("X-Namespace", ns)
            .header("Authorization", &format!("Bearer {token}"))
            .send(&body[..])
            .unwrap();
        let status = answer.status().as_u16();
        (status, answer.body_mut().read_to_string().unwrap())
    };
    for mode in ["forbid", "passthrough"] {
        let cfg = dir.path().join(format!("{mode}.toml"));
        std::fs::write(
            &cfg,
            format!(
                "{base_config}\n[policy]\ndeny = \"{mode}\"\n[[policy.allow]]\nwho = [\"token:ada\"]\ncan = [\"decode\"]\nnamespaces = [\"default\"]\n"
            ),
        )
        .unwrap();
        let server = Server::start(&cfg, &["--auth-tokens", &tokens.display().to_string()]);
        let (status, text) = call(&server, "tok-ada", "default");
        assert_eq!(status, 200, "{text}");
        assert!(
            !text.contains("YmluYXJ5L2VuY3J5cHRlZA"),
            "ada's answer is decoded"
        );
        let (status, text) = call(&server, "tok-ci", "default");
        let (other_status, other) = call(&server, "tok-ada", "both");
        match mode {
            "forbid" => {
                assert_eq!(
                    (status, text.as_str()),
                    (403, "policy: ci may not decode in namespace \"default\"\n")
                );
                assert_eq!(other_status, 403, "{other}");
            }
            _ => {
                // Passthrough is for decode: a denied encode is refused, never echoed.
                let encode = agent()
                    .post(server.url("/encode"))
                    .header("X-Namespace", "default")
                    .header("Authorization", "Bearer tok-ci")
                    .send(&b"{\"payloads\": [{\"metadata\": {\"encoding\": \"anNvbi9wbGFpbg==\"}, \"data\": \"MQ==\"}]}"[..])
                    .unwrap();
                assert_eq!(encode.status().as_u16(), 403);
                assert_eq!(status, 200);
                let got: Value = serde_json::from_str(&text).unwrap();
                let sent: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(
                    got["payloads"].as_array().unwrap().len(),
                    sent["payloads"].as_array().unwrap().len()
                );
                assert!(text.contains("YmluYXJ5L2VuY3J5cHRlZA"), "still encrypted");
                assert_eq!(other_status, 200);
            }
        }
    }
    // A typo in a rule stops the server at start.
    let cfg = dir.path().join("typo.toml");
    std::fs::write(
        &cfg,
        format!("{base_config}\n[[policy.allow]]\nwho = [\"mail:ada@example.com\"]\ncan = [\"decode\"]\nnamespaces = [\"*\"]\n"),
    )
    .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg("--config")
        .arg(&cfg)
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("policy.allow[0].who: \"mail:ada@example.com\""));
}

/// `--auth-preset temporal-cloud` with a local JWKS standing in for Cloud's: Cloud's
/// audience and email claim, CORS for the Cloud UI, `<namespace>.<account>` names.
#[test]
fn the_temporal_cloud_preset_accepts_cloud_tokens_and_namespace_names() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let jwks = root().join("tests/data/jwks.json").display().to_string();
    // Cloud tokens carry no tcodec scopes: the preset needs a [policy] to grant rights.
    let base_config = common::interop_config_text();
    let cfg = dir.path().join("cloud.toml");
    std::fs::write(&cfg, &base_config).unwrap();
    let refused = Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg("--config")
        .arg(&cfg)
        .args(["serve", "--auth-preset", "temporal-cloud", "--jwks", &jwks])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("a [policy] in the config must say who may decode"));
    std::fs::write(
        &cfg,
        format!("{base_config}\n[[policy.allow]]\nwho = [\"domain:example.com\"]\ncan = [\"decode\"]\nnamespaces = [\"default\"]\n"),
    )
    .unwrap();
    let server = Server::start(
        &cfg,
        &[
            "--auth-preset",
            "temporal-cloud",
            "--jwks",
            &jwks,
            "--audit-log",
            &audit.display().to_string(),
        ],
    );
    assert!(server
        .log()
        .contains("browsers allowed from: https://cloud.temporal.io"));
    let (body, _) = encrypted_body();
    let call = |claims: Value, ns: &str| {
        agent()
            .post(server.url("/decode"))
            .header("X-Namespace", ns)
            .header("Origin", "https://cloud.temporal.io")
            .header("Authorization", &format!("Bearer {}", common::jwt(claims)))
            .send(&body[..])
            .unwrap()
    };
    let cloud = serde_json::json!({
        "aud": "https://saas-api.tmprl.cloud",
        "exp": common::now() + 600,
        "https://saas-api.tmprl.cloud/user/email": "ada@example.com",
    });
    let answer = call(cloud.clone(), "default.acct123");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(
        answer.headers().get("access-control-allow-origin").unwrap(),
        "https://cloud.temporal.io"
    );
    let mut other_app = cloud.clone();
    other_app["aud"] = "https://other.example".into();
    assert_eq!(call(other_app, "default.acct123").status().as_u16(), 401);
    assert_eq!(
        call(cloud.clone(), "unknown.acct123").status().as_u16(),
        404
    );
    // An email with two @, or one the provider has not verified, matches no domain rule.
    let mut tricky = cloud.clone();
    tricky["https://saas-api.tmprl.cloud/user/email"] = "eve@evil.com@example.com".into();
    assert_eq!(call(tricky, "default.acct123").status().as_u16(), 403);
    let mut unverified = cloud;
    unverified["email_verified"] = false.into();
    assert_eq!(call(unverified, "default.acct123").status().as_u16(), 403);
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&audit)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["subject"]["email"], "ada@example.com");
}
