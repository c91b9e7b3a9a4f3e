//! Error types: what went wrong and where. Which exit code and hint each error gets is
//! decided at the edge (`cli::exit`).

use std::path::PathBuf;

use crate::codec::CodecError;
use crate::keys::KeyError;

pub use crate::location::Location;

/// Everything that can go wrong in tcodec, each with where it happened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Internal: the history scanner did not accept a document after all; the caller
    /// reads it with the tree walker instead. Never reported to a user.
    #[error("internal: the history scanner did not accept the document")]
    ScanGaveUp,

    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),

    /// The configuration file is missing or invalid.
    #[error("invalid configuration: {file}: {message}")]
    Config {
        /// The configuration file (or a description of where we looked).
        file: String,
        /// What is wrong with it.
        message: String,
    },

    /// No pipeline is configured for the namespace.
    #[error("no codec pipeline configured for namespace {namespace:?} in {file} (configured: {configured}){suggestion}")]
    UnknownNamespace {
        /// The namespace asked for.
        namespace: String,
        /// The configuration file consulted.
        file: String,
        /// The configured namespaces, comma-separated.
        configured: String,
        /// `; did you mean "x"?`, or empty.
        suggestion: String,
    },

    /// A key could not be loaded.
    #[error("cannot load key {id:?}: {source}")]
    Key {
        /// The key id from the configuration.
        id: String,
        /// Why loading failed (never the key material).
        #[source]
        source: KeyError,
    },

    /// The input is not the JSON or protobuf we expect.
    #[error("malformed input: {location}: {message}")]
    Parse {
        /// Where the problem is.
        location: Location,
        /// What was expected.
        message: String,
    },

    /// A codec refused a payload.
    #[error("cannot {direction} payload: {location}: {source}")]
    Codec {
        /// `encode` or `decode`.
        direction: &'static str,
        /// The payload's location.
        location: Location,
        /// The codec's reason.
        #[source]
        source: CodecError,
    },

    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we were doing (`cannot read`, `cannot write`).
        action: &'static str,
        /// The file involved.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },

    /// A bucket could not be listed or an object fetched (network, credentials, missing).
    #[error("{what}: {why}")]
    Bucket {
        /// What we were doing (`cannot list s3://b/p`).
        what: String,
        /// The store's reason.
        why: String,
    },
}

impl Error {
    /// Shorthand for an I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into().display().to_string(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_joins_paths_like_json_paths() {
        let l = Location::file("a.json");
        assert_eq!(l.to_string(), "a.json");
        assert_eq!(
            l.join("payloads").join("[3]").to_string(),
            "a.json: payloads[3]"
        );
        assert_eq!(l.join("[0]").join("data").to_string(), "a.json: [0].data");
    }
}
