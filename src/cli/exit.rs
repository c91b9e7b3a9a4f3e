//! The edge's decisions about failure: which exit code each error gets and which hint
//! follows its message. Below the edge, errors only say what went wrong and where.
//!
//! Exit codes (documented in `--help`, the man page and the README):
//! 0 ok · 1 `check` found violations · 2 usage or configuration error ·
//! 3 bad data (parse error, tampered ciphertext, unknown key id) · 4 I/O error · 5 remote codec.

use crate::codec::CodecError;
use crate::error::Error;

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

/// The exit status `e` maps to.
pub fn status(e: &Error) -> ExitStatus {
    match e {
        Error::Usage(_) | Error::Config { .. } | Error::UnknownNamespace { .. } => {
            ExitStatus::Usage
        }
        Error::Key { .. } => ExitStatus::Usage,
        Error::Codec {
            source:
                CodecError::Remote { .. }
                | CodecError::Kms { .. }
                | CodecError::StorageUnavailable { .. },
            ..
        } => ExitStatus::Remote,
        Error::Parse { .. } | Error::Codec { .. } | Error::ScanGaveUp => ExitStatus::Data,
        Error::Io { .. } => ExitStatus::Io,
        Error::Bucket { .. } => ExitStatus::Remote,
    }
}

/// A line telling the user what to do next, where we know one.
pub fn hint(e: &Error) -> Option<String> {
    match e {
        Error::UnknownNamespace { .. } => Some(
            "add a [namespaces.NAME] table (or a [namespaces.\"*\"] fallback) to the config, or pass -n with a configured namespace; `tcodec config check` lists them".into(),
        ),
        Error::Config { .. } => Some(
            "see `tcodec config --help` (or `tcodec config example`) for the file format".into(),
        ),
        Error::Key { .. } => Some(
            "check the key's source in the [keys] table; data already encrypted needs that same key (`tcodec keygen` makes a new key, for new data only)".into(),
        ),
        Error::Codec { source, .. } => codec_hint(source),
        // A readable payload's error already says what the field should hold.
        Error::Parse { message, .. }
            if message.starts_with("readable payload:")
                || message.ends_with("use --readable")
                || message.ends_with("add --from-readable")
                // An export's error already says what the object should hold.
                || message.contains("expected ExportedExecutions")
                || message.starts_with("not a binary temporal.api.") =>
        {
            None
        }
        Error::Parse { .. } => Some(
            "expected a Payload, a JSON array of Payloads, {\"payloads\": [...]}, a history (or events), JSON lines of those, or binary protobuf (see --input-format, --type)".into(),
        ),
        _ => None,
    }
}

/// What to do about a codec's refusal.
fn codec_hint(e: &CodecError) -> Option<String> {
    match e {
        // A KEK URI (temporal-proxy's envelope) is not a [keys] entry.
        CodecError::UnknownKeyId(id) if id.contains("://") => Some(
            "add the KEK URI to the kms codec's decrypt_keks (rotation keeps old KEKs decrypt-only)".into(),
        ),
        CodecError::UnknownKeyId(_) => Some(
            "add the key to [keys] and list its id in the namespace's decrypt_keys (rotation keeps old keys decrypt-only)".into(),
        ),
        CodecError::Authentication { .. } => Some(
            "check that the key file for this id holds the key the payload was written with".into(),
        ),
        CodecError::TooLarge { .. } => {
            Some("raise max_decoded_size for this codec if the payload is trusted".into())
        }
        CodecError::StorageUnavailable { .. } => Some(
            "check the storage endpoint and credentials (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), or decode with --keep-refs to leave references unresolved".into(),
        ),
        // Offloading (encode) has its own message, which already says what to do.
        CodecError::StorageObject { message } if message.contains("offload") => None,
        CodecError::StorageObject { .. } => Some(
            "the reference or its object is wrong: --keep-refs leaves references as they are".into(),
        ),
        CodecError::BudgetExceeded { .. } => Some(
            "raise --max-decoded-total (the CLI, per document or export execution) or --max-decoded-size (serve, per request) if the input is trusted".into(),
        ),
        CodecError::FileTooLarge { .. } => Some(
            "raise --max-decoded-file if the input is trusted (to standard output the whole object is held in memory: -o FILE streams)".into(),
        ),
        _ => None,
    }
}

/// Prints an error as `tcodec: error: ...` plus a `hint:` line where there is one.
pub fn report(e: &Error) {
    eprintln!("tcodec: error: {e}");
    if let Some(hint) = hint(e) {
        eprintln!("hint: {hint}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
