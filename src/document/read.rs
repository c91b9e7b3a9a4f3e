//! Reading documents: format and kind detection, JSON (one document, a stream, lines),
//! binary protobuf, plain values; every error located.

use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::{payload_body, schema};
use crate::error::{Error, Location, Result};
use crate::payload::{self, Payload, Payloads};
use prost::Message as _;

use super::model::*;

/// The format of `bytes` read from `name`: the forced one, or detected.
pub fn resolve_format(bytes: &[u8], name: &str, options: ReadOptions) -> Result<OutputFormat> {
    match options.format {
        InputFormat::Auto => detect(bytes, &Location::file(name), options),
        InputFormat::Json => Ok(OutputFormat::Json),
        InputFormat::Jsonl => Ok(OutputFormat::Jsonl),
        InputFormat::Proto => Ok(OutputFormat::Proto),
    }
}

/// Parses all of `bytes` (read from `name`, in `format`), calling `each` with every
/// document in order.
pub fn parse_each(
    bytes: &[u8],
    name: &str,
    format: OutputFormat,
    options: ReadOptions,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    let top = Location::file(name);
    match format {
        OutputFormat::Proto if options.from_values => Err(Error::Usage(
            "--from-values reads JSON values, not protobuf".into(),
        )),
        OutputFormat::Proto if options.doc_type == DocType::Export => {
            super::executions::each_binary(bytes, &top, each)
        }
        OutputFormat::Proto => each(parse_proto(bytes, &top, options.doc_type)?),
        OutputFormat::Json => {
            // A plain {"payloads": [...]} file: the typed reader, without a JSON tree.
            let plain = !options.from_values
                && !options.from_readable
                && matches!(options.doc_type, DocType::Auto | DocType::Payloads);
            if let Some(payloads) = plain.then(|| payload_body::payloads(bytes)).flatten() {
                return each(Document::Payloads(PayloadDocument {
                    shape: Shape::Body,
                    payloads,
                    location: top,
                }));
            }
            let value = parse_json_value(bytes, &top)?;
            each_execution_or(document_from_value(value, top, options)?, each)
        }
        OutputFormat::Jsonl => parse_json_stream(bytes, &top, options, &mut each),
    }
}

/// An export object's executions one by one (see [`super::executions`]); any other
/// document as it is.
fn each_execution_or(doc: Document, mut each: impl FnMut(Document) -> Result<()>) -> Result<()> {
    match doc {
        Document::Tree(tree)
            if matches!(
                tree.message,
                super::export::EXPORTED_EXECUTIONS | super::export::WORKFLOW_EXECUTIONS
            ) =>
        {
            super::executions::each_json(tree.value, &tree.location, each)
        }
        doc => each(doc),
    }
}

/// Parses `bytes` into its format and list of documents (see [`parse_each`]).
pub fn parse(
    bytes: &[u8],
    name: &str,
    options: ReadOptions,
) -> Result<(OutputFormat, Vec<Document>)> {
    let format = resolve_format(bytes, name, options)?;
    let mut documents = Vec::new();
    parse_each(bytes, name, format, options, |d| {
        documents.push(d);
        Ok(())
    })?;
    Ok((format, documents))
}

/// Reads JSON lines from `reader` one line at a time (constant memory in the number of
/// lines), calling `each` with every non-blank line and its location.
pub fn for_each_line(
    reader: impl std::io::BufRead,
    name: &str,
    mut each: impl FnMut(&[u8], Location) -> Result<()>,
) -> Result<()> {
    let top = Location::file(name);
    for (index, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| Error::io("cannot read", name, e))?;
        if !line.trim_ascii().is_empty() {
            each(&line, top.at_line(index + 1))?;
        }
    }
    Ok(())
}

/// Parses one JSON line (see [`for_each_line`]) into a document.
pub fn parse_line(line: &[u8], at: Location, options: ReadOptions) -> Result<Document> {
    let value = parse_json_value(line, &at)?;
    stream_document(value, at, options)
}

/// One value of a JSON-lines stream as its document: an export's execution line as that
/// execution (located as it was), anything else as [`document_from_value`] reads it.
fn stream_document(value: Value, at: Location, options: ReadOptions) -> Result<Document> {
    let value = if matches!(options.doc_type, DocType::Export | DocType::Auto) {
        match super::executions::from_line(value, &at)? {
            Ok(doc) => return Ok(doc),
            Err(value) => value,
        }
    } else {
        value
    };
    // A whole export object on one line is walked as one document (its sites found by
    // the schema, located `activities[0]...`), not split into executions.
    document_from_value(value, at, options)
}

/// Reads JSON lines from `reader` one line at a time, calling `each` with every document.
pub fn parse_lines(
    reader: impl std::io::BufRead,
    name: &str,
    options: ReadOptions,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    for_each_line(reader, name, |line, at| {
        each(parse_line(line, at, options)?)
    })
}

fn detect(bytes: &[u8], top: &Location, options: ReadOptions) -> Result<OutputFormat> {
    if bytes.trim_ascii().is_empty() {
        return Err(parse_error(top.clone(), "input is empty"));
    }
    // Objects and arrays, or any other complete JSON value (a wrong top-level shape gets a
    // JSON error, not a protobuf one).
    let json_start = matches!(bytes.trim_ascii_start().first(), Some(b'{' | b'['))
        || serde_json::from_slice::<IgnoredAny>(bytes).is_ok();
    if options.from_values || json_start {
        // More than one top-level value means a stream (JSON lines or concatenated JSON).
        let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
        let first_ok = matches!(stream.next(), Some(Ok(_)));
        let more = stream.next().is_some();
        if options.from_values || first_ok || !bytes.starts_with(b"\n") {
            return Ok(if first_ok && more {
                OutputFormat::Jsonl
            } else {
                OutputFormat::Json
            });
        }
        // A protobuf Payloads starts with byte 0x0a, which is also a JSON newline:
        // when the JSON reading fails, fall through to protobuf.
        if parse_proto(bytes, top, options.doc_type).is_err() {
            return Ok(OutputFormat::Json);
        }
    }
    // Text is never reported as a protobuf error: read it as JSON, whose error says where
    // the text stops being JSON.
    if looks_like_text(bytes) {
        return Ok(OutputFormat::Json);
    }
    Ok(OutputFormat::Proto)
}

/// UTF-8 with no control characters but whitespace: a text file, not protobuf (whose
/// tags and lengths are mostly control bytes).
fn looks_like_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|t| {
        t.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
    })
}

/// Rewrites every payload site of a readable document (`decode --readable`) into its
/// stored proto3 JSON form, in place.
fn stored_from_readable(value: &mut Value, doc_type: DocType, location: &Location) -> Result<()> {
    let message = doc_type.message().unwrap_or(match value {
        Value::Object(o) if o.is_empty() || o.contains_key("payloads") => schema::PAYLOADS,
        _ => schema::PAYLOAD,
    });
    for site in crate::document::tree::collect_root(value, message, location.clone()) {
        let stored = crate::document::readable::payload_from_readable(site.value)
            .map_err(|e| parse_error(site.location.clone(), format!("readable payload: {e}")))?;
        *site.value = payload::payload_to_json(&stored);
    }
    Ok(())
}

fn parse_error(location: Location, message: impl Into<String>) -> Error {
    Error::Parse {
        location,
        message: message.into(),
    }
}

fn json_syntax_error(at: &Location, e: &serde_json::Error) -> Error {
    json_syntax_error_from(at, e, 0)
}

/// [`json_syntax_error`] for a document that starts `column_offset` characters into its
/// first line (several JSON documents on one line).
fn json_syntax_error_from(at: &Location, e: &serde_json::Error, column_offset: usize) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Io => "unreadable JSON",
        _ => "invalid JSON",
    };
    // serde_json's message ends with " at line L column C"; keep only the cause.
    let text = e.to_string();
    let cause = text.split(" at line ").next().unwrap_or(&text);
    let column = if e.line() == 1 {
        e.column() + column_offset
    } else {
        e.column()
    };
    let position = if at.line.is_some() {
        format!("column {column}")
    } else {
        format!("line {}, column {column}", e.line())
    };
    parse_error(at.join(&position), format!("{what}: {cause}"))
}

fn parse_json_value(bytes: &[u8], at: &Location) -> Result<Value> {
    crate::document::strict_json::check_no_duplicate_keys(bytes)
        .map_err(|e| json_syntax_error(at, &e))?;
    serde_json::from_slice(bytes).map_err(|e| json_syntax_error(at, &e))
}

fn parse_json_stream(
    bytes: &[u8],
    top: &Location,
    options: ReadOptions,
    each: &mut impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    let mut line = 1;
    let mut counted = 0;
    loop {
        let start = stream.byte_offset();
        let Some(next) = stream.next() else { break };
        let value = next.map_err(|e| json_syntax_error(top, &e))?;
        let skipped = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let begin = start + skipped;
        line += bytes[counted..begin]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = begin;
        // Each document refuses repeated keys, as a whole-file document does.
        let at = top.at_line(line);
        let line_start = bytes[..begin]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
        crate::document::strict_json::check_no_duplicate_keys(&bytes[begin..stream.byte_offset()])
            .map_err(|e| json_syntax_error_from(&at, &e, begin - line_start))?;
        each(stream_document(value, at, options)?)?;
    }
    Ok(())
}

/// What a JSON document is, from its fields.
fn detect_type(value: &Value) -> DocType {
    let is_event = |v: &Value| {
        v.as_object().is_some_and(|o| {
            o.contains_key("eventId") || o.contains_key("eventType") || o.contains_key("event_id")
        })
    };
    match value {
        Value::Object(o) if o.contains_key("events") => DocType::History,
        Value::Object(o) if o.contains_key("history") || o.contains_key("rawHistory") => {
            DocType::Response
        }
        Value::Object(o)
            if o.contains_key("workflows")
                || o.contains_key("activities")
                || o.contains_key("items") =>
        {
            DocType::Export
        }
        Value::Object(o) if o.contains_key("header") && o.contains_key("body") => DocType::Archive,
        v if is_event(v) => DocType::Event,
        Value::Array(items) if items.first().is_some_and(is_event) => DocType::Events,
        Value::Array(items)
            if items
                .first()
                .is_some_and(|h| h.as_object().is_some_and(|o| o.contains_key("events"))) =>
        {
            DocType::Archive
        }
        _ => DocType::Auto,
    }
}

/// Reads one JSON document as payloads, a tree, or values to convert.
pub fn document_from_value(
    mut value: Value,
    location: Location,
    options: ReadOptions,
) -> Result<Document> {
    if options.from_values {
        return Ok(Document::Payloads(values_document(&value, location)));
    }
    let doc_type = match options.doc_type {
        DocType::Auto => detect_type(&value),
        forced => forced,
    };
    if options.from_readable {
        stored_from_readable(&mut value, doc_type, &location)?;
    }
    if let Some(message) = doc_type.message() {
        // Exports and archives come in more than one shape: the message follows the value.
        let message = match (doc_type, &value) {
            (DocType::Export, Value::Object(o)) if o.contains_key("items") => {
                super::export::WORKFLOW_EXECUTIONS
            }
            (DocType::Archive, Value::Object(_)) => super::export::HISTORY_BLOB,
            _ => message,
        };
        let shape_ok = match doc_type {
            DocType::Events => value.is_array(),
            DocType::Archive => true,
            _ => value.is_object(),
        };
        if !shape_ok {
            return Err(parse_error(
                location,
                format!(
                    "expected {} for --type {doc_type:?}, found {}",
                    if value.is_array() {
                        "an object"
                    } else {
                        "an array"
                    },
                    payload::kind(&value)
                )
                .to_lowercase(),
            ));
        }
        if doc_type == DocType::Archive {
            super::export::archive_shape(&value, &location)?;
        }
        if let Some(e) = crate::document::tree::repeated_field(&value, message, &location) {
            return Err(e);
        }
        return Ok(Document::Tree(TreeDocument {
            message,
            value,
            location,
            part: None,
        }));
    }
    let (shape, payloads) = match (&value, doc_type) {
        (Value::Array(items), DocType::Auto | DocType::Payloads) => (Shape::Array, payload_list(items, &location, "")?),
        (Value::Object(object), DocType::Payloads) => (Shape::Body, body_payloads(object, &location)?),
        (Value::Object(object), DocType::Auto) if object.is_empty() || object.contains_key("payloads") => {
            (Shape::Body, body_payloads(object, &location)?)
        }
        (Value::Object(_), DocType::Auto | DocType::Payload) => {
            let p = payload::payload_from_json(&value).map_err(|e| json_error(&location, "", e))?;
            (Shape::Single, vec![p])
        }
        (other, _) => {
            return Err(parse_error(
                location,
                format!(
                    "expected a Payload object, an array of Payloads, {{\"payloads\": [...]}} or a history, found {}",
                    payload::kind(other)
                ),
            ))
        }
    };
    Ok(Document::Payloads(PayloadDocument {
        shape,
        payloads,
        location,
    }))
}

fn values_document(value: &Value, location: Location) -> PayloadDocument {
    match value {
        Value::Array(items) => PayloadDocument {
            shape: Shape::Array,
            payloads: items.iter().map(payload::from_value).collect(),
            location,
        },
        other => PayloadDocument {
            shape: Shape::Single,
            payloads: vec![payload::from_value(other)],
            location,
        },
    }
}

fn body_payloads(object: &Map<String, Value>, location: &Location) -> Result<Vec<Payload>> {
    if let Some(extra) = object.keys().find(|k| *k != "payloads") {
        return Err(parse_error(
            location.join(extra),
            "unknown field in a Payloads body (expected only \"payloads\")",
        ));
    }
    match object.get("payloads") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => payload_list(items, location, "payloads"),
        Some(other) => Err(parse_error(
            location.join("payloads"),
            format!(
                "expected an array of Payloads, found {}",
                payload::kind(other)
            ),
        )),
    }
}

fn payload_list(items: &[Value], location: &Location, field: &str) -> Result<Vec<Payload>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{field}[{i}]");
            payload::payload_from_json(item).map_err(|e| json_error(location, &here, e))
        })
        .collect()
}

fn json_error(location: &Location, payload_path: &str, e: payload::JsonError) -> Error {
    let mut at = location.clone();
    if !payload_path.is_empty() {
        at = at.join(payload_path);
    }
    if !e.path.is_empty() {
        at = at.join(&e.path);
    }
    parse_error(at, e.message)
}

fn parse_proto(bytes: &[u8], top: &Location, doc_type: DocType) -> Result<Document> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        parse_error(
            top.clone(),
            format!(
                "not a binary protobuf {what} ({e}); say what it is with --type (a Cloud Export object: --type export; a binary history: --type history) or --input-format"
            ),
        )
    };
    if let Some(message) = doc_type.message() {
        let value =
            crate::document::proto::to_json(message, bytes).map_err(|e| fail(message, &e))?;
        return Ok(Document::Tree(TreeDocument {
            message,
            value,
            location: top.clone(),
            part: None,
        }));
    }
    let single = match doc_type {
        DocType::Payload => true,
        DocType::Payloads => false,
        _ => looks_like_single_payload(bytes),
    };
    let (shape, payloads) = if single {
        let p = payload::from_proto(bytes).map_err(|e| fail("Payload", &e))?;
        (Shape::Single, vec![p])
    } else {
        let list = Payloads::decode(bytes).map_err(|e| {
            // A binary history is not a Payloads: say how to read it.
            let history = crate::document::proto::to_json("temporal.api.history.v1.History", bytes);
            if doc_type == DocType::Auto
                && history.is_ok_and(|h| h.get("events").is_some_and(|e| e.is_array()))
            {
                parse_error(
                    top.clone(),
                    "this is a binary protobuf history, not a payload list: pass --type history",
                )
            } else {
                fail("Payloads", &e)
            }
        })?;
        (Shape::Body, list.payloads)
    };
    Ok(Document::Payloads(PayloadDocument {
        shape,
        payloads,
        location: top.clone(),
    }))
}

/// Tells a serialized `Payload` from a `Payloads`. Both begin with field 1; a Payload's
/// field 1 is a metadata map entry whose key is printable text, while a Payloads' field 1
/// is a nested Payload. Any top-level field other than 1 (data, external payloads) also
/// means a single Payload.
fn looks_like_single_payload(mut bytes: &[u8]) -> bool {
    let mut first_entry: Option<&[u8]> = None;
    while !bytes.is_empty() {
        let Ok(tag) = prost::encoding::decode_varint(&mut bytes) else {
            return false;
        };
        if tag >> 3 != 1 {
            return true;
        }
        if tag & 7 != 2 {
            return false;
        }
        let Ok(len) = prost::encoding::decode_varint(&mut bytes) else {
            return false;
        };
        let Ok(len) = usize::try_from(len) else {
            return false;
        };
        if len > bytes.len() {
            return false;
        }
        first_entry.get_or_insert(&bytes[..len]);
        bytes = &bytes[len..];
    }
    first_entry.is_some_and(is_map_entry_with_printable_key)
}

fn is_map_entry_with_printable_key(mut entry: &[u8]) -> bool {
    if entry.first() != Some(&0x0a) {
        return false;
    }
    entry = &entry[1..];
    let Ok(len) = prost::encoding::decode_varint(&mut entry) else {
        return false;
    };
    let Some(key) = usize::try_from(len).ok().and_then(|l| entry.get(..l)) else {
        return false;
    };
    std::str::from_utf8(key).is_ok_and(|k| !k.chars().any(char::is_control))
}

/// The general reader (the DOM: a JSON tree, then the payloads in it): every shape the
/// CLI accepts as a body, and the exact error for anything wrong. The reference the fast
/// readers are tested and fuzzed against. The error is the one line a client is told.
pub fn read_body(body: &[u8]) -> Result<Vec<Payload>, String> {
    let bad = |why: String| why;
    if body.trim_ascii().is_empty() {
        return Err(bad("empty body: expected {\"payloads\": [...]}".into()));
    }
    super::strict_json::check_no_duplicate_keys(body)
        .map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(bad(format!(
            "expected {{\"payloads\": [...]}}, found {}",
            payload::kind(&value)
        )));
    }
    let options = ReadOptions {
        doc_type: DocType::Payloads,
        ..Default::default()
    };
    let doc = document_from_value(value, Location::file("body"), options)
        .map_err(|e| bad(strip_location(&e.to_string())))?;
    match doc {
        Document::Payloads(doc) => Ok(doc.payloads),
        Document::Tree(_) => Err(bad("expected {\"payloads\": [...]}".into())),
    }
}

/// `malformed input: body: payloads[0]: ...` → `payloads[0]: ...`.
fn strip_location(message: &str) -> String {
    message
        .strip_prefix("malformed input: body: ")
        .or_else(|| message.strip_prefix("malformed input: body"))
        .unwrap_or(message)
        .trim_start_matches(": ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::render::render;

    fn read(text: &[u8]) -> (OutputFormat, Vec<Document>) {
        parse(text, "in", ReadOptions::default()).unwrap()
    }

    fn payload_doc(doc: &Document) -> &PayloadDocument {
        match doc {
            Document::Payloads(d) => d,
            Document::Tree(t) => panic!("expected payloads, got a {} tree", t.message),
        }
    }

    fn shape(text: &[u8]) -> Shape {
        payload_doc(&read(text).1[0]).shape
    }

    fn err(text: &[u8]) -> String {
        parse(text, "in", ReadOptions::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn detects_each_json_shape() {
        let p = br#"{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"MQ=="}"#;
        assert_eq!(shape(p), Shape::Single);
        let arr = [b"[".as_slice(), p, b"]"].concat();
        assert_eq!(shape(&arr), Shape::Array);
        let body = [b"{\"payloads\":[".as_slice(), p, b"]}"].concat();
        assert_eq!(shape(&body), Shape::Body);
        let lines = [p.as_slice(), b"\n\n", &body, b"\n"].concat();
        let (format, docs) = read(&lines);
        assert_eq!(format, OutputFormat::Jsonl);
        assert_eq!(payload_doc(&docs[1]).location.to_string(), "in: line 3");
        assert_eq!(payload_doc(&read(b"{}").1[0]).payloads.len(), 0);
    }

    #[test]
    fn detects_history_kinds() {
        let kinds = [
            (&b"{\"events\": []}"[..], schema::HISTORY),
            (
                b"{\"history\": {\"events\": []}, \"nextPageToken\": null}",
                schema::HISTORY_RESPONSE,
            ),
            (
                b"{\"eventId\": \"1\", \"eventType\": \"EVENT_TYPE_TIMER_FIRED\"}",
                schema::HISTORY_EVENT,
            ),
            (b"[{\"eventId\": \"1\"}]", schema::HISTORY_EVENT),
        ];
        for (text, message) in kinds {
            match &read(text).1[0] {
                Document::Tree(t) => assert_eq!(t.message, message),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn detects_binary_payload_vs_payloads() {
        let p = payload::with_encoding("json/plain", b"1".to_vec());
        let single = payload::to_proto(&p);
        let list = Payloads {
            payloads: vec![p.clone(), p.clone()],
        }
        .encode_to_vec();
        let meta_only = payload::to_proto(&payload::with_encoding("binary/null", vec![]));
        assert_eq!(shape(&single), Shape::Single);
        assert_eq!(shape(&meta_only), Shape::Single);
        let (format, docs) = read(&list);
        assert_eq!(format, OutputFormat::Proto);
        assert_eq!(payload_doc(&docs[0]).shape, Shape::Body);
        assert_eq!(payload_doc(&docs[0]).payloads, vec![p.clone(), p]);
    }

    #[test]
    fn errors_carry_locations() {
        assert_eq!(
            err(b"{\"payloads\": [{\"data\": \"%\"}]}"),
            "malformed input: in: payloads[0].data: invalid base64 (Invalid symbol 37, offset 0.)"
        );
        assert_eq!(
            err(b"{\"payloads\": [1]}"),
            "malformed input: in: payloads[0]: expected a Payload object, found a number"
        );
        assert_eq!(
            err(b"{\"payloads\": [{}"),
            "malformed input: in: line 1, column 16: truncated JSON: EOF while parsing a list"
        );
        assert_eq!(err(b"  \n"), "malformed input: in: input is empty");
        assert_eq!(
            err(b"[{}]\n[7]\n"),
            "malformed input: in: line 2: [0]: expected a Payload object, found a number"
        );
    }

    #[test]
    fn json_lines_read_a_line_at_a_time() {
        let text = b"{\"data\": \"MQ==\"}\n\n{\"payloads\": [{\"data\": 5}]}\n";
        let mut seen = 0;
        let e = parse_lines(&text[..], "s", ReadOptions::default(), |_| {
            seen += 1;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(seen, 1);
        assert_eq!(e.to_string(), "malformed input: s: line 3: payloads[0].data: expected a base64 string, found a number");
        let e =
            parse_lines(&b"{\"data\": "[..], "s", ReadOptions::default(), |_| Ok(())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed input: s: line 1: column 9: truncated JSON: EOF while parsing a value"
        );
    }

    #[test]
    fn renders_shapes_back() {
        for text in [
            &b"{\n  \"payloads\": [\n    {\n      \"data\": \"MQ==\"\n    }\n  ]\n}\n"[..],
            b"[\n  {\n    \"data\": \"MQ==\"\n  }\n]\n",
            b"{\n  \"data\": \"MQ==\"\n}\n",
        ] {
            let (_, docs) = read(text);
            assert_eq!(render(&docs, OutputFormat::Json).unwrap(), text);
        }
    }

    #[test]
    fn values_become_payload_documents() {
        let options = ReadOptions {
            from_values: true,
            ..Default::default()
        };
        let (_, docs) = parse(br#"["hello", {"a": 1}, null]"#, "v", options).unwrap();
        let doc = payload_doc(&docs[0]);
        assert_eq!(doc.shape, Shape::Array);
        assert_eq!(doc.payloads[0].data, b"\"hello\"");
        assert_eq!(doc.payloads[1].data, br#"{"a":1}"#);
        assert_eq!(
            payload::encoding(&doc.payloads[2]),
            Some(&b"binary/null"[..])
        );
        let (_, docs) = parse(b"\"x\"\n2\n", "v", options).unwrap();
        assert_eq!(docs.len(), 2);
    }
}
