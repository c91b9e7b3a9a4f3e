//! Hostile input and failure: decompression bombs, hostile JSON, crypto failures, nothing
//! lost on failure, the server under a mixed load, and secret hygiene. Every case names its
//! exit code and message and checks that outputs are intact; every output of every case is
//! then searched for the test keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;

/// Every stdout and stderr the cases produced, searched for key material at the end of
/// each test (and by `no_output_of_any_case_leaks_key_material`).
static OUTPUTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(out: &std::process::Output) -> (i32, String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    OUTPUTS.lock().unwrap().push(format!("{stdout}\n{stderr}"));
    assert_no_key_material(&stdout);
    assert_no_key_material(&stderr);
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A config with bounded decompression for every compression codec, plus the test keys.
fn bounded_config(dir: &Path) -> PathBuf {
    let key1 = fixtures().join("keys/test-key-1.key");
    let cfg = dir.join("bounded.toml");
    let mut text = format!(
        "[keys]\ntest-key-1 = {{ file = {:?}, published = true }}\n",
        key1.display().to_string()
    );
    for codec in ["zlib", "gzip", "snappy", "zstd"] {
        text.push_str(&format!(
            "[namespaces.{codec}]\ncodecs = [{{ type = \"{codec}\", max_decoded_size = 1048576 }}]\n"
        ));
    }
    std::fs::write(&cfg, text).unwrap();
    cfg
}

/// 16 MiB of zeros, compressed: a few KB that inflate far past the 1 MiB limit.
fn bomb(codec: &str) -> Vec<u8> {
    let zeros = vec![0u8; 16 << 20];
    match codec {
        "zlib" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(&zeros).unwrap();
            e.finish().unwrap()
        }
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(&zeros).unwrap();
            e.finish().unwrap()
        }
        "zstd" => zstd::encode_all(zeros.as_slice(), 19).unwrap(),
        // A raw snappy block that declares 2 GiB and holds 3 bytes: refused before any
        // allocation.
        "snappy" => vec![0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x00, 0x00],
        _ => unreachable!(),
    }
}

fn bomb_payload(codec: &str) -> String {
    let data = bomb(codec);
    assert!(
        data.len() < 64 * 1024,
        "{codec} bomb is {} bytes",
        data.len()
    );
    format!(
        "{{\"payloads\": [{{\"metadata\": {{\"encoding\": \"{}\"}}, \"data\": \"{}\"}}]}}",
        b64(format!("binary/{codec}").as_bytes()),
        b64(&data)
    )
}

#[test]
fn decompression_bombs_stop_at_the_limit_in_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = bounded_config(dir.path());
    for codec in ["zlib", "gzip", "zstd", "snappy"] {
        let out = dir.path().join("out.json");
        std::fs::write(&out, "ORIGINAL").unwrap();
        let started = Instant::now();
        let (code, _, err) = record(
            &tcodec()
                .arg("--config")
                .arg(&cfg)
                .args(["decode", "-n", codec, "-", "-o"])
                .arg(&out)
                .write_stdin(bomb_payload(codec))
                .output()
                .unwrap(),
        );
        assert_eq!(code, 3, "{codec}: {err}");
        assert_eq!(
            err.lines().next().unwrap(),
            format!("tcodec: error: cannot decode payload: <stdin>: payloads[0]: {codec}: decompressed size exceeds the limit of 1048576 bytes (possible decompression bomb)")
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "ORIGINAL");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn decompression_bombs_are_a_400_from_the_server_which_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = bounded_config(dir.path());
    let server = Server::start(&cfg, &["-n", "zlib"]);
    let base = server.base.clone();
    for codec in ["zlib", "zstd", "snappy"] {
        let (status, body) = http_post(
            &format!("{base}/{codec}/decode"),
            bomb_payload(codec).as_bytes(),
        );
        assert_eq!(status, 400, "{codec}: {body}");
        assert_eq!(
            body,
            format!("payloads[0]: {codec}: decompressed size exceeds the limit of 1048576 bytes (possible decompression bomb)\n")
        );
    }
    assert_eq!(http_get(&format!("{base}/healthz")).0, 200);
}

/// Each hostile document: decode must exit 3 with exactly this first line, and leave `-o`
/// as it was.
#[test]
fn hostile_json_gets_a_located_message_and_exit_3() {
    let deep = format!(
        "{{\"events\": [{}1{}]}}",
        "{\"x\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let deep_payloads = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = format!(
        "{{\"payloads\": [{{\"metadata\": {{\"encoding\": \"anNvbi9wbGFpbg==\"}}, \"data\": \"{}!\"}}]}}",
        "A".repeat(32 << 20)
    );
    let mut invalid_utf8 = b"{\"payloads\": [{\"metadata\": {\"encoding\": \"".to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe]);
    invalid_utf8.extend_from_slice(b"\"}}]}");
    let history_dup =
        std::fs::read_to_string(fixtures().join(
            "encoded/default/s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.json",
        ))
        .unwrap()
        .replacen("\"data\": \"", "\"data\": \"AAAA\", \"data\": \"", 1);
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("deep history", deep.into_bytes(), "malformed input: in.json: line 1, column 638: invalid JSON: recursion limit exceeded".into()),
        ("deep arrays", deep_payloads.into_bytes(), "malformed input: in.json: line 1, column 128: invalid JSON: recursion limit exceeded".into()),
        ("huge string", huge.into_bytes(), "malformed input: in.json: payloads[0].data: invalid base64 (Invalid symbol 33, offset 33554432.)".into()),
        ("duplicate keys", br#"{"payloads": [{"data": "AA==", "data": "AQ=="}]}"#.to_vec(), "malformed input: in.json: line 1, column 37: invalid JSON: duplicate key \"data\"".into()),
        ("duplicate keys in a history", history_dup.into_bytes(), "malformed input: in.json: line 14, column 32: invalid JSON: duplicate key \"data\"".into()),
        ("invalid UTF-8", invalid_utf8, "malformed input: in.json: line 1, column 42: invalid JSON: invalid unicode code point".into()),
        ("int64 out of range", br#"{"payloads": [{"externalPayloads": [{"sizeBytes": "99999999999999999999"}]}]}"#.to_vec(), "malformed input: in.json: payloads[0].externalPayloads[0].sizeBytes: expected an int64 (string or number)".into()),
        ("float for int64", br#"{"payloads": [{"externalPayloads": [{"sizeBytes": 1e999}]}]}"#.to_vec(), "malformed input: in.json: payloads[0].externalPayloads[0].sizeBytes: expected an int64 (string or number)".into()),
        ("truncated", br#"{"payloads": [{"metadata": {"encoding": "anNvbi9w"#.to_vec(), "malformed input: in.json: line 1, column 49: truncated JSON: EOF while parsing a string".into()),
        ("a number", b"42".to_vec(), "malformed input: in.json: expected a Payload object, an array of Payloads, {\"payloads\": [...]} or a history, found a number".into()),
        ("a string", b"\"payload\"".to_vec(), "malformed input: in.json: expected a Payload object, an array of Payloads, {\"payloads\": [...]} or a history, found a string".into()),
        ("payloads not a list", br#"{"payloads": {"a": 1}}"#.to_vec(), "malformed input: in.json: payloads: expected an array of Payloads, found an object".into()),
        ("empty", b"  \n".to_vec(), "malformed input: in.json: input is empty".into()),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, input, want) in cases {
        let path = dir.path().join("in.json");
        std::fs::write(&path, &input).unwrap();
        let out = dir.path().join("out.json");
        std::fs::write(&out, "ORIGINAL").unwrap();
        let (code, _, err) = record(
            &tcodec_interop()
                .current_dir(dir.path())
                .args(["decode", "-n", "default", "in.json", "-o", "out.json"])
                .output()
                .unwrap(),
        );
        assert_eq!(code, 3, "{name}: {err}");
        assert_eq!(
            err.lines().next().unwrap(),
            format!("tcodec: error: {want}"),
            "{name}"
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "ORIGINAL", "{name}");
        assert_eq!(leftover_temp_files(dir.path()), 0, "{name}");
    }
}

fn leftover_temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tcodec-")
        })
        .count()
}

fn encrypted_list() -> String {
    let out = tcodec_interop()
        .args(["encode", "-n", "default", "--from-values", "-"])
        .write_stdin(r#"["secret value"]"#)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn key_config(dir: &Path, key_file_text: Option<&[u8]>, mode: u32) -> PathBuf {
    let key = dir.join("k.key");
    let material = key_file_text
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| std::fs::read(fixtures().join("keys/test-key-1.key")).unwrap());
    std::fs::write(&key, material).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let cfg = dir.join("c.toml");
    std::fs::write(
        &cfg,
        "[keys]\ntest-key-1 = { file = \"k.key\" }\n[namespaces.default]\ncodecs = [{ type = \"aes-256-gcm\", key = \"test-key-1\" }]\n",
    )
    .unwrap();
    cfg
}

#[test]
fn crypto_failures_each_have_their_own_message_without_secrets() {
    let list = encrypted_list();
    let value: serde_json::Value = serde_json::from_str(&list).unwrap();
    let data = base64::engine::general_purpose::STANDARD
        .decode(value[0]["data"].as_str().unwrap())
        .unwrap();
    let with_data = |bytes: &[u8]| {
        let mut v = value.clone();
        v[0]["data"] = serde_json::Value::String(b64(bytes));
        v.to_string()
    };
    let mut tampered = data.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let mut unknown = value.clone();
    unknown[0]["metadata"]["encryption-key-id"] = serde_json::Value::String(b64(b"retired-2019"));
    let prefix = "tcodec: error: cannot decode payload: <stdin>: [0]: ";
    let cases: Vec<(&str, String, String)> = vec![
        ("tampered", with_data(&tampered), format!("{prefix}decryption failed for key id \"test-key-1\": wrong key or tampered ciphertext")),
        ("truncated nonce", with_data(&data[..8]), format!("{prefix}encrypted data is truncated: 8 bytes, at least 28 needed (12-byte nonce + 16-byte tag)")),
        ("unknown key id", unknown.to_string(), format!("{prefix}unknown encryption key id \"retired-2019\"")),
    ];
    for (name, input, want) in cases {
        let (code, _, err) = record(
            &tcodec_interop()
                .args(["decode", "-n", "default", "-"])
                .write_stdin(input)
                .output()
                .unwrap(),
        );
        assert_eq!(code, 3, "{name}");
        assert_eq!(err.lines().next().unwrap(), want, "{name}");
        assert!(!err.contains("secret value"), "{name}: plaintext leaked");
    }

    // Wrong key: a config whose test-key-1 holds test-key-2's bytes.
    let dir = tempfile::tempdir().unwrap();
    let decode_with = |cfg: &Path| {
        record(
            &tcodec()
                .arg("--config")
                .arg(cfg)
                .args(["decode", "-"])
                .write_stdin(list.clone())
                .output()
                .unwrap(),
        )
    };
    let key2 = std::fs::read(fixtures().join("keys/test-key-2.key")).unwrap();
    let cfg = key_config(dir.path(), Some(&key2), 0o600);
    let (code, _, err) = decode_with(&cfg);
    assert_eq!(code, 3);
    assert_eq!(
        err.lines().next().unwrap(),
        format!(
            "{prefix}decryption failed for key id \"test-key-1\": wrong key or tampered ciphertext"
        )
    );

    // Wrong key length in the key file: a config error (2) naming the shape, not the bytes.
    let cfg = key_config(
        dir.path(),
        Some(b"0123456789abcdef0123456789abcdef01"),
        0o600,
    );
    let (code, _, err) = decode_with(&cfg);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("tcodec: error: cannot load key \"test-key-1\": key file "),
        "{err}"
    );
    assert!(!err.contains("0123456789abcdef"), "{err}");

    // A key file readable by others: a warning naming the fix; the run goes on.
    let cfg = key_config(dir.path(), None, 0o644);
    let (code, _, err) = decode_with(&cfg);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("tcodec: warning: key \"test-key-1\": file ")
            && err.contains("is readable by group or others (mode 644); run: chmod 600 "),
        "{err}"
    );
    let cfg = key_config(dir.path(), None, 0o600);
    let (code, _, err) = decode_with(&cfg);
    assert_eq!((code, err.as_str()), (0, ""));
}

/// A ~40 MB history: the fixture's events repeated.
fn big_history(dir: &Path) -> PathBuf {
    let src =
        std::fs::read_to_string(fixtures().join(
            "encoded/default/s-greeting-test-key-1.01a20f45-3c44-722b-9ff2-cb574397bbfd.json",
        ))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&src).unwrap();
    let events = v["events"].as_array().unwrap();
    let mut all = Vec::new();
    while serde_json::to_vec(&all).unwrap().len() < 40 << 20 {
        all.extend(events.iter().cloned());
    }
    let path = dir.join("big.json");
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&serde_json::json!({"events": all})).unwrap(),
    )
    .unwrap();
    path
}

#[test]
fn a_process_killed_mid_write_leaves_the_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_history(dir.path());
    let out = dir.path().join("out.json");
    let mut killed_while_writing = 0;
    for attempt in 0..6 {
        std::fs::write(&out, "ORIGINAL").unwrap();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tcodec"))
            .env("TCODEC_CONFIG", interop_config())
            .args(["--quiet", "decode", "-n", "default"])
            .arg(&big)
            .arg("-o")
            .arg(&out)
            .spawn()
            .unwrap();
        // Wait until the temporary file exists (the write has begun), then kill.
        let deadline = Instant::now() + Duration::from_secs(30);
        while leftover_temp_files(dir.path()) == 0 && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_millis(attempt * 20));
        let still_running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        if still_running {
            killed_while_writing += 1;
            assert_eq!(
                std::fs::read_to_string(&out).unwrap(),
                "ORIGINAL",
                "attempt {attempt}"
            );
        }
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let p = e.unwrap().path();
            if p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".tcodec-")
            {
                std::fs::remove_file(p).unwrap();
            }
        }
    }
    assert!(
        killed_while_writing > 0,
        "never caught the process mid-write"
    );
}

#[test]
fn a_failure_after_output_began_leaves_the_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let enc = encrypted_list().replace('\n', "");
    let lines = format!("{enc}\n{enc}\n{{\"payloads\": [{{\"data\": \"%%%\"}}]}}\n{enc}\n");
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "ORIGINAL").unwrap();
    let (code, _, err) = record(
        &tcodec_interop()
            .args([
                "decode",
                "-n",
                "default",
                "--input-format",
                "jsonl",
                "-",
                "-o",
            ])
            .arg(&out)
            .write_stdin(lines)
            .output()
            .unwrap(),
    );
    assert_eq!(code, 3);
    assert!(
        err.starts_with(
            "tcodec: error: malformed input: <stdin>: line 3: payloads[0].data: invalid base64"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "ORIGINAL");
    assert_eq!(leftover_temp_files(dir.path()), 0);
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent()
}

fn http_post(url: &str, body: &[u8]) -> (u16, String) {
    // No X-Namespace: the path prefix, then the server's default namespace, decide.
    let mut r = agent().post(url).send(body).unwrap();
    let status = r.status().as_u16();
    let mut text = String::new();
    let _ = r.body_mut().as_reader().read_to_string(&mut text);
    (status, text)
}

fn http_get(url: &str) -> (u16, String) {
    let mut r = agent().get(url).call().unwrap();
    let status = r.status().as_u16();
    let mut text = String::new();
    let _ = r.body_mut().as_reader().read_to_string(&mut text);
    (status, text)
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_server_under_a_mixed_hostile_load_stays_up_bounded_and_shuts_down_cleanly() {
    let mut server = Server::start(
        &interop_config(),
        &["--max-body-size", "256KiB", "--request-timeout", "5"],
    );
    let base = server.base.clone();
    let addr = base.trim_start_matches("http://").to_string();
    let valid = encrypted_list();
    let valid_body = format!("{{\"payloads\": {valid}}}");

    // Slowloris: connections that send their request head a byte at a time.
    let slow: Vec<_> = (0..40)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut s = std::net::TcpStream::connect(&addr).unwrap();
                let head = b"POST /decode HTTP/1.1\r\nHost: x\r\nX-Namespace: default\r\n";
                for b in head.iter().take(30) {
                    if s.write_all(&[*b]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let rss_before = rss_kb(server.child.id());

    let started = Instant::now();
    let mut statuses = std::collections::BTreeMap::<(&str, u16), usize>::new();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let base = base.clone();
            let valid_body = valid_body.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                for i in 0..150 {
                    let (kind, body): (&str, Vec<u8>) = match (w + i) % 5 {
                        0 | 1 => ("valid", valid_body.clone().into_bytes()),
                        2 => ("malformed", b"{\"payloads\": [{\"data\": 5}]}".to_vec()),
                        3 => ("garbage", vec![0xff; 1000]),
                        _ => ("oversized", vec![b' '; 300 * 1024]),
                    };
                    seen.push((kind, http_post(&format!("{base}/decode"), &body).0));
                }
                seen
            })
        })
        .collect();
    // The server keeps answering health checks during the load.
    for _ in 0..10 {
        let t = Instant::now();
        assert_eq!(http_get(&format!("{base}/healthz")).0, 200);
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "healthz took {:?}",
            t.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for w in workers {
        for (kind, status) in w.join().unwrap() {
            *statuses.entry((kind, status)).or_default() += 1;
        }
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    let expected: std::collections::BTreeMap<(&str, u16), usize> = [
        (("garbage", 400), 120),
        (("malformed", 400), 120),
        (("oversized", 413), 120),
        (("valid", 200), 240),
    ]
    .into_iter()
    .collect();
    assert_eq!(statuses, expected, "no 5xx, every client error a 4xx");
    let rss_after = rss_kb(server.child.id());
    assert!(
        rss_after < rss_before + 200 * 1024,
        "RSS grew from {rss_before} KB to {rss_after} KB"
    );
    for s in slow {
        s.join().unwrap();
    }

    // SIGTERM with a request in flight: it is answered, then the process exits 0.
    let url = format!("{base}/decode");
    let body = valid_body.into_bytes();
    let inflight = std::thread::spawn(move || http_post(&url, &body).0);
    std::thread::sleep(Duration::from_millis(5));
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(inflight.join().unwrap(), 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn slow_request_heads_are_cut_off() {
    let server = Server::start(&interop_config(), &[]);
    let mut s = std::net::TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    s.write_all(b"POST /decode HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let t = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(20),
        "connection closed after {waited:?}"
    );
}

#[test]
fn no_output_of_any_case_leaks_key_material() {
    // The other tests record as they go; this one adds the error paths that touch keys most
    // directly, then searches everything recorded so far in this process.
    let dir = tempfile::tempdir().unwrap();
    for text in [&b"zz"[..], b"", b"not hex not base64 !!!"] {
        let cfg = key_config(dir.path(), Some(text), 0o600);
        let (code, _, _) = record(
            &tcodec()
                .arg("--config")
                .arg(&cfg)
                .args(["config", "check"])
                .output()
                .unwrap(),
        );
        assert_eq!(code, 2);
    }
    record(&tcodec_interop().args(["config", "check"]).output().unwrap());
    let all = OUTPUTS.lock().unwrap();
    assert!(!all.is_empty());
    for out in all.iter() {
        assert_no_key_material(out);
    }
    // Key types redact themselves.
    let key = tcodec::keys::Key::from_bytes([7; 32]);
    assert_eq!(format!("{key:?}"), "Key(redacted)");
}
