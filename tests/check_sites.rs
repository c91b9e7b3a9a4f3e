//! Issue #26 item 1: `check` on every payload site the walkers know. The cases come from the
//! same schema the walkers use (the Temporal API descriptors): for every payload-bearing
//! field of every message reachable from a history event, one history whose only payload
//! sits behind that field, in plaintext. A new site kind (a new API field) gets its case
//! without anyone writing it; a site the check exempted would show as a missing violation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use common::*;
use serde_json::{json, Value};
use tcodec::document::schema::{
    Cardinality, Schema, HEADER, HISTORY_EVENT, MARKER_RECORDED, PAYLOAD, SEARCH_ATTRIBUTES,
};

/// One step of a path: a field and how it holds its target (a map step names its key).
#[derive(Clone, Debug)]
struct Step {
    field: String,
    cardinality: Cardinality,
    key: &'static str,
}

/// The kind of site a path reaches, as the check reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Data,
    Header,
    MarkerData,
    SearchAttribute,
}

/// The shortest field path from `from` to a Payload, for every message that reaches one.
fn completions(schema: &Schema, root: &str) -> HashMap<String, Vec<(String, Step)>> {
    // Bellman-Ford style relaxation: few types, short paths.
    let mut best: HashMap<String, Vec<(String, Step)>> = HashMap::new();
    loop {
        let mut changed = false;
        for message in reachable(schema, root) {
            for f in schema.fields(&message).unwrap_or_default() {
                let step = Step {
                    field: f.json_name.to_string(),
                    cardinality: f.cardinality,
                    key: "k",
                };
                let rest = if f.target == PAYLOAD {
                    Some(Vec::new())
                } else {
                    best.get(f.target).cloned()
                };
                let Some(rest) = rest else { continue };
                let mut path = vec![(message.clone(), step)];
                path.extend(rest);
                if best.get(&message).is_none_or(|b| b.len() > path.len()) {
                    best.insert(message.clone(), path);
                    changed = true;
                }
            }
        }
        if !changed {
            return best;
        }
    }
}

/// Every message reachable from a history event, with the shortest path to it.
fn prefixes(schema: &Schema, root: &str) -> BTreeMap<String, Vec<(String, Step)>> {
    let mut found: BTreeMap<String, Vec<(String, Step)>> = BTreeMap::new();
    found.insert(root.to_string(), Vec::new());
    let mut queue = VecDeque::from([root.to_string()]);
    while let Some(message) = queue.pop_front() {
        for f in schema.fields(&message).unwrap_or_default() {
            if f.target == PAYLOAD || found.contains_key(f.target) {
                continue;
            }
            let mut path = found[&message].clone();
            path.push((
                message.clone(),
                Step {
                    field: f.json_name.to_string(),
                    cardinality: f.cardinality,
                    key: "k",
                },
            ));
            found.insert(f.target.to_string(), path);
            queue.push_back(f.target.to_string());
        }
    }
    found
}

fn reachable(schema: &Schema, root: &str) -> Vec<String> {
    prefixes(schema, root).into_keys().collect()
}

/// The JSON of a history event whose only payload is a plaintext one at `path`.
fn event_with(path: &[(String, Step)]) -> Value {
    let value = object_with(path);
    let mut event = json!({"eventId": "1", "eventTime": "2026-01-01T00:00:00Z"});
    for (k, v) in value.as_object().unwrap() {
        event[k] = v.clone();
    }
    event
}

/// An object of the path's first message whose only payload is a plaintext one at `path`.
fn object_with(path: &[(String, Step)]) -> Value {
    let mut value = json!({"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "IjEi"});
    for (_, step) in path.iter().rev() {
        value = match step.cardinality {
            Cardinality::Single => json!({ step.field.clone(): value }),
            Cardinality::List => json!({ step.field.clone(): [value] }),
            Cardinality::Map => json!({ step.field.clone(): { step.key: value } }),
        };
    }
    value
}

/// The check's JSON path of that payload in `{"events": [event]}` (`start` = `events[0]`),
/// or in an object of the root message itself (`start` empty).
fn json_path(path: &[(String, Step)]) -> String {
    json_path_from("events[0]", path)
}

fn json_path_from(start: &str, path: &[(String, Step)]) -> String {
    let mut out = start.to_string();
    for (_, step) in path {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&step.field);
        match step.cardinality {
            Cardinality::Single => {}
            Cardinality::List => out.push_str("[0]"),
            Cardinality::Map => {
                out.push('.');
                out.push_str(step.key);
            }
        }
    }
    out
}

fn kind_of(path: &[(String, Step)], schema: &Schema) -> Kind {
    let mut kind = Kind::Data;
    for (message, step) in path {
        let target = schema.field(message, &step.field).unwrap().target;
        if target == SEARCH_ATTRIBUTES {
            return Kind::SearchAttribute;
        }
        if target == HEADER {
            kind = Kind::Header;
        }
        if message == MARKER_RECORDED && step.field == "details" && step.key == "data" {
            kind = Kind::MarkerData;
        }
    }
    kind
}

/// Every case: one per payload-bearing field of every reachable message, plus the marker's
/// `details.data` entry.
fn cases(schema: &Schema, root: &str) -> Vec<Vec<(String, Step)>> {
    let prefixes = prefixes(schema, root);
    let completions = completions(schema, root);
    let mut out = Vec::new();
    for (message, prefix) in &prefixes {
        for f in schema.fields(message).unwrap_or_default() {
            let mut path = prefix.clone();
            path.push((
                message.clone(),
                Step {
                    field: f.json_name.to_string(),
                    cardinality: f.cardinality,
                    key: "k",
                },
            ));
            if f.target != PAYLOAD {
                path.extend(completions[f.target].clone());
            }
            out.push(path.clone());
            if message == MARKER_RECORDED && f.json_name == "details" {
                path.last_mut().unwrap();
                let at = prefix.len();
                path[at].1.key = "data";
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn every_payload_site_the_walkers_know_is_checked() {
    let schema = Schema::temporal();
    let cases = cases(schema, HISTORY_EVENT);
    assert!(cases.len() > 100, "{} cases", cases.len());
    let paths: BTreeSet<String> = cases.iter().map(|c| json_path(c)).collect();
    // The sites a mutation once exempted without a test noticing.
    for needle in [
        ".timeoutFailureInfo.lastHeartbeatDetails.payloads[0]",
        "activityTaskStartedEventAttributes.lastFailure.",
        "userMetadata.summary",
        "header.fields.k",
    ] {
        assert!(
            paths.iter().any(|p| p.contains(needle)),
            "no case for {needle}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sites.jsonl");
    let lines: Vec<String> = cases
        .iter()
        .map(|c| json!({"events": [event_with(c)]}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    for strict in [false, true] {
        let mut cmd = tcodec_interop();
        cmd.args([
            "check",
            "-n",
            "default",
            "--format",
            "json",
            "--input-format",
            "jsonl",
        ]);
        if strict {
            cmd.arg("--strict");
        }
        let out = cmd.arg(&input).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["payloads"], cases.len());
        let by_line = |list: &str| -> BTreeMap<u64, Vec<(String, String)>> {
            let mut m: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
            for f in report[list].as_array().unwrap() {
                m.entry(f["line"].as_u64().unwrap()).or_default().push((
                    f["path"].as_str().unwrap().to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                ));
            }
            m
        };
        let (violations, notices) = (by_line("violations"), by_line("notices"));
        for (i, case) in cases.iter().enumerate() {
            let line = i as u64 + 1;
            let path = json_path(case);
            let kind = kind_of(case, schema);
            let violation = match kind {
                Kind::Data => true,
                Kind::Header | Kind::MarkerData => strict,
                Kind::SearchAttribute => false,
            };
            let want = vec![(path.clone(), "plaintext".to_string())];
            let (yes, no) = if violation {
                (&violations, &notices)
            } else {
                (&notices, &violations)
            };
            assert_eq!(
                yes.get(&line),
                Some(&want),
                "{path} ({kind:?}, strict {strict})"
            );
            assert_eq!(no.get(&line), None, "{path} ({kind:?}, strict {strict})");
        }
    }
}

/// The same for Cloud Export objects: every payload site of a standalone activity's
/// description (heartbeat details, last failure, input, outcome, header, user metadata),
/// generated from the descriptors the walkers use.
#[test]
fn every_payload_site_of_an_exported_activity_is_checked() {
    let schema = Schema::temporal();
    let root = tcodec::document::export::EXPORTED_EXECUTIONS;
    let cases: Vec<_> = cases(schema, root)
        .into_iter()
        .filter(|c| c.first().is_some_and(|(_, s)| s.field == "activities"))
        .collect();
    let paths: Vec<String> = cases.iter().map(|c| json_path_from("", c)).collect();
    for needle in [
        "activities[0].activity.info.heartbeatDetails.payloads[0]",
        "activities[0].activity.info.lastFailure.",
        "activities[0].activity.input.payloads[0]",
        "activities[0].activity.outcome.",
    ] {
        assert!(
            paths.iter().any(|p| p.starts_with(needle)),
            "no case for {needle}: {paths:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("exports.jsonl");
    let lines: Vec<String> = cases.iter().map(|c| object_with(c).to_string()).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = tcodec_interop()
        .args([
            "check",
            "-n",
            "default",
            "--strict",
            "--format",
            "json",
            "--input-format",
            "jsonl",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, case) in cases.iter().enumerate() {
        let line = i as u64 + 1;
        let path = json_path_from("", case);
        let kind = kind_of(case, schema);
        let findings = if kind == Kind::SearchAttribute {
            "notices"
        } else {
            "violations"
        };
        let found: Vec<&str> = report[findings]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["line"] == line)
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(found, [path.as_str()], "line {line} ({kind:?})");
    }
}
