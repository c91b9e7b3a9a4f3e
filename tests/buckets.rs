//! Issue #23 (first part): exports where they live. Bucket URLs as inputs of decode and
//! check, against a real S3 API server (moto on loopback) loaded with the Cloud Export
//! fixtures under the Cloud Export key layout: every object in key order, one output per
//! object below `-o DIR/`, a rerun that resumes without fetching again, a time window read
//! from the keys, and shards that together take every object exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixtures, tcodec, S3};
use serde_json::Value;

const PREFIX: &str = "temporal-workflow-history/export/default";

/// A bucket dump with the `exported/default` fixtures at three export times.
fn dump(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut objects = Vec::new();
    let src = fixtures().join("exports/exported/default");
    for (i, when) in ["2026/12/01/13/00", "2026/12/01/14/00", "2026/12/01/14/30"]
        .iter()
        .enumerate()
    {
        let key = format!("{PREFIX}/{when}/obj{i}");
        let path = dir.join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let fixture = src.join(format!("{i}.binpb"));
        std::fs::copy(&fixture, &path).unwrap();
        objects.push((key, fixture));
    }
    objects
}

fn run(s3: &S3, args: &[&str]) -> std::process::Output {
    let mut cmd = tcodec();
    cmd.arg("--config").arg(common::interop_config());
    for (k, v) in &s3.env {
        cmd.env(k, v);
    }
    cmd.args(args).output().unwrap()
}

#[test]
fn a_bucket_prefix_decodes_object_by_object_resumes_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let bucket = dir.path().join("bucket");
    let objects = dump(&bucket);
    let Some(s3) = S3::start(Some(&bucket)) else {
        return;
    };
    let url = format!("s3://temporal-payloads/{PREFIX}/");
    let out = dir.path().join("out/");
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
        run(&s3, &args)
    };
    s3.record();
    let first = decode(&[]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Counted on moto's side: every object fetched exactly once (fetched ahead with
    // --jobs, each handed to its input, none fetched a second time).
    let mut gets = s3.object_gets();
    gets.sort();
    let mut expected: Vec<String> = objects
        .iter()
        .map(|(key, _)| format!("/temporal-payloads/{key}"))
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
        &s3,
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
        let mut args = vec![
            "check",
            "-n",
            "default",
            "--type",
            "export",
            "--output-format",
            "json",
            &url,
        ];
        args.extend_from_slice(extra);
        let out = run(&s3, &args);
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
    assert_eq!(
        check_one(&s3, &format!("s3://temporal-payloads/{}", objects[1].0)),
        1
    );
    // A URL naming nothing (a typo) fails: no objects is no check.
    let nothing = run(
        &s3,
        &[
            "check",
            "-n",
            "default",
            "--type",
            "export",
            "s3://temporal-payloads/temporal-workflow-history/export/defualt/",
        ],
    );
    let err = String::from_utf8_lossy(&nothing.stderr);
    assert_eq!(nothing.status.code(), Some(5), "{err}");
    assert!(
        err.contains("nothing to read at s3://temporal-payloads/temporal-workflow-history/export/defualt/: no object has this name, and none is under this prefix"),
        "{err}"
    );
    // Two prefixes holding the same names into one directory: refused, nothing written.
    let twice_dir = dir.path().join("twice/");
    let twice = run(
        &s3,
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
}

fn check_one(s3: &S3, url: &str) -> u64 {
    let out = run(
        s3,
        &[
            "check",
            "-n",
            "default",
            "--type",
            "export",
            "--output-format",
            "json",
            url,
        ],
    );
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
