//! What runs of a pipeline did, for the command line's summary lines.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use crate::payload::Payload;

/// Encodings of the codecs tcodec knows: a payload still carrying one after a decode was
/// not decoded.
pub const CODEC_ENCODINGS: [&str; 6] = [
    "binary/encrypted",
    "binary/age",
    "binary/zlib",
    "binary/gzip",
    "binary/snappy",
    "binary/zstd",
];

/// Counts kept across runs of a pipeline.
#[derive(Debug, Default)]
pub struct Stats {
    pub(super) processed: crate::counter::Counter,
    /// Payloads a decode changed (a codec or a stage decoded them).
    pub(super) changed: crate::counter::Counter,
    pub(super) skipped: crate::counter::Counter,
    pub(super) still_encoded: crate::counter::Counter,
    /// Encodings left after decoding, each with the key ids seen.
    left: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl Stats {
    /// Payloads a decode changed: what "N decoded" counts (an already-plain payload that
    /// went through unchanged is not one).
    pub fn decoded(&self) -> usize {
        self.changed.get()
    }

    /// Payloads run through the codecs.
    pub fn processed(&self) -> usize {
        self.processed.get()
    }

    /// Payloads encode left alone because they already carried the outer encoding.
    pub fn skipped(&self) -> usize {
        self.skipped.get()
    }

    /// Payloads that still carried a known codec's encoding after decoding.
    pub fn still_encoded(&self) -> usize {
        self.still_encoded.get()
    }

    /// Those encodings, each with the key ids seen.
    pub fn left(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.left.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub(super) fn record_left(&self, payload: &Payload) {
        let Some(encoding) = crate::payload::encoding(payload) else {
            return;
        };
        // Compared as bytes: most payloads are plain, and owe no string conversion.
        let Some(encoding) = CODEC_ENCODINGS.iter().find(|e| e.as_bytes() == encoding) else {
            return;
        };
        self.still_encoded.add(1);
        if let Ok(mut left) = self.left.lock() {
            let ids = left.entry((*encoding).to_string()).or_default();
            if let Some(id) = crate::payload::meta(payload, crate::payload::ENCRYPTION_KEY_ID) {
                // Shown in a warning: a base64key:// id is key material, redacted.
                ids.insert(crate::keys::shown_id(&String::from_utf8_lossy(id)));
            }
        }
    }
}
