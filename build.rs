//! Prepares the Temporal API schema that `temporalio-protos` publishes
//! (`DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH`):
//! - `temporal_descriptors.bin` in OUT_DIR: the descriptor set without source code info
//!   (comments and spans, most of its bytes; nothing reads them), with the export and
//!   archive messages it lacks added. JSON output of binary documents reads it.
//! - `schema_tables.rs`: the payload-site schema derived from that set
//!   (`build/schema_gen.rs`), so a run starts with its tables instead of decoding the set.

use std::path::PathBuf;

use prost::Message as _;

#[path = "build/schema_gen.rs"]
mod schema_gen;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-env-changed=DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH");
    println!("cargo:rerun-if-changed=build/schema_gen.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let src = std::env::var("DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH")
        .map_err(|_| "temporalio-protos did not publish its descriptor set")?;
    let mut set = prost_types::FileDescriptorSet::decode(std::fs::read(&src)?.as_slice())?;
    for file in &mut set.file {
        file.source_code_info = None;
    }
    set.file.extend(schema_gen::export_files());
    std::fs::write(out.join("temporal_descriptors.bin"), set.encode_to_vec())?;
    let tables = schema_gen::tables(&set);
    if tables.len() < 50 {
        return Err(format!(
            "only {} messages of the descriptor set reach a Payload: the set is not the Temporal API's",
            tables.len()
        )
        .into());
    }
    let mut paths = Vec::new();
    for (name, message, fields) in schema_gen::ID_PATHS {
        let numbers = schema_gen::field_numbers(&set, message, fields)
            .ok_or_else(|| format!("the descriptor set has no path {fields:?} from {message}"))?;
        paths.push((name, numbers));
    }
    std::fs::write(
        out.join("schema_tables.rs"),
        schema_gen::rust_source(&tables, &paths),
    )?;
    Ok(())
}
