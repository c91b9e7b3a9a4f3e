//! Error types and the exit-code contract.
//!
//! Exit codes (documented in `--help`, the man page and the README):
//! 0 ok · 1 `check` found violations · 2 usage or configuration error ·
//! 3 bad data (parse error, tampered ciphertext, unknown key id) · 4 I/O error · 5 remote codec.

use std::path::PathBuf;

use crate::codec::CodecError;
use crate::keys::KeyError;

/// Process exit codes, one per class of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Everything worked.
    Ok = 0,
    /// A check found violations.
    Violations = 1,
    /// The command line or the configuration is wrong.
    Usage = 2,
    /// The input data is malformed, tampered with, or needs a key we do not have.
    Data = 3,
    /// Reading or writing a file failed.
    Io = 4,
    /// A remote codec server or the external storage could not be reached.
    Remote = 5,
}

impl ExitStatus {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

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
    /// The exit status this error maps to.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Usage(_) | Error::Config { .. } | Error::UnknownNamespace { .. } => {
                ExitStatus::Usage
            }
            Error::Key { .. } => ExitStatus::Usage,
            Error::Codec {
                source: CodecError::Remote { .. } | CodecError::StorageUnavailable { .. },
                ..
            } => ExitStatus::Remote,
            Error::Parse { .. } | Error::Codec { .. } | Error::ScanGaveUp => ExitStatus::Data,
            Error::Io { .. } => ExitStatus::Io,
            Error::Bucket { .. } => ExitStatus::Remote,
        }
    }

    /// A line telling the user what to do next, where we know one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::UnknownNamespace { .. } => Some(
                "add a [namespaces.NAME] table (or a [namespaces.\"*\"] fallback) to the config, or pass -n with a configured namespace; `tcodec config check` lists them".into(),
            ),
            Error::Config { .. } => Some(
                "see `tcodec config --help` (or `tcodec config example`) for the file format".into(),
            ),
            Error::Key { .. } => Some(
                "check the key's source in the [keys] table; data already encrypted needs that same key (`tcodec keygen` makes a new key, for new data only)".into(),
            ),
            Error::Codec { source, .. } => source.hint(),
            // A readable payload's error already says what the field should hold.
            Error::Parse { message, .. }
                if message.starts_with("readable payload:")
                    || message.ends_with("use --readable")
                    || message.ends_with("add --from-readable") =>
            {
                None
            }
            Error::Parse { .. } => Some(
                "expected a Payload, a JSON array of Payloads, {\"payloads\": [...]}, a history (or events), JSON lines of those, or binary protobuf (see --input-format, --type)".into(),
            ),
            _ => None,
        }
    }

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

    #[test]
    fn exit_codes_are_the_documented_contract() {
        assert_eq!(ExitStatus::Ok.code(), 0);
        assert_eq!(ExitStatus::Violations.code(), 1);
        assert_eq!(ExitStatus::Usage.code(), 2);
        assert_eq!(ExitStatus::Data.code(), 3);
        assert_eq!(ExitStatus::Io.code(), 4);
        assert_eq!(ExitStatus::Remote.code(), 5);
    }
}
