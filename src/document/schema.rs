//! Payload sites from the Temporal API schema itself.
//!
//! The descriptor set of the official protos (`temporalio-protos`, copied by `build.rs`) is
//! read once; for every message type we keep only the fields through which a
//! `temporal.api.common.v1.Payload` can be reached, so a walk never guesses from shapes and
//! new event types are covered when the protos are updated. This mirrors api-go's generated
//! `proxy.VisitPayloads`.

use std::sync::OnceLock;

use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorSet};

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

/// The same set with messages and fields only (no services, enums or options but map
/// entries; `build.rs`): all the payload-site schema reads, quicker to decode.
static SCHEMA_DESCRIPTORS: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/schema_descriptors.bin"));

/// The bundled Temporal API's descriptor set, with the export and archive messages it
/// lacks ([`super::export`]).
pub fn descriptor_set() -> Result<FileDescriptorSet, prost::DecodeError> {
    with_exports(DESCRIPTORS)
}

fn with_exports(bytes: &[u8]) -> Result<FileDescriptorSet, prost::DecodeError> {
    let mut set = FileDescriptorSet::decode(bytes)?;
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
    /// The target's table ([`Schema::table_at`]); `None` for a Payload (the leaf). Lets a
    /// walk on the wire go down without looking names up.
    pub target_index: Option<usize>,
}

/// The payload-bearing fields of every message type that can reach a Payload.
#[derive(Debug, Default)]
pub struct Schema {
    /// Fx hashing: looked up once per JSON object by the scanner, where SipHash cost ~7%.
    /// The index of the message's table in `tables`.
    messages: rustc_hash::FxHashMap<String, usize>,
    tables: Vec<Table>,
    /// Every message of the descriptor set by full name, for following a path of field
    /// names on the wire (borrowed: the set lives as long as the program).
    all: rustc_hash::FxHashMap<String, &'static DescriptorProto>,
}

/// The payload-bearing fields of one message, indexed by their JSON and proto names (a
/// history event has ~50: a linear search per key cost ~7% of a big history's decode).
#[derive(Debug, Default)]
pub struct Table {
    /// The message's full name.
    pub name: String,
    fields: Vec<FieldSite>,
    by_key: rustc_hash::FxHashMap<Box<[u8]>, usize>,
    /// Field number → index in `fields` + 1 (0: not a payload field), for numbers up to
    /// the highest payload field's: a wire walk asks for every field it meets.
    by_number: Vec<u32>,
}

/// Field numbers below this are looked up in a table, others by a scan.
const DENSE_NUMBERS: u32 = 4096;

impl Table {
    fn new(name: String, fields: Vec<FieldSite>) -> Self {
        let mut by_key = rustc_hash::FxHashMap::default();
        // The API's payload fields are numbered below ~100; a bound keeps a stray big
        // number from making a big table (such a field is then found by a scan).
        let top = fields
            .iter()
            .map(|f| f.number)
            .filter(|&n| n < DENSE_NUMBERS)
            .max()
            .map_or(0, |n| n as usize + 1);
        let mut by_number = vec![0u32; top];
        for (i, f) in fields.iter().enumerate() {
            by_key.insert(f.proto_name.as_bytes().into(), i);
            by_key.insert(f.json_name.as_bytes().into(), i);
            if let Some(slot) = by_number.get_mut(f.number as usize) {
                *slot = u32::try_from(i + 1).unwrap_or(0);
            }
        }
        Table {
            name,
            fields,
            by_key,
            by_number,
        }
    }

    /// The field numbered `number` on the wire, if it bears payloads.
    pub fn by_number(&self, number: u32) -> Option<&FieldSite> {
        match self.by_number.get(number as usize) {
            Some(&i) => (i as usize).checked_sub(1).map(|i| &self.fields[i]),
            None if number >= DENSE_NUMBERS => self.fields.iter().find(|f| f.number == number),
            None => None,
        }
    }

    /// The field named `key` (JSON or proto name), if it bears payloads.
    pub fn get(&self, key: &[u8]) -> Option<&FieldSite> {
        self.by_key.get(key).map(|&i| &self.fields[i])
    }
}

impl Schema {
    /// The schema of the bundled Temporal API (parsed once).
    pub fn temporal() -> &'static Schema {
        static SET: OnceLock<FileDescriptorSet> = OnceLock::new();
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            // The descriptor set is generated at build time by temporalio-protos; a parse
            // failure would be a build defect, and an empty schema finds no payloads.
            let set = SET.get_or_init(|| with_exports(SCHEMA_DESCRIPTORS).unwrap_or_default());
            Schema::from_descriptors(set)
        })
    }

    /// Builds the index from a descriptor set. The walk over all ~1,100 messages borrows
    /// from the set; only the fields kept (those that reach a Payload) are copied out
    /// (copying every field first was a third of a short `check` run's start).
    pub fn from_descriptors(set: &'static FileDescriptorSet) -> Schema {
        let mut all = rustc_hash::FxHashMap::default();
        for file in &set.file {
            let package = file.package();
            for message in &file.message_type {
                index(&mut all, package, message);
            }
        }
        // Every message-typed field, with map entries resolved to their value type.
        let edges: Vec<(&str, Vec<Edge>)> = all
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
        let mut reaching: rustc_hash::FxHashSet<&str> = [PAYLOAD].into_iter().collect();
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
        let kept: Vec<&(&str, Vec<Edge>)> = edges
            .iter()
            .filter(|(name, _)| *name != PAYLOAD && reaching.contains(name))
            .collect();
        let messages: rustc_hash::FxHashMap<String, usize> = kept
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.to_string(), i))
            .collect();
        let tables = kept
            .iter()
            .map(|(name, fields)| {
                let sites = fields
                    .iter()
                    .filter(|f| reaching.contains(f.target))
                    .map(|f| f.site(messages.get(f.target).copied()))
                    .collect();
                Table::new(name.to_string(), sites)
            })
            .collect();
        Schema {
            messages,
            tables,
            all,
        }
    }

    /// The field numbers of a path of proto field names from `message` (`["history",
    /// "events"]` from `WorkflowExecution`: `[1, 1]`).
    pub fn field_numbers(&self, message: &str, names: &[&str]) -> Option<Vec<u32>> {
        let mut message = message;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let field = self
                .all
                .get(message)?
                .field
                .iter()
                .find(|f| f.name() == *name)?;
            out.push(u32::try_from(field.number()).unwrap_or(0));
            message = field.type_name().trim_start_matches('.');
        }
        Some(out)
    }

    /// The payload-bearing fields of `message`, if it can reach a payload at all.
    pub fn fields(&self, message: &str) -> Option<&[FieldSite]> {
        self.table(message).map(|t| t.fields.as_slice())
    }

    /// The field table of `message`, looked up once per object by the scanner.
    pub fn table(&self, message: &str) -> Option<&Table> {
        self.messages.get(message).map(|&i| &self.tables[i])
    }

    /// The table a [`FieldSite::target_index`] names.
    pub fn table_at(&self, index: usize) -> Option<&Table> {
        self.tables.get(index)
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

/// A message-typed field as found in the set, before it is known to reach a Payload.
struct Edge {
    field: &'static FieldDescriptorProto,
    cardinality: Cardinality,
    target: &'static str,
}

impl Edge {
    fn site(&self, target_index: Option<usize>) -> FieldSite {
        let f = self.field;
        FieldSite {
            json_name: f.json_name.clone().unwrap_or_else(|| camel(f.name())),
            proto_name: f.name().to_string(),
            number: u32::try_from(f.number()).unwrap_or(0),
            cardinality: self.cardinality,
            target: self.target.to_string(),
            target_index,
        }
    }
}

/// The edge of message-typed field `f`: a map's entry resolved to its value type.
fn edge(
    all: &rustc_hash::FxHashMap<String, &'static DescriptorProto>,
    f: &'static FieldDescriptorProto,
) -> Option<Edge> {
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
    Some(Edge {
        field: f,
        cardinality,
        target,
    })
}

fn index(
    all: &mut rustc_hash::FxHashMap<String, &'static DescriptorProto>,
    prefix: &str,
    message: &'static DescriptorProto,
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
