//! Binary protobuf: Payload / Payloads documents and History messages.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tcodec::document::{self, DocType, InputFormat, ReadOptions};

fuzz_target!(|data: &[u8]| {
    for doc_type in [DocType::Auto, DocType::History] {
        let options = ReadOptions {
            format: InputFormat::Proto,
            doc_type,
            from_values: false,
            from_readable: false,
        };
        let _ = document::parse(data, "fuzz", options);
    }
    if let Ok(value) = tcodec::document::proto::to_json("temporal.api.history.v1.History", data) {
        let _ = tcodec::document::proto::from_json("temporal.api.history.v1.History", &value);
    }
});
