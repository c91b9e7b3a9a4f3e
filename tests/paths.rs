//! Issue #11: paths an audit could break without any test noticing. Each test here fails
//! for a named breakage: remote and local codecs in the wrong order, lost batch order,
//! no retries, headers not sent, a public bind let through with TLS or auth alone,
//! profile precedence, and the README's first command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use common::{assert_success, interop_config, root, tcodec, tcodec_interop, Server};
use serde_json::{json, Value};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn plain_list(n: usize, size: usize) -> Value {
    let list: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "metadata": {"encoding": b64(b"json/plain")},
                "data": b64(format!("\"{i:08}{}\"", "x".repeat(size)).as_bytes())
            })
        })
        .collect();
    json!({ "payloads": list })
}

/// `n` payloads of `size` bytes that do not compress (a simple LCG stream).
fn noise_list(n: usize, size: usize) -> Value {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let list: Vec<Value> = (0..n)
        .map(|_| {
            let bytes: Vec<u8> = (0..size)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    (state >> 56) as u8
                })
                .collect();
            json!({"metadata": {"encoding": b64(b"binary/plain")}, "data": b64(&bytes)})
        })
        .collect();
    json!({ "payloads": list })
}

fn encoding_of(p: &Value) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(p["metadata"]["encoding"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

/// Remote codec `zipped` (zlib) behind local `default` (AES), in Go order: on encode the
/// remote stage runs first (innermost), on decode last. Run the other way round, decode
/// would leave zlib payloads behind (or send ciphertext to the remote), and encode would
/// compress ciphertext.
#[test]
fn remote_and_local_codecs_run_in_go_order_both_ways() {
    // The remote server's `default` compresses; the local `default` encrypts.
    let dir = tempfile::tempdir().unwrap();
    let remote_cfg = dir.path().join("remote.toml");
    std::fs::write(
        &remote_cfg,
        "[namespaces.default]\ncodecs = [{ type = \"zlib\", always_encode = true }]\n",
    )
    .unwrap();
    let server = Server::start(&remote_cfg, &[]);
    let endpoint = server.base.clone();
    let plain = plain_list(3, 400);
    let encoded = tcodec_interop()
        .args([
            "encode",
            "-n",
            "default",
            "--codec-endpoint",
            &endpoint,
            "-",
        ])
        .write_stdin(plain.to_string())
        .output()
        .unwrap();
    assert_success(&encoded);
    let encoded: Value = serde_json::from_slice(&encoded.stdout).unwrap();
    // Outside: AES. Inside (AES removed locally): zlib from the remote.
    for p in encoded["payloads"].as_array().unwrap() {
        assert_eq!(encoding_of(p), "binary/encrypted");
    }
    let inner = tcodec_interop()
        .args(["decode", "-n", "default", "-"])
        .write_stdin(encoded.to_string())
        .output()
        .unwrap();
    let inner: Value = serde_json::from_slice(&inner.stdout).unwrap();
    for p in inner["payloads"].as_array().unwrap() {
        assert_eq!(
            encoding_of(p),
            "binary/zlib",
            "the remote stage encodes first"
        );
    }
    let decoded = tcodec_interop()
        .args([
            "decode",
            "-n",
            "default",
            "--codec-endpoint",
            &endpoint,
            "-",
        ])
        .write_stdin(encoded.to_string())
        .output()
        .unwrap();
    assert_success(&decoded);
    let decoded: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(
        decoded, plain,
        "decode: local AES first, then the remote zlib"
    );
}

#[test]
fn documents_larger_than_one_batch_keep_their_order() {
    let server = Server::start(&interop_config(), &[]);
    let endpoint = format!("{}/zipped", server.base);
    // 2500 payloads: three batches by count. Then 12 payloads of 700 KiB (~0.9 MB of JSON
    // each): three batches by bytes (4 MiB).
    for plain in [plain_list(2500, 20), noise_list(12, 700 << 10)] {
        let n = plain["payloads"].as_array().unwrap().len();
        let encoded = tcodec_interop()
            .args(["encode", "-n", "zipped", "-"])
            .write_stdin(plain.to_string())
            .output()
            .unwrap();
        assert_success(&encoded);
        let decoded = tcodec()
            .args(["decode", "-n", "zipped", "--codec-endpoint", &endpoint, "-"])
            .write_stdin(encoded.stdout)
            .output()
            .unwrap();
        assert_success(&decoded);
        let decoded: Value = serde_json::from_slice(&decoded.stdout).unwrap();
        assert!(
            decoded == plain,
            "{n} payloads came back in another order or form"
        );
    }
    let log = server.log();
    assert_eq!(log.matches("POST /zipped/decode").count(), 6, "{log}");
    assert_eq!(
        log.matches("payloads=4 ").count(),
        3,
        "8.4 MB in batches of 4 MiB: {log}"
    );
}

/// A codec server on loopback that answers each request with the next of `statuses`
/// (then 200), echoing the payloads back on 200, and records every request's head.
fn echo_server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock().unwrap().push(head);
            let status = statuses.next().unwrap_or(200);
            let answer = if status == 200 {
                body
            } else {
                b"busy".to_vec()
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(&answer);
        }
    });
    (base, heads)
}

#[test]
fn remote_calls_retry_on_5xx_and_send_the_auth_and_headers_given() {
    let (base, heads) = echo_server(vec![503, 502]);
    let plain = plain_list(2, 10);
    let out = tcodec()
        .args([
            "decode",
            "--codec-endpoint",
            &base,
            "--codec-auth",
            "Bearer secret-token-1",
            "--codec-header",
            "X-Tenant=acme",
            "-n",
            "prod",
            "-",
        ])
        .write_stdin(plain.to_string())
        .output()
        .unwrap();
    assert_success(&out);
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded, plain);
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 3, "two 5xx answers, then success: {heads:?}");
    for head in &heads {
        let lower = head.to_ascii_lowercase();
        assert!(head.starts_with("POST /decode HTTP/1.1"), "{head}");
        assert!(
            lower.contains("authorization: bearer secret-token-1\r\n"),
            "{head}"
        );
        assert!(lower.contains("x-tenant: acme\r\n"), "{head}");
        assert!(lower.contains("x-namespace: prod\r\n"), "{head}");
    }
    // Three failures in a row (two retries) fail with exit 5.
    let (base, heads) = echo_server(vec![503, 503, 503]);
    let out = tcodec()
        .args(["decode", "--codec-endpoint", &base, "-"])
        .write_stdin(plain.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(heads.lock().unwrap().len(), 3);
}

/// Public binds need TLS *and* auth; either alone is refused, both start, and
/// `--insecure-public-bind` overrides.
#[test]
fn public_binds_need_both_tls_and_auth() {
    let data = root().join("tests/data");
    let cert = data.join("tls-cert.pem").display().to_string();
    let key = data.join("tls-key.pem").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, "t0ken decode\n").unwrap();
    let tokens = tokens.display().to_string();
    let tls: &[&str] = &["--tls-cert", &cert, "--tls-key", &key];
    let auth: &[&str] = &["--auth-tokens", &tokens];
    let start = |extra: &[&[&str]]| -> Option<i32> {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
            .arg("--config")
            .arg(interop_config())
            .args(["serve", "--listen", "0.0.0.0:0"])
            .args(extra.iter().flat_map(|a| a.iter()))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let running = first.contains("listening on");
        if running {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        if running {
            None
        } else {
            assert!(first.contains("refusing to serve"), "{first}");
            status.code()
        }
    };
    assert_eq!(start(&[tls]), Some(2), "TLS alone");
    assert_eq!(start(&[auth]), Some(2), "auth alone");
    assert_eq!(start(&[]), Some(2), "neither");
    assert_eq!(start(&[tls, auth]), None, "both: serves");
    assert_eq!(
        start(&[&["--insecure-public-bind"]]),
        None,
        "explicit override: serves"
    );
}

/// `--codec-endpoint` beats `TEMPORAL_CODEC_ENDPOINT`, which beats the profile; the
/// profile's auth is sent when nothing else gives one.
#[test]
fn codec_endpoint_precedence_and_the_profile_auth() {
    let (flag, flag_heads) = echo_server(vec![]);
    let (env, env_heads) = echo_server(vec![]);
    let (profile, profile_heads) = echo_server(vec![]);
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("temporal.toml");
    std::fs::write(
        &toml,
        format!(
            "[profile.staging.codec]\nendpoint = \"{profile}\"\nauth = \"Bearer from-profile\"\n"
        ),
    )
    .unwrap();
    let plain = plain_list(1, 4).to_string();
    let run = |args: &[&str], env_endpoint: bool| {
        let mut cmd = tcodec();
        cmd.env("TEMPORAL_CONFIG_FILE", &toml)
            .env("TEMPORAL_PROFILE", "staging");
        if env_endpoint {
            cmd.env("TEMPORAL_CODEC_ENDPOINT", &env);
        }
        let out = cmd
            .args(["decode", "-n", "x"])
            .args(args)
            .arg("-")
            .write_stdin(plain.clone())
            .output()
            .unwrap();
        assert_success(&out);
    };
    run(&["--codec-endpoint", &flag], true);
    assert_eq!(
        (
            flag_heads.lock().unwrap().len(),
            env_heads.lock().unwrap().len()
        ),
        (1, 0),
        "the flag wins"
    );
    run(&[], true);
    assert_eq!(env_heads.lock().unwrap().len(), 1, "then the environment");
    assert_eq!(profile_heads.lock().unwrap().len(), 0);
    run(&[], false);
    let heads = profile_heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "then the profile");
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("authorization: bearer from-profile\r\n"),
        "{heads:?}"
    );
}

/// The README's first command, as written there, prints the demo's decoded values.
#[test]
fn the_readme_first_command_works() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with("cargo run --release -- "))
        .expect("the README's first command");
    let args: Vec<&str> = line
        .trim()
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .collect();
    let out = tcodec().current_dir(root()).args(&args).output().unwrap();
    assert_success(&out);
    // The first demo shows the decoded values themselves (--readable).
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    let data: Vec<Value> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["data"].clone())
        .collect();
    let values: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/demo/values.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(Value::Array(data), values);
}
