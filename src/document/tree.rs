//! The schema-guided walk over a proto3 JSON tree: finds every payload site, runs the
//! pipeline over all of them at once (in parallel), and writes back only the payloads a
//! codec changed, so everything else (unknown fields, field order, numbers, enum spellings,
//! untouched payloads) stays exactly as it was.

use serde_json::Value;

use super::schema::{Cardinality, Schema, HEADER, MARKER_RECORDED, PAYLOAD, SEARCH_ATTRIBUTES};
use super::sites::map_key;
pub use super::sites::{SiteFilter, SiteKind};
use crate::codec::{Budget, Direction};
use crate::error::{Error, Location, Result};
use crate::payload;
use crate::pipeline::Pipeline;

/// One payload in the tree.
#[derive(Debug)]
pub struct Site<'a> {
    /// The payload's JSON object.
    pub value: &'a mut Value,
    /// Where it is.
    pub location: Location,
    /// What kind of place it is.
    pub kind: SiteKind,
}

/// Collects every payload site under `value`, a JSON form of `message`.
pub fn collect<'a>(value: &'a mut Value, message: &str, location: Location) -> Vec<Site<'a>> {
    let mut out = Vec::new();
    if message == PAYLOAD {
        if value.is_object() {
            out.push(Site {
                value,
                location,
                kind: SiteKind::Data,
            });
        }
        return out;
    }
    walk(
        Schema::temporal(),
        value,
        message,
        &location,
        SiteKind::Data,
        &mut out,
    );
    out
}

/// The first object under `value` (a JSON `message`, or an array of them) that gives one
/// payload field twice, by its JSON name and its proto name (`lastFailure` and
/// `last_failure`): where it is, and the error. Go's protojson refuses such an object
/// ("duplicate field"); taking either value would be a guess.
pub fn repeated_field(value: &Value, message: &str, location: &Location) -> Option<Error> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| repeated_field(item, message, &location.join(&format!("[{i}]")))),
        value => repeated_in(Schema::temporal(), value, message, location),
    }
}

fn repeated_in(
    schema: &Schema,
    value: &Value,
    message: &str,
    location: &Location,
) -> Option<Error> {
    if message == PAYLOAD {
        return None;
    }
    let Value::Object(object) = value else {
        return None;
    };
    for (key, child) in object {
        let Some(field) = schema.field(message, key) else {
            continue;
        };
        let other = if key == field.json_name {
            field.proto_name
        } else {
            field.json_name
        };
        if other != key && object.contains_key(other) {
            return Some(Error::Parse {
                location: location.clone(),
                message: format!(
                    "invalid JSON: duplicate field {:?} (given as {key:?} and {other:?})",
                    field.json_name
                ),
            });
        }
        let here = location.join(key);
        let target = field.target;
        let found = match (field.cardinality, child) {
            (Cardinality::Single, child) => repeated_in(schema, child, target, &here),
            (Cardinality::List, Value::Array(items)) => {
                items.iter().enumerate().find_map(|(i, item)| {
                    repeated_in(schema, item, target, &here.join(&format!("[{i}]")))
                })
            }
            (Cardinality::Map, Value::Object(entries)) => {
                entries.iter().find_map(|(name, item)| {
                    repeated_in(schema, item, target, &here.join(&map_key(name)))
                })
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn walk<'a>(
    schema: &Schema,
    value: &'a mut Value,
    message: &str,
    location: &Location,
    kind: SiteKind,
    out: &mut Vec<Site<'a>>,
) {
    let Value::Object(object) = value else { return };
    for (key, child) in object.iter_mut() {
        let Some(field) = schema.field(message, key) else {
            continue;
        };
        let here = location.join(key);
        let child_kind = match field.target {
            SEARCH_ATTRIBUTES => SiteKind::SearchAttribute,
            HEADER => SiteKind::Header,
            _ => kind,
        };
        let target = field.target;
        match (field.cardinality, child) {
            (Cardinality::Single, child) => visit(schema, child, target, here, child_kind, out),
            (Cardinality::List, Value::Array(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    visit(
                        schema,
                        item,
                        target,
                        here.join(&format!("[{i}]")),
                        child_kind,
                        out,
                    );
                }
            }
            (Cardinality::Map, Value::Object(entries)) => {
                for (name, item) in entries.iter_mut() {
                    let entry_kind = if message == MARKER_RECORDED && name == "data" {
                        SiteKind::MarkerData
                    } else {
                        child_kind
                    };
                    visit(
                        schema,
                        item,
                        target,
                        here.join(&map_key(name)),
                        entry_kind,
                        out,
                    );
                }
            }
            _ => {}
        }
    }
}

fn visit<'a>(
    schema: &Schema,
    value: &'a mut Value,
    target: &str,
    location: Location,
    kind: SiteKind,
    out: &mut Vec<Site<'a>>,
) {
    if target == PAYLOAD {
        if value.is_object() {
            out.push(Site {
                value,
                location,
                kind,
            });
        }
    } else {
        walk(schema, value, target, &location, kind, out);
    }
}

/// Collects every payload site of a document root: `value` is a JSON form of `message`,
/// or a JSON array of them (an array of events, a bare array of payloads).
pub fn collect_root<'a>(value: &'a mut Value, message: &str, location: Location) -> Vec<Site<'a>> {
    match value {
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .flat_map(|(i, item)| collect(item, message, location.join(&format!("[{i}]"))))
            .collect(),
        other => collect(other, message, location),
    }
}

/// Runs every payload under `value` (a JSON `message`) that `policy` includes through
/// `pipeline`, in place. Returns how many payloads a codec changed.
pub fn transform(
    value: &mut Value,
    message: &str,
    location: Location,
    pipeline: &Pipeline,
    direction: Direction,
    policy: SiteFilter,
    budget: &Budget,
) -> Result<usize> {
    let sites: Vec<Site<'_>> = collect(value, message, location)
        .into_iter()
        .filter(|s| policy.includes(s.kind))
        .collect();
    let changed = super::sites::run_sites(
        &sites,
        |site| {
            payload::payload_from_json(site.value).map_err(|e| Error::Parse {
                location: if e.path.is_empty() {
                    site.location.clone()
                } else {
                    site.location.join(&e.path)
                },
                message: e.message,
            })
        },
        |site| site.location.clone(),
        pipeline,
        direction,
        budget,
    )?;
    let mut count = 0;
    for (site, new) in sites.into_iter().zip(changed) {
        if let Some(new) = new {
            *site.value = payload::payload_to_json(&new);
            count += 1;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::schema::HISTORY;
    use serde_json::json;

    fn p(tag: &str) -> Value {
        json!({"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": tag})
    }

    #[test]
    fn finds_sites_with_kinds_and_locations() {
        let mut history = json!({"events": [
            {"eventId": "1", "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
             "workflowExecutionStartedEventAttributes": {
                "input": {"payloads": [p("AA=="), p("AQ==")]},
                "memo": {"fields": {"my key": p("Ag==")}},
                "header": {"fields": {"tracing": p("Aw==")}},
                "searchAttributes": {"indexedFields": {"CustomKeywordField": p("BA==")}},
                "futureField": {"payloads": [p("BQ==")]}}},
            {"eventId": "2", "markerRecordedEventAttributes": {"details": {"data": {"payloads": [p("Bg==")]}, "result": {"payloads": [p("Bw==")]}}}},
            {"eventId": "3", "activityTaskFailedEventAttributes": {"failure": {"cause": {"encodedAttributes": p("CA==")}}}}
        ]});
        let sites = collect(&mut history, HISTORY, Location::file("h.json"));
        let found: Vec<(String, SiteKind)> = sites
            .iter()
            .map(|s| (s.location.path.clone(), s.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                ("events[0].workflowExecutionStartedEventAttributes.input.payloads[0]".into(), SiteKind::Data),
                ("events[0].workflowExecutionStartedEventAttributes.input.payloads[1]".into(), SiteKind::Data),
                ("events[0].workflowExecutionStartedEventAttributes.memo.fields[\"my key\"]".into(), SiteKind::Data),
                ("events[0].workflowExecutionStartedEventAttributes.header.fields.tracing".into(), SiteKind::Header),
                ("events[0].workflowExecutionStartedEventAttributes.searchAttributes.indexedFields.CustomKeywordField".into(), SiteKind::SearchAttribute),
                ("events[1].markerRecordedEventAttributes.details.data.payloads[0]".into(), SiteKind::MarkerData),
                ("events[1].markerRecordedEventAttributes.details.result.payloads[0]".into(), SiteKind::Data),
                ("events[2].activityTaskFailedEventAttributes.failure.cause.encodedAttributes".into(), SiteKind::Data),
            ]
        );
    }
}
