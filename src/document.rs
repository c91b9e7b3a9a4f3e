//! Payload documents: the shapes payloads arrive in, their detection, and their output.
//!
//! Shapes: one Payload object; a JSON array of Payloads; the codec-server body
//! `{"payloads": [...]}`; JSON lines (or a concatenated stream) of any of those; binary
//! protobuf `Payload` or `Payloads`; and, for `--from-values`, plain JSON values that the
//! default converter turns into payloads. An empty object `{}` is read as an empty
//! `{"payloads": []}` body, as the Go remote codec client sends it.

use serde_json::{Map, Value};

use crate::error::{Error, Location, Result};
use crate::payload::{self, Payload, Payloads};
use prost::Message as _;

/// How the input is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InputFormat {
    /// Detect JSON, JSON lines or binary protobuf.
    #[default]
    Auto,
    /// One JSON document.
    Json,
    /// One JSON document per line.
    Jsonl,
    /// Binary protobuf `Payload` or `Payloads`.
    Proto,
}

/// Which message a binary protobuf input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ProtoType {
    /// Tell `Payload` from `Payloads` by their field layout.
    #[default]
    Auto,
    /// `temporal.api.common.v1.Payload`.
    Payload,
    /// `temporal.api.common.v1.Payloads`.
    Payloads,
}

/// How the output is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Indented proto3 JSON (2 spaces, as `temporal ... --output json` prints).
    Json,
    /// One compact JSON document per line.
    Jsonl,
    /// Binary protobuf.
    Proto,
}

/// The shape a document had, kept on output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A single Payload.
    Single,
    /// A bare JSON array of Payloads.
    Array,
    /// `{"payloads": [...]}` / protobuf `Payloads`.
    Body,
}

/// One document: its shape and its payloads.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The shape to write back.
    pub shape: Shape,
    /// The payloads, in order.
    pub payloads: Vec<Payload>,
    /// Where the document starts, for error messages (`line 4` in JSON lines).
    pub location: Location,
}

impl Document {
    /// The location of payload `index` within this document.
    pub fn payload_location(&self, index: usize) -> Location {
        match self.shape {
            Shape::Single => self.location.clone(),
            Shape::Array => self.location.join(&format!("[{index}]")),
            Shape::Body => self.location.join(&format!("payloads[{index}]")),
        }
    }
}

/// A parsed input: the documents and the format they came in.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The detected (or forced) format, the default for output.
    pub format: OutputFormat,
    /// The documents in order.
    pub documents: Vec<Document>,
}

/// How to read an input.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// The encoding, or auto-detection.
    pub format: InputFormat,
    /// For protobuf: `Payload` or `Payloads`.
    pub proto_type: ProtoType,
    /// Treat JSON as plain values to convert (encode only).
    pub from_values: bool,
}

/// Parses `bytes` read from `name`.
pub fn parse(bytes: &[u8], name: &str, options: ReadOptions) -> Result<Input> {
    let top = Location::file(name);
    let format = match options.format {
        InputFormat::Auto => detect(bytes, &top, options.from_values)?,
        InputFormat::Json => OutputFormat::Json,
        InputFormat::Jsonl => OutputFormat::Jsonl,
        InputFormat::Proto => OutputFormat::Proto,
    };
    let documents = match format {
        OutputFormat::Proto if options.from_values => {
            return Err(Error::Usage(
                "--from-values reads JSON values, not protobuf".into(),
            ))
        }
        OutputFormat::Proto => vec![parse_proto(bytes, &top, options.proto_type)?],
        OutputFormat::Json => {
            let value = parse_json_value(bytes, &top)?;
            vec![document_from_value(&value, top, options.from_values)?]
        }
        OutputFormat::Jsonl => parse_json_stream(bytes, &top, options.from_values)?,
    };
    Ok(Input { format, documents })
}

fn detect(bytes: &[u8], top: &Location, from_values: bool) -> Result<OutputFormat> {
    if bytes.trim_ascii().is_empty() {
        return Err(parse_error(top.clone(), "input is empty"));
    }
    let json_start = matches!(bytes.trim_ascii_start().first(), Some(b'{' | b'['));
    if from_values || json_start {
        // More than one top-level value means a stream (JSON lines or concatenated JSON).
        let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
        let first_ok = matches!(stream.next(), Some(Ok(_)));
        let more = stream.next().is_some();
        if from_values || first_ok || !bytes.starts_with(b"\n") {
            return Ok(if first_ok && more {
                OutputFormat::Jsonl
            } else {
                OutputFormat::Json
            });
        }
        // A protobuf Payloads starts with byte 0x0a, which is also a JSON newline:
        // when the JSON reading fails, fall through to protobuf.
        if parse_proto(bytes, top, ProtoType::Auto).is_err() {
            return Ok(OutputFormat::Json);
        }
    }
    Ok(OutputFormat::Proto)
}

fn parse_error(location: Location, message: impl Into<String>) -> Error {
    Error::Parse {
        location,
        message: message.into(),
    }
}

fn json_syntax_error(top: &Location, e: &serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        serde_json::error::Category::Io => "unreadable JSON",
        _ => "invalid JSON",
    };
    // serde_json's message ends with " at line L column C"; keep only the cause.
    let text = e.to_string();
    let cause = text.split(" at line ").next().unwrap_or(&text);
    parse_error(
        top.join(&format!("line {}, column {}", e.line(), e.column())),
        format!("{what}: {cause}"),
    )
}

fn parse_json_value(bytes: &[u8], top: &Location) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| json_syntax_error(top, &e))
}

fn parse_json_stream(bytes: &[u8], top: &Location, from_values: bool) -> Result<Vec<Document>> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    let mut documents = Vec::new();
    loop {
        let start = stream.byte_offset();
        let Some(next) = stream.next() else { break };
        let value = next.map_err(|e| json_syntax_error(top, &e))?;
        let skipped = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace());
        let begin = start + skipped.count();
        let line = bytes[..begin].iter().filter(|&&b| b == b'\n').count() + 1;
        let location = top.at_line(line);
        documents.push(document_from_value(&value, location, from_values)?);
    }
    Ok(documents)
}

/// Reads one JSON document as payloads (or as values to convert).
pub fn document_from_value(
    value: &Value,
    location: Location,
    from_values: bool,
) -> Result<Document> {
    if from_values {
        return Ok(match value {
            Value::Array(items) => Document {
                shape: Shape::Array,
                payloads: items.iter().map(payload::from_value).collect(),
                location,
            },
            other => Document {
                shape: Shape::Single,
                payloads: vec![payload::from_value(other)],
                location,
            },
        });
    }
    let (shape, payloads) = match value {
        Value::Array(items) => (Shape::Array, payload_list(items, &location, "")?),
        Value::Object(object) if object.is_empty() || object.contains_key("payloads") => {
            (Shape::Body, body_payloads(object, &location)?)
        }
        Value::Object(_) => {
            let p = payload::payload_from_json(value).map_err(|e| json_error(&location, "", e))?;
            (Shape::Single, vec![p])
        }
        other => {
            return Err(parse_error(
                location,
                format!(
                    "expected a Payload object, an array of Payloads or {{\"payloads\": [...]}}, found {}",
                    payload::kind(other)
                ),
            ))
        }
    };
    Ok(Document {
        shape,
        payloads,
        location,
    })
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

fn parse_proto(bytes: &[u8], top: &Location, proto_type: ProtoType) -> Result<Document> {
    let single = match proto_type {
        ProtoType::Payload => true,
        ProtoType::Payloads => false,
        ProtoType::Auto => looks_like_single_payload(bytes),
    };
    let fail = |what: &str, e: prost::DecodeError| {
        parse_error(
            top.clone(),
            format!(
                "not a binary protobuf {what} ({e}); use --input-format/--type to say what it is"
            ),
        )
    };
    if single {
        let p = payload::from_proto(bytes).map_err(|e| fail("Payload", e))?;
        Ok(Document {
            shape: Shape::Single,
            payloads: vec![p],
            location: top.clone(),
        })
    } else {
        let list = Payloads::decode(bytes).map_err(|e| fail("Payloads", e))?;
        Ok(Document {
            shape: Shape::Body,
            payloads: list.payloads,
            location: top.clone(),
        })
    }
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

/// Renders documents in `format`. Protobuf output holds exactly one document.
pub fn render(documents: &[Document], format: OutputFormat) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        OutputFormat::Proto => {
            let [doc] = documents else {
                return Err(Error::Usage(format!(
                    "protobuf output holds one document, the input has {}; use --output-format jsonl",
                    documents.len()
                )));
            };
            match doc.shape {
                Shape::Single if doc.payloads.len() == 1 => {
                    out = payload::to_proto(&doc.payloads[0]);
                }
                _ => {
                    out = Payloads {
                        payloads: doc.payloads.clone(),
                    }
                    .encode_to_vec();
                }
            }
        }
        OutputFormat::Json | OutputFormat::Jsonl => {
            for doc in documents {
                let value = document_to_value(doc);
                let written = if format == OutputFormat::Json {
                    serde_json::to_writer_pretty(&mut out, &value)
                } else {
                    serde_json::to_writer(&mut out, &value)
                };
                // Writing a Value into a Vec cannot fail.
                written.map_err(|e| Error::Usage(e.to_string()))?;
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

/// The proto3 JSON value of a document in its shape.
pub fn document_to_value(doc: &Document) -> Value {
    let list = || Value::Array(doc.payloads.iter().map(payload::payload_to_json).collect());
    match doc.shape {
        Shape::Single if doc.payloads.len() == 1 => payload::payload_to_json(&doc.payloads[0]),
        Shape::Array => list(),
        _ => {
            let mut o = Map::new();
            o.insert("payloads".into(), list());
            Value::Object(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Input {
        parse(text, "in", ReadOptions::default()).unwrap()
    }

    fn err(text: &[u8]) -> String {
        parse(text, "in", ReadOptions::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn detects_each_json_shape() {
        let p = br#"{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"MQ=="}"#;
        assert_eq!(read(p).documents[0].shape, Shape::Single);
        let arr = [b"[".as_slice(), p, b"]"].concat();
        assert_eq!(read(&arr).documents[0].shape, Shape::Array);
        let body = [b"{\"payloads\":[".as_slice(), p, b"]}"].concat();
        let input = read(&body);
        assert_eq!(
            (input.format, input.documents[0].shape),
            (OutputFormat::Json, Shape::Body)
        );
        let lines = [p.as_slice(), b"\n", &body, b"\n"].concat();
        let input = read(&lines);
        assert_eq!(input.format, OutputFormat::Jsonl);
        assert_eq!(input.documents[1].location.to_string(), "in: line 2");
        assert_eq!(read(b"{}").documents[0].payloads.len(), 0);
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
        assert_eq!(read(&single).documents[0].shape, Shape::Single);
        assert_eq!(read(&meta_only).documents[0].shape, Shape::Single);
        let input = read(&list);
        assert_eq!(
            (input.format, input.documents[0].shape),
            (OutputFormat::Proto, Shape::Body)
        );
        assert_eq!(input.documents[0].payloads, vec![p.clone(), p]);
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
    fn renders_shapes_back() {
        for text in [
            &b"{\n  \"payloads\": [\n    {\n      \"data\": \"MQ==\"\n    }\n  ]\n}\n"[..],
            b"[\n  {\n    \"data\": \"MQ==\"\n  }\n]\n",
            b"{\n  \"data\": \"MQ==\"\n}\n",
        ] {
            let input = read(text);
            assert_eq!(render(&input.documents, OutputFormat::Json).unwrap(), text);
        }
    }

    #[test]
    fn values_become_payload_documents() {
        let options = ReadOptions {
            from_values: true,
            ..Default::default()
        };
        let input = parse(br#"["hello", {"a": 1}, null]"#, "v", options).unwrap();
        let doc = &input.documents[0];
        assert_eq!(doc.shape, Shape::Array);
        assert_eq!(doc.payloads[0].data, b"\"hello\"");
        assert_eq!(doc.payloads[1].data, br#"{"a":1}"#);
        assert_eq!(
            payload::encoding(&doc.payloads[2]),
            Some(&b"binary/null"[..])
        );
        let input = parse(b"\"x\"\n2\n", "v", options).unwrap();
        assert_eq!(input.documents.len(), 2);
    }
}
