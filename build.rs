//! Copies the Temporal API descriptor set that `temporalio-protos` publishes
//! (`DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH`) into OUT_DIR, so the history walker can find
//! payload fields from the schema itself.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let src = std::env::var("DEP_TEMPORALIO_PROTOS_DESCRIPTOR_PATH")
        .expect("temporalio-protos publishes its descriptor set");
    std::fs::copy(&src, out.join("temporal_descriptors.bin")).expect("descriptor set is readable");
}
