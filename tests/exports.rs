//! Issue #22: exported and archived executions, on the shared fixtures (real histories and
//! standalone activity descriptions as the Python SDK and the dev server stored them, in
//! Cloud Export and server archival shapes). Decoded output is compared with the truth by
//! the Python peer's `compare_exports.py` (another implementation), and what tcodec encodes
//! is decoded by the peer's codecs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixtures, peer_python, root, tcodec_interop};
use serde_json::Value;

fn exports() -> PathBuf {
    fixtures().join("exports")
}

/// (namespace, file) of every fixture in `kind/`.
fn files(kind: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for ns in ["default", "zipped"] {
        let dir = exports().join(kind).join(ns);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut list: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        list.sort();
        out.extend(list.into_iter().map(|p| (ns.to_string(), p)));
    }
    assert!(!out.is_empty(), "no fixtures in {kind}");
    out
}

fn truth(kind: &str, ns: &str, file: &Path) -> PathBuf {
    let stem = file.file_stem().unwrap().to_string_lossy().to_string();
    exports()
        .join(format!("{kind}-truth"))
        .join(ns)
        .join(format!("{stem}.json"))
}

/// `compare_exports.py [extra] CANDIDATE TRUTH` exits 0, or the test skips without a peer.
fn peer_agrees(extra: &[&str], candidate: &Path, truth: &Path) {
    let Some(py) = peer_python() else {
        return;
    };
    let out = Command::new(py)
        .arg(root().join("../shared/interop/compare_exports.py"))
        .args(extra)
        .arg(candidate)
        .arg(truth)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} vs {}: {}{}",
        candidate.display(),
        truth.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Numbers compared by value (`2` and `2.0`: Go writes one, Python the other).
fn normalized(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Number(n) => *v = Value::from(n.as_f64().unwrap()),
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(fields) => fields.values_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

#[test]
fn cloud_export_objects_decode_to_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["exported", "export"] {
        for (ns, file) in files(kind) {
            let out_file = dir.path().join("out.json");
            let out = tcodec_interop()
                .args([
                    "decode",
                    "-n",
                    &ns,
                    "--type",
                    "export",
                    "--output-format",
                    "json",
                    "-o",
                ])
                .arg(&out_file)
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            if kind == "exported" {
                assert_eq!(
                    normalized(json(&out_file)),
                    normalized(json(&truth(kind, &ns, &file))),
                    "{}",
                    file.display()
                );
            }
            peer_agrees(&[], &out_file, &truth(kind, &ns, &file));
        }
    }
}

#[test]
fn archives_are_detected_and_decode_to_the_truth() {
    for kind in ["archive", "blob"] {
        for (ns, file) in files(kind) {
            let out = tcodec_interop()
                .args(["decode", "-n", &ns, "-q"])
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let got: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                normalized(got),
                normalized(json(&truth(kind, &ns, &file))),
                "{}",
                file.display()
            );
        }
    }
}

/// What tcodec encodes (JSON and binary) the peer's codecs decode back to the truth.
#[test]
fn encoded_exports_are_read_by_the_peer_and_round_trip_in_binary() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["exported", "archive", "blob"] {
        for (ns, file) in files(kind).into_iter().take(2) {
            let plain = truth(kind, &ns, &file);
            let sealed = dir.path().join("sealed.json");
            let out = tcodec_interop()
                .args(["encode", "-n", &ns, "-o"])
                .arg(&sealed)
                .arg(&plain)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            peer_agrees(&["--peer-decode", &ns], &sealed, &plain);
        }
    }
    // Binary: encode the truth to an ExportedExecutions object, read it back.
    let (ns, file) = files("exported").remove(0);
    let plain = truth("exported", &ns, &file);
    let binary = dir.path().join("sealed.binpb");
    let out = tcodec_interop()
        .args([
            "encode",
            "-n",
            &ns,
            "--type",
            "export",
            "--output-format",
            "proto",
            "-o",
        ])
        .arg(&binary)
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = tcodec_interop()
        .args([
            "decode",
            "-n",
            &ns,
            "--type",
            "export",
            "--output-format",
            "json",
            "-q",
        ])
        .arg(&binary)
        .output()
        .unwrap();
    let got: Value = serde_json::from_slice(&back.stdout).unwrap();
    assert_eq!(normalized(got), normalized(json(&plain)));
}

#[test]
fn check_and_keys_used_read_exports_and_a_binary_export_without_type_gets_a_hint() {
    let (ns, file) = files("exported").remove(0);
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            &ns,
            "--type",
            "export",
            "--require-payloads",
            "--output-format",
            "json",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["payloads"].as_u64().unwrap() > 10);
    // The decoded truth is plaintext: every workflow and activity payload is a violation.
    let plain = truth("exported", &ns, &file);
    let out = tcodec_interop()
        .args(["check", "-n", &ns, "--output-format", "json"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("workflows[0].history.events[")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("activities[0].activity.")),
        "{paths:?}"
    );
    // Without --type, a binary export fails every reading and says what to add.
    let out = tcodec_interop()
        .args(["decode", "-n", &ns])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(a Cloud Export object: --type export;"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `n` copies of a fixture export object, concatenated: protobuf concatenation merges
/// repeated fields, so the result is one object with `n` times the executions.
/// An export object holding `n` copies of every execution of a real one, laid out as
/// Cloud Export writes it (and as Go marshals `ExportedExecutions`): every `workflows`
/// item (field 1), then every `activities` item (field 2).
fn repeated_export(dir: &Path, name: &str, n: usize) -> PathBuf {
    let one = std::fs::read(exports().join("exported/default/0.binpb")).unwrap();
    if name.contains("interleaved") {
        // Whole objects one after another: an activity after every third workflow (valid
        // protobuf: parsers merge repeated fields).
        let path = dir.join(name);
        std::fs::write(&path, one.repeat(n)).unwrap();
        return path;
    }
    let (mut workflows, mut activities) = (Vec::new(), Vec::new());
    for item in top_level_items(&one) {
        match item[0] {
            0x0a => workflows.extend_from_slice(item),
            0x12 => activities.extend_from_slice(item),
            other => panic!("unexpected key {other:#x}"),
        }
    }
    assert!(!workflows.is_empty() && !activities.is_empty());
    let path = dir.join(name);
    std::fs::write(&path, [workflows.repeat(n), activities.repeat(n)].concat()).unwrap();
    path
}

/// Peak resident memory (KiB) of `tcodec args`, measured by the peer's Python (the
/// child's `ru_maxrss`); `None` without a peer.
fn peak_kib(args: &[&std::ffi::OsStr]) -> Option<u64> {
    let py = peer_python()?;
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n\
                  assert r.returncode == 0, r.returncode\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new(py)
        .args(["-c", script])
        .arg(assert_cmd::cargo::cargo_bin("tcodec"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().parse().unwrap())
}

/// Issue #22 item 4: a binary export is read one execution at a time. 500 histories
/// decode in the memory of 50 (the whole object as a tree took ~10 times its size), laid
/// out as Cloud Export writes them or with activities among the workflows (JSON output
/// keeps each field's items together: a file is read once per field, nothing held).
#[test]
fn an_export_of_500_histories_decodes_in_the_memory_of_50() {
    let dir = tempfile::tempdir().unwrap();
    let config = root().join("examples/interop.toml");
    let mut peaks = Vec::new();
    // The fixture holds 3 workflows and 1 activity: 17 and 167 copies.
    for (name, copies) in [
        ("small.binpb", 17),
        ("large.binpb", 167),
        ("large-interleaved.binpb", 167),
    ] {
        let input = repeated_export(dir.path(), name, copies);
        let output = dir.path().join(format!("{name}.json"));
        let args: Vec<&std::ffi::OsStr> = vec![
            "decode".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
            "-n".as_ref(),
            "default".as_ref(),
            "--type".as_ref(),
            "export".as_ref(),
            "--output-format".as_ref(),
            "json".as_ref(),
            "-q".as_ref(),
            "-o".as_ref(),
            output.as_os_str(),
            input.as_os_str(),
        ];
        let Some(peak) = peak_kib(&args) else {
            return common::skip("no Python peer to measure peak memory");
        };
        let decoded = json(&output);
        assert_eq!(
            decoded["workflows"].as_array().unwrap().len(),
            copies * 3,
            "{name}"
        );
        assert_eq!(decoded["activities"].as_array().unwrap().len(), copies);
        peaks.push((peak, std::fs::metadata(&input).unwrap().len() / 1024));
    }
    // The large input is ~2.5 MB; as one tree it cost ~25 MB more than the small one, and
    // holding the interleaved activities until the end ~1.6 times the input (3.9 MB).
    let (small, _) = peaks[0];
    for &(large, large_input) in &peaks[1..] {
        assert!(
            large < small + large_input,
            "peak {large} KiB for 500 histories vs {small} KiB for 50 (input {large_input} KiB): {peaks:?}"
        );
    }
    // Read once per field from a file, or in one pass from stdin (holding the activities):
    // the same bytes.
    let interleaved = dir.path().join("large-interleaved.binpb");
    let from_stdin = tcodec_interop()
        .args(["decode", "-n", "default", "--type", "export"])
        .args(["--output-format", "json", "-q", "-"])
        .pipe_stdin(&interleaved)
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(from_stdin.status.code(), Some(0));
    assert!(
        from_stdin.stdout
            == std::fs::read(dir.path().join("large-interleaved.binpb.json")).unwrap(),
        "a file decoded in two passes differs from the same bytes on stdin"
    );
}

/// Issue #22 item 5: bad export input gets one located line, exit 3, and no output file.
#[test]
fn bad_exports_are_refused_with_a_located_line_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let one = std::fs::read(exports().join("exported/default/0.binpb")).unwrap();
    let history = json(&exports().join("archive-truth/default/0.json"))[0].clone();
    let cases: Vec<(&str, Vec<u8>, &[&str], &str)> = vec![
        (
            "truncated.binpb",
            one[..one.len() - 10].to_vec(),
            &["--type", "export"],
            "truncated.binpb: not a binary Cloud Export object at byte ",
        ),
        (
            "not-a-history.binpb",
            vec![0x0a, 0x03, 0x0a, 0x01, 0xff],
            &["--type", "export"],
            "not-a-history.binpb: workflows[0].history: not a binary temporal.api.export.v1.WorkflowExecution (truncated field at byte 0)",
        ),
        (
            "mixed.json",
            serde_json::to_vec(&serde_json::json!([
                history,
                {"metadata": {"encoding": "YmluYXJ5L3BsYWlu"}, "data": ""}
            ]))
            .unwrap(),
            &[],
            "mixed.json: [1]",
        ),
        (
            "blob-without-body.json",
            br#"{"header": {"namespace": "default"}, "bodyy": []}"#.to_vec(),
            &["--type", "archive"],
            "blob-without-body.json",
        ),
    ];
    for (name, bytes, extra, expected) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let output = dir.path().join(format!("{name}.out"));
        let out = tcodec_interop()
            .args(["decode", "-n", "default"])
            .args(extra)
            .arg("-o")
            .arg(&output)
            .arg(&input)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{name}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("tcodec: error: malformed input: ") && first.contains(expected),
            "{name}: {err}"
        );
        assert!(!output.exists(), "{name}: output written");
    }
}

/// The check report of `file` as (execution, path, rule, message) lines, sorted (map
/// entries may come in another order), and the payload count.
/// `from` (an export in either form) written to `to` in `format` by a namespace without
/// codecs (config in `dir`): the same executions, payloads untouched.
fn passthrough(dir: &Path, from: &Path, to: &Path, format: &str) {
    let plain_cfg = dir.join("plain.toml");
    std::fs::write(&plain_cfg, "[namespaces.plain]\ncodecs = []\n").unwrap();
    let out = common::tcodec()
        .arg("--config")
        .arg(&plain_cfg)
        .args(["decode", "-n", "plain", "-q", "--type", "export"])
        .args(["--output-format", format, "-o"])
        .arg(to)
        .arg(from)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The top-level fields of a binary export object, each whole (key, length and value).
fn top_level_items(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut items = Vec::new();
    while !rest.is_empty() {
        let start = rest;
        prost::encoding::decode_varint(&mut rest).unwrap();
        let len = prost::encoding::decode_varint(&mut rest).unwrap() as usize;
        rest = &rest[len..];
        items.push(&start[..start.len() - rest.len()]);
    }
    items
}

/// `check -n NS --type export --output-format json INPUTS...`: exit code and report.
fn check_report(ns: &str, inputs: &[PathBuf]) -> (Option<i32>, Value) {
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            ns,
            "--type",
            "export",
            "--output-format",
            "json",
        ])
        .args(inputs)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

fn check_lines(ns: &str, file: &Path) -> (u64, Vec<String>) {
    let (code, report) = check_report(ns, &[file.to_path_buf()]);
    assert!(matches!(code, Some(0 | 1)), "{report}");
    let mut lines: Vec<String> = ["violations", "notices"]
        .iter()
        .flat_map(|k| report[k].as_array().unwrap().clone())
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["execution"], f["path"], f["rule"], f["message"]
            )
        })
        .collect();
    lines.sort();
    (report["payloads"].as_u64().unwrap(), lines)
}

/// `check` reads a binary export from the wire (no tree); the same export in JSON goes
/// through the tree walker. Both must find the same sites, paths, executions and
/// findings, on every real export and on one with a planted plaintext payload.
#[test]
fn check_finds_the_same_on_the_wire_as_in_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let convert = |from: &Path, to: &Path, format: &str| passthrough(dir.path(), from, to, format);
    let mut compared = 0;
    for (ns, file) in files("exported") {
        let as_json = dir.path().join("as.json");
        convert(&file, &as_json, "json");
        let wire = check_lines(&ns, &file);
        assert!(wire.0 > 0, "{}", file.display());
        assert_eq!(wire, check_lines(&ns, &as_json), "{}", file.display());
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} exports compared");
    // A plaintext payload planted in a real export: found the same way in both forms.
    let (ns, file) = files("exported").remove(1);
    let as_json = dir.path().join("planted.json");
    convert(&file, &as_json, "json");
    let mut doc = json(&as_json);
    doc["workflows"][0]["history"]["events"][0]["workflowExecutionStartedEventAttributes"]
        ["input"]["payloads"][0] = serde_json::json!({
        "metadata": {"encoding": "anNvbi9wbGFpbg=="},
        "data": "eyJzZWNyZXQiOjF9"
    });
    std::fs::write(&as_json, doc.to_string()).unwrap();
    let binary = dir.path().join("planted.binpb");
    convert(&as_json, &binary, "proto");
    let wire = check_lines(&ns, &binary);
    assert_eq!(wire, check_lines(&ns, &as_json));
    assert!(
        wire.1.iter().any(|l| l.contains(
            "workflows[0].history.events[0].workflowExecutionStartedEventAttributes.input.payloads[0]\" \"plaintext\""
        ) && l.starts_with("\"workflow \\\"")),
        "{:?}",
        wire.1
    );
}

/// `--output-format jsonl` of an export reads back: encode and decode take the execution
/// lines, check finds their payloads (it used to see none and pass), the JSON object made
/// from the lines equals the one made from the binary, and decoding is deterministic (map
/// entries in key order, as Go's protojson writes them).
#[test]
fn execution_lines_read_back_and_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (ns, file) = files("exported").remove(1);
    let run = |args: &[&str], input: &Path, out: &Path| {
        let result = tcodec_interop()
            .args(args)
            .args(["-n", &ns, "-q", "--type", "export", "-o"])
            .arg(out)
            .arg(input)
            .output()
            .unwrap();
        assert_eq!(
            result.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&result.stderr)
        );
        std::fs::read(out).unwrap()
    };
    let plain = dir.path().join("plain.jsonl");
    let lines = run(&["decode", "--output-format", "jsonl"], &file, &plain);
    let sealed = dir.path().join("sealed.jsonl");
    run(&["encode"], &plain, &sealed);
    assert_eq!(
        run(&["decode"], &sealed, &dir.path().join("back.jsonl")),
        lines
    );
    let from_lines = run(
        &["decode", "--output-format", "json"],
        &sealed,
        &dir.path().join("a.json"),
    );
    let from_binary = run(
        &["decode", "--output-format", "json"],
        &file,
        &dir.path().join("b.json"),
    );
    assert_eq!(from_lines, from_binary);
    for i in 0..3 {
        let again = run(
            &["decode", "--output-format", "json"],
            &file,
            &dir.path().join(format!("c{i}.json")),
        );
        assert_eq!(again, from_binary, "run {i} differs");
    }
    // check sees the lines' payloads: the plaintext ones fail, the sealed ones pass.
    let (payloads, findings) = check_lines(&ns, &plain);
    assert!(payloads > 0);
    assert!(
        findings.iter().any(|l| l.contains("\"plaintext\"")),
        "{findings:?}"
    );
    // Sealed again, the lines check exactly as the original binary object does.
    assert_eq!(check_lines(&ns, &sealed), check_lines(&ns, &file));
    // A whole export object on one line is read as one document: its payloads are found.
    let object = dir.path().join("object.jsonl");
    let one_line = serde_json::to_string(&json(&dir.path().join("a.json"))).unwrap();
    std::fs::write(&object, one_line + "\n").unwrap();
    let (in_one_line, _) = check_lines(&ns, &object);
    assert_eq!(in_one_line, payloads);
}

/// Issue #22 item 4: `--max-decoded-total` bounds each execution, and `--max-decoded-file`
/// the object's executions together (to standard output they are held until the end, so
/// this bounds memory too). Over it: one located line, exit 3, nothing written.
#[test]
fn an_export_objects_total_output_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let input = exports().join("exported/default/1.binpb");
    let run = |extra: &[&str]| {
        tcodec_interop()
            .args([
                "decode",
                "-n",
                "default",
                "--type",
                "export",
                "--output-format",
                "json",
            ])
            .args(extra)
            .arg(&input)
            .output()
            .unwrap()
    };
    let whole = run(&[]);
    assert_eq!(whole.status.code(), Some(0));
    // The executions of this object render to about 1.6 MB together.
    let out = run(&["--max-decoded-file", "500KiB"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(out.stdout.is_empty(), "nothing reaches stdout");
    assert!(
        err.starts_with(&format!(
            "tcodec: error: cannot decode payload: {} (workflow \"",
            input.display()
        )) && err
            .contains("the export object's executions together passed --max-decoded-file (512000 bytes of output)"),
        "{err}"
    );
    assert!(
        err.contains("hint: raise --max-decoded-file if the input is trusted"),
        "{err}"
    );
    let target = dir.path().join("out.json");
    let out = run(&[
        "--max-decoded-file",
        "500KiB",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!target.exists(), "no partial output file");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temp file left"
    );
    // Just above the whole: the same bytes as without the flag.
    let size = format!("{}", whole.stdout.len() + 1);
    let out = run(&["--max-decoded-file", &size]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, whole.stdout);
}

/// Fields this build's protos do not know (a newer API's) survive in protobuf form: binary
/// to binary works on the wire, so only the changed payloads (and the lengths around them)
/// are written anew. Decode, encode and decode again give the first decode's bytes exactly,
/// unknown fields at two depths included.
#[test]
fn unknown_fields_survive_decode_and_encode_in_protobuf_form() {
    use prost::encoding::{encode_key, encode_varint, WireType};
    let dir = tempfile::tempdir().unwrap();
    let object = std::fs::read(exports().join("exported/default/0.binpb")).unwrap();
    // The first top-level item (workflows[0]) and its history (field 1).
    let item = |bytes: &[u8]| -> (u64, usize, usize) {
        let mut rest = bytes;
        let key = prost::encoding::decode_varint(&mut rest).unwrap();
        let len = prost::encoding::decode_varint(&mut rest).unwrap() as usize;
        let start = bytes.len() - rest.len();
        (key, start, start + len)
    };
    let (key, start, end) = item(&object);
    assert_eq!(key, (1 << 3) | 2, "workflows[0]");
    let execution = &object[start..end];
    let (hkey, hstart, hend) = item(execution);
    assert_eq!(hkey, (1 << 3) | 2, "history");
    assert_eq!(
        hend,
        execution.len(),
        "the fixture's execution holds only its history"
    );
    // history + field 1000 = 7; execution + field 15 = 42.
    let mut history = execution[hstart..hend].to_vec();
    encode_key(1000, WireType::Varint, &mut history);
    encode_varint(7, &mut history);
    let mut new_execution = Vec::new();
    encode_key(1, WireType::LengthDelimited, &mut new_execution);
    encode_varint(history.len() as u64, &mut new_execution);
    new_execution.extend_from_slice(&history);
    encode_key(15, WireType::Varint, &mut new_execution);
    encode_varint(42, &mut new_execution);
    let mut input = Vec::new();
    encode_key(1, WireType::LengthDelimited, &mut input);
    encode_varint(new_execution.len() as u64, &mut input);
    input.extend_from_slice(&new_execution);
    input.extend_from_slice(&object[end..]);
    let with_unknown = dir.path().join("unknown.binpb");
    std::fs::write(&with_unknown, &input).unwrap();
    let run = |command: &str, from: &Path, to: &Path| {
        let out = tcodec_interop()
            .args([command, "-n", "default", "--type", "export", "-q", "-o"])
            .arg(to)
            .arg(from)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(to).unwrap()
    };
    let decoded = run("decode", &with_unknown, &dir.path().join("decoded.binpb"));
    assert_ne!(decoded, input, "the payloads were decoded");
    // Nothing left to decode: the same bytes (executions without a change are copied).
    let twice = run(
        "decode",
        &dir.path().join("decoded.binpb"),
        &dir.path().join("twice.binpb"),
    );
    assert_eq!(twice, decoded);
    let (_, s, e) = item(&decoded);
    let unknown_15 = [0x78, 42];
    let unknown_1000 = [0xc0, 0x3e, 7];
    assert!(decoded[s..e].ends_with(&unknown_15), "field 15 kept");
    assert!(
        decoded.windows(3).any(|w| w == unknown_1000),
        "field 1000 kept"
    );
    // The payloads did change: the plaintext of the same object without unknown fields
    // decodes to JSON equal to this one's.
    let json_of = |file: &Path| {
        let out = tcodec_interop()
            .args([
                "decode",
                "-n",
                "default",
                "--type",
                "export",
                "--output-format",
                "json",
            ])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let plain_json = json_of(&exports().join("exported/default/0.binpb"));
    assert_eq!(json_of(&dir.path().join("decoded.binpb")), plain_json);
    let encoded = run(
        "encode",
        &dir.path().join("decoded.binpb"),
        &dir.path().join("encoded.binpb"),
    );
    assert_ne!(encoded, decoded);
    assert!(encoded.windows(3).any(|w| w == unknown_1000));
    let again = run(
        "decode",
        &dir.path().join("encoded.binpb"),
        &dir.path().join("again.binpb"),
    );
    assert_eq!(
        again, decoded,
        "decode -> encode -> decode is byte for byte"
    );
}

/// Small export objects are worked a window of files at a time on every core; what a run
/// over several reports must be what checking each file on its own reports, in input
/// order: unchecked inputs first (a truncated object, after what its executions before the
/// break found), then every file's findings in order. Four of the inputs carry violations
/// (plaintext in binary, in a truncated binary, in JSON form), so a merge out of order
/// shows; an object over the window's file size splits the inputs into two windows.
#[test]
fn inputs_checked_together_report_what_each_file_does() {
    let dir = tempfile::tempdir().unwrap();
    let real = exports().join("exported/default");
    // A decoded (plaintext) export in binary form: every payload is a violation.
    let plaintext = |n: &str| {
        let to = dir.path().join(format!("plain-{n}.binpb"));
        let from = truth("exported", "default", &real.join(format!("{n}.binpb")));
        passthrough(dir.path(), &from, &to, "proto");
        to
    };
    let plain_1 = plaintext("1");
    let plain_2 = plaintext("2");
    let bytes = std::fs::read(&plain_2).unwrap();
    let truncated = dir.path().join("truncated.binpb");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    // An execution that does not hold together between two that carry violations: the
    // object's findings stop at it (what came before is reported, nothing after).
    let broken = dir.path().join("broken.binpb");
    let plain_1_bytes = std::fs::read(&plain_1).unwrap();
    let items = top_level_items(&plain_1_bytes);
    assert!(items.len() > 2 && items[0][0] == 0x0a && items[1][0] == 0x0a);
    let bad = [0x0a, 0x04, 0x0f, 0x0f, 0x0f, 0x0f];
    std::fs::write(&broken, [items[0], &bad, &items[1..].concat()].concat()).unwrap();
    let big = repeated_export(dir.path(), "big.binpb", 300);
    assert!(std::fs::metadata(&big).unwrap().len() > 4 << 20);
    let inputs = [
        real.join("0.binpb"),
        plain_1,
        truncated,
        truth("exported", "default", &real.join("2.binpb")),
        big,
        plain_2,
        broken,
        real.join("2.binpb"),
    ];
    let check = |inputs: &[PathBuf]| check_report("default", inputs);
    let (code, whole) = check(&inputs);
    assert_eq!(code, Some(3), "{whole}");
    let (mut unchecked, mut found, mut notices) = (Vec::new(), Vec::new(), Vec::new());
    let (mut payloads, mut files) = (0, 0);
    for (i, input) in inputs.iter().enumerate() {
        let (_, report) = check(std::slice::from_ref(input));
        let violations = report["violations"].as_array().unwrap();
        let failed = usize::from(report["files"] == 0);
        unchecked.extend_from_slice(&violations[..failed]);
        found.extend_from_slice(&violations[failed..]);
        if [1, 2, 3, 5, 6].contains(&i) {
            assert!(
                violations.len() > failed,
                "{} finds nothing",
                input.display()
            );
        }
        if i == 6 {
            let paths: Vec<&str> = violations[failed..]
                .iter()
                .map(|v| v["path"].as_str().unwrap())
                .collect();
            assert!(
                paths.iter().all(|p| p.starts_with("workflows[0].")),
                "{paths:?}"
            );
        }
        notices.extend_from_slice(report["notices"].as_array().unwrap());
        payloads += report["payloads"].as_u64().unwrap();
        files += report["files"].as_u64().unwrap();
    }
    assert_eq!(unchecked.len(), 2);
    unchecked.append(&mut found);
    assert_eq!(whole["violations"].as_array().unwrap(), &unchecked);
    assert_eq!(whole["notices"].as_array().unwrap(), &notices);
    assert_eq!(whole["payloads"].as_u64().unwrap(), payloads);
    assert_eq!(
        (whole["files"].as_u64(), whole["inputs"].as_u64()),
        (Some(files), Some(8))
    );
}
