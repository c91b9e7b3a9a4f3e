//! Issue #23: bucket runs at scale, against moto on loopback. A run stopped by SIGTERM leaves
//! no partial output and the same command resumes it; peak memory does not grow with the
//! number of objects under the prefix (200 vs 2,000), with objects fetched ahead
//! (`--jobs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{fixtures, peer_python, tcodec, S3};

const PREFIX: &str = "temporal-workflow-history/export/default";

/// A bucket dump of `count` copies of a 15 KB export fixture (2,000 copies: 30 MB, so a
/// run holding every object would show) under the Cloud Export
/// layout (one minute apart), in `dir`.
fn dump(dir: &Path, count: usize) -> PathBuf {
    let bucket = dir.join(format!("bucket-{count}"));
    let fixture = fixtures().join("exports/exported/default/0.binpb");
    for i in 0..count {
        let key = format!(
            "{PREFIX}/2026/12/01/{:02}/{:02}/obj{i:04}",
            i / 60 % 24,
            i % 60
        );
        let path = bucket.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(&fixture, &path).unwrap();
    }
    bucket
}

fn url() -> String {
    format!("s3://temporal-payloads/{PREFIX}/")
}

fn command(s3: &S3) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("tcodec"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .env("TCODEC_NO_PROGRESS", "1")
        .arg("--config")
        .arg(common::interop_config());
    for (k, v) in &s3.env {
        cmd.env(k, v);
    }
    cmd
}

/// Every file below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_bucket_run_stopped_by_sigterm_leaves_no_partial_output_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    const COUNT: usize = 300;
    let Some(s3) = S3::start(Some(&dump(dir.path(), COUNT))) else {
        return common::skip("sigterm resume: no peer Python");
    };
    // What one object decodes to (every object is the same fixture).
    let truth = tcodec()
        .arg("--config")
        .arg(common::interop_config())
        .args([
            "decode",
            "-n",
            "default",
            "--type",
            "export",
            "--output-format",
            "json",
        ])
        .arg(fixtures().join("exports/exported/default/0.binpb"))
        .output()
        .unwrap();
    assert_eq!(truth.status.code(), Some(0));
    let out = dir.path().join("out");
    let out_arg = format!("{}/", out.display());
    let args = [
        "decode",
        "-n",
        "default",
        "--type",
        "export",
        "--output-format",
        "json",
        "--jobs",
        "1",
        "-o",
        &out_arg,
    ];
    let child = command(&s3)
        .args(args)
        .arg(url())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Stop it once a few outputs are written.
    let started = Instant::now();
    while files(&out).iter().filter(|p| !is_temp(p)).count() < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no output appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let stopped = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&stopped.stderr);
    assert_eq!(stopped.status.code(), Some(143), "{err}");
    assert!(
        err.contains("tcodec: interrupted (SIGTERM): ")
            && err.contains("finished outputs kept (the same command resumes a bucket run)"),
        "{err}"
    );
    let kept = files(&out);
    assert!(
        kept.iter().all(|p| !is_temp(p)),
        "a partial output was left: {kept:?}"
    );
    assert!(
        kept.len() >= 5 && kept.len() < COUNT,
        "stopped after {} of {COUNT}",
        kept.len()
    );
    for p in &kept {
        assert_eq!(
            std::fs::read(out.join(p)).unwrap(),
            truth.stdout,
            "{p:?} is not a whole output"
        );
    }
    // The same command again: the finished outputs are kept and not fetched again.
    let again = command(&s3).args(args).arg(url()).output().unwrap();
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "tcodec: {} objects already written by an earlier run: kept, not fetched again",
            kept.len()
        )),
        "{err}"
    );
    let all = files(&out);
    assert_eq!(all.len(), COUNT);
    for p in &all {
        assert_eq!(std::fs::read(out.join(p)).unwrap(), truth.stdout, "{p:?}");
    }
}

fn is_temp(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(".tcodec-"))
}

/// Peak resident memory (KiB) of `cmd`, read by the peer's Python as the child's
/// `ru_maxrss`.
fn peak_kib(s3: &S3, args: &[&str]) -> u64 {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n\
                  assert r.returncode == 0, r.returncode\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let mut cmd = Command::new(peer_python().unwrap());
    cmd.args(["-c", script])
        .arg(assert_cmd::cargo::cargo_bin("tcodec"))
        .arg("--config")
        .arg(common::interop_config())
        .args(args)
        .env("TCODEC_NO_PROGRESS", "1");
    for (k, v) in &s3.env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Memory is bounded by the objects in flight (`--jobs`), not by how many the prefix holds.
#[test]
fn a_bucket_run_over_2000_objects_peaks_as_one_over_200() {
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for count in [200, 2000] {
        let Some(s3) = S3::start(Some(&dump(dir.path(), count))) else {
            return common::skip("bucket scale: no peer Python");
        };
        let report = dir.path().join(format!("report-{count}.json"));
        let url = url();
        let peak = peak_kib(
            &s3,
            &[
                "check",
                "-n",
                "default",
                "--type",
                "export",
                "--jobs",
                "8",
                "--output-format",
                "json",
                "--report-to",
                report.to_str().unwrap(),
                &url,
            ],
        );
        let parsed: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        assert_eq!(parsed["files"], count, "{parsed}");
        peaks.push(peak);
    }
    let (small, large) = (peaks[0], peaks[1]);
    eprintln!("peak RSS: 200 objects {small} KiB, 2,000 objects {large} KiB");
    assert!(
        large <= small + 16 * 1024,
        "2,000 objects peaked at {large} KiB, 200 at {small} KiB"
    );
}

/// `STORAGE_EMULATOR_HOST` (Google's libraries' emulator setting) is an endpoint like any
/// other: plain http only to loopback, checked before any request.
#[test]
fn a_gcs_emulator_host_in_clear_is_refused_off_loopback() {
    let out = tcodec()
        .arg("--config")
        .arg(common::interop_config())
        .args([
            "check",
            "-n",
            "default",
            "--type",
            "export",
            "gs://exports/a/",
        ])
        .env("STORAGE_EMULATOR_HOST", "10.1.2.3:9023")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert_eq!(
        err.trim(),
        "tcodec: error: cannot list gs://exports/a/: storage endpoint http://10.1.2.3:9023: plain http is allowed only to a loopback host (127.0.0.1, [::1], localhost): use https"
    );
}
