//! The payload-site schema, derived when tcodec is built (`build.rs` includes this file).
//!
//! For every message type of the Temporal API descriptor set, the fields through which a
//! `temporal.api.common.v1.Payload` can be reached, so the walkers never guess from shapes
//! and new event types are covered when the protos are updated (as api-go's generated
//! `proxy.VisitPayloads` is). Deriving it here rather than at start-up saves every run the
//! decoding of ~1,100 message descriptors: a third of a short `check`'s wall time. The
//! result is written out as Rust statics that `src/document/schema.rs` includes.
//!
//! Also here: the export and archive messages the bundled API lacks (added to the set
//! before the schema is derived), and the field-number paths to an execution's id.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto, FileDescriptorSet};

/// Full name of the Payload message: the leaf every site leads to.
const PAYLOAD: &str = "temporal.api.common.v1.Payload";

/// The paths from an execution to its id, by proto field name, written out as field
/// numbers (`static NAME: &[u32]`): a workflow's id is in its started event, an
/// activity's in its info.
pub const ID_PATHS: [(&str, &str, &[&str]); 2] = [
    (
        "WORKFLOW_ID_PATH",
        "temporal.api.export.v1.WorkflowExecution",
        &[
            "history",
            "events",
            "workflow_execution_started_event_attributes",
            "workflow_id",
        ],
    ),
    (
        "ACTIVITY_ID_PATH",
        "temporal.api.export.v1.ActivityExecution",
        &["activity", "info", "activity_id"],
    ),
];

/// A field through which payloads can be reached.
pub struct SiteSpec {
    json_name: String,
    proto_name: String,
    number: u32,
    /// `Single`, `List` or `Map` (the runtime `Cardinality` variant).
    cardinality: &'static str,
    target: String,
    /// The target's table; `None` for a Payload.
    target_index: Option<usize>,
}

/// The payload-bearing fields of one message.
pub struct TableSpec {
    name: String,
    fields: Vec<SiteSpec>,
}

/// The export and archive messages to add to the bundled descriptor set:
/// - `temporal.api.export.v1` (api `temporal/api/export/v1/message.proto`; Cloud Export):
///   `WorkflowExecution{History history = 1}`, `WorkflowExecutions{repeated
///   WorkflowExecution items = 1}` (the legacy file), `ActivityExecution{
///   DescribeActivityExecutionResponse activity = 1}`, `ExportedExecutions{repeated
///   WorkflowExecution workflows = 1; repeated ActivityExecution activities = 2}` (field
///   numbers confirmed on the fixtures' Cloud Export objects);
/// - `temporal.server.api.archiver.v1.HistoryBlob{repeated History body = 2}` (server
///   `s3store` archival; its header carries no payload and is kept as it is).
pub fn export_files() -> Vec<FileDescriptorProto> {
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
                    vec![field("history", 1, history, false)],
                ),
                message(
                    "WorkflowExecutions",
                    vec![field("items", 1, &export("WorkflowExecution"), true)],
                ),
                message(
                    "ActivityExecution",
                    vec![field(
                        "activity",
                        1,
                        "temporal.api.workflowservice.v1.DescribeActivityExecutionResponse",
                        false,
                    )],
                ),
                message(
                    "ExportedExecutions",
                    vec![
                        field("workflows", 1, &export("WorkflowExecution"), true),
                        field("activities", 2, &export("ActivityExecution"), true),
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
                vec![field("body", 2, history, true)],
            )],
            syntax: Some("proto3".into()),
            ..Default::default()
        },
    ]
}

/// A message-typed field named `name` (one word: its JSON name is the same).
fn field(name: &str, number: i32, type_name: &str, repeated: bool) -> FieldDescriptorProto {
    FieldDescriptorProto {
        name: Some(name.into()),
        json_name: Some(name.into()),
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

/// Every message of `set` by full name (nested ones included).
fn messages(set: &FileDescriptorSet) -> BTreeMap<String, &DescriptorProto> {
    let mut all = BTreeMap::new();
    for file in &set.file {
        for message in &file.message_type {
            index(&mut all, file.package(), message);
        }
    }
    all
}

fn index<'a>(
    all: &mut BTreeMap<String, &'a DescriptorProto>,
    prefix: &str,
    message: &'a DescriptorProto,
) {
    let name = if prefix.is_empty() {
        message.name().to_string()
    } else {
        format!("{prefix}.{}", message.name())
    };
    for nested in &message.nested_type {
        index(all, &name, nested);
    }
    all.insert(name, message);
}

/// A message-typed field, before it is known to reach a Payload.
struct Edge<'a> {
    field: &'a FieldDescriptorProto,
    cardinality: &'static str,
    target: &'a str,
}

/// The edge of message-typed field `f`: a map's entry resolved to its value type.
fn edge<'a>(
    all: &BTreeMap<String, &'a DescriptorProto>,
    f: &'a FieldDescriptorProto,
) -> Option<Edge<'a>> {
    let type_name = f.type_name().trim_start_matches('.');
    let entry = all.get(type_name)?;
    let is_map = entry.options.as_ref().is_some_and(|o| o.map_entry());
    let (cardinality, target) = if is_map {
        let value = entry.field.iter().find(|v| v.number() == 2)?;
        if value.r#type() != Type::Message {
            return None;
        }
        ("Map", value.type_name().trim_start_matches('.'))
    } else if f.label() == Label::Repeated {
        ("List", type_name)
    } else {
        ("Single", type_name)
    };
    Some(Edge {
        field: f,
        cardinality,
        target,
    })
}

/// The payload-bearing fields of every message type that can reach a Payload, in name
/// order (the output is the same on every build).
pub fn tables(set: &FileDescriptorSet) -> Vec<TableSpec> {
    let all = messages(set);
    let edges: BTreeMap<&str, Vec<Edge>> = all
        .iter()
        .map(|(name, message)| {
            let fields = message
                .field
                .iter()
                .filter(|f| f.r#type() == Type::Message)
                .filter_map(|f| edge(&all, f))
                .collect();
            (name.as_str(), fields)
        })
        .collect();
    // Fixpoint: a message reaches Payload if a field targets Payload or a reaching type.
    let mut reaching: BTreeSet<&str> = [PAYLOAD].into_iter().collect();
    loop {
        let before = reaching.len();
        for (name, fields) in &edges {
            if !reaching.contains(name) && fields.iter().any(|f| reaching.contains(f.target)) {
                reaching.insert(name);
            }
        }
        if reaching.len() == before {
            break;
        }
    }
    let kept: Vec<(&str, &Vec<Edge>)> = edges
        .iter()
        .filter(|(name, _)| **name != PAYLOAD && reaching.contains(*name))
        .map(|(name, fields)| (*name, fields))
        .collect();
    let index_of: HashMap<&str, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, i))
        .collect();
    kept.iter()
        .map(|(name, fields)| TableSpec {
            name: name.to_string(),
            fields: fields
                .iter()
                .filter(|e| reaching.contains(e.target))
                .map(|e| SiteSpec {
                    json_name: e
                        .field
                        .json_name
                        .clone()
                        .unwrap_or_else(|| camel(e.field.name())),
                    proto_name: e.field.name().to_string(),
                    number: u32::try_from(e.field.number()).unwrap_or(0),
                    cardinality: e.cardinality,
                    target: e.target.to_string(),
                    target_index: index_of.get(e.target).copied(),
                })
                .collect(),
        })
        .collect()
}

/// The field numbers of a path of proto field names from `message` (`["history",
/// "events"]` from `WorkflowExecution`: `[1, 1]`).
pub fn field_numbers(set: &FileDescriptorSet, message: &str, names: &[&str]) -> Option<Vec<u32>> {
    let all = messages(set);
    let mut message = message;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let field = all.get(message)?.field.iter().find(|f| f.name() == *name)?;
        out.push(u32::try_from(field.number()).ok()?);
        message = field.type_name().trim_start_matches('.');
    }
    Some(out)
}

/// The tables and id paths as Rust source: `static TABLES: &[(&str, &[FieldSite])]` and
/// one `static NAME: &[u32]` per path.
pub fn rust_source(tables: &[TableSpec], paths: &[(&str, Vec<u32>)]) -> String {
    let mut out = String::from(
        "// Generated by build.rs (build/schema_gen.rs) from the Temporal API descriptors.\n\
         /// Every message that can reach a Payload, with its payload-bearing fields.\n\
         static TABLES: &[(&str, &[FieldSite])] = &[\n",
    );
    for table in tables {
        out.push_str(&format!("    ({:?}, &[\n", table.name));
        for f in &table.fields {
            out.push_str(&format!(
                "        FieldSite {{ json_name: {:?}, proto_name: {:?}, number: {}, \
                 cardinality: Cardinality::{}, target: {:?}, target_index: {:?} }},\n",
                f.json_name, f.proto_name, f.number, f.cardinality, f.target, f.target_index
            ));
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    for (name, numbers) in paths {
        out.push_str(&format!(
            "/// Field numbers of an id path (`build/schema_gen.rs`, `ID_PATHS`).\n\
             pub(crate) static {name}: &[u32] = &{numbers:?};\n"
        ));
    }
    out
}

fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
