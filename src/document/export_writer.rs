//! Transformed executions put back together into an export object in the format asked
//! (proto: the same object; json: the same object, 2-space indent; jsonl: one line per
//! execution, saying what it is).

use serde_json::Value;

use super::executions::execution_id;
use super::model::{ExecutionPart, OutputFormat, TreeDocument};
use crate::error::{Error, Result};

/// Puts transformed executions back together, streaming: each execution is written as it
/// comes, except in JSON output, where one field's items must stay together: the first
/// field seen streams (`workflows` in every object Cloud Export writes: fields go in number
/// order), and items of other fields (the small activity descriptions) are held rendered
/// until the end. A writer made [`ExportWriter::grouped`] is given each field's items
/// together (one pass per field over a file): it closes a field's array when the next
/// field starts, and holds nothing.
#[derive(Debug)]
pub struct ExportWriter {
    format: OutputFormat,
    /// Items come grouped by field.
    grouped: bool,
    /// The JSON field that streams, and whether it has an item yet.
    streaming: Option<&'static str>,
    /// Rendered items of the other fields, in order.
    held: Vec<(&'static str, Vec<u8>)>,
    /// Bytes of every item rendered so far, written or held.
    total: u64,
}

impl ExportWriter {
    /// A writer for `format`.
    pub fn new(format: OutputFormat) -> Self {
        ExportWriter {
            format,
            grouped: false,
            streaming: None,
            held: Vec::new(),
            total: 0,
        }
    }

    /// A writer for `format` given each field's executions together.
    pub fn grouped(format: OutputFormat) -> Self {
        ExportWriter {
            grouped: true,
            ..ExportWriter::new(format)
        }
    }

    /// Bytes of every execution rendered so far (written to `out` or held for the end).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Appends one transformed execution to `out`.
    pub fn item(
        &mut self,
        tree: &TreeDocument,
        part: ExecutionPart,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let before = out.len();
        self.render(tree, part, out)?;
        self.total += (out.len() - before) as u64;
        Ok(())
    }

    fn render(
        &mut self,
        tree: &TreeDocument,
        part: ExecutionPart,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        match self.format {
            OutputFormat::Proto => {
                let bytes = super::proto::from_json(tree.message, &tree.value).map_err(|e| {
                    Error::Parse {
                        location: tree.location.clone(),
                        message: format!("cannot write as protobuf: {e}"),
                    }
                })?;
                super::wire::put_field(part.number() as u32, &bytes, out);
            }
            OutputFormat::Jsonl => {
                let line = serde_json::json!({
                    "kind": part.kind(),
                    "field": part.field,
                    "index": part.index,
                    "id": execution_id(&tree.value, part),
                    "execution": &tree.value,
                });
                json_into(&line, false, out)?;
                out.push(b'\n');
            }
            OutputFormat::Json => {
                let mut item = Vec::new();
                json_into(&tree.value, true, &mut item)?;
                match self.streaming {
                    None => {
                        self.streaming = Some(part.field);
                        open_field(part.field, true, out);
                    }
                    Some(field) if field == part.field => out.extend_from_slice(b",\n"),
                    Some(_) if self.grouped => {
                        out.extend_from_slice(b"\n  ],");
                        open_field(part.field, false, out);
                        self.streaming = Some(part.field);
                    }
                    Some(_) => {
                        self.total += item.len() as u64;
                        self.held.push((part.field, item));
                        return Ok(());
                    }
                }
                indented(&item, out);
            }
        }
        Ok(())
    }

    /// Appends what ends the output: the held items by field, the closing brackets.
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.format != OutputFormat::Json {
            return;
        }
        let Some(first) = self.streaming else {
            out.extend_from_slice(b"{}\n");
            return;
        };
        let mut fields: Vec<&'static str> = Vec::new();
        for (field, _) in &self.held {
            if !fields.contains(field) && *field != first {
                fields.push(field);
            }
        }
        for field in fields {
            out.extend_from_slice(b"\n  ],");
            open_field(field, false, out);
            let items = self.held.iter().filter(|(f, _)| *f == field);
            for (i, (_, item)) in items.enumerate() {
                if i > 0 {
                    out.extend_from_slice(b",\n");
                }
                indented(item, out);
            }
        }
        out.extend_from_slice(b"\n  ]\n}\n");
    }
}

/// `{` (first) and `"field": [` as serde_json's pretty printer writes them.
fn open_field(field: &str, first: bool, out: &mut Vec<u8>) {
    if first {
        out.push(b'{');
    }
    out.extend_from_slice(format!("\n  {field:?}: [\n").as_bytes());
}

/// `item` (pretty JSON) two levels deeper, as inside `{"field": [...]}`.
fn indented(item: &[u8], out: &mut Vec<u8>) {
    for (i, line) in item.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(b"    ");
        out.extend_from_slice(line);
    }
}

fn json_into(value: &Value, pretty: bool, out: &mut Vec<u8>) -> Result<()> {
    let written = if pretty {
        serde_json::to_writer_pretty(&mut *out, value)
    } else {
        serde_json::to_writer(&mut *out, value)
    };
    // Writing a Value into a Vec cannot fail; a failure is reported, not unwrapped.
    written.map_err(|e| Error::Usage(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::executions::each_json;
    use crate::document::model::Document;
    use crate::error::Location;

    fn workflow(id: &str) -> Value {
        serde_json::json!({"history": {"events": [{"eventId": "1",
            "workflowExecutionStartedEventAttributes": {"workflowId": id}}]}})
    }

    #[test]
    fn json_output_equals_the_whole_object_pretty_printed() {
        let object = serde_json::json!({
            "workflows": [workflow("a"), workflow("b")],
            "activities": [{"activity": {"info": {"activityId": "act"}}}],
        });
        let mut writer = ExportWriter::new(OutputFormat::Json);
        let mut out = Vec::new();
        each_json(object.clone(), &Location::file("x"), |d| {
            let Document::Tree(t) = d else { panic!() };
            let part = t.part.unwrap();
            writer.item(&t, part, &mut out)
        })
        .unwrap();
        writer.finish(&mut out);
        let mut expected = serde_json::to_vec_pretty(&object).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
