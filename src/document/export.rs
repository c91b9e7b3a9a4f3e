//! The messages of exported and archived executions that the bundled Temporal API lacks,
//! defined here from their protos and added to the descriptor set, so the walkers find
//! their payload sites from the descriptors like any other message's:
//! - `temporal.api.export.v1` (api `temporal/api/export/v1/message.proto`; Cloud Export):
//!   `WorkflowExecution{History history = 1}`, `WorkflowExecutions{repeated
//!   WorkflowExecution items = 1}` (the legacy file), `ActivityExecution{
//!   DescribeActivityExecutionResponse activity = 1}`, `ExportedExecutions{repeated
//!   WorkflowExecution workflows = 1; repeated ActivityExecution activities = 2}` (field
//!   numbers confirmed on the fixtures' Cloud Export objects);
//! - `temporal.server.api.archiver.v1.HistoryBlob{repeated History body = 2}` (server
//!   `s3store` archival; its header carries no payload and is kept as it is).

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};
use serde_json::Value;

use crate::error::{Error, Location, Result};

/// A Cloud Export object.
pub const EXPORTED_EXECUTIONS: &str = "temporal.api.export.v1.ExportedExecutions";
/// The legacy Cloud Export object (`items`: the same wire as `workflows`).
pub const WORKFLOW_EXECUTIONS: &str = "temporal.api.export.v1.WorkflowExecutions";
/// One workflow of a Cloud Export object: `WorkflowExecution{History history = 1}`.
pub const WORKFLOW_EXECUTION: &str = "temporal.api.export.v1.WorkflowExecution";
/// One standalone activity of a Cloud Export object: `ActivityExecution{
/// DescribeActivityExecutionResponse activity = 1}`.
pub const ACTIVITY_EXECUTION: &str = "temporal.api.export.v1.ActivityExecution";
/// A server archival blob (s3store): `{"header": {...}, "body": [History, ...]}`.
pub const HISTORY_BLOB: &str = "temporal.server.api.archiver.v1.HistoryBlob";

fn field(
    name: &str,
    json: &str,
    number: i32,
    type_name: &str,
    repeated: bool,
) -> FieldDescriptorProto {
    FieldDescriptorProto {
        name: Some(name.into()),
        json_name: Some(json.into()),
        number: Some(number),
        label: Some(if repeated {
            Label::Repeated
        } else {
            Label::Optional
        } as i32),
        r#type: Some(Type::Message as i32),
        type_name: Some(format!(".{type_name}")),
        ..Default::default()
    }
}

fn message(name: &str, fields: Vec<FieldDescriptorProto>) -> DescriptorProto {
    DescriptorProto {
        name: Some(name.into()),
        field: fields,
        ..Default::default()
    }
}

/// The files to add to the bundled descriptor set.
pub fn files() -> Vec<FileDescriptorProto> {
    let history = "temporal.api.history.v1.History";
    let export = |name: &str| format!("temporal.api.export.v1.{name}");
    vec![
        FileDescriptorProto {
            name: Some("temporal/api/export/v1/message.proto".into()),
            package: Some("temporal.api.export.v1".into()),
            dependency: vec![
                "temporal/api/history/v1/message.proto".into(),
                "temporal/api/workflowservice/v1/request_response.proto".into(),
            ],
            message_type: vec![
                message(
                    "WorkflowExecution",
                    vec![field("history", "history", 1, history, false)],
                ),
                message(
                    "WorkflowExecutions",
                    vec![field(
                        "items",
                        "items",
                        1,
                        &export("WorkflowExecution"),
                        true,
                    )],
                ),
                message(
                    "ActivityExecution",
                    vec![field(
                        "activity",
                        "activity",
                        1,
                        "temporal.api.workflowservice.v1.DescribeActivityExecutionResponse",
                        false,
                    )],
                ),
                message(
                    "ExportedExecutions",
                    vec![
                        field(
                            "workflows",
                            "workflows",
                            1,
                            &export("WorkflowExecution"),
                            true,
                        ),
                        field(
                            "activities",
                            "activities",
                            2,
                            &export("ActivityExecution"),
                            true,
                        ),
                    ],
                ),
            ],
            syntax: Some("proto3".into()),
            ..Default::default()
        },
        FileDescriptorProto {
            name: Some("temporal/server/api/archiver/v1/message.proto".into()),
            package: Some("temporal.server.api.archiver.v1".into()),
            dependency: vec!["temporal/api/history/v1/message.proto".into()],
            message_type: vec![message(
                "HistoryBlob",
                vec![field("body", "body", 2, history, true)],
            )],
            syntax: Some("proto3".into()),
            ..Default::default()
        },
    ]
}

/// An archive holds histories only: a JSON array of `History`, or a `HistoryBlob` whose
/// `body` is one. Anything else in it (a payload among histories, a blob without `body`) is
/// refused at its place, not passed through untouched.
pub fn archive_shape(value: &Value, location: &Location) -> Result<()> {
    let (histories, at) = match value {
        Value::Array(items) => (items, location.clone()),
        Value::Object(blob) => match blob.get("body") {
            Some(Value::Array(items)) => (items, location.join("body")),
            Some(other) => {
                return Err(Error::Parse {
                    location: location.join("body"),
                    message: format!(
                        "expected an array of histories in a HistoryBlob, found {}",
                        crate::payload::kind(other)
                    ),
                })
            }
            None => {
                return Err(Error::Parse {
                    location: location.clone(),
                    message: "a HistoryBlob without \"body\": expected {\"header\": {...}, \"body\": [History, ...]}".into(),
                })
            }
        },
        _ => return Ok(()),
    };
    for (i, item) in histories.iter().enumerate() {
        if !item.as_object().is_some_and(|o| o.contains_key("events")) {
            return Err(Error::Parse {
                location: at.join(&format!("[{i}]")),
                message: format!(
                    "expected a History ({{\"events\": [...]}}) in an archive, found {}",
                    if item
                        .as_object()
                        .is_some_and(|o| o.contains_key("metadata") || o.contains_key("data"))
                    {
                        "a Payload".to_string()
                    } else {
                        crate::payload::kind(item).to_string()
                    }
                ),
            });
        }
    }
    Ok(())
}
