//! Payload sites from the Temporal API schema itself.
//!
//! For every message type, the fields through which a `temporal.api.common.v1.Payload` can
//! be reached, derived from the descriptor set of the official protos
//! (`temporalio-protos`) when tcodec is built (`build/schema_gen.rs`), so a walk never
//! guesses from shapes and new event types are covered when the protos are updated. This
//! mirrors api-go's generated `proxy.VisitPayloads`.

use std::sync::OnceLock;

use prost::Message as _;
use prost_types::FileDescriptorSet;

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

/// The encoded `FileDescriptorSet` of the Temporal API, with the export and archive
/// messages it lacks ([`super::export`]; `build.rs` adds them).
pub(crate) static DESCRIPTORS: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/temporal_descriptors.bin"));

// `TABLES` and the id paths (`WORKFLOW_ID_PATH`, `ACTIVITY_ID_PATH`), written by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/schema_tables.rs"));

/// The bundled Temporal API's descriptor set, export and archive messages included.
pub fn descriptor_set() -> Result<FileDescriptorSet, prost::DecodeError> {
    FileDescriptorSet::decode(DESCRIPTORS)
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
    pub json_name: &'static str,
    /// The proto field name (`last_completion_result`), also accepted in JSON.
    pub proto_name: &'static str,
    /// The protobuf field number (what the binary wire carries).
    pub number: u32,
    /// Single, list or map.
    pub cardinality: Cardinality,
    /// Full name of the message type held (`temporal.api.common.v1.Payload` for a leaf).
    pub target: &'static str,
    /// The target's table ([`Schema::table_at`]); `None` for a Payload (the leaf). Lets a
    /// walk on the wire go down without looking names up.
    pub target_index: Option<usize>,
}

/// The payload-bearing fields of every message type that can reach a Payload.
#[derive(Debug, Default)]
pub struct Schema {
    /// Fx hashing: looked up once per JSON object by the scanner, where SipHash cost ~7%.
    /// The index of the message's table in `tables`.
    messages: rustc_hash::FxHashMap<&'static str, usize>,
    tables: Vec<Table>,
}

/// The payload-bearing fields of one message, indexed by their JSON and proto names (a
/// history event has ~50: a linear search per key cost ~7% of a big history's decode).
#[derive(Debug, Default)]
pub struct Table {
    /// The message's full name.
    pub name: &'static str,
    fields: &'static [FieldSite],
    by_key: rustc_hash::FxHashMap<&'static [u8], usize>,
    /// Field number → index in `fields` + 1 (0: not a payload field), for numbers up to
    /// the highest payload field's: a wire walk asks for every field it meets.
    by_number: Vec<u32>,
}

/// Field numbers below this are looked up in a table, others by a scan.
const DENSE_NUMBERS: u32 = 4096;

impl Table {
    fn new(name: &'static str, fields: &'static [FieldSite]) -> Self {
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
            by_key.insert(f.proto_name.as_bytes(), i);
            by_key.insert(f.json_name.as_bytes(), i);
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
    /// The schema of the bundled Temporal API (indexed once).
    pub fn temporal() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let tables: Vec<Table> = TABLES
                .iter()
                .map(|&(name, fields)| Table::new(name, fields))
                .collect();
            let messages = tables
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name, i))
                .collect();
            Schema { messages, tables }
        })
    }

    /// The payload-bearing fields of `message`, if it can reach a payload at all.
    pub fn fields(&self, message: &str) -> Option<&[FieldSite]> {
        self.table(message).map(|t| t.fields)
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

    /// True when no message type reaches a payload.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(message: &str, key: &str) -> (Cardinality, String) {
        let f = Schema::temporal()
            .field(message, key)
            .unwrap_or_else(|| panic!("{message}.{key} not a payload site"));
        (f.cardinality, f.target.to_string())
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
