//! Issue #23: exports where they live. Bucket URLs as inputs of decode and check, against
//! real object store APIs on loopback: S3 (moto) and GCS (fake-gcs-server, through its XML
//! API as object_store speaks it), each loaded with the Cloud Export fixtures under the
//! Cloud Export key layout. The same run on both: every object in key order, one output per
//! object below `-o DIR/`, a rerun that resumes without fetching again, a time window read
//! from the keys, shards that together take every object exactly once, and a planted
//! plaintext object and a malformed one named by their URLs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixtures, tcodec, Gcs, S3};
use serde_json::Value;

const PREFIX: &str = "temporal-workflow-history/export/default";
const BUCKET: &str = "temporal-payloads";

/// A bucket dump (`data/temporal-payloads/KEY`) with the `exported/default` fixtures at
/// three export times.
fn dump(data: &Path) -> Vec<(String, PathBuf)> {
    let mut objects = Vec::new();
    let src = fixtures().join("exports/exported/default");
    for (i, when) in ["2026/12/01/13/00", "2026/12/01/14/00", "2026/12/01/14/30"]
        .iter()
        .enumerate()
    {
        let key = format!("{PREFIX}/{when}/obj{i}");
        let path = data.join(BUCKET).join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let fixture = src.join(format!("{i}.binpb"));
        std::fs::copy(&fixture, &path).unwrap();
        objects.push((key, fixture));
    }
    objects
}

/// The object store a test runs against: moto's S3 or the GCS emulator.
enum Store {
    S3(S3),
    Gcs(Gcs),
}

impl Store {
    /// `s3` or `gs`.
    fn scheme(&self) -> &'static str {
        match self {
            Store::S3(_) => "s3",
            Store::Gcs(_) => "gs",
        }
    }

    fn env(&self) -> &[(String, String)] {
        match self {
            Store::S3(s3) => &s3.env,
            Store::Gcs(gcs) => &gcs.env,
        }
    }

    fn record(&self) {
        match self {
            Store::S3(s3) => s3.record(),
            Store::Gcs(gcs) => gcs.record(),
        }
    }

    /// The object GETs the server saw since `record`, as `/BUCKET/KEY`.
    fn object_gets(&self) -> Vec<String> {
        match self {
            Store::S3(s3) => s3.object_gets(),
            Store::Gcs(gcs) => gcs.object_gets(),
        }
    }

    /// `SCHEME://temporal-payloads/KEY`.
    fn url(&self, key: &str) -> String {
        format!("{}://{BUCKET}/{key}", self.scheme())
    }
}

fn run(store: &Store, args: &[&str]) -> std::process::Output {
    let mut cmd = tcodec();
    cmd.arg("--config").arg(common::interop_config());
    for (k, v) in store.env() {
        cmd.env(k, v);
    }
    cmd.args(args).output().unwrap()
}

#[test]
fn an_s3_prefix_decodes_object_by_object_resumes_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let objects = dump(&data);
    plant(&data);
    let Some(s3) = S3::start(Some(&data.join(BUCKET))) else {
        return;
    };
    a_prefix_decodes_object_by_object_resumes_and_shards(&Store::S3(s3), &objects, dir.path());
}

#[test]
fn a_gcs_prefix_decodes_object_by_object_resumes_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let objects = dump(&data);
    plant(&data);
    let Some(gcs) = Gcs::start(&data) else {
        return;
    };
    a_prefix_decodes_object_by_object_resumes_and_shards(&Store::Gcs(gcs), &objects, dir.path());
}

/// Under `.../export/planted/`: a real export with a plaintext payload planted in its first
/// workflow's input, and an object that is not an export at all.
const PLANTED: &str = "temporal-workflow-history/export/planted/2026/12/01/15/00/obj0";
const MALFORMED: &str = "temporal-workflow-history/export/planted/2026/12/01/15/00/obj1";

fn plant(data: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let plain_cfg = dir.path().join("plain.toml");
    std::fs::write(&plain_cfg, "[namespaces.plain]\ncodecs = []\n").unwrap();
    // Passthrough (no codecs): the same export, payloads untouched, in the other form.
    let convert = |from: &Path, to: &Path, format: &str| {
        let out = tcodec()
            .arg("--config")
            .arg(&plain_cfg)
            .args(["decode", "-n", "plain", "-q", "--type", "export"])
            .args(["--output-format", format, "-o"])
            .arg(to)
            .arg(from)
            .output()
            .unwrap();
        common::assert_success(&out);
    };
    let as_json = dir.path().join("planted.json");
    convert(
        &fixtures().join("exports/exported/default/1.binpb"),
        &as_json,
        "json",
    );
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&as_json).unwrap()).unwrap();
    doc["workflows"][0]["history"]["events"][0]["workflowExecutionStartedEventAttributes"]
        ["input"]["payloads"][0] = serde_json::json!({
        "metadata": {"encoding": "anNvbi9wbGFpbg=="},
        "data": "eyJzZWNyZXQiOjF9"
    });
    std::fs::write(&as_json, doc.to_string()).unwrap();
    let planted = data.join(BUCKET).join(PLANTED);
    std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
    convert(&as_json, &planted, "proto");
    // A length-delimited field 1 that runs past the end: a truncated export.
    std::fs::write(data.join(BUCKET).join(MALFORMED), b"\x0a\xff\x01partial").unwrap();
}

fn a_prefix_decodes_object_by_object_resumes_and_shards(
    store: &Store,
    objects: &[(String, PathBuf)],
    dir: &Path,
) {
    let url = store.url(&format!("{PREFIX}/"));
    let out = dir.join("out/");
    let out_s = out.display().to_string();
    let decode = |extra: &[&str]| {
        let mut args = vec![
            "decode",
            "-n",
            "default",
            "--type",
            "export",
            "--output-format",
            "json",
            &url,
            "-o",
            &out_s,
        ];
        args.extend_from_slice(extra);
        run(store, &args)
    };
    store.record();
    let first = decode(&[]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Counted on the server's side: every object fetched exactly once (fetched ahead with
    // --jobs, each handed to its input, none fetched a second time).
    let mut gets = store.object_gets();
    gets.sort();
    let mut expected: Vec<String> = objects
        .iter()
        .map(|(key, _)| format!("/{BUCKET}/{key}"))
        .collect();
    expected.sort();
    assert_eq!(gets, expected);
    for (i, (key, _)) in objects.iter().enumerate() {
        let written = out.join(key.strip_prefix(&format!("{PREFIX}/")).unwrap());
        let got: Value = serde_json::from_slice(&std::fs::read(&written).unwrap()).unwrap();
        let truth: Value = serde_json::from_slice(
            &std::fs::read(fixtures().join(format!("exports/exported-truth/default/{i}.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(got["workflows"], truth["workflows"], "{key}");
    }
    // A rerun keeps what is done and fetches nothing again.
    let again = decode(&[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        "tcodec: 3 objects already written by an earlier run: kept, not fetched again (delete an output to redo it)\n"
    );
    // --in-place is refused for bucket objects.
    let refused = run(
        store,
        &[
            "decode",
            "-n",
            "default",
            "--type",
            "export",
            "--in-place",
            &url,
        ],
    );
    assert_eq!(refused.status.code(), Some(2));

    // The time window comes from the keys: 14:00 (inclusive) to 14:30 (exclusive).
    let check = |extra: &[&str]| {
        let out = check_json(store, &url, extra);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["files"].as_u64().unwrap()
    };
    assert_eq!(check(&[]), 3);
    assert_eq!(
        check(&[
            "--since",
            "2026-12-01T14:00:00Z",
            "--until",
            "2026-12-01T14:30:00Z"
        ]),
        1
    );
    assert_eq!(check(&["--since", "2026-12-01T14:00:00Z"]), 2);
    // Shards: together every object exactly once.
    let shards: Vec<u64> = (0..3)
        .map(|i| check(&["--shard", &format!("{i}/3")]))
        .collect();
    assert_eq!(shards.iter().sum::<u64>(), 3, "{shards:?}");
    // One object by its URL.
    assert_eq!(check_one(store, &store.url(&objects[1].0)), 1);
    // A URL naming nothing (a typo) fails: no objects is no check.
    let typo = store.url("temporal-workflow-history/export/defualt/");
    let nothing = run(
        store,
        &["check", "-n", "default", "--type", "export", &typo],
    );
    let err = String::from_utf8_lossy(&nothing.stderr);
    assert_eq!(nothing.status.code(), Some(5), "{err}");
    assert_eq!(
        err,
        format!("tcodec: error: nothing to read at {typo}: no object has this name, and none is under this prefix\n"),
    );
    // Two prefixes holding the same names into one directory: refused, nothing written.
    let twice_dir = dir.join("twice/");
    let twice = run(
        store,
        &[
            "decode",
            "-n",
            "default",
            "--type",
            "export",
            "-o",
            twice_dir.to_str().unwrap(),
            &url,
            &url,
        ],
    );
    let err = String::from_utf8_lossy(&twice.stderr);
    assert_eq!(twice.status.code(), Some(2), "{err}");
    assert!(
        err.contains(" both write ") && err.contains("give each its own -o DIR/"),
        "{err}"
    );
    // A bucket that does not exist: one line naming the URL, exit 5.
    let missing = store
        .url("no-such-prefix/")
        .replace(BUCKET, "no-such-bucket");
    let out = run(
        store,
        &["check", "-n", "default", "--type", "export", &missing],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.starts_with(&format!("tcodec: error: cannot list {missing}: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains(&format!("{missing}: cannot list")), "{err}");
    planted_objects_are_named_by_their_urls(store, dir);
}

/// One object with a plaintext payload and one that is not an export: `check` goes on past
/// the bad one and names both by URL; `decode` writes the good one, then fails naming the
/// bad one.
fn planted_objects_are_named_by_their_urls(store: &Store, dir: &Path) {
    let url = store.url("temporal-workflow-history/export/planted/");
    let out = check_json(store, &url, &[]);
    // The malformed object's exit (3, bad input) outranks the violation's (1).
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"], 2, "{report}");
    let violations: Vec<(String, String, String)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["file"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
                v["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(violations.len(), 2, "{report}");
    // Inputs that could not be checked come first.
    assert_eq!(violations[0].0, store.url(MALFORMED), "{report}");
    assert_eq!(violations[0].1, "malformed", "{report}");
    assert_eq!(violations[1].0, store.url(PLANTED), "{report}");
    assert_eq!(violations[1].1, "plaintext", "{report}");
    assert!(
        violations[1]
            .2
            .ends_with("workflowExecutionStartedEventAttributes.input.payloads[0]"),
        "{report}"
    );
    // decode: the good object is written, the bad one named at the end, exit non-zero.
    let out_dir = dir.join("planted-out/");
    let decoded = run(
        store,
        &[
            "decode",
            "-n",
            "default",
            "--type",
            "export",
            "-o",
            out_dir.to_str().unwrap(),
            &url,
        ],
    );
    let err = String::from_utf8_lossy(&decoded.stderr);
    assert_eq!(decoded.status.code(), Some(3), "{err}");
    assert!(err.contains(&store.url(MALFORMED)), "{err}");
    assert!(out_dir.join("2026/12/01/15/00/obj0").is_file(), "{err}");
    assert!(!out_dir.join("2026/12/01/15/00/obj1").exists(), "{err}");
}

/// `check -n default --type export --output-format json URL EXTRA...` against `store`.
fn check_json(store: &Store, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "check",
        "-n",
        "default",
        "--type",
        "export",
        "--output-format",
        "json",
        url,
    ];
    args.extend_from_slice(extra);
    run(store, &args)
}

fn check_one(store: &Store, url: &str) -> u64 {
    let out = check_json(store, url, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["files"].as_u64().unwrap()
}

/// Shard reports merge into the report of one run over everything (`check --merge`).
#[test]
fn shard_reports_merge_into_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let files = common::files_ending(&fixtures().join("decoded/default"), ".json");
    let check = |inputs: &[PathBuf]| -> (Option<i32>, Value) {
        let out = common::tcodec_interop()
            .args(["check", "-n", "default", "--output-format", "json"])
            .args(inputs)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    };
    // Shards and windows select bucket objects: on local files they are refused, not
    // ignored (two "shards" of the same files would merge into a double count).
    let out = common::tcodec_interop()
        .args(["check", "-n", "default", "--shard", "0/2"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "--since, --until and --shard select the objects of a bucket URL (s3://, gs://); no input is one"
    ));
    let (code, whole) = check(&files);
    assert_eq!(
        code,
        Some(1),
        "plaintext histories in an encrypting namespace"
    );
    let (a, b) = files.split_at(files.len() / 2);
    let mut reports = Vec::new();
    for (i, part) in [a, b].iter().enumerate() {
        let path = dir.path().join(format!("shard-{i}.json"));
        std::fs::write(&path, serde_json::to_vec(&check(part).1).unwrap()).unwrap();
        reports.push(path);
    }
    let out = tcodec()
        .args(["check", "--merge", "--output-format", "json"])
        .args(&reports)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    // As text (the default, as for `check`): a line per violation, then the totals.
    let text = tcodec()
        .args(["check", "--merge"])
        .args(&reports)
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8_lossy(&text.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let violations = whole["violations"].as_array().unwrap();
    let notices = !whole["notices"].as_array().unwrap().is_empty();
    assert_eq!(
        lines.len(),
        violations.len() + 1 + usize::from(notices),
        "{text}"
    );
    assert_eq!(
        lines
            .iter()
            .any(|l| l.starts_with("notice: not violations")),
        notices,
        "{text}"
    );
    assert!(
        lines[0].contains(": plaintext: ")
            && lines[0].starts_with(violations[0]["file"].as_str().unwrap()),
        "{text}"
    );
    assert!(
        lines.last().unwrap().starts_with(&format!(
            "merged 2 reports: checked {} files, {} payloads: {} violations, ",
            whole["files"],
            whole["payloads"],
            violations.len()
        )),
        "{text}"
    );
    for key in [
        "ok",
        "files",
        "inputs",
        "payloads",
        "rules",
        "violations",
        "notices",
    ] {
        assert_eq!(merged[key], whole[key], "{key}");
    }
    // Reports of different checks are not shards of one.
    let other = dir.path().join("other.json");
    let mut changed = whole.clone();
    changed["rules"] = serde_json::json!(["size (<= 1 bytes)"]);
    std::fs::write(&other, changed.to_string()).unwrap();
    let out = tcodec()
        .args(["check", "--merge"])
        .arg(&reports[0])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
