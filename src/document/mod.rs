//! Payload documents: the shapes payloads arrive in, their detection, and their output.
//!
//! Shapes: one Payload object; a JSON array of Payloads; the codec-server body
//! `{"payloads": [...]}`; JSON lines (or a concatenated stream) of any of those; binary
//! protobuf `Payload` or `Payloads`; and, for `--from-values`, plain JSON values that the
//! default converter turns into payloads. An empty object `{}` is read as an empty
//! `{"payloads": []}` body, as the Go remote codec client sends it.
//!
//! Two walkers find the payload sites of a document: [`scan`] streams over the bytes of a
//! JSON history (no tree), [`tree`] walks a parsed tree (every other shape, and what the
//! scanner does not accept). Both hand their sites to one [`driver`]: read → sites →
//! pipeline → write; the driver, not the command line, picks the walker. [`wire`] finds the
//! sites of a binary message on the wire, for `check` of binary exports (no output).

pub mod driver;
pub mod executions;
pub mod export;
pub mod export_writer;
pub mod model;
pub mod payload_body;
pub mod plain_body;
pub mod proto;
pub mod read;
pub mod readable;
pub mod render;
pub mod rewrite;
pub mod scan;
mod scanner;
pub mod schema;
pub mod sites;
pub mod strict_json;
pub mod tree;
pub mod wire;

pub use model::*;
pub use read::*;
pub use render::*;
