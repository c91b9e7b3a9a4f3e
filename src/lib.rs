//! tcodec: encode and decode Temporal payloads through codec pipelines.
//!
//! The data path is straight: read a [`document`] → run each payload through the
//! namespace's [`pipeline::Pipeline`] of [`codec`]s → write the document back in its shape.
//! The [`config`] names the pipeline of each namespace and where its [`keys`] come from.

#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod assemble;
pub mod cli;
pub mod codec;
pub mod config;
pub mod counter;
pub mod direction;
pub mod document;
pub mod endpoint;
pub mod envconfig;
pub mod error;
pub mod interrupt;
pub mod inventory;
pub mod io;
pub mod keys;
pub mod location;
pub mod parallel;
pub mod payload;
pub mod pipeline;
pub mod policy;
pub mod rules;
pub mod server;
pub mod storage;
pub mod units;
pub mod writeback;

pub use cli::exit::ExitStatus;
pub use error::{Error, Result};

/// The hand-written Payload protobuf reader, at its former path (fuzz targets use it).
pub use payload::proto as payload_proto;
