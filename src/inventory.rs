//! Key inventory (`tcodec keys used`): which encodings and encryption key ids the payloads
//! of some files carry, with counts and where they are, so a team knows when an old key can
//! be retired. Reads only the stored (outer) metadata: no keys needed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::tree;
use crate::document::TreeDocument;
use crate::error::Location;
use crate::payload::{self, ENCRYPTION_KEY_ID};
use crate::storage::{reference, Storage};

/// Locations kept per entry.
pub const MAX_LOCATIONS: usize = 10;

/// One (encoding, key id) pair and where it was seen.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The payload's `encoding` (`(none)` when absent).
    pub encoding: String,
    /// The `encryption-key-id`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// How many payloads.
    pub payloads: usize,
    /// Files it was seen in.
    pub files: usize,
    /// Distinct wrapped data keys (`encryption-dek`, temporal-proxy's envelope) among the
    /// payloads: how many KMS unwraps reading them costs. Absent when none carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_keys: Option<usize>,
    /// The first locations (`file: path`), at most [`MAX_LOCATIONS`].
    pub locations: Vec<String>,
    #[serde(skip)]
    last_file: String,
    /// The wrapped data keys seen, by a 16-byte digest (never shown).
    #[serde(skip)]
    deks: std::collections::HashSet<[u8; 16]>,
}

/// The inventory over every document seen.
#[derive(Debug, Default)]
pub struct Inventory {
    entries: BTreeMap<(Option<String>, String), Entry>,
    /// Payload sites that were not valid payloads.
    pub malformed: usize,
    /// References whose object could not be fetched or read, with the reason.
    pub unresolved: Vec<String>,
}

impl Inventory {
    /// Counts every payload site of `tree` (search attributes included: they are stored
    /// payloads too). With `storage`, the object of every External Storage reference is
    /// fetched (hash checked) and counted too, at the reference's location.
    pub fn add(&mut self, tree: &mut TreeDocument, storage: Option<&Storage>) {
        let mut refs = Vec::new();
        for site in tree::collect_root(&mut tree.value, tree.message, tree.location.clone()) {
            let Ok(p) = payload::payload_from_json(site.value) else {
                self.malformed += 1;
                continue;
            };
            if storage.is_some() && reference::is_reference(&p) {
                refs.push((site.location.clone(), p.clone()));
            }
            self.count(&p, &site.location);
        }
        let Some(storage) = storage else {
            return;
        };
        let (locations, list): (Vec<Location>, Vec<_>) = refs.into_iter().unzip();
        let budget = crate::codec::Budget::new(1 << 30);
        for (location, result) in locations.into_iter().zip(storage.resolve(list, &budget)) {
            match result {
                Ok(object) => {
                    let mut at = location;
                    at.path.push_str(" (stored object)");
                    self.count(&object, &at)
                }
                Err(e) => self.unresolved.push(format!("{location}: {e}")),
            }
        }
    }

    fn count(&mut self, p: &payload::Payload, location: &Location) {
        {
            let site_location = location;
            let encoding = payload::encoding(p)
                .map(|e| String::from_utf8_lossy(e).into_owned())
                .unwrap_or_else(|| "(none)".into());
            // A base64key:// KEK URI is key material: counted under its fingerprint.
            let key_id = p
                .metadata
                .get(ENCRYPTION_KEY_ID)
                .map(|k| crate::codec::kms::shown(&String::from_utf8_lossy(k)));
            let entry = self
                .entries
                .entry((key_id.clone(), encoding.clone()))
                .or_insert_with(|| Entry {
                    encoding,
                    key_id,
                    ..Default::default()
                });
            entry.payloads += 1;
            if let Some(dek) = p.metadata.get(payload::ENCRYPTION_DEK) {
                use sha2::Digest as _;
                let digest = sha2::Sha256::digest(dek);
                let mut short = [0u8; 16];
                short.copy_from_slice(&digest[..16]);
                entry.deks.insert(short);
                entry.data_keys = Some(entry.deks.len());
            }
            if *entry.last_file != *site_location.file {
                entry.files += 1;
                entry.last_file = site_location.file.to_string();
            }
            if entry.locations.len() < MAX_LOCATIONS {
                entry.locations.push(site_location.to_string());
            }
        }
    }

    /// The entries: key ids first (sorted), then unencrypted encodings.
    pub fn entries(&self) -> Vec<&Entry> {
        let mut list: Vec<&Entry> = self.entries.values().collect();
        list.sort_by_key(|e| (e.key_id.is_none(), e.key_id.clone(), e.encoding.clone()));
        list
    }
}
