//! Applying a namespace's pipeline to a parsed document (the DOM path).

use crate::codec::{Budget, Direction};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::history::walk::{self, SitePolicy};
use crate::pipeline::Pipeline;

/// Runs one document's payloads through the pipeline, naming the payload on failure.
pub fn run_document(
    pipeline: &Pipeline,
    direction: Direction,
    doc: Document,
    budget: &Budget,
) -> Result<Document> {
    match doc {
        Document::Payloads(mut doc) => {
            let payloads = std::mem::take(&mut doc.payloads);
            doc.payloads = pipeline
                .run(direction, payloads, budget)
                .map_err(|e| Error::Codec {
                    direction: direction.verb(),
                    location: doc.payload_location(e.index),
                    source: e.source,
                })?;
            Ok(Document::Payloads(doc))
        }
        Document::Tree(mut tree) => {
            let policy = SitePolicy::for_direction(direction);
            let message = tree.message;
            let location = tree.location.clone();
            if let serde_json::Value::Array(events) = &mut tree.value {
                for (i, event) in events.iter_mut().enumerate() {
                    let here = location.join(&format!("[{i}]"));
                    walk::transform(event, message, here, pipeline, direction, policy, budget)?;
                }
            } else {
                walk::transform(
                    &mut tree.value,
                    message,
                    location,
                    pipeline,
                    direction,
                    policy,
                    budget,
                )?;
            }
            Ok(Document::Tree(tree))
        }
    }
}
