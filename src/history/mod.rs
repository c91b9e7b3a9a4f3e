//! Whole workflow histories: schema-guided payload walks.

pub mod fast;
pub mod proto;
pub mod schema;
pub mod walk;
