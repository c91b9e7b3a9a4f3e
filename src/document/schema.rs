//! Payload sites from the Temporal API schema itself.
//!
//! The descriptor set of the official protos (`temporalio-protos`, copied by `build.rs`) is
//! read once; for every message type we keep only the fields through which a
//! `temporal.api.common.v1.Payload` can be reached, so a walk never guesses from shapes and
//! new event types are covered when the protos are updated. This mirrors api-go's generated
//! `proxy.VisitPayloads`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FileDescriptorSet};

/// Full name of the Payload message.
pub const PAYLOAD: &str = "temporal.api.common.v1.Payload";
/// Full name of the Payloads message (`{"payloads": [...]}`).
pub const PAYLOADS: &str = "temporal.api.common.v1.Payloads";
/// Full name of the SearchAttributes message (never touched: the server indexes it).
pub const SEARCH_ATTRIBUTES: &str = "temporal.api.common.v1.SearchAttributes";
/// Full name of the Header message (the SDKs do not encode headers by default).
pub const HEADER: &str = "temporal.api.common.v1.Header";
/// Full name of a workflow History.
pub const HISTORY: &str = "temporal.api.history.v1.History";
/// Full name of a HistoryEvent.
pub const HISTORY_EVENT: &str = "temporal.api.history.v1.HistoryEvent";
/// Full name of the history page response of the WorkflowService.
pub const HISTORY_RESPONSE: &str =
    "temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse";
/// Full name of the marker attributes (local activity markers keep SDK data in `details.data`).
pub const MARKER_RECORDED: &str = "temporal.api.history.v1.MarkerRecordedEventAttributes";

/// The encoded `FileDescriptorSet` of the Temporal API.
pub(crate) static DESCRIPTORS: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/temporal_descriptors.bin"));

/// The bundled Temporal API's descriptor set, with the export and archive messages it
/// lacks ([`super::export`]).
pub fn descriptor_set() -> Result<FileDescriptorSet, prost::DecodeError> {
    let mut set = FileDescriptorSet::decode(DESCRIPTORS)?;
    set.file.extend(super::export::files());
    Ok(set)
}

/// How a field holds its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// One value.
    Single,
    /// A repeated field: a JSON array.
    List,
    /// A map with string keys: a JSON object.
    Map,
}

/// A field through which payloads can be reached.
#[derive(Debug, Clone)]
pub struct FieldSite {
    /// The proto3 JSON name (`lastCompletionResult`).
    pub json_name: String,
    /// The proto field name (`last_completion_result`), also accepted in JSON.
    pub proto_name: String,
    /// The protobuf field number (what the binary wire carries).
    pub number: u32,
    /// Single, list or map.
    pub cardinality: Cardinality,
    /// Full name of the message type held (`temporal.api.common.v1.Payload` for a leaf).
    pub target: String,
}

/// The payload-bearing fields of every message type that can reach a Payload.
#[derive(Debug, Default)]
pub struct Schema {
    /// Fx hashing: looked up once per JSON object by the scanner, where SipHash cost ~7%.
    messages: rustc_hash::FxHashMap<String, Table>,
    /// Every field of every message by (message, proto field name): its number and, for a
    /// message-typed field, the type's full name. For following a path on the wire.
    all_fields: rustc_hash::FxHashMap<(String, String), (u32, String)>,
}

/// The payload-bearing fields of one message, indexed by their JSON and proto names (a
/// history event has ~50: a linear search per key cost ~7% of a big history's decode).
#[derive(Debug, Default)]
pub struct Table {
    fields: Vec<FieldSite>,
    by_key: rustc_hash::FxHashMap<Box<[u8]>, usize>,
    by_number: rustc_hash::FxHashMap<u32, usize>,
}

impl Table {
    fn new(fields: Vec<FieldSite>) -> Self {
        let mut by_key = rustc_hash::FxHashMap::default();
        let mut by_number = rustc_hash::FxHashMap::default();
        for (i, f) in fields.iter().enumerate() {
            by_key.insert(f.proto_name.as_bytes().into(), i);
            by_key.insert(f.json_name.as_bytes().into(), i);
            by_number.insert(f.number, i);
        }
        Table {
            fields,
            by_key,
            by_number,
        }
    }

    /// The field numbered `number` on the wire, if it bears payloads.
    pub fn by_number(&self, number: u32) -> Option<&FieldSite> {
        self.by_number.get(&number).map(|&i| &self.fields[i])
    }

    /// The field named `key` (JSON or proto name), if it bears payloads.
    pub fn get(&self, key: &[u8]) -> Option<&FieldSite> {
        self.by_key.get(key).map(|&i| &self.fields[i])
    }
}

impl Schema {
    /// The schema of the bundled Temporal API (parsed once).
    pub fn temporal() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            // The descriptor set is generated at build time by temporalio-protos; a parse
            // failure would be a build defect, and an empty schema finds no payloads.
            descriptor_set()
                .map(|set| Schema::from_descriptors(&set))
                .unwrap_or_default()
        })
    }

    /// Builds the index from a descriptor set.
    pub fn from_descriptors(set: &FileDescriptorSet) -> Schema {
        let mut all: HashMap<String, &DescriptorProto> = HashMap::new();
        for file in &set.file {
            let package = file.package();
            for message in &file.message_type {
                index(&mut all, package, message);
            }
        }
        // Every message-typed field, with map entries resolved to their value type.
        let mut edges: HashMap<String, Vec<FieldSite>> = HashMap::new();
        for (name, message) in &all {
            let fields = message
                .field
                .iter()
                .filter(|f| f.r#type() == Type::Message)
                .filter_map(|f| {
                    let type_name = f.type_name().trim_start_matches('.');
                    let entry = all.get(type_name)?;
                    let is_map = entry.options.as_ref().is_some_and(|o| o.map_entry());
                    let (cardinality, target) = if is_map {
                        let value = entry.field.iter().find(|v| v.number() == 2)?;
                        if value.r#type() != Type::Message {
                            return None;
                        }
                        (Cardinality::Map, value.type_name().trim_start_matches('.'))
                    } else if f.label() == Label::Repeated {
                        (Cardinality::List, type_name)
                    } else {
                        (Cardinality::Single, type_name)
                    };
                    Some(FieldSite {
                        json_name: f.json_name.clone().unwrap_or_else(|| camel(f.name())),
                        proto_name: f.name().to_string(),
                        number: u32::try_from(f.number()).unwrap_or(0),
                        cardinality,
                        target: target.to_string(),
                    })
                })
                .collect();
            edges.insert(name.clone(), fields);
        }
        // Fixpoint: a message reaches Payload if a field targets Payload or a reaching type.
        let mut reaching: HashSet<String> = HashSet::from([PAYLOAD.to_string()]);
        loop {
            let before = reaching.len();
            for (name, fields) in &edges {
                if !reaching.contains(name) && fields.iter().any(|f| reaching.contains(&f.target)) {
                    reaching.insert(name.clone());
                }
            }
            if reaching.len() == before {
                break;
            }
        }
        let all_fields = all
            .iter()
            .flat_map(|(name, message)| {
                message.field.iter().map(move |f| {
                    (
                        (name.clone(), f.name().to_string()),
                        (
                            u32::try_from(f.number()).unwrap_or(0),
                            f.type_name().trim_start_matches('.').to_string(),
                        ),
                    )
                })
            })
            .collect();
        let messages = edges
            .into_iter()
            .filter(|(name, _)| name != PAYLOAD && reaching.contains(name))
            .map(|(name, fields)| {
                let kept = fields
                    .into_iter()
                    .filter(|f| reaching.contains(&f.target))
                    .collect();
                (name, Table::new(kept))
            })
            .collect();
        Schema {
            messages,
            all_fields,
        }
    }

    /// The field numbers of a path of proto field names from `message` (`["history",
    /// "events"]` from `WorkflowExecution`: `[1, 1]`).
    pub fn field_numbers(&self, message: &str, names: &[&str]) -> Option<Vec<u32>> {
        let mut message = message.to_string();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let (number, target) = self.all_fields.get(&(message, (*name).to_string()))?;
            out.push(*number);
            message = target.clone();
        }
        Some(out)
    }

    /// The payload-bearing fields of `message`, if it can reach a payload at all.
    pub fn fields(&self, message: &str) -> Option<&[FieldSite]> {
        self.messages.get(message).map(|t| t.fields.as_slice())
    }

    /// The field table of `message`, looked up once per object by the scanner.
    pub fn table(&self, message: &str) -> Option<&Table> {
        self.messages.get(message)
    }

    /// The field of `message` named `key` (JSON or proto name), if it bears payloads.
    pub fn field(&self, message: &str, key: &str) -> Option<&FieldSite> {
        self.field_bytes(message, key.as_bytes())
    }

    /// [`Schema::field`] for a key still in input bytes.
    pub fn field_bytes(&self, message: &str, key: &[u8]) -> Option<&FieldSite> {
        self.table(message)?.get(key)
    }

    /// Number of message types that can reach a payload.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// True when no message type reaches a payload (the schema failed to load).
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

fn index<'a>(
    all: &mut HashMap<String, &'a DescriptorProto>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn site(message: &str, key: &str) -> (Cardinality, String) {
        let f = Schema::temporal()
            .field(message, key)
            .unwrap_or_else(|| panic!("{message}.{key} not a payload site"));
        (f.cardinality, f.target.clone())
    }

    #[test]
    fn finds_the_documented_payload_sites() {
        let s = Schema::temporal();
        assert!(s.len() > 50, "schema loaded: {}", s.len());
        let started = "temporal.api.history.v1.WorkflowExecutionStartedEventAttributes";
        assert_eq!(
            site(started, "input"),
            (
                Cardinality::Single,
                "temporal.api.common.v1.Payloads".into()
            )
        );
        assert_eq!(
            site(started, "last_completion_result").1,
            "temporal.api.common.v1.Payloads"
        );
        assert_eq!(site(started, "memo").1, "temporal.api.common.v1.Memo");
        assert_eq!(site(started, "header").1, HEADER);
        assert_eq!(site(started, "searchAttributes").1, SEARCH_ATTRIBUTES);
        assert_eq!(
            site("temporal.api.common.v1.Payloads", "payloads"),
            (Cardinality::List, PAYLOAD.into())
        );
        assert_eq!(
            site("temporal.api.common.v1.Memo", "fields"),
            (Cardinality::Map, PAYLOAD.into())
        );
        assert_eq!(
            site(MARKER_RECORDED, "details"),
            (Cardinality::Map, "temporal.api.common.v1.Payloads".into())
        );
        let failure = "temporal.api.failure.v1.Failure";
        assert_eq!(site(failure, "encodedAttributes").1, PAYLOAD);
        assert_eq!(site(failure, "cause").1, failure);
        assert_eq!(
            site(HISTORY_EVENT, "userMetadata").1,
            "temporal.api.sdk.v1.UserMetadata"
        );
        assert_eq!(
            site(HISTORY, "events"),
            (Cardinality::List, HISTORY_EVENT.into())
        );
        assert_eq!(site(HISTORY_RESPONSE, "history").1, HISTORY);
        // Fields that cannot reach a payload are not sites.
        assert!(s.field(HISTORY_EVENT, "eventId").is_none());
    }
}
