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
    // The payload-site schema reads messages and their fields only (names, numbers, types,
    // map entries): a copy without services, enums and options decodes in less time, and
    // every short `check` run starts by decoding it.
    for file in &mut set.file {
        file.service.clear();
        file.enum_type.clear();
        file.options = None;
        file.message_type.iter_mut().for_each(schema_only);
    }
    std::fs::write(out.join("schema_descriptors.bin"), set.encode_to_vec())?;
    Ok(())
}

/// `message` (and its nested messages) with only what the schema reads.
fn schema_only(message: &mut prost_types::DescriptorProto) {
    message.enum_type.clear();
    message.oneof_decl.clear();
    message.reserved_range.clear();
    message.reserved_name.clear();
    let map_entry = message.options.as_ref().is_some_and(|o| o.map_entry());
    message.options = map_entry.then(|| prost_types::MessageOptions {
        map_entry: Some(true),
        ..Default::default()
    });
    for field in &mut message.field {
        field.options = None;
        field.oneof_index = None;
        field.default_value = None;
        field.proto3_optional = None;
    }
    message.nested_type.iter_mut().for_each(schema_only);
}
