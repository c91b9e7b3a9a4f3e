//! The messages of exported and archived executions that the bundled Temporal API lacks,
//! defined from their protos in `build/schema_gen.rs` (`export_files`) and added to the
//! descriptor set when tcodec is built, so the walkers find their payload sites from the
//! descriptors like any other message's:
//! - `temporal.api.export.v1` (api `temporal/api/export/v1/message.proto`; Cloud Export):
//!   `WorkflowExecution{History history = 1}`, `WorkflowExecutions{repeated
//!   WorkflowExecution items = 1}` (the legacy file), `ActivityExecution{
//!   DescribeActivityExecutionResponse activity = 1}`, `ExportedExecutions{repeated
//!   WorkflowExecution workflows = 1; repeated ActivityExecution activities = 2}` (field
//!   numbers confirmed on the fixtures' Cloud Export objects);
//! - `temporal.server.api.archiver.v1.HistoryBlob{repeated History body = 2}` (server
//!   `s3store` archival; its header carries no payload and is kept as it is).

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
