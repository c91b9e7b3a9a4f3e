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

/// A Cloud Export object.
pub const EXPORTED_EXECUTIONS: &str = "temporal.api.export.v1.ExportedExecutions";
/// The legacy Cloud Export object (`items`: the same wire as `workflows`).
pub const WORKFLOW_EXECUTIONS: &str = "temporal.api.export.v1.WorkflowExecutions";
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
