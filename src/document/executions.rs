//! Export objects one execution at a time. A Cloud Export object (`ExportedExecutions`, or
//! the legacy `WorkflowExecutions`) can hold hundreds of histories: it is split into one
//! document per execution, each named by its field, index and id, read from binary
//! protobuf field by field (never the whole object in memory) or from its proto3 JSON
//! form ([`super::export_writer`] puts them back together).

use std::io::Read;

use serde_json::Value;

use super::model::{Document, ExecutionPart, TreeDocument};
use crate::error::{Error, Location, Result};

use super::model::{ACTIVITIES, ITEMS, WORKFLOWS};

/// Whether an input starting with `prefix` is a binary export object rather than its JSON
/// form. A binary object starts with field 1 or 2 (byte 0x0a or 0x12); JSON starts with
/// `{` or `[` after whitespace, and 0x0a is also a JSON newline: such a start is JSON only
/// when the first 64 bytes are text (a binary execution soon holds varints and lengths).
pub fn looks_binary(prefix: &[u8]) -> bool {
    match prefix.first() {
        Some(0x12) => true,
        Some(0x0a) => {
            let rest = prefix.trim_ascii_start();
            let text = |b: &u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
            !(matches!(rest.first(), Some(b'{' | b'[')) && prefix.iter().take(64).all(text))
        }
        _ => false,
    }
}

/// The id that names an execution in messages: the workflow id of its started event, or
/// the activity id.
pub fn execution_id(value: &Value, part: ExecutionPart) -> Option<&str> {
    let id = if part.field == ACTIVITIES {
        value.pointer("/activity/info/activityId")
    } else {
        value.pointer("/history/events/0/workflowExecutionStartedEventAttributes/workflowId")
    };
    id.and_then(Value::as_str)
}

/// One execution as a document of its own, located as `FILE: workflows[3] (workflow
/// "order-17")` so that every finding and error inside names it.
fn execution_document(value: Value, part: ExecutionPart, top: &Location) -> Document {
    let mut location = top.join(&format!("{}[{}]", part.field, part.index));
    if let Some(id) = execution_id(&value, part) {
        location = location.in_execution(format!("{} {id:?}", part.kind()));
    }
    Document::Tree(TreeDocument {
        message: part.message(),
        value,
        location,
        part: Some(part),
    })
}

/// One line of `--output-format jsonl` of an export (`{"kind", "field", "index", "id",
/// "execution"}`) read back as that execution's document, so such a file decodes, encodes
/// and checks like the object it came from. `Ok(Err(value))`: not such a line.
pub fn from_line(value: Value, at: &Location) -> Result<std::result::Result<Document, Value>> {
    let is_line =
        matches!(&value, Value::Object(o) if o.contains_key("execution") && o.contains_key("kind"));
    if !is_line {
        return Ok(Err(value));
    }
    let Value::Object(mut line) = value else {
        return Ok(Err(value));
    };
    let bad = |what: String| {
        Error::Parse {
        location: at.clone(),
        message: format!(
            "{what}; expected an execution line {{\"kind\", \"field\", \"index\", \"id\", \"execution\"}} (as --output-format jsonl writes)"
        ),
    }
    };
    if let Some(key) = line
        .keys()
        .find(|k| !matches!(k.as_str(), "kind" | "field" | "index" | "id" | "execution"))
    {
        return Err(bad(format!("{key}: unknown field of an execution line")));
    }
    let field = match (
        line.get("kind").and_then(Value::as_str),
        line.get("field").and_then(Value::as_str),
    ) {
        (Some("workflow"), Some(WORKFLOWS) | None) => WORKFLOWS,
        (Some("workflow"), Some(ITEMS)) => ITEMS,
        (Some("activity"), Some(ACTIVITIES) | None) => ACTIVITIES,
        (kind, field) => {
            return Err(bad(format!(
                "kind {kind:?} with field {field:?} is not a workflow (workflows, items) or an activity (activities)"
            )))
        }
    };
    let index = match line.get("index") {
        None => 0,
        Some(i) => i
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| bad("index: not a whole number".into()))?,
    };
    let execution = line.remove("execution").unwrap_or(Value::Null);
    if !execution.is_object() {
        return Err(bad("execution: not an object".into()));
    }
    let part = ExecutionPart { field, index };
    Ok(Ok(execution_document(execution, part, at)))
}

/// Reads a base-128 varint and its length; `None` at the end of input before its first
/// byte.
fn varint(reader: &mut impl Read) -> std::io::Result<Option<(u64, u64)>> {
    let mut value = 0u64;
    for (n, shift) in (0..64).step_by(7).enumerate() {
        let mut byte = [0u8];
        if reader.read(&mut byte)? == 0 {
            return if shift == 0 {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        // The tenth byte holds the 64th bit only: more is not a 64-bit varint.
        if n == 9 && byte[0] > 1 {
            break;
        }
        value |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            return Ok(Some((value, n as u64 + 1)));
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "varint over 64 bits",
    ))
}

/// Reads a binary export object from `reader` one execution at a time and hands each to
/// `each` as its own document, in order. Memory holds a small batch of executions (their
/// bytes and trees, converted on every core), not the object. Field 1 is `workflows` (the
/// legacy `items` has the same wire); field 2 is `activities`. Anything else is refused
/// with its offset, after the executions before it were handed on.
pub fn each_binary(
    reader: impl Read,
    top: &Location,
    each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    each_binary_of(reader, top, None, each)
}

/// [`each_binary`] for the executions of one field only (`workflows` or `activities`),
/// the others read past: one pass per field gives each field's executions together (as
/// JSON output must write them) without holding any.
fn each_binary_of(
    reader: impl Read,
    top: &Location,
    only: Option<&'static str>,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    read_batches(reader, top, TREE_BATCH, only, |batch| {
        convert_batch(batch, top, &mut each)
    })
}

/// [`each_binary`] with each field's executions together (as JSON output writes them):
/// the workflows, then the activities, of the export file at `path`. A regular file is
/// read twice through one open file (a file renamed over it between the passes cannot mix
/// in), the second time only as far as the first read (nothing appended since); anything
/// else (a pipe) in one pass, as [`each_binary`].
pub fn each_binary_by_field(
    path: &str,
    top: &Location,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    use std::io::{BufReader, Seek as _, SeekFrom};
    let io = |e| Error::io("cannot read", path, e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    if !file.metadata().map_err(io)?.is_file() {
        return each_binary(BufReader::with_capacity(1 << 20, file), top, each);
    }
    // One open file description: the clone shares the file and its offset.
    let first = file.try_clone().map_err(io)?;
    each_binary_of(
        BufReader::with_capacity(1 << 20, first),
        top,
        Some(WORKFLOWS),
        &mut each,
    )?;
    // The first pass read to its end: the offset is how far.
    let end = file.stream_position().map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    each_binary_of(
        BufReader::with_capacity(1 << 20, file.take(end)),
        top,
        Some(ACTIVITIES),
        each,
    )
}

/// Reads a binary export object in memory as [`each_binary`] does, but works every
/// execution's payload sites found on the wire ([`super::wire`]), never a tree: what
/// `check` needs, at a fraction of the cost. The executions are slices of `bytes` (no copy,
/// and no reading between batches: one pass over every core); `work` runs on each (located
/// as [`each_binary`]'s documents are); `merge` takes the results in input order, then an
/// item that does not hold together is the error.
pub fn each_binary_sites<R: Send>(
    bytes: &[u8],
    top: &Location,
    work: impl Fn(Vec<super::wire::WireSite<'_>>) -> R + Sync,
    merge: impl FnMut(R),
) -> Result<()> {
    binary_site_results(bytes, top, work).merge(merge)
}

/// What [`each_binary_sites`] worked out of one object, before it is merged: the
/// executions' results in input order, then the fault of an item that did not hold together.
pub struct SiteResults<R> {
    results: Vec<Result<R>>,
    fault: Option<Error>,
}

impl<R> SiteResults<R> {
    /// Hands the results to `merge` in order, up to the first execution that failed (its
    /// error is the object's); then the fault, if any.
    pub fn merge(self, mut merge: impl FnMut(R)) -> Result<()> {
        for result in self.results {
            merge(result?);
        }
        self.fault.map_or(Ok(()), Err)
    }
}

/// The work of [`each_binary_sites`] without the merge: may run on any core (a window of
/// small files is worked a file per core).
pub fn binary_site_results<R: Send>(
    bytes: &[u8],
    top: &Location,
    work: impl Fn(Vec<super::wire::WireSite<'_>>) -> R + Sync,
) -> SiteResults<R> {
    use rayon::prelude::*;
    let mut items = Vec::new();
    let mut counts = [0usize; 2];
    let mut offset = 0u64;
    let fault = loop {
        match split_item(bytes, &mut offset, top) {
            Ok(Some((field, item))) => {
                let slot = usize::from(field == ACTIVITIES);
                items.push((
                    ExecutionPart {
                        field,
                        index: counts[slot],
                    },
                    item,
                ));
                counts[slot] += 1;
            }
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    let results = items
        .par_iter()
        .with_min_len(WIRE_MIN_LEN)
        .map(|(part, bytes)| {
            let location = execution_location(top, *part, bytes);
            let sites =
                super::wire::sites(bytes, part.message(), &location).map_err(|(at, why)| {
                    Error::Parse {
                        location: at,
                        message: format!("not a binary {} ({why})", part.message()),
                    }
                })?;
            Ok(work(sites))
        })
        .collect();
    SiteResults { results, fault }
}

/// Fewest executions a core takes at once on the wire (small executions, fewer joins).
const WIRE_MIN_LEN: usize = 16;

/// Where a binary execution is: `workflows[3]`, in `workflow "order-17"` when its id shows.
pub fn execution_location(top: &Location, part: ExecutionPart, bytes: &[u8]) -> Location {
    let location = top.join(&format!("{}[{}]", part.field, part.index));
    match super::wire::first_string(bytes, wire_id_path(part)) {
        Some(id) => location.in_execution(format!("{} {id:?}", part.kind())),
        None => location,
    }
}

/// The field numbers from an execution to its id (see [`execution_id`]), derived from the
/// bundled descriptors when tcodec is built (`build/schema_gen.rs`, `ID_PATHS`).
fn wire_id_path(part: ExecutionPart) -> &'static [u32] {
    if part.field == ACTIVITIES {
        super::schema::ACTIVITY_ID_PATH
    } else {
        super::schema::WORKFLOW_ID_PATH
    }
}

/// Reads every top-level item into batches (up to four executions per core, at most
/// [`BATCH_BYTES`]) and hands each batch to `batch_fn`, which empties it; with `only`,
/// the items of that field alone (the others are read and dropped).
pub(super) fn read_batches(
    mut reader: impl Read,
    top: &Location,
    per_core: usize,
    only: Option<&'static str>,
    mut batch_fn: impl FnMut(&mut Vec<(ExecutionPart, Vec<u8>)>) -> Result<()>,
) -> Result<()> {
    let mut offset = 0u64;
    let mut counts = [0usize; 2];
    let batch_len = rayon::current_num_threads().max(1) * per_core;
    let mut batch: Vec<(ExecutionPart, Vec<u8>)> = Vec::with_capacity(batch_len);
    let mut batch_bytes = 0usize;
    loop {
        let (field, bytes) = match read_item(&mut reader, &mut offset, top) {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(e) => {
                // What came before the fault first, so errors come in input order.
                batch_fn(&mut batch)?;
                return Err(e);
            }
        };
        let slot = usize::from(field == ACTIVITIES);
        let part = ExecutionPart {
            field,
            index: counts[slot],
        };
        counts[slot] += 1;
        if only.is_some_and(|only| only != field) {
            continue;
        }
        batch_bytes += bytes.len();
        batch.push((part, bytes));
        if batch.len() >= batch_len || batch_bytes >= BATCH_BYTES {
            batch_fn(&mut batch)?;
            batch_bytes = 0;
        }
    }
    batch_fn(&mut batch)
}

/// The next top-level item of a binary export object at `offset` (moved past it): its
/// field name and bytes, or `None` at the end.
fn read_item(
    reader: &mut impl Read,
    offset: &mut u64,
    top: &Location,
) -> Result<Option<(&'static str, Vec<u8>)>> {
    let start = *offset;
    let Some((field, len, head)) = item_head(reader, start, top)? else {
        return Ok(None);
    };
    // Read what is there: room for what the length claims, up to 16 MiB (a lying
    // length costs no more than that).
    let claimed = usize::try_from(len).unwrap_or(usize::MAX).min(16 << 20);
    let mut bytes = Vec::with_capacity(claimed);
    reader
        .take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| item_io_error(top, start, e))?;
    check_item_len(top, start, field, len, bytes.len())?;
    *offset = start + head + len;
    Ok(Some((field, bytes)))
}

/// [`read_item`] over bytes in memory: the item is a slice of them, not a copy.
fn split_item<'a>(
    bytes: &'a [u8],
    offset: &mut u64,
    top: &Location,
) -> Result<Option<(&'static str, &'a [u8])>> {
    let start = *offset;
    let mut rest = usize::try_from(start)
        .ok()
        .and_then(|at| bytes.get(at..))
        .unwrap_or_default();
    let Some((field, len, head)) = item_head(&mut rest, start, top)? else {
        return Ok(None);
    };
    let there = rest.len();
    check_item_len(
        top,
        start,
        field,
        len,
        there.min(usize::try_from(len).unwrap_or(there)),
    )?;
    // `len` fits: it is at most what is there.
    let item = &rest[..usize::try_from(len).unwrap_or(0)];
    *offset = start + head + len;
    Ok(Some((field, item)))
}

/// An item's key and length: its field name, its length and the length of the two.
fn item_head(
    reader: &mut impl Read,
    start: u64,
    top: &Location,
) -> Result<Option<(&'static str, u64, u64)>> {
    let io = |e: std::io::Error| item_io_error(top, start, e);
    let Some((key, key_len)) = varint(&mut *reader).map_err(io)? else {
        return Ok(None);
    };
    let (number, wire) = (key >> 3, key & 7);
    let field = match (number, wire) {
        (1, 2) => WORKFLOWS,
        (2, 2) => ACTIVITIES,
        _ => {
            return Err(not_an_export(
                top,
                start,
                format!("field {number} with wire type {wire}"),
            ))
        }
    };
    let (len, len_len) = varint(&mut *reader)
        .map_err(io)?
        .ok_or_else(|| not_an_export(top, start, "truncated".into()))?;
    Ok(Some((field, len, key_len + len_len)))
}

/// Refuses an item holding fewer bytes than its length claims.
fn check_item_len(top: &Location, start: u64, field: &str, len: u64, there: usize) -> Result<()> {
    if there as u64 == len {
        return Ok(());
    }
    Err(not_an_export(
        top,
        start,
        format!("truncated ({field} item of {len} bytes, {there} there)"),
    ))
}

fn item_io_error(top: &Location, start: u64, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        not_an_export(top, start, "truncated".into())
    } else {
        not_an_export(top, start, e.to_string())
    }
}

fn not_an_export(top: &Location, start: u64, what: String) -> Error {
    Error::Parse {
        location: top.clone(),
        message: format!(
            "not a binary Cloud Export object at byte {start}: {what}; expected ExportedExecutions (workflows = 1, activities = 2)"
        ),
    }
}

/// Executions read ahead and converted together, in parallel (the binary → tree step is
/// most of the work): at most this many bytes of them, whatever the count.
const BATCH_BYTES: usize = 8 << 20;

/// Executions per core in a batch converted to trees (a tree costs ~10 times its bytes).
const TREE_BATCH: usize = 4;

/// Executions per core in a batch worked on the wire (no tree: the batch's bytes are all
/// it holds, still at most [`BATCH_BYTES`]); small executions make many, so fewer joins.
pub(super) const WIRE_BATCH: usize = 64;

/// Converts the executions read so far to trees on every core, then hands them to `each`
/// in the order they came.
fn convert_batch(
    batch: &mut Vec<(ExecutionPart, Vec<u8>)>,
    top: &Location,
    each: &mut impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    use rayon::prelude::*;
    let converted: Vec<Result<Value>> = batch
        .par_iter()
        .map(|(part, bytes)| {
            super::proto::to_json(part.message(), bytes).map_err(|e| Error::Parse {
                location: top.join(&format!("{}[{}]", part.field, part.index)),
                message: format!("not a binary {} ({e})", part.message()),
            })
        })
        .collect();
    let parts: Vec<ExecutionPart> = batch.drain(..).map(|(part, _)| part).collect();
    for (part, value) in parts.into_iter().zip(converted) {
        each(execution_document(value?, part, top))?;
    }
    Ok(())
}

/// Splits the proto3 JSON form of an export object (`{"workflows": [...], "activities":
/// [...]}`, or the legacy `{"items": [...]}`) into one document per execution.
pub fn each_json(
    value: Value,
    top: &Location,
    mut each: impl FnMut(Document) -> Result<()>,
) -> Result<()> {
    let Value::Object(fields) = value else {
        return Err(Error::Parse {
            location: top.clone(),
            message: "expected an export object {\"workflows\": [...], \"activities\": [...]}"
                .into(),
        });
    };
    for (name, items) in fields {
        let field =
            match name.as_str() {
                WORKFLOWS => WORKFLOWS,
                ITEMS => ITEMS,
                ACTIVITIES => ACTIVITIES,
                other => return Err(Error::Parse {
                    location: top.join(other),
                    message:
                        "unknown field of an export object; expected workflows, activities or items"
                            .into(),
                }),
            };
        let Value::Array(items) = items else {
            return Err(Error::Parse {
                location: top.join(field),
                message: "expected an array of executions".into(),
            });
        };
        for (index, item) in items.into_iter().enumerate() {
            let part = ExecutionPart { field, index };
            if !item.is_object() {
                return Err(Error::Parse {
                    location: top.join(&format!("{field}[{index}]")),
                    message: format!("expected a {} object", part.message()),
                });
            }
            each(execution_document(item, part, top))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(id: &str) -> Value {
        serde_json::json!({"history": {"events": [{"eventId": "1",
            "workflowExecutionStartedEventAttributes": {"workflowId": id}}]}})
    }

    fn parts(value: Value) -> Vec<(String, ExecutionPart)> {
        let mut out = Vec::new();
        each_json(value, &Location::file("x.json"), |d| {
            let Document::Tree(t) = d else { panic!() };
            out.push((t.location.to_string(), t.part.unwrap()));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn json_form_splits_into_named_executions() {
        let got = parts(serde_json::json!({
            "workflows": [workflow("a"), workflow("b")],
            "activities": [{"activity": {"info": {"activityId": "act"}}}],
        }));
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "x.json (workflow \"a\"): workflows[0]",
                "x.json (workflow \"b\"): workflows[1]",
                "x.json (activity \"act\"): activities[0]",
            ]
        );
        assert_eq!(got[2].1.message(), super::super::export::ACTIVITY_EXECUTION);
        assert_eq!(got[1].1.index, 1);
    }

    #[test]
    fn binary_is_told_from_json_by_its_first_bytes() {
        assert!(looks_binary(&[0x12, 0x03, 0x0a, 0x01, 0x00]));
        assert!(looks_binary(&[
            0x0a, 0x7b, 0x0a, 0x79, 0x0a, 0x77, 0x08, 0x01
        ]));
        assert!(!looks_binary(b"\n{\n  \"workflows\": []}"));
        assert!(!looks_binary(b"{\"workflows\": []}"));
        assert!(!looks_binary(b""));
    }

    #[test]
    fn binary_reader_refuses_truncation_and_other_fields_with_the_offset() {
        let top = Location::file("e.binpb");
        let run = |bytes: &[u8]| {
            each_binary(bytes, &top, |_| Ok(()))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            run(&[0x0a, 0x05, 0x0a]),
            "malformed input: e.binpb: not a binary Cloud Export object at byte 0: truncated (workflows item of 5 bytes, 1 there); expected ExportedExecutions (workflows = 1, activities = 2)"
        );
        assert_eq!(
            run(&[0x0a, 0x00, 0x18, 0x01]),
            "malformed input: e.binpb: not a binary Cloud Export object at byte 2: field 3 with wire type 0; expected ExportedExecutions (workflows = 1, activities = 2)"
        );
        assert!(run(&[0x0a]).contains("at byte 0: truncated"));
        // An empty object is no executions.
        each_binary(&[][..], &top, |_| panic!("no executions")).unwrap();
    }
}
