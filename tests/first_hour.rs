//! Issue #25: what cost a new user time in the first hour, each now as a user expects it:
//! directories as inputs, `-o -`, one format flag, truthful summaries, plaintext on disk
//! owner-only, and errors that name what to do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{files_ending, fixtures, tcodec_interop};
use serde_json::Value;

fn encoded(ns: &str) -> Vec<PathBuf> {
    files_ending(&fixtures().join("encoded").join(ns), ".json")
}

/// A history tree: two files at the top, one in a subfolder, one hidden, one not a document.
fn tree(dir: &Path) -> PathBuf {
    let root = dir.join("hist");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let files = encoded("default");
    std::fs::copy(&files[0], root.join("a.json")).unwrap();
    std::fs::copy(&files[1], root.join("b.json")).unwrap();
    std::fs::copy(&files[2], root.join("sub/c.json")).unwrap();
    std::fs::write(root.join(".git/ignored.json"), "not json").unwrap();
    std::fs::write(root.join("README.txt"), "not a document").unwrap();
    root
}

#[test]
fn a_directory_is_every_document_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--output-format", "json"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"], 3, "hidden and non-documents skipped");
    let narrowed = tcodec_interop()
        .args([
            "check", "-n", "default", "--format", "json", "--glob", "sub/*",
        ])
        .arg(&root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&narrowed.stdout).unwrap();
    assert_eq!(report["files"], 1);

    // decode needs somewhere to put a tree.
    let out = tcodec_interop()
        .args(["decode", "-n", "default"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "tcodec: error: {} is a directory: write its documents with -o DIR/ (the same tree below DIR) or rewrite them with --in-place\n",
            root.display()
        )
    );
    let target = dir.path().join("plain/");
    let out = tcodec_interop()
        .args(["decode", "-n", "default"])
        .arg(&root)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, truth) in [("a.json", 0), ("b.json", 1), ("sub/c.json", 2)] {
        let written = std::fs::read(target.join(name)).unwrap();
        let expected = fixtures()
            .join("decoded/default")
            .join(encoded("default")[truth].file_name().unwrap());
        assert_eq!(written, std::fs::read(expected).unwrap(), "{name}");
    }
    assert!(!target.join(".git").exists());
}

#[test]
fn dash_output_is_standard_output_and_decoded_files_are_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let input = &encoded("default")[0];
    let out = tcodec_interop()
        .current_dir(dir.path())
        .args(["decode", "-n", "default", "-o", "-"])
        .arg(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!dir.path().join("-").exists(), "no file named -");
    let truth = fixtures()
        .join("decoded/default")
        .join(input.file_name().unwrap());
    assert_eq!(out.stdout, std::fs::read(&truth).unwrap());

    let plain = dir.path().join("plain.json");
    let out = tcodec_interop()
        .args(["decode", "-n", "default", "-o"])
        .arg(&plain)
        .arg(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "decoded output is owner-only");
        // Encoded output keeps the usual mode.
        let sealed = dir.path().join("sealed.json");
        let out = tcodec_interop()
            .args(["encode", "-n", "default", "-o"])
            .arg(&sealed)
            .arg(&plain)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let mode = std::fs::metadata(&sealed).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600);
        // Decoding in place makes the file owner-only too.
        std::fs::set_permissions(&sealed, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = tcodec_interop()
            .args(["decode", "-n", "default", "--in-place"])
            .arg(&sealed)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let mode = std::fs::metadata(&sealed).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn one_format_flag_and_a_clear_error_for_dash_o_on_reports() {
    let input = &encoded("default")[0];
    for command in [&["check", "-n", "default"][..], &["keys", "used"][..]] {
        for flag in ["--output-format", "--format"] {
            let out = tcodec_interop()
                .args(command)
                .args([flag, "json"])
                .arg(input)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{command:?} {flag}");
            serde_json::from_slice::<Value>(&out.stdout).unwrap();
        }
        let out = tcodec_interop()
            .args(command)
            .args(["-o", "json"])
            .arg(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "tcodec: error: -o json: this command writes its report to standard output (redirect it with > FILE); for the format use --output-format (text or json)\n"
        );
    }
}

#[test]
fn summaries_count_what_changed_and_readable_input_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let plain = fixtures()
        .join("decoded/default")
        .join(encoded("default")[0].file_name().unwrap());
    let out = tcodec_interop()
        .args(["decode", "-n", "default", "-o"])
        .arg(dir.path().join("again.json"))
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: wrote 1 file, 0 payloads decoded\n",
        "an already-plain file decodes nothing"
    );
    // The edit loop's trap: readable output given to encode.
    let readable = tcodec_interop()
        .args(["decode", "-n", "default", "--readable"])
        .arg(&encoded("default")[0])
        .output()
        .unwrap();
    let edited = dir.path().join("edited.json");
    std::fs::write(&edited, &readable.stdout).unwrap();
    let out = tcodec_interop()
        .args(["encode", "-n", "default"])
        .arg(&edited)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "is text, not base64: this looks like `decode --readable` output; add --from-readable"
        ),
        "{err}"
    );
    let out = tcodec_interop()
        .args(["encode", "-n", "default", "--from-readable"])
        .arg(&edited)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_output_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::tcodec()
        .current_dir(dir.path())
        .args(["keygen", "-o", "keys/new.key"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: cannot write keys/new.key: directory keys does not exist (create it first)\n"
    );
}

/// The README's "First five minutes", run as written (the binary for `tcodec`, a free port
/// for 8081, the repository's `examples/` beside it).
#[test]
fn the_readme_first_five_minutes_run_as_written() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let block = readme
        .split("# First five minutes (tests/first_hour.rs runs these lines as written)\n")
        .nth(1)
        .expect("the README's first-five-minutes block")
        .split("\n```")
        .next()
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = assert_cmd::cargo::cargo_bin("tcodec");
    let script = block
        .replace("tcodec ", &format!("{} ", bin.display()))
        .replace(" serve ", &format!(" serve --listen 127.0.0.1:{port} "))
        .replace("127.0.0.1:8081", &format!("127.0.0.1:{port}"));
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(common::root().join("examples"), dir.path().join("examples"))
        .unwrap();
    let out = std::process::Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(dir.path())
        .env_remove("TCODEC_CONFIG")
        .env_remove("TEMPORAL_NAMESPACE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("my-key: ok (file my-key.key)"), "{stdout}");
    assert!(stdout.contains("\"order\": 42"), "the round trip: {stdout}");
    assert!(
        stdout.contains("would see plaintext"),
        "doctor's verdict: {stdout}"
    );
    let key = std::fs::metadata(dir.path().join("my-key.key")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
}

/// The offline storage example reads a bucket dump; encoding says how to keep payloads
/// inline instead of a decode-only hint.
#[test]
fn offloading_without_a_bucket_says_what_to_do() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let big = serde_json::json!({"payloads": [{
        "metadata": {"encoding": b64(b"json/plain")},
        "data": b64(format!("\"{}\"", "x".repeat(20_000)).as_bytes()),
    }]});
    let config = common::root().join("examples/storage-file.toml");
    let run = |extra: &[&str]| {
        common::tcodec()
            .arg("--config")
            .arg(&config)
            .args(["encode", "-n", "default"])
            .args(extra)
            .arg("-")
            .write_stdin(big.to_string())
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "tcodec: error: cannot encode payload: <stdin>: payloads[0]: external storage: storage has no bucket to offload to: offloading needs `bucket` in the namespace's storage table; to keep payloads inline, encode with --no-offload\n"
    );
    assert_eq!(run(&["--no-offload"]).status.code(), Some(0));
}

/// Found trying the first hour again: several files to a directory, a `--require-payloads`
/// run over a directory with no document, and `--glob` taking extensionless blobs.
#[test]
fn several_files_to_a_directory_and_an_empty_directory_fails_require_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let files = encoded("default");
    let target = dir.path().join("many/");
    let out = tcodec_interop()
        .args(["decode", "-n", "default", "-o"])
        .arg(&target)
        .args(&files[..2])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in &files[..2] {
        assert!(target.join(f.file_name().unwrap()).exists());
    }
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = tcodec_interop()
        .args(["check", "-n", "default", "--require-payloads"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "checking nothing must not pass");
    // s3store blobs have no extension: --glob decides what counts.
    let blobs = fixtures().join("exports/blob/default");
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            "default",
            "--require-payloads",
            "--output-format",
            "json",
            "--glob",
            "*",
        ])
        .arg(&blobs)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["files"].as_u64().unwrap() >= 3, "{report}");
}

/// `-n <TAB>` offers the configured namespaces (issue #25), through bash itself and the
/// registration script tcodec prints (clap_complete's dynamic completion).
#[test]
fn namespace_completion_offers_the_configured_namespaces() {
    let bin = assert_cmd::cargo::cargo_bin("tcodec");
    let config = common::interop_config();
    let script = format!(
        r#"source <(COMPLETE=bash {bin:?})
COMP_WORDS=(tcodec --config {config:?} decode -n "$1"); COMP_CWORD=5; COMP_TYPE=9
COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
_clap_complete_tcodec tcodec "$1" -n
printf '%s\n' "${{COMPREPLY[@]}}""#
    );
    let complete = |typed: &str| {
        let out = std::process::Command::new("bash")
            .args(["-c", &script, "bash", typed])
            .env_remove("TCODEC_CONFIG")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete(""), "both\ndefault\nzipped\n");
    assert_eq!(complete("zi"), "zipped\n");
}

/// A usage error shows the command's usage line as its help does, not the flags just given
/// (issue #25: `Usage: tcodec decode --in-place --config <FILE> <FILE>...`).
#[test]
fn usage_errors_show_the_usage_line_of_the_help() {
    let out = tcodec_interop()
        .args(["decode", "--in-place", "-o", "x", "a.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the argument '--in-place' cannot be used with '--output <FILE|DIR/>'\n\nUsage: tcodec decode [OPTIONS] [FILE]...\n\nFor more information, try '--help'.\n"
    );
    let out = tcodec_interop()
        .args(["keys", "used", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("\nUsage: tcodec keys used [OPTIONS] [FILE]...\n"),
        "{out:?}"
    );
}

/// A run over many inputs shows a bar of inputs done on a terminal (driven here through
/// util-linux `script`, which gives the command a pseudo-terminal), and none with `-q`.
#[test]
fn a_run_over_many_inputs_shows_progress_on_a_terminal_and_none_when_quiet() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        common::skip("progress bar test: util-linux `script` is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for (i, file) in files_ending(&fixtures().join("payloads/default"), ".encoded.json")
        .into_iter()
        .take(3)
        .enumerate()
    {
        std::fs::copy(file, inputs.join(format!("{i}.json"))).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("tcodec");
    let run = |quiet: &str| {
        let line = format!(
            "{} --config {} {quiet} decode -n default {} -o {}/",
            bin.display(),
            common::interop_config().display(),
            inputs.display(),
            dir.path().join(format!("out{quiet}")).display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env_remove("TCODEC_NO_PROGRESS")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let shown = run("");
    assert!(
        shown.contains("decoding [") && shown.contains("/3 inputs"),
        "{shown}"
    );
    // Bytes read so far and their rate (the three files are 4 to 6 KiB each; the rate's
    // unit depends on the machine's speed: KiB/s or MiB/s).
    assert!(
        shown.contains("decoding ") && shown.contains(" KiB (") && shown.contains("iB/s) ["),
        "{shown}"
    );
    let quiet = run("-q");
    assert!(!quiet.contains("inputs"), "{quiet}");
}
