//! Copies the Temporal API descriptor set that `temporalio-protos` publishes
//! (`DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH`) into OUT_DIR, so the history walker can find
//! payload fields from the schema itself. The source code info (comments and spans, most of
//! the set's bytes) is dropped: nothing reads it, and decoding it was a third of startup.

use std::path::PathBuf;

use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-env-changed=DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let src = std::env::var("DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH")
        .map_err(|_| "temporalio-protos did not publish its descriptor set")?;
    let mut set = prost_types::FileDescriptorSet::decode(std::fs::read(&src)?.as_slice())?;
    for file in &mut set.file {
        file.source_code_info = None;
    }
    std::fs::write(out.join("temporal_descriptors.bin"), set.encode_to_vec())?;
    Ok(())
}
