//! Issue #24: `extension://` KEKs, temporal-proxy's KMS extension protocol (gRPC
//! `api.kms.v1.EncryptionService`), against a Python server the test starts
//! (`tests/data/kms_extension.py`: grpcio, messages from a run-time descriptor) and the
//! independent envelope peer (`../shared/interop/proxy_envelope.py`) wrapping through it.
//! The server logs every call, so the KMS side counts the wraps and unwraps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{files_ending, fixtures, peer_python, root, tcodec};
use serde_json::Value;

const KEK: &str = "extension://hsm/payments-key";

/// The extension server, killed on drop.
struct Extension {
    child: Child,
    address: String,
    log: PathBuf,
}

impl Extension {
    fn start(dir: &Path, throttle: u32) -> Option<Extension> {
        Self::start_with(dir, throttle, None)
    }

    /// A server that misbehaves (`stall`, `passthrough`, `forge`: see the script).
    fn start_with(dir: &Path, throttle: u32, misbehave: Option<&str>) -> Option<Extension> {
        let python = peer_python()?;
        let name = format!("{throttle}-{}", misbehave.unwrap_or("good"));
        let port_file = dir.join(format!("port-{name}"));
        let log = dir.join(format!("calls-{name}.log"));
        std::fs::write(&log, "").unwrap();
        let mut command = Command::new(python);
        command
            .arg(root().join("tests/data/kms_extension.py"))
            .args(["serve", "--throttle", &throttle.to_string(), "--port-file"])
            .arg(&port_file)
            .arg("--log")
            .arg(&log);
        if let Some(how) = misbehave {
            command.args(["--misbehave", how]);
        }
        let child = command.spawn().unwrap();
        let started = Instant::now();
        while !port_file.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the extension server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let port = std::fs::read_to_string(&port_file).unwrap();
        Some(Extension {
            child,
            address: format!("127.0.0.1:{}", port.trim()),
            log,
        })
    }

    /// The calls the server answered so far, one line each.
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn reset(&self) {
        std::fs::write(&self.log, "").unwrap();
    }

    /// `kms_extension.py seal|open ...` through this server.
    fn peer(&self, args: &[&std::ffi::OsStr]) {
        let out = Command::new(peer_python().unwrap())
            .arg(root().join("tests/data/kms_extension.py"))
            .arg(args[0])
            .args(["--address", &self.address])
            .args(&args[1..])
            .env("TCODEC_SHARED", root().join("../shared"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Extension {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(dir: &Path, name: &str, address: &str, extra: &str) -> PathBuf {
    let cfg = dir.join(name);
    std::fs::write(
        &cfg,
        format!(
            "[namespaces.payments]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\"{extra}, extension_servers = {{ hsm = \"{address}\" }} }}]\n"
        ),
    )
    .unwrap();
    cfg
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

fn run(cfg: &Path, args: &[&str], input: &Path) -> std::process::Output {
    tcodec()
        .arg("--config")
        .arg(cfg)
        .args(args)
        .arg(input)
        .output()
        .unwrap()
}

/// `tcodec --config CFG config check`.
fn config_check(cfg: &Path) -> std::process::Output {
    tcodec()
        .arg("--config")
        .arg(cfg)
        .args(["config", "check"])
        .output()
        .unwrap()
}

#[test]
fn extension_keks_interoperate_through_a_grpc_kms_server() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = Extension::start(dir.path(), 0) else {
        return common::skip("extension_keks: no peer Python");
    };
    let cfg = config(
        dir.path(),
        "ext.toml",
        &format!("http://{}", server.address),
        "",
    );
    let plain = plain_payloads();
    let count = json(&plain)["payloads"].as_array().unwrap().len();
    assert!(count >= 2, "the fixture needs two payloads or more");

    // The peer seals, a new data key every 2 payloads, wrapped by the server.
    let peer_sealed = dir.path().join("peer.json");
    server.peer(&[
        "seal".as_ref(),
        "--namespace".as_ref(),
        "payments".as_ref(),
        "--kek".as_ref(),
        KEK.as_ref(),
        "--dek-every".as_ref(),
        "2".as_ref(),
        plain.as_os_str(),
        peer_sealed.as_os_str(),
    ]);
    let deks = count.div_ceil(2);
    assert_eq!(server.calls().len(), deks);
    server.reset();
    // tcodec opens it: one Decrypt per distinct data key (the KMS side counts them).
    let out = run(&cfg, &["decode", "-n", "payments", "-q"], &peer_sealed);
    common::assert_success(&out);
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["payloads"], json(&plain)["payloads"]);
    assert_eq!(server.calls(), vec!["Decrypt".to_string(); deks]);
    server.reset();

    // tcodec seals: exactly three metadata entries, one Encrypt for the run's data key,
    // asked for the payloads' namespace; the peer opens through the server.
    let sealed = dir.path().join("sealed.json");
    let out = run(
        &cfg,
        &["encode", "-n", "payments", "-o", sealed.to_str().unwrap()],
        &plain,
    );
    common::assert_success(&out);
    assert_eq!(server.calls(), vec!["Encrypt payments".to_string()]);
    let doc = json(&sealed);
    for p in doc["payloads"].as_array().unwrap() {
        let meta = p["metadata"].as_object().unwrap();
        assert_eq!(meta.len(), 3, "{meta:?}");
        assert_eq!(meta["encoding"], "YmluYXJ5L2VuY3J5cHRlZA==");
        use base64::Engine as _;
        let id = base64::engine::general_purpose::STANDARD
            .decode(meta["encryption-key-id"].as_str().unwrap())
            .unwrap();
        assert_eq!(id, KEK.as_bytes());
    }
    let opened = dir.path().join("opened.json");
    server.peer(&["open".as_ref(), sealed.as_os_str(), opened.as_os_str()]);
    assert_eq!(json(&opened)["payloads"], json(&plain)["payloads"]);

    // config check proves the KEK with a round trip through the server.
    let out = config_check(&cfg);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("  {KEK} (namespace payments): ok\n")),
        "{text}"
    );

    // A ciphertext the server refuses is the payload's fault: exit 3, naming the KEK.
    let mut tampered = json(&peer_sealed);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let dek = tampered["payloads"][0]["metadata"]["encryption-dek"]
        .as_str()
        .unwrap()
        .to_string();
    let mut wrapped = b64.decode(b64.decode(&dek).unwrap()).unwrap();
    let last = wrapped.len() - 1;
    wrapped[last] ^= 1;
    tampered["payloads"][0]["metadata"]["encryption-dek"] =
        Value::String(b64.encode(b64.encode(&wrapped)));
    let bad = dir.path().join("tampered.json");
    std::fs::write(&bad, tampered.to_string()).unwrap();
    let out = run(&cfg, &["decode", "-n", "payments"], &bad);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains(KEK) && err.contains("payloads[0]"), "{err}");
}

#[test]
fn extension_servers_out_of_reach_unknown_or_in_clear_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plain = plain_payloads();
    // Nothing listens: exit 5, one line naming the KEK and the cause.
    let cfg = config(dir.path(), "down.toml", "http://127.0.0.1:9", "");
    let out = run(&cfg, &["encode", "-n", "payments"], &plain);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&format!("KMS extension Encrypt with {KEK}: Unavailable")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
    // Data keys never cross a clear connection to another machine.
    let cfg = config(dir.path(), "clear.toml", "http://10.1.2.3:7443", "");
    let out = run(&cfg, &["encode", "-n", "payments"], &plain);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("extension server \"hsm\" http://10.1.2.3:7443"),
        "{err}"
    );
    // A KEK naming a server the codec does not list.
    let cfg = dir.path().join("unknown.toml");
    std::fs::write(
        &cfg,
        "[namespaces.payments]\ncodecs = [{ type = \"kms\", kek = \"extension://vault/k\" }]\n",
    )
    .unwrap();
    let out = run(&cfg, &["encode", "-n", "payments"], &plain);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "extension://vault/k: unknown extension server \"vault\" (extension_servers has: none)"
        ),
        "{err}"
    );
}

#[test]
fn a_throttling_extension_server_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    // The first two calls answer RESOURCE_EXHAUSTED; the third attempt succeeds.
    let Some(server) = Extension::start(dir.path(), 2) else {
        return common::skip("extension throttling: no peer Python");
    };
    let cfg = config(
        dir.path(),
        "ext.toml",
        &format!("http://{}", server.address),
        "",
    );
    let plain = plain_payloads();
    let sealed = dir.path().join("sealed.json");
    let out = run(
        &cfg,
        &["encode", "-n", "payments", "-o", sealed.to_str().unwrap()],
        &plain,
    );
    common::assert_success(&out);
    assert_eq!(server.calls(), vec!["Encrypt payments".to_string()]);
    let out = run(&cfg, &["decode", "-n", "payments", "-q"], &sealed);
    assert_eq!(out.status.code(), Some(0));
    let back: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(back["payloads"], json(&plain)["payloads"]);
}

/// Hostile or broken extension servers (an attacker review's findings): a server that sends
/// headers and then stalls fails within the call timeout (exit 5) instead of hanging; one
/// that hands the data key back as its "ciphertext" is refused; its error text cannot forge
/// lines; `config check` proves an extension KEK per namespace (each namespace asks its own
/// servers for its own keys); `serve` answers 502 and keeps the details in its log.
#[test]
fn hostile_extension_servers_fail_closed() {
    let dir = tempfile::tempdir().unwrap();
    let plain = plain_payloads();
    let Some(passthrough) = Extension::start_with(dir.path(), 0, Some("passthrough")) else {
        return common::skip("hostile extension servers: no peer Python");
    };
    let cfg = config(
        dir.path(),
        "pass.toml",
        &format!("http://{}", passthrough.address),
        "",
    );
    let out = run(&cfg, &["encode", "-n", "payments"], &plain);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("the KMS answered the data key in clear as its wrapped form: refused"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = config_check(&cfg);
    assert_eq!(out.status.code(), Some(5));

    let forge = Extension::start_with(dir.path(), 0, Some("forge")).unwrap();
    let cfg = config(
        dir.path(),
        "forge.toml",
        &format!("http://{}", forge.address),
        "",
    );
    let out = run(&cfg, &["encode", "-n", "payments"], &plain);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert_eq!(err.lines().count(), 1, "one line, nothing forged: {err}");
    assert!(
        err.contains("Internal: boom\\ntcodec: ok: all inputs decoded\\n\\u{1b}[2K"),
        "{err}"
    );
    // serve: 502, the generic text; the server's words only in the log.
    let server = common::Server::start(&cfg, &[]);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut answer = agent
        .post(server.url("/encode"))
        .header("X-Namespace", "payments")
        .header("Content-Type", "application/json")
        .send(&std::fs::read(&plain).unwrap())
        .unwrap();
    assert_eq!(answer.status().as_u16(), 502);
    let body = answer.body_mut().read_to_string().unwrap();
    assert!(
        body.contains("payloads[0]: a codec service (KMS or remote codec server) is unavailable (details in the server log)")
            && !body.contains("boom"),
        "{body}"
    );
    drop(agent);
    assert!(server.log().contains("boom"), "{}", server.log());

    // Two namespaces naming the same KEK URI, each with its own server: both proven.
    let good = Extension::start(dir.path(), 0).unwrap();
    let two = dir.path().join("two.toml");
    std::fs::write(
        &two,
        format!(
            "[namespaces.a]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\", extension_servers = {{ hsm = \"http://{}\" }} }}]\n\n[namespaces.b]\ncodecs = [{{ type = \"kms\", kek = \"{KEK}\", extension_servers = {{ hsm = \"http://127.0.0.1:9\" }} }}]\n",
            good.address
        ),
    )
    .unwrap();
    let out = config_check(&two);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(
        text.contains(&format!("  {KEK} (namespace a): ok\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("  {KEK} (namespace b): FAILED\n")),
        "{text}"
    );

    // Headers, then nothing: an outage after the call timeout (30 s), not a hang.
    let stall = Extension::start_with(dir.path(), 0, Some("stall")).unwrap();
    let cfg = config(
        dir.path(),
        "stall.toml",
        &format!("http://{}", stall.address),
        "",
    );
    let started = Instant::now();
    let out = run(&cfg, &["encode", "-n", "payments"], &plain);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("DeadlineExceeded: no whole answer within 30 s"),
        "{err}"
    );
    // One call waited it out; the payloads queued behind it failed at once.
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "{:?}",
        started.elapsed()
    );
}
