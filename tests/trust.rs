//! Issue #10: a CLI users can trust in CI. `check` fails closed, nothing is a silent no-op,
//! flags mean what the `temporal` CLI's mean, and the format is learnable from the tool.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixtures, interop_config, tcodec, tcodec_interop};
use serde_json::Value;

const KEY1_HISTORY: &str = "encoded/default";

fn a_history() -> PathBuf {
    common::files_ending(&fixtures().join(KEY1_HISTORY), ".json")
        .into_iter()
        .next()
        .unwrap()
}

fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A history with a plaintext SSN planted in the workflow input.
fn leaky_history(dir: &Path) -> PathBuf {
    let decoded = dir.join("plain.json");
    let (code, _, err) = run(tcodec_interop()
        .args(["decode", "-n", "default"])
        .arg(a_history())
        .arg("-o")
        .arg(&decoded));
    assert_eq!(code, Some(0), "{err}");
    let mut history: Value = serde_json::from_slice(&std::fs::read(&decoded).unwrap()).unwrap();
    let input = &mut history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]
        ["payloads"][0];
    use base64::Engine as _;
    input["data"] =
        Value::String(base64::engine::general_purpose::STANDARD.encode(br#""SSN 078-05-1120""#));
    let encoded = dir.join("leak.json");
    // Encode everything else again, then put the plaintext back in the input.
    let (code, _, err) = run(tcodec_interop()
        .args(["encode", "-n", "default", "-o"])
        .arg(&encoded)
        .arg(&decoded));
    assert_eq!(code, Some(0), "{err}");
    let mut encoded_history: Value =
        serde_json::from_slice(&std::fs::read(&encoded).unwrap()).unwrap();
    encoded_history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"]
        [0] = input.clone();
    std::fs::write(
        &encoded,
        serde_json::to_vec_pretty(&encoded_history).unwrap(),
    )
    .unwrap();
    encoded
}

#[test]
fn check_fails_plaintext_by_default_where_the_namespace_encrypts() {
    let dir = tempfile::tempdir().unwrap();
    let leak = leaky_history(dir.path());
    let (code, out, _) = run(tcodec_interop().args(["check", "-n", "default"]).arg(&leak));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "events[0].workflowExecutionStartedEventAttributes.input.payloads[0]: plaintext: not encoded: encoding \"json/plain\", expected \"binary/encrypted\""
        ),
        "{out}"
    );
    assert!(
        out.ends_with("rules: plaintext (the namespace encrypts), key-id (the namespace's keys), size (<= 2097152 bytes), undecodable, double-encoded, malformed, foreign-encoding, unreadable\n"),
        "{out}"
    );
    // --allow-plaintext turns the rule off, and the summary says so.
    let (code, out, _) = run(tcodec_interop()
        .args(["check", "-n", "default", "--allow-plaintext"])
        .arg(&leak));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.ends_with(
            "rules: key-id (the namespace's keys), size (<= 2097152 bytes), undecodable, double-encoded, malformed, foreign-encoding, unreadable\n"
        ),
        "{out}"
    );
    // A compression-only namespace encodes only when smaller: plaintext is normal there.
    let plain = dir.path().join("plain.json");
    let (code, out, _) = run(tcodec_interop().args(["check", "-n", "zipped"]).arg(&plain));
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn inputs_that_could_not_be_checked_fail_the_check_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let notjson = dir.path().join("notjson.txt");
    std::fs::write(&notjson, "this is not json\n").unwrap();
    let badb64 = dir.path().join("bad64.json");
    std::fs::write(&badb64, r#"{"payloads": [{"data": "!!!"}]}"#).unwrap();
    let missing = dir.path().join("missing.json");
    let clean = a_history();
    let (code, out, _) = run(tcodec_interop()
        .args(["check", "-n", "default", "--format", "json"])
        .arg(&missing)
        .arg(&notjson)
        .arg(&badb64)
        .arg(&clean));
    assert_ne!(code, Some(0));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["inputs"], 4);
    let rules: Vec<(&str, &str)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["file"].as_str().unwrap(), v["rule"].as_str().unwrap()))
        .collect();
    let name = |p: &Path| p.to_str().unwrap().to_string();
    assert!(
        rules.contains(&(name(&missing).as_str(), "unreadable")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&(name(&notjson).as_str(), "malformed")),
        "{rules:?}"
    );
    assert!(
        rules
            .iter()
            .any(|(f, r)| *f == name(&badb64) && *r == "malformed"),
        "{rules:?}"
    );
    // Text says the same, one line each, and the summary counts the inputs.
    let (code, out, _) = run(tcodec_interop()
        .args(["check", "-n", "default"])
        .arg(&missing)
        .arg(&clean));
    assert_eq!(code, Some(4));
    assert!(
        out.starts_with(&format!(
            "{}: unreadable: not checked: cannot read {}",
            name(&missing),
            name(&missing)
        )),
        "{out}"
    );
    assert!(out.contains("checked 1 of 2 files"), "{out}");
}

#[test]
fn double_encoding_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once.json");
    let twice = dir.path().join("twice.json");
    run(tcodec_interop()
        .args(["encode", "--from-values", "-n", "default", "-o"])
        .arg(&once)
        .write_stdin("[1, 2]"));
    let (code, _, err) = run(tcodec_interop()
        .args(["encode", "-n", "default", "--force", "-o"])
        .arg(&twice)
        .arg(&once));
    assert_eq!(code, Some(0), "{err}");
    let (code, out, _) = run(tcodec_interop()
        .args(["check", "-n", "default"])
        .arg(&twice));
    assert_eq!(code, Some(1));
    assert!(
        out.contains("[0]: double-encoded: decoded once, the payload still carries \"binary/encrypted\": it was encoded twice"),
        "{out}"
    );
}

/// The CI pattern: a script that fails the build on any of these.
#[test]
fn a_ci_script_fails_on_plaintext_missing_files_and_double_encryption() {
    let dir = tempfile::tempdir().unwrap();
    let leak = leaky_history(dir.path());
    let once = dir.path().join("once.json");
    let twice = dir.path().join("twice.json");
    run(tcodec_interop()
        .args(["encode", "--from-values", "-n", "default", "-o"])
        .arg(&once)
        .write_stdin("[1]"));
    run(tcodec_interop()
        .args(["encode", "-n", "default", "--force", "-o"])
        .arg(&twice)
        .arg(&once));
    let script = r#"set -e
tcodec check -n default --format json "$@" > report.json
jq -e .ok report.json > /dev/null
"#;
    let ci = |files: &[&Path]| {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "export PATH={}:$PATH TCODEC_CONFIG={}; cd {}; {script}",
                assert_cmd::cargo::cargo_bin("tcodec")
                    .parent()
                    .unwrap()
                    .display(),
                interop_config().display(),
                dir.path().display()
            ))
            .arg("ci")
            .args(files)
            .env_remove("TEMPORAL_NAMESPACE")
            .output()
            .unwrap();
        let report: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap())
                .unwrap();
        (out.status.success(), report["ok"].clone())
    };
    let clean = a_history();
    if std::process::Command::new("jq")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("jq is needed for the CI-style test: apt-get install jq (scripts/test does)");
    }
    assert_eq!(ci(&[&clean]), (true, Value::Bool(true)));
    assert_eq!(ci(&[&clean, &leak]), (false, Value::Bool(false)));
    assert_eq!(
        ci(&[&clean, &dir.path().join("missing.json")]),
        (false, Value::Bool(false))
    );
    assert_eq!(ci(&[&clean, &twice]), (false, Value::Bool(false)));
}

#[test]
fn decoding_with_the_wrong_namespace_says_so() {
    let history = a_history();
    let (code, out, err) = run(tcodec_interop()
        .args(["decode", "-n", "zipped"])
        .arg(&history));
    assert_eq!(code, Some(0));
    assert_eq!(
        out.as_bytes(),
        std::fs::read(&history).unwrap(),
        "nothing decoded"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("tcodec: warning: ")
            && lines[0].contains("payloads still carry binary/encrypted (key ids test-key-1) after decoding with namespace \"zipped\"'s pipeline")
            && lines[0].contains("; try -n both: its pipeline decodes them (--strict makes this exit 3)"),
        "{err}"
    );
    let (code, _, _) = run(tcodec_interop()
        .args(["decode", "-n", "zipped", "--strict"])
        .arg(&history));
    assert_eq!(code, Some(3));
    // The right namespace: silence.
    let (code, _, err) = run(tcodec_interop()
        .args(["decode", "-n", "default"])
        .arg(&history));
    assert_eq!((code, err.as_str()), (Some(0), ""));
}

#[test]
fn encoding_twice_does_not_encrypt_twice_and_writes_say_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.json");
    std::fs::write(
        &file,
        r#"{"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "MQ=="}, {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "Mg=="}]}"#,
    )
    .unwrap();
    let encode = || {
        run(tcodec_interop()
            .args(["encode", "-n", "default", "--in-place"])
            .arg(&file))
    };
    let (code, _, err) = encode();
    assert_eq!(
        (code, err.as_str()),
        (Some(0), "tcodec: rewrote 1 file, 2 payloads encoded\n")
    );
    let first = std::fs::read(&file).unwrap();
    let (code, _, err) = encode();
    assert_eq!(code, Some(0));
    assert_eq!(
        err,
        "tcodec: 2 payloads already carried \"binary/encrypted\": left as they were (--force encodes them again)\ntcodec: rewrote 1 file, 0 payloads encoded\n"
    );
    assert_eq!(std::fs::read(&file).unwrap(), first, "unchanged");
    // -q silences the summary, not warnings.
    let (_, _, err) = run(tcodec_interop()
        .args(["-q", "decode", "-n", "default", "--in-place"])
        .arg(&file));
    assert_eq!(err, "");
}

#[test]
fn output_format_names_are_not_file_names() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["json", "jsonl", "text"] {
        let (code, _, err) = run(tcodec_interop()
            .current_dir(dir.path())
            .args(["decode", "-n", "default", "-o", name])
            .arg(a_history()));
        assert_eq!(code, Some(2));
        assert_eq!(
            err,
            format!("tcodec: error: -o {name} would write a file named {name:?}: -o/--output names a file; for the format use --output-format (json, jsonl or proto), or write -o ./{name} to mean the file\n")
        );
        assert!(!dir.path().join(name).exists());
    }
    let (code, _, _) = run(tcodec_interop()
        .current_dir(dir.path())
        .args(["decode", "-n", "default", "-o", "./json"])
        .arg(a_history()));
    assert_eq!(code, Some(0));
}

#[test]
fn one_namespace_needs_no_flag_and_unknown_ones_get_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("one.toml");
    std::fs::write(
        &cfg,
        "[namespaces.only]\ncodecs = [{ type = \"zlib\", always_encode = true }]\n",
    )
    .unwrap();
    let (code, out, err) = run(tcodec()
        .arg("--config")
        .arg(&cfg)
        .args(["encode", "--from-values"])
        .write_stdin("[1]"));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("YmluYXJ5L3psaWI="), "zlib-encoded: {out}");
    let (code, _, err) = run(tcodec_interop()
        .args(["decode", "-n", "defualt", "-"])
        .write_stdin("[]"));
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with(&format!(
            "tcodec: error: no codec pipeline configured for namespace \"defualt\" in {} (configured: both, default, zipped); did you mean \"default\"?\n",
            interop_config().display()
        )),
        "{err}"
    );
}

#[test]
fn the_config_format_is_in_the_tool() {
    let (code, example, _) = run(tcodec().args(["config", "example"]));
    assert_eq!(code, Some(0));
    let config = tcodec::config::Config::parse(&example, Path::new("example.toml")).unwrap();
    for codec in [
        "aes-256-gcm",
        "kms",
        "age",
        "zlib",
        "gzip",
        "snappy",
        "zstd",
    ] {
        assert!(
            config
                .namespaces()
                .values()
                .flatten()
                .any(|c| c.name() == codec),
            "the example shows {codec}"
        );
    }
    for source in [
        "file =",
        "env =",
        "command =",
        "published = true",
        "decrypt_keys",
        "fallback_key",
        "always_encode",
        "level",
        "max_decoded_size",
        "framed",
        "recipients",
        "identities",
        "decrypt_keks",
        "extension_servers",
        "data_key_lifetime",
        "[namespaces.\"*\"]",
    ] {
        assert!(example.contains(source), "the example shows {source}");
    }
    let (_, help, _) = run(tcodec().args(["config", "--help"]));
    assert!(
        help.contains(example.lines().nth(10).unwrap()),
        "config --help shows the example"
    );
    let page = std::fs::read_to_string(common::root().join("man/man5/tcodec.toml.5")).unwrap();
    assert!(page.starts_with(".TH tcodec.toml 5"));
}

#[test]
fn completions_and_man_pages_go_to_stdout_and_help_is_truthful() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(tcodec().current_dir(dir.path()).args([
        "generate",
        "completions",
        "--shell",
        "bash",
        "-",
    ]));
    assert_eq!(code, Some(0));
    assert!(out.starts_with("_tcodec() {"), "{out}");
    assert!(!dir.path().join("-").exists(), "no directory named -");
    let (_, help, _) = run(tcodec().arg("--help"));
    assert!(help.contains("\n  generate "), "{help}");
    let main = std::fs::read_to_string(common::root().join("man/man1/tcodec.1")).unwrap();
    assert!(!main.contains("tcodec\\-help"), "no page for help is named");
    for page in std::fs::read_dir(common::root().join("man")).unwrap() {
        let page = page.unwrap().path();
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("tcodec-") {
            let text = std::fs::read_to_string(&page).unwrap();
            assert!(text.contains("Exit status:"), "{name} lists exit codes");
        }
    }
}

#[test]
fn serve_explains_origins_and_what_it_serves() {
    let (code, _, err) = run(tcodec_interop().args(["serve", "--allow-origin", "localhost:8233"]));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("\"localhost:8233\" has no scheme: write it as the browser sends it, e.g. http://localhost:8233 or https://localhost:8233"),
        "{err}"
    );
    let server = common::Server::start(&interop_config(), &[]);
    let log = server.log();
    assert!(
        log.contains("tcodec serve: namespaces: both, default, zipped\n"),
        "{log}"
    );
    assert!(
        log.contains("tcodec serve: no --allow-origin: browsers (the Web UI) are refused; the temporal CLI works"),
        "{log}"
    );
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let _ = agent
        .options(server.url("/decode"))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .call();
    assert!(
        server.log().contains(
            "refused CORS preflight from origin http://evil.example (not in --allow-origin)"
        ),
        "{}",
        server.log()
    );
}

/// The edit loop: `decode --readable`, edit, `encode --from-readable`; values survive for
/// every fixture history and for payload lists.
#[test]
fn readable_output_edits_and_encodes_back() {
    let dir = tempfile::tempdir().unwrap();
    for file in common::files_ending(&fixtures().join(KEY1_HISTORY), ".json") {
        let readable = dir.path().join("r.json");
        let (code, _, err) = run(tcodec_interop()
            .args(["decode", "-n", "default", "--readable", "-o"])
            .arg(&readable)
            .arg(&file));
        assert_eq!(code, Some(0), "{err}");
        let encoded = dir.path().join("e.json");
        let (code, _, err) = run(tcodec_interop()
            .args(["-q", "encode", "-n", "default", "--from-readable", "-o"])
            .arg(&encoded)
            .arg(&readable));
        assert_eq!(code, Some(0), "{}: {err}", file.display());
        let (_, again, _) = run(tcodec_interop()
            .args(["decode", "-n", "default", "--readable"])
            .arg(&encoded));
        let first: Value = serde_json::from_slice(&std::fs::read(&readable).unwrap()).unwrap();
        let second: Value = serde_json::from_str(&again).unwrap();
        assert!(
            first == second,
            "{}: values changed in the loop",
            file.display()
        );
    }
    // An edit shows up; non-UTF-8 binary/plain stays bytes, never text.
    let list = r#"{"payloads": [
        {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "eyJuYW1lIjoiQWRhIn0="},
        {"metadata": {"encoding": "YmluYXJ5L3BsYWlu"}, "data": "//79"},
        {"metadata": {"encoding": "YmluYXJ5L3BsYWlu"}, "data": "aGk="},
        {"metadata": {"encoding": "YmluYXJ5L251bGw="}}]}"#;
    let (_, readable, _) = run(tcodec_interop()
        .args(["decode", "-n", "zipped", "--readable", "-"])
        .write_stdin(list));
    let mut r: Value = serde_json::from_str(&readable).unwrap();
    assert_eq!(r["payloads"][0]["data"], serde_json::json!({"name": "Ada"}));
    assert_eq!(r["payloads"][1]["base64"], "//79", "bytes marked as bytes");
    assert!(r["payloads"][1].get("data").is_none());
    assert_eq!(r["payloads"][2]["data"], "hi");
    assert_eq!(r["payloads"][3]["data"], Value::Null);
    r["payloads"][0]["data"]["name"] = "Grace".into();
    let (code, encoded, err) = run(tcodec_interop()
        .args(["-q", "encode", "-n", "zipped", "--from-readable", "-"])
        .write_stdin(r.to_string()));
    assert_eq!(code, Some(0), "{err}");
    let (_, values, _) = run(tcodec_interop()
        .args(["decode", "-n", "zipped", "-"])
        .write_stdin(encoded.clone()));
    let stored: Value = serde_json::from_str(&values).unwrap();
    assert_eq!(stored["payloads"][1]["data"], "//79");
    assert_eq!(stored["payloads"][2]["data"], "aGk=");
    let (_, readable, _) = run(tcodec_interop()
        .args(["decode", "-n", "zipped", "--readable", "-"])
        .write_stdin(encoded));
    let back: Value = serde_json::from_str(&readable).unwrap();
    assert_eq!(back["payloads"][0]["data"]["name"], "Grace");
    // A readable payload with a bad field is named by its path.
    let (code, _, err) = run(tcodec_interop()
        .args(["encode", "-n", "zipped", "--from-readable", "-"])
        .write_stdin(r#"{"payloads": [{"metadata": {"encoding": "binary/null"}, "data": 5}]}"#));
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        "tcodec: error: malformed input: <stdin>: payloads[0]: readable payload: data: binary/null holds null, found a number\n"
    );
}

#[test]
fn to_values_inverts_from_values() {
    let values = r#"["hello", {"a": [1, 2.5]}, null, 7]"#;
    let (_, encoded, _) = run(tcodec_interop()
        .args(["-q", "encode", "-n", "default", "--from-values", "-"])
        .write_stdin(values));
    let (code, out, err) = run(tcodec_interop()
        .args(["decode", "-n", "default", "--to-values", "-"])
        .write_stdin(encoded));
    assert_eq!(code, Some(0), "{err}");
    let got: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got, serde_json::from_str::<Value>(values).unwrap());
    // Still encrypted (wrong namespace): a located error, not base64 posing as a value.
    let (_, encoded, _) = run(tcodec_interop()
        .args(["-q", "encode", "-n", "default", "--from-values", "-"])
        .write_stdin("[1]"));
    let (code, _, err) = run(tcodec_interop()
        .args(["decode", "-n", "zipped", "--to-values", "-"])
        .write_stdin(encoded));
    assert_eq!(code, Some(3));
    assert!(
        err.starts_with("tcodec: error: malformed input: <stdin>: [0]: is \"binary/encrypted\", which has no JSON value (still encoded? check -n); use --readable\n"),
        "{err}"
    );
}

#[test]
fn protobuf_and_text_inputs_get_the_right_messages() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello world\n").unwrap();
    let (code, _, err) = run(tcodec_interop()
        .args(["decode", "-n", "default"])
        .arg(&text));
    assert_eq!(code, Some(3));
    assert!(
        err.contains("line 1, column 1: invalid JSON: expected value"),
        "{err}"
    );
    assert!(!err.contains("protobuf P"), "{err}");
    let bin = dir.path().join("h.bin");
    run(tcodec_interop()
        .args([
            "-q",
            "decode",
            "-n",
            "zipped",
            "--output-format",
            "proto",
            "-o",
        ])
        .arg(&bin)
        .arg(a_history()));
    let (code, _, err) = run(tcodec_interop().args(["decode", "-n", "default"]).arg(&bin));
    assert_eq!(code, Some(3));
    assert!(
        err.contains("this is a binary protobuf history, not a payload list: pass --type history"),
        "{err}"
    );
    // --readable on protobuf input writes JSON.
    let (code, out, err) = run(tcodec_interop()
        .args(["decode", "-n", "default", "--readable", "--type", "history"])
        .arg(&bin));
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["events"].is_array());
}
