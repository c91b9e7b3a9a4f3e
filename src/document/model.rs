//! What a document is: its input and output formats, its kind, and its payloads or tree.

use serde_json::{Map, Value};

use super::schema;
use crate::error::Location;
use crate::payload::{self, Payload};

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

/// What a document is. Auto-detection tells payload shapes and history kinds apart by
/// their JSON fields; binary protobuf is told apart only between `Payload` and `Payloads`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DocType {
    /// Detect from the content.
    #[default]
    Auto,
    /// `temporal.api.common.v1.Payload`.
    Payload,
    /// `temporal.api.common.v1.Payloads` (`{"payloads": [...]}`) or a JSON array of Payloads.
    Payloads,
    /// `temporal.api.history.v1.History` (`{"events": [...]}`).
    History,
    /// One `temporal.api.history.v1.HistoryEvent`.
    Event,
    /// A JSON array of HistoryEvents.
    Events,
    /// `GetWorkflowExecutionHistoryResponse` (`{"history": {...}, "nextPageToken": ...}`).
    Response,
    /// A Cloud Export object: `ExportedExecutions` (`{"workflows": [...], "activities":
    /// [...]}`) or the legacy `WorkflowExecutions` (`{"items": [...]}`); binary protobuf
    /// needs this type, JSON is detected.
    Export,
    /// Server archival: a JSON array of `History` (filestore, gcloud `*.history` files), or
    /// a `HistoryBlob` (`{"header": {...}, "body": [History, ...]}`, s3store). Detected.
    Archive,
}

impl DocType {
    /// The protobuf message a tree document of this type holds.
    pub fn message(self) -> Option<&'static str> {
        match self {
            DocType::History => Some(schema::HISTORY),
            DocType::Event | DocType::Events => Some(schema::HISTORY_EVENT),
            DocType::Response => Some(schema::HISTORY_RESPONSE),
            DocType::Export => Some(super::export::EXPORTED_EXECUTIONS),
            DocType::Archive => Some(schema::HISTORY),
            _ => None,
        }
    }
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

/// The shape a payload document had, kept on output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A single Payload.
    Single,
    /// A bare JSON array of Payloads.
    Array,
    /// `{"payloads": [...]}` / protobuf `Payloads`.
    Body,
}

/// A document of payloads: its shape and its payloads.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadDocument {
    /// The shape to write back.
    pub shape: Shape,
    /// The payloads, in order.
    pub payloads: Vec<Payload>,
    /// Where the document starts, for error messages.
    pub location: Location,
}

impl PayloadDocument {
    /// The location of payload `index` within this document.
    pub fn payload_location(&self, index: usize) -> Location {
        match self.shape {
            Shape::Single => self.location.clone(),
            Shape::Array => self.location.join(&format!("[{index}]")),
            Shape::Body => self.location.join(&format!("payloads[{index}]")),
        }
    }
}

/// Where an execution sits in its export object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionPart {
    /// The repeated field that holds it: `workflows`, `items` (the legacy object) or
    /// `activities`.
    pub field: &'static str,
    /// Its index in that field.
    pub index: usize,
}

impl ExecutionPart {
    /// `workflow` or `activity`.
    pub fn kind(&self) -> &'static str {
        if self.field == ACTIVITIES {
            "activity"
        } else {
            "workflow"
        }
    }

    /// The field's number in the object (`workflows` and `items` are both 1).
    pub fn number(&self) -> u64 {
        if self.field == ACTIVITIES {
            2
        } else {
            1
        }
    }

    /// The message of one execution in this field.
    pub fn message(&self) -> &'static str {
        if self.field == ACTIVITIES {
            super::export::ACTIVITY_EXECUTION
        } else {
            super::export::WORKFLOW_EXECUTION
        }
    }
}

/// The fields of an export object that hold executions.
pub const WORKFLOWS: &str = "workflows";
/// The legacy object's field (the same wire as `workflows`).
pub const ITEMS: &str = "items";
/// Standalone activities.
pub const ACTIVITIES: &str = "activities";

/// A Temporal API document (history, event, events, history response) kept as its JSON
/// tree, so that everything but the payloads is written back exactly as read.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeDocument {
    /// The message type of the root (of each element, for an array of events).
    pub message: &'static str,
    /// The proto3 JSON tree.
    pub value: Value,
    /// Where the document starts.
    pub location: Location,
    /// For one execution of an export object: where it sits there.
    pub part: Option<ExecutionPart>,
}

/// One input document.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// Payloads in one of the payload shapes.
    Payloads(PayloadDocument),
    /// A history or another API message holding payloads.
    Tree(TreeDocument),
}

impl Document {
    /// The document as a JSON tree of its message type, for site-by-site work (readable
    /// output, checks): payload shapes become a Payload, a `Payloads` body, or an array of
    /// Payloads.
    pub fn into_tree(self) -> TreeDocument {
        match self {
            Document::Tree(tree) => tree,
            Document::Payloads(doc) => TreeDocument {
                message: if doc.shape == Shape::Body {
                    schema::PAYLOADS
                } else {
                    schema::PAYLOAD
                },
                value: payload_document_to_value(&doc),
                location: doc.location,
                part: None,
            },
        }
    }
}

/// How to read an input.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// The encoding, or auto-detection.
    pub format: InputFormat,
    /// What the document is, or auto-detection.
    pub doc_type: DocType,
    /// Treat JSON as plain values to convert (encode only).
    pub from_values: bool,
    /// Payloads are in the readable form of `decode --readable` (encode only).
    pub from_readable: bool,
}

/// The proto3 JSON value of a payload document in its shape.
pub fn payload_document_to_value(doc: &PayloadDocument) -> Value {
    let list = || {
        // Large payloads are base64-encoded on all cores.
        let bytes: usize = doc.payloads.iter().map(|p| p.data.len()).sum();
        if doc.payloads.len() > 1 && bytes >= 1 << 20 {
            use rayon::prelude::*;
            Value::Array(
                doc.payloads
                    .par_iter()
                    .map(payload::payload_to_json)
                    .collect(),
            )
        } else {
            Value::Array(doc.payloads.iter().map(payload::payload_to_json).collect())
        }
    };
    match (doc.shape, doc.payloads.as_slice()) {
        (Shape::Single, [one]) => payload::payload_to_json(one),
        (Shape::Array, _) => list(),
        _ => {
            let mut o = Map::new();
            o.insert("payloads".into(), list());
            Value::Object(o)
        }
    }
}
