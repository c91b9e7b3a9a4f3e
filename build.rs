//! Copies the Temporal API descriptor set that `temporalio-protos` publishes
//! (`DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH`) into OUT_DIR, so the history walker can find
//! payload fields from the schema itself.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-env-changed=DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let src = std::env::var("DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH")
        .map_err(|_| "temporalio-protos did not publish its descriptor set")?;
    std::fs::copy(&src, out.join("temporal_descriptors.bin"))?;
    Ok(())
}
