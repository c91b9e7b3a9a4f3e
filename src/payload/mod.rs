//! Payloads: the model, its proto3 JSON form and its protobuf wire form. This file only
//! re-exports; the parts import each other directly (`json` and `proto` use `model`).

pub mod json;
pub mod model;
pub mod proto;

pub use json::*;
pub use model::*;
pub use proto::{from_proto, to_proto, write_proto};
