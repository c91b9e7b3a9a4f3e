//! Writing documents back: JSON (indented like `temporal`), JSON lines, binary protobuf.

use crate::error::{Error, Result};
use crate::payload::{self, Payloads};
use prost::Message as _;

use super::model::*;

/// Appends one rendered document to `out`. Protobuf output holds exactly one document:
/// the caller checks that.
pub fn render_into(doc: &Document, format: OutputFormat, out: &mut Vec<u8>) -> Result<()> {
    match format {
        OutputFormat::Proto => match doc {
            Document::Payloads(doc) => match (doc.shape, doc.payloads.as_slice()) {
                (Shape::Single, [one]) => out.extend(payload::to_proto(one)),
                _ => out.extend(
                    Payloads {
                        payloads: doc.payloads.clone(),
                    }
                    .encode_to_vec(),
                ),
            },
            Document::Tree(tree) if tree.value.is_array() => {
                return Err(Error::Usage(
                    "an array of events has no protobuf form; use --output-format json, or wrap it as a history".into(),
                ))
            }
            Document::Tree(tree) => out.extend(
                crate::document::proto::from_json(tree.message, &tree.value).map_err(|e| {
                    Error::Parse {
                        location: tree.location.clone(),
                        message: format!("cannot write as protobuf: {e}"),
                    }
                })?,
            ),
        },
        OutputFormat::Json | OutputFormat::Jsonl => {
            let owned;
            let value = match doc {
                Document::Payloads(doc) => {
                    owned = payload_document_to_value(doc);
                    &owned
                }
                Document::Tree(tree) => &tree.value,
            };
            let written = if format == OutputFormat::Json {
                serde_json::to_writer_pretty(&mut *out, value)
            } else {
                serde_json::to_writer(&mut *out, value)
            };
            // Writing a Value into a Vec cannot fail.
            written.map_err(|e| Error::Usage(e.to_string()))?;
            out.push(b'\n');
        }
    }
    Ok(())
}

/// Renders documents in `format` (see [`render_into`]).
pub fn render(documents: &[Document], format: OutputFormat) -> Result<Vec<u8>> {
    if format == OutputFormat::Proto && documents.len() != 1 {
        return Err(Error::Usage(format!(
            "protobuf output holds one document, the input has {}; use --output-format jsonl",
            documents.len()
        )));
    }
    let mut out = Vec::new();
    for doc in documents {
        render_into(doc, format, &mut out)?;
    }
    Ok(out)
}
