//! External Storage (claim check) against a real S3 API server (moto, started from
//! ../shared/interop/start_s3.sh) and the shared fixtures written by the Python SDK's own S3
//! driver: decode equals what the `temporal` CLI printed through a storage-aware codec
//! server, `--keep-refs` equals the Web UI's view, the Python SDK reads what tcodec
//! offloads, the server's `/download` and `preserveStorageRefs`, and located errors for
//! missing and tampered objects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;
use serde_json::{json, Value};

const NAMESPACES: [&str; 3] = ["default", "zipped", "both"];

fn storage_fixtures() -> PathBuf {
    fixtures().join("storage")
}

fn storage_config() -> PathBuf {
    root().join("examples/storage.toml")
}

/// `tcodec --config examples/storage.toml` pointed at an S3 server.
trait StorageCli {
    fn tcodec(&self) -> assert_cmd::Command;
}

impl StorageCli for S3 {
    /// `tcodec --config examples/storage.toml` pointed at this server.
    fn tcodec(&self) -> assert_cmd::Command {
        let mut cmd = tcodec();
        cmd.arg("--config").arg(storage_config());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

/// Every history of the fixtures: (namespace, file name).
fn histories() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    for ns in NAMESPACES {
        for file in files_ending(&storage_fixtures().join("encoded").join(ns), ".json") {
            out.push((ns, file));
        }
    }
    assert_eq!(out.len(), 15, "the fixtures hold 15 histories");
    out
}

/// Decodes every fixture history with `cmd()` plus `extra`, comparing byte for byte with
/// `truth/` (`decoded` or `decoded-refs`).
fn decode_all_equal(mut cmd: impl FnMut() -> assert_cmd::Command, extra: &[&str], truth: &str) {
    let dir = tempfile::tempdir().unwrap();
    for (ns, file) in histories() {
        let name = file.file_name().unwrap();
        let out_file = dir.path().join(name);
        let out = cmd()
            .args(["decode", "-n", ns])
            .args(extra)
            .arg(&file)
            .arg("-o")
            .arg(&out_file)
            .output()
            .unwrap();
        assert_success(&out);
        let want = std::fs::read(storage_fixtures().join(truth).join(ns).join(name)).unwrap();
        let got = std::fs::read(&out_file).unwrap();
        assert!(
            got == want,
            "{ns}/{}: differs from {truth}/",
            name.to_string_lossy()
        );
    }
}

#[test]
fn decode_resolves_every_reference_from_s3_like_the_temporal_cli() {
    let Some(s3) = S3::start(Some(&storage_fixtures().join("bucket"))) else {
        return;
    };
    decode_all_equal(|| s3.tcodec(), &[], "decoded");
    // The summary counts the objects fetched.
    let history = &histories()[1].1;
    let out = s3
        .tcodec()
        .args(["decode", "-n", "default"])
        .arg(history)
        .arg("-o")
        .arg(tempfile::tempdir().unwrap().path().join("o.json"))
        .output()
        .unwrap();
    assert_success(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tcodec: resolved 16 references from external storage (16 objects fetched, SHA-256 checked)"),
        "{err}"
    );
}

#[test]
fn keep_refs_gives_the_web_ui_view_and_fetches_nothing() {
    // An endpoint nothing listens on: any fetch would fail the run.
    decode_all_equal(
        || {
            let mut cmd = tcodec();
            cmd.arg("--config")
                .arg(storage_config())
                .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
                .env("AWS_ACCESS_KEY_ID", "x")
                .env("AWS_SECRET_ACCESS_KEY", "x");
            cmd
        },
        &["--keep-refs"],
        "decoded-refs",
    );
}

#[test]
fn the_file_driver_reads_a_bucket_dump() {
    decode_all_equal(
        || {
            let mut cmd = tcodec();
            cmd.arg("--config")
                .arg(root().join("examples/storage-file.toml"));
            cmd
        },
        &[],
        "decoded",
    );
}

/// A config for namespace `default` reading objects from `dir` (file driver).
fn file_config(dir: &Path) -> PathBuf {
    let config = dir.join("tcodec.toml");
    let keys = fixtures().join("keys");
    std::fs::write(
        &config,
        format!(
            "[keys]\ntest-key-1 = {{ file = \"{}\", published = true }}\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-1\" }}]\nstorage = {{ driver = \"file\", path = \"{}\" }}\n",
            keys.join("test-key-1.key").display(),
            dir.join("bucket").display()
        ),
    )
    .unwrap();
    config
}

/// Every regular file below `dir`, sorted.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn missing_and_tampered_objects_are_located_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &storage_fixtures().join("bucket"),
        &dir.path().join("bucket"),
    );
    let config = file_config(dir.path());
    let history = histories()
        .into_iter()
        .find(|(ns, f)| *ns == "default" && f.to_string_lossy().contains("st-order-default."))
        .unwrap()
        .1;
    let text = std::fs::read_to_string(&history).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    // The activity result's reference: its claim names the key.
    let reference =
        &v["events"][15]["activityTaskCompletedEventAttributes"]["result"]["payloads"][0];
    let data = base64_decode(reference["data"].as_str().unwrap());
    let claim: Value = serde_json::from_slice(&data).unwrap();
    let key = claim["claimData"]["key"].as_str().unwrap().to_string();
    let object = dir.path().join("bucket").join(&key);
    let out_file = dir.path().join("out.json");
    let run = || {
        tcodec()
            .arg("--config")
            .arg(&config)
            .args(["decode", "-n", "default"])
            .arg(&history)
            .arg("-o")
            .arg(&out_file)
            .output()
            .unwrap()
    };
    let at = format!(
        "{}: events[15].activityTaskCompletedEventAttributes.result.payloads[0]: external storage: stored object {key}",
        history.display()
    );
    // Tampered: one byte more.
    let mut bytes = std::fs::read(&object).unwrap();
    bytes.push(b'x');
    std::fs::write(&object, &bytes).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{at} fails its integrity check (SHA-256 differs from the reference's)"
        )),
        "{err}"
    );
    assert!(!out_file.exists(), "no partial output");
    // Replaced by a different, valid stored payload (another object of the same namespace,
    // encoded with the same key): only the hash check can tell (issue #26 item 2).
    let other = all_files(&dir.path().join("bucket/v0/ns/default"))
        .into_iter()
        .find(|f| *f != object)
        .unwrap();
    let other_bytes = std::fs::read(&other).unwrap();
    assert_ne!(other_bytes, bytes[..bytes.len() - 1]);
    assert!(
        <tcodec::payload::Payload as prost::Message>::decode(other_bytes.as_slice()).is_ok(),
        "the replacement is a valid serialized payload"
    );
    std::fs::write(&object, &other_bytes).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{at} fails its integrity check (SHA-256 differs from the reference's)"
        )),
        "{err}"
    );
    assert!(!out_file.exists(), "no partial output");
    // The server refuses it the same way, and answers no decoded payload.
    let server = Server::start(&config, &[]);
    let (status, answer) = post(&server.url("/decode"), &json!({ "payloads": [reference] }));
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("fails its integrity check"), "{answer}");
    assert!(!answer.contains("payloads\":"), "{answer}");
    // Missing.
    std::fs::remove_file(&object).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{at} is missing from its bucket")),
        "{err}"
    );
    assert!(!out_file.exists(), "no partial output");
    assert_no_key_material(&err);
    // --keep-refs needs no object at all.
    let out = tcodec()
        .arg("--config")
        .arg(&config)
        .args(["decode", "--keep-refs", "-n", "default"])
        .arg(&history)
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn unreachable_storage_exits_5_naming_the_payload() {
    let history = &histories()[1].1;
    let out = tcodec()
        .arg("--config")
        .arg(storage_config())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .args(["decode", "-n", "default"])
        .arg(history)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("events[0].userMetadata.details: external storage unavailable: cannot fetch v0/ns/default/"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn plain_http_storage_endpoints_must_be_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[namespaces.default]\ncodecs = []\nstorage = { driver = \"s3\", bucket = \"b\", endpoint = \"http://10.1.2.3:9000\" }\n",
    )
    .unwrap();
    let out = tcodec()
        .arg("--config")
        .arg(&config)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("namespace \"default\": storage endpoint http://10.1.2.3:9000: plain http is allowed only to a loopback host (127.0.0.1, [::1], localhost): use https"),
        "{err}"
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn encoding_of(p: &Value) -> String {
    String::from_utf8(base64_decode(p["metadata"]["encoding"].as_str().unwrap())).unwrap()
}

#[test]
fn the_python_sdk_reads_what_tcodec_offloads() {
    let Some(s3) = S3::start(None) else {
        return;
    };
    // Pseudo-random letters: zlib cannot shrink them below the 8 KiB threshold.
    let mut seed: u64 = 42;
    let big: String = (0..20_000)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(b'a' + ((seed >> 33) % 26) as u8)
        })
        .collect();
    let values = json!(["small", big, {"k": &big[..9000]}, 42]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("values.json");
    std::fs::write(&input, values.to_string()).unwrap();
    let python = peer_python().unwrap();
    for ns in NAMESPACES {
        let out = s3
            .tcodec()
            .args(["encode", "--from-values", "-n", ns])
            .arg(&input)
            .output()
            .unwrap();
        assert_success(&out);
        let encoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        let list = encoded.as_array().unwrap();
        // The big text is a reference under the namespace's content-addressed prefix.
        assert_eq!(encoding_of(&list[1]), "json/protobuf", "{ns}");
        let claim: Value =
            serde_json::from_slice(&base64_decode(list[1]["data"].as_str().unwrap())).unwrap();
        let key = claim["claimData"]["key"].as_str().unwrap();
        let hash = claim["claimData"]["hash_value"].as_str().unwrap();
        assert_eq!(key, format!("v0/ns/{ns}/d/sha256/{hash}"));
        assert_eq!(claim["driverName"], "aws.s3driver");
        assert_ne!(
            encoding_of(&list[0]),
            "json/protobuf",
            "{ns}: small payloads stay inline"
        );
        // The SDK's DataConverter (its S3 driver, the peer codec) reads every value back.
        let mut child = Process::new(&python)
            .arg(root().join("tests/interop/sdk_storage.py"))
            .arg(ns)
            .envs(s3.env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
        let read = child.wait_with_output().unwrap();
        assert!(
            read.status.success(),
            "{}",
            String::from_utf8_lossy(&read.stderr)
        );
        let got: Value = serde_json::from_slice(&read.stdout).unwrap();
        assert_eq!(got, values, "{ns}: the SDK read other values");
        // And tcodec resolves its own references back to the same values.
        let file = dir.path().join(format!("{ns}.json"));
        std::fs::write(&file, &out.stdout).unwrap();
        let back = s3
            .tcodec()
            .args(["decode", "--to-values", "-n", ns])
            .arg(&file)
            .output()
            .unwrap();
        assert_success(&back);
        assert_eq!(
            serde_json::from_slice::<Value>(&back.stdout).unwrap(),
            values
        );
        // --no-offload keeps everything inline.
        let inline = s3
            .tcodec()
            .args(["encode", "--from-values", "--no-offload", "-n", ns])
            .arg(&input)
            .output()
            .unwrap();
        assert_success(&inline);
        let inline: Value = serde_json::from_slice(&inline.stdout).unwrap();
        assert!(inline
            .as_array()
            .unwrap()
            .iter()
            .all(|p| encoding_of(p) != "json/protobuf"));
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

fn post(url: &str, body: &Value) -> (u16, String) {
    let mut resp = agent()
        .post(url)
        .header("X-Namespace", "default")
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap())
}

/// The start event's input payloads of the `order` workflow in `default`, from `dir`.
fn order_input(dir: &str) -> Value {
    let file = files_ending(&storage_fixtures().join(dir).join("default"), ".json")
        .into_iter()
        .find(|f| f.to_string_lossy().contains("st-order-default."))
        .unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    v["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"].clone()
}

#[test]
fn the_server_resolves_preserves_and_downloads_references() {
    let Some(s3) = S3::start(Some(&storage_fixtures().join("bucket"))) else {
        return;
    };
    let server = Server::start_env(&storage_config(), &[], &s3.env);
    let encoded = order_input("encoded");
    // /decode resolves every reference: what the temporal CLI shows.
    let (status, body) = post(&server.url("/decode"), &json!({ "payloads": encoded }));
    assert_eq!(status, 200, "{body}");
    let got: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(got["payloads"], order_input("decoded"));
    // ?preserveStorageRefs=true: references unchanged, the rest decoded (the Web UI).
    let (status, body) = post(
        &server.url("/decode?preserveStorageRefs=true"),
        &json!({ "payloads": encoded }),
    );
    assert_eq!(status, 200, "{body}");
    let got: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(got["payloads"], order_input("decoded-refs"));
    // /download: references only, resolved and decoded.
    let (status, body) = post(&server.url("/download"), &json!({ "payloads": encoded }));
    assert_eq!(status, 400);
    assert_eq!(
        body.trim(),
        "payloads[0]: not an external storage reference (/download resolves references only)"
    );
    let refs = json!({ "payloads": [encoded[1], encoded[3]] });
    let (status, body) = post(&server.url("/download"), &refs);
    assert_eq!(status, 200, "{body}");
    let got: Value = serde_json::from_str(&body).unwrap();
    let decoded = order_input("decoded");
    assert_eq!(got["payloads"], json!([decoded[1], decoded[3]]));
    // /encode keeps payloads inline unless --offload-on-encode.
    let big = json!({"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": base64_encode(&"x".repeat(20_000))});
    let (status, body) = post(&server.url("/encode"), &json!({ "payloads": [big] }));
    assert_eq!(status, 200);
    let got: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(encoding_of(&got["payloads"][0]), "binary/encrypted");
    let offloading = Server::start_env(&storage_config(), &["--offload-on-encode"], &s3.env);
    let (status, body) = post(&offloading.url("/encode"), &json!({ "payloads": [big] }));
    assert_eq!(status, 200);
    let got: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(encoding_of(&got["payloads"][0]), "json/protobuf");
    let (status, body) = post(&offloading.url("/decode"), &got);
    assert_eq!(status, 200);
    let back: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(back["payloads"][0], big);
    // No storage configured: /download stays 404.
    let plain = Server::start(&interop_config(), &[]);
    let (status, body) = post(&plain.url("/download"), &refs);
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no external storage"), "{body}");
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn check_allows_references_and_verify_storage_checks_their_objects() {
    let history = histories()
        .into_iter()
        .find(|(ns, f)| *ns == "zipped" && f.to_string_lossy().contains("st-order-zipped."))
        .unwrap()
        .1;
    let config = root().join("examples/storage-file.toml");
    let run = |ns: &str, extra: &[&str]| {
        tcodec()
            .arg("--config")
            .arg(&config)
            .args(["check", "-n", ns])
            .args(extra)
            .arg(&history)
            .output()
            .unwrap()
    };
    let out = run("zipped", &[]);
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("notice: 15 external storage references (allowed; --verify-storage fetches and checks their objects); their object keys show in clear: namespace \"zipped\", workflow id \"st-order-zipped\""),
        "{text}"
    );
    // The zipped objects are plaintext to a namespace that encrypts: violations.
    let out = run("default", &["--verify-storage"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("events[0].userMetadata.details: plaintext: stored object: not encoded: encoding \"binary/zlib\", expected \"binary/encrypted\""),
        "{text}"
    );
}

#[test]
fn the_official_web_ui_shows_a_reference_and_downloads_it_through_tcodec_serve() {
    if std::env::var_os("TCODEC_SKIP_BROWSER").is_some() {
        common::skip("TCODEC_SKIP_BROWSER is set (no Chromium)");
        return;
    }
    let Some(python) = peer_python() else {
        return;
    };
    let venv = Path::new(&python).parent().unwrap().parent().unwrap();
    let out = Process::new("bash")
        .arg(root().join("tests/interop/webui_storage.sh"))
        .arg(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg(storage_config())
        .env("INTEROP_VENV", venv)
        .env("TCODEC_SHARED", root().join("../shared"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(
            "web UI storage: reference shown with size 14.18 KB (14523 bytes); /download decoded"
        ),
        "{text}"
    );
}

#[test]
fn rekey_stores_re_encoded_objects_under_new_references_and_keys_used_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &storage_fixtures().join("bucket"),
        &dir.path().join("bucket"),
    );
    let before = count_files(&dir.path().join("bucket"));
    let keys = fixtures().join("keys");
    let config = dir.path().join("rotated.toml");
    std::fs::write(
        &config,
        format!(
            "[keys]\ntest-key-1 = {{ file = \"{}\", published = true }}\ntest-key-2 = {{ file = \"{}\", published = true }}\n[namespaces.default]\ncodecs = [{{ type = \"aes-256-gcm\", key = \"test-key-2\", decrypt_keys = [\"test-key-1\"] }}]\nstorage = {{ driver = \"file\", path = \"{}\", bucket = \"temporal-payloads\" }}\n",
            keys.join("test-key-1.key").display(),
            keys.join("test-key-2.key").display(),
            dir.path().join("bucket").display()
        ),
    )
    .unwrap();
    let (_, history) = histories()
        .into_iter()
        .find(|(ns, f)| *ns == "default" && f.to_string_lossy().contains("st-order-default."))
        .unwrap();
    let rekeyed = dir.path().join("rekeyed.json");
    let out = tcodec()
        .arg("--config")
        .arg(&config)
        .args(["rekey", "-n", "default"])
        .arg(&history)
        .arg("-o")
        .arg(&rekeyed)
        .output()
        .unwrap();
    assert_success(&out);
    // New objects beside the old ones (none deleted).
    let after = count_files(&dir.path().join("bucket"));
    assert_eq!(after, before + 16, "16 references, 16 new objects");
    let used = |file: &Path| {
        let out = tcodec()
            .arg("--config")
            .arg(&config)
            .args(["keys", "used", "--format", "json", "--storage", "default"])
            .arg(file)
            .output()
            .unwrap();
        assert_success(&out);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| Some((e["keyId"].as_str()?.to_string(), e["payloads"].as_u64()?)))
            .collect::<Vec<_>>()
    };
    assert_eq!(used(&history), vec![("test-key-1".to_string(), 24)]);
    assert_eq!(used(&rekeyed), vec![("test-key-2".to_string(), 24)]);
    // The rekeyed history still decodes to the same truth.
    let decoded = dir.path().join("decoded.json");
    let out = tcodec()
        .arg("--config")
        .arg(&config)
        .args(["decode", "-n", "default"])
        .arg(&rekeyed)
        .arg("-o")
        .arg(&decoded)
        .output()
        .unwrap();
    assert_success(&out);
    let want = std::fs::read(
        storage_fixtures()
            .join("decoded/default")
            .join(history.file_name().unwrap()),
    )
    .unwrap();
    assert!(std::fs::read(&decoded).unwrap() == want);
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// A payload list of `n` copies of the first reference in the order history, its claim's
/// bucket replaced by `bucket`.
fn references(n: usize, bucket: &str) -> String {
    let input = order_input("encoded");
    let reference = input
        .as_array()
        .unwrap()
        .iter()
        .find(|p| encoding_of(p) == "json/protobuf")
        .unwrap()
        .clone();
    let mut claim: Value =
        serde_json::from_slice(&base64_decode(reference["data"].as_str().unwrap())).unwrap();
    claim["claimData"]["bucket"] = json!(bucket);
    let mut one = reference.clone();
    one["data"] = json!(base64_encode(&claim.to_string()));
    json!({ "payloads": vec![one; n] }).to_string()
}

#[test]
fn every_resolved_reference_is_charged_and_claims_may_not_choose_the_bucket() {
    let dir = tempfile::tempdir().unwrap();
    // Namespace default of storage-file.toml, but naming the bucket it reads.
    let text = std::fs::read_to_string(root().join("examples/storage-file.toml"))
        .unwrap()
        .replace(
            "../../shared",
            &root().join("../shared").display().to_string(),
        )
        .replace(
            "storage = { driver = \"file\", path",
            "storage = { driver = \"file\", bucket = \"temporal-payloads\", path",
        );
    let config = dir.path().join("c.toml");
    std::fs::write(&config, text).unwrap();
    let input = dir.path().join("refs.json");
    let run = |extra: &[&str]| {
        tcodec()
            .arg("--config")
            .arg(&config)
            .args(["decode", "-n", "default"])
            .args(extra)
            .arg(&input)
            .output()
            .unwrap()
    };
    // 200 references to one ~14 KB object: each resolved copy counts against the budget.
    std::fs::write(&input, references(200, "temporal-payloads")).unwrap();
    assert_success(&run(&[]));
    let out = run(&["--max-decoded-total", "1MiB"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exceeds the limit of 1048576 bytes in total"),
        "{err}"
    );
    // A claim naming another bucket is refused before anything is fetched.
    std::fs::write(&input, references(1, "someone-elses-bucket")).unwrap();
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("reference names bucket \"someone-elses-bucket\", which namespace \"default\" does not read"),
        "{err}"
    );
}

#[test]
fn at_most_10000_distinct_objects_per_document() {
    let dir = tempfile::tempdir().unwrap();
    let config = file_config(dir.path());
    let one: Value = serde_json::from_str(&references(1, "temporal-payloads")).unwrap();
    let reference = one["payloads"][0].clone();
    let claim: Value =
        serde_json::from_slice(&base64_decode(reference["data"].as_str().unwrap())).unwrap();
    let list = |n: usize| {
        let payloads: Vec<Value> = (0..n)
            .map(|i| {
                let mut c = claim.clone();
                c["claimData"]["key"] = json!(format!("v0/d/sha256/{i}"));
                let mut p = reference.clone();
                p["data"] = json!(base64_encode(&c.to_string()));
                p
            })
            .collect();
        json!({ "payloads": payloads }).to_string()
    };
    let input = dir.path().join("refs.json");
    let run = || {
        tcodec()
            .arg("--config")
            .arg(&config)
            .args(["decode", "-n", "default"])
            .arg(&input)
            .output()
            .unwrap()
    };
    std::fs::write(&input, list(10_001)).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "10001 distinct stored objects in one request or document, over the limit of 10000"
        ),
        "{err}"
    );
    // 10,000 pass the count (and are then missing from the directory).
    std::fs::write(&input, list(10_000)).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is missing from its bucket"), "{err}");
}

/// Peak resident memory of a process, in KiB (VmHWM).
fn peak_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Issue #20 item 3: a small body naming many large objects. Each object's bytes are
/// reserved from the request's budget before its body is read, and the first refusal stops
/// the rest, so the server's peak memory stays near the budget (it was 16 objects in memory
/// at once, each allowed the whole remaining budget, then copied again).
#[test]
fn storage_fetches_are_reserved_from_the_budget_before_they_start() {
    use prost::Message as _;
    use sha2::Digest as _;
    const OBJECT: usize = 5 * 1024 * 1024;
    let dump = tempfile::tempdir().unwrap();
    let one: Value = serde_json::from_str(&references(1, "temporal-payloads")).unwrap();
    let reference = one["payloads"][0].clone();
    let claim: Value =
        serde_json::from_slice(&base64_decode(reference["data"].as_str().unwrap())).unwrap();
    let mut payloads = Vec::new();
    for i in 0..16u8 {
        // A valid stored payload: resolving it would succeed if the budget allowed it.
        let stored = tcodec::payload::with_encoding("binary/plain", vec![i; OBJECT]);
        let bytes = stored.encode_to_vec();
        let hash = hex::encode(sha2::Sha256::digest(&bytes));
        let key = format!("v0/ns/default/d/sha256/{hash}");
        let path = dump.path().join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let mut c = claim.clone();
        c["claimData"]["key"] = json!(key);
        c["claimData"]["hash_value"] = json!(hash);
        let mut p = reference.clone();
        p["data"] = json!(base64_encode(&c.to_string()));
        payloads.push(p);
    }
    let Some(s3) = S3::start(Some(dump.path())) else {
        return;
    };
    let body = json!({ "payloads": payloads });
    assert!(body.to_string().len() < 16 * 1024, "a small body");
    let server = Server::start_env(&storage_config(), &["--max-decoded-size", "12MiB"], &s3.env);
    let before = peak_kb(server.child.id());
    let (status, answer) = post(&server.url("/decode"), &body);
    let grew_mb = (peak_kb(server.child.id()) - before) / 1024;
    eprintln!("status {status}, peak memory grew by {grew_mb} MiB");
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("12582912"), "{answer}");
    // Budget 12 MiB: at most two objects held and one resolved copy, plus buffers.
    assert!(
        grew_mb < 48,
        "peak memory grew by {grew_mb} MiB for a 12 MiB budget"
    );
    // The same objects fit a budget that holds them all: the refusal above was the budget.
    let roomy = Server::start_env(
        &storage_config(),
        &["--max-decoded-size", "200MiB", "--max-body-size", "64MiB"],
        &s3.env,
    );
    let answer = agent()
        .post(roomy.url("/decode"))
        .header("X-Namespace", "default")
        .send(body.to_string().as_bytes())
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
}
