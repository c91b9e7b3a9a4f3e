//! Policy checks for CI (`tcodec check`): walks the same payload sites as decode and reports
//! plaintext leaks, key ids off an allow list, oversized payloads and undecodable payloads.
//!
//! Sites the SDKs deliberately leave unencoded — search attributes (the server indexes
//! them), headers, local-activity marker `details.data` — are notices, not violations,
//! unless `strict` (headers and marker data then count; search attributes never can be
//! encoded, so they stay notices).

use serde::Serialize;

use crate::codec::{Budget, Direction};
use crate::document::tree::{self, SiteFilter, SiteKind};
use crate::document::TreeDocument;
use crate::error::Location;
use crate::payload::{self, ENCRYPTION_KEY_ID};
use crate::pipeline::Pipeline;
use crate::storage::reference;

/// The encodings the SDKs' default payload converters write (sdk-go `converter/`): a
/// payload in one of them is plaintext.
pub const CONVERTER_ENCODINGS: [&str; 5] = [
    "binary/null",
    "binary/plain",
    "json/plain",
    "json/protobuf",
    "binary/protobuf",
];

/// Temporal's documented default payload (blob) error limit: 2 MB
/// (docs.temporal.io, "blob size limit error"; Temporal Cloud uses the same).
pub const DEFAULT_MAX_PAYLOAD_SIZE: u64 = 2 * 1024 * 1024;

/// What to enforce.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Every payload must carry the encoding the pipeline's outermost codec writes.
    pub require_encoded: bool,
    /// The encoding the outermost codec writes (`binary/encrypted`), if any codec. Without
    /// one (a remote codec alone), "encoded" means not in a payload converter's encoding.
    pub outer_encoding: Option<String>,
    /// Key ids allowed in `encryption-key-id`; `None` allows any.
    pub allowed_key_ids: Option<Vec<String>>,
    /// Largest stored payload, in serialized bytes.
    pub max_payload_size: u64,
    /// Headers and local-activity marker data count as violations too.
    pub strict: bool,
    /// Decoded bytes one document may produce in total.
    pub max_decoded_total: u64,
    /// Fetch every storage reference's object and check it too.
    pub verify_storage: bool,
    /// The encodings the namespace's codecs write; a payload in any other encoding that is
    /// not a payload converter's is foreign: the pipeline cannot decode it. `None`: not
    /// known (a remote codec).
    pub known_encodings: Option<Vec<String>>,
    /// The key ids (and KEK URIs) the namespace's codecs know; an encrypted payload naming
    /// any other was not written for this namespace (checked without decoding). `None`:
    /// not known (a remote codec, or a fallback key that opens any id).
    pub known_key_ids: Option<Vec<String>>,
}

/// The rule a finding broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A payload is not encoded by the namespace pipeline.
    Plaintext,
    /// A key id is not on the allow list.
    KeyId,
    /// A payload is over the size limit.
    Size,
    /// The pipeline cannot decode a payload.
    Undecodable,
    /// A payload site does not hold a valid Payload, or an input is not a document.
    Malformed,
    /// An input could not be read.
    Unreadable,
    /// A payload decoded once still carries the pipeline's outer encoding.
    DoubleEncoded,
    /// An External Storage reference (a notice: what its claim shows in clear).
    Reference,
    /// A payload in a codec encoding the namespace's pipeline does not decode (another
    /// namespace's data, or the wrong `-n`).
    ForeignEncoding,
}

impl Rule {
    /// The rule's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Plaintext => "plaintext",
            Rule::KeyId => "key-id",
            Rule::Size => "size",
            Rule::Undecodable => "undecodable",
            Rule::Malformed => "malformed",
            Rule::Unreadable => "unreadable",
            Rule::DoubleEncoded => "double-encoded",
            Rule::Reference => "storage-reference",
            Rule::ForeignEncoding => "foreign-encoding",
        }
    }
}

/// One reported payload.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The input file.
    pub file: String,
    /// The line a JSON-lines document starts on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The JSON path of the payload.
    pub path: String,
    /// The execution of an export object it is in (`workflow "order-17"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    /// The rule.
    pub rule: Rule,
    /// The site kind, for notices (`search-attribute`, `header`, `marker-data`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

/// What one document's check found.
#[derive(Debug, Default)]
pub struct Report {
    /// Payload sites looked at.
    pub payloads: usize,
    /// Violations: fail the check.
    pub violations: Vec<Finding>,
    /// Notices: sites the SDKs leave plain by default.
    pub notices: Vec<Finding>,
}

/// One payload site as the rules see it: where, what kind of place, and the stored payload
/// (or why the site does not hold one).
pub struct StoredSite {
    /// The kind of place.
    pub kind: SiteKind,
    /// File, execution and JSON path.
    pub location: Location,
    /// The payload as stored, or what is wrong with it.
    pub payload: std::result::Result<payload::Payload, String>,
}

impl Report {
    /// Adds `other` (a later part of the same check) to this report, keeping order.
    pub fn absorb(&mut self, mut other: Report) {
        self.payloads += other.payloads;
        self.violations.append(&mut other.violations);
        self.notices.append(&mut other.notices);
    }
}

/// Checks every payload site of `tree`. `pipeline`, when given, must decode each payload.
pub fn check_tree(
    tree: &mut TreeDocument,
    rules: &Rules,
    pipeline: Option<&Pipeline>,
    report: &mut Report,
) {
    let sites = tree::collect_root(&mut tree.value, tree.message, tree.location.clone())
        .into_iter()
        .map(|site| StoredSite {
            kind: site.kind,
            payload: payload::payload_from_json(site.value).map_err(|e| {
                if e.path.is_empty() {
                    e.message
                } else {
                    format!("{}: {}", e.path, e.message)
                }
            }),
            location: site.location,
        })
        .collect();
    check_sites(sites, rules, pipeline, report);
}

/// Checks payload sites found on the wire of a binary message ([`crate::document::wire`]).
pub fn check_wire(
    sites: Vec<crate::document::wire::WireSite<'_>>,
    rules: &Rules,
    pipeline: Option<&Pipeline>,
    report: &mut Report,
) {
    let sites = sites
        .into_iter()
        .map(|site| StoredSite {
            kind: site.kind,
            payload: payload::from_proto(site.bytes)
                .map_err(|e| format!("not a valid Payload message ({e})"))
                .and_then(|p| whole(p, site.bytes.len())),
            location: site.location,
        })
        .collect();
    check_sites(sites, rules, pipeline, report);
}

/// `payload` as parsed from `len` bytes, if it is all of them. A parser drops fields it
/// does not know and merges repeated ones: bytes that do not come back when the payload is
/// written again (plaintext beside a sealed `data`, say) are bytes no rule looked at.
fn whole(payload: payload::Payload, len: usize) -> std::result::Result<payload::Payload, String> {
    let kept = prost::Message::encoded_len(&payload);
    if kept == len {
        Ok(payload)
    } else {
        Err(format!(
            "the Payload message is {len} bytes, its fields only {kept}: it holds unknown or repeated fields, unchecked"
        ))
    }
}

/// The rules over a document's payload sites: plaintext, key id, size, references, and
/// (with `pipeline`) that each decodes.
pub fn check_sites(
    sites: Vec<StoredSite>,
    rules: &Rules,
    pipeline: Option<&Pipeline>,
    report: &mut Report,
) {
    let decode_sites = SiteFilter::for_direction(Direction::Decode);
    let mut to_decode = Vec::new();
    let mut stored_refs = Vec::new();
    for site in sites {
        report.payloads += 1;
        let finding =
            |rule: Rule, message: String| site_finding(&site.location, site.kind, rule, message);
        let stored = match site.payload {
            Ok(p) => p,
            Err(why) => {
                report.violations.push(finding(Rule::Malformed, why));
                continue;
            }
        };
        if reference::is_reference(&stored) {
            match reference::claim(&stored) {
                Err(why) => report.violations.push(finding(Rule::Malformed, why)),
                Ok(claim) => {
                    let names: Vec<String> = reference::exposed_names(&claim)
                        .into_iter()
                        .map(|(label, value)| format!("{label} {value:?}"))
                        .collect();
                    let exposed = if names.is_empty() {
                        String::new()
                    } else {
                        format!("; its object key shows {}", names.join(", "))
                    };
                    report.notices.push(finding(
                        Rule::Reference,
                        format!(
                            "external storage reference to {}/{} ({} bytes){exposed}",
                            claim.bucket,
                            claim.key,
                            stored.external_payloads.first().map_or(0, |d| d.size_bytes)
                        ),
                    ));
                    if rules.verify_storage {
                        stored_refs.push((
                            finding(Rule::Undecodable, String::new()),
                            (site.kind, stored),
                        ));
                    }
                }
            }
            continue;
        }
        let foreign_key = inspect(&stored, site.kind, rules, &finding, report);
        // A payload sealed under another namespace's key: said once, not again as
        // undecodable.
        if pipeline.is_some() && decode_sites.includes(site.kind) && !foreign_key {
            // The finding is made only if the payload fails (most never do).
            to_decode.push((Pending::Site(site.location, site.kind), stored));
        }
    }
    // --verify-storage: fetch each referenced object (hash checked), then check it as the
    // stored payload it is: encoded by the pipeline, allowed key, decodable.
    if !stored_refs.is_empty() {
        let storage = pipeline.and_then(Pipeline::storage);
        let budget = Budget::new(rules.max_decoded_total);
        let (findings, rest): (Vec<Finding>, Vec<_>) = stored_refs.into_iter().unzip();
        let (kinds, list): (Vec<SiteKind>, Vec<_>) = rest.into_iter().unzip();
        let results = match storage {
            Some(storage) => storage.resolve(list, &budget),
            None => list
                .iter()
                .map(|_| {
                    Err(crate::codec::CodecError::StorageObject {
                        message:
                            "the namespace has no storage configured to verify references against"
                                .into(),
                    })
                })
                .collect(),
        };
        for ((mut f, kind), result) in findings.into_iter().zip(kinds).zip(results) {
            match result {
                Err(e) => {
                    f.message = e.to_string();
                    report.violations.push(f);
                }
                Ok(object) => {
                    let finding = |rule: Rule, message: String| Finding {
                        rule,
                        message: format!("stored object: {message}"),
                        ..f.clone()
                    };
                    let foreign_key = inspect(&object, kind, rules, &finding, report);
                    if decode_sites.includes(kind) && !foreign_key {
                        to_decode.push((
                            Pending::Made(finding(Rule::Undecodable, String::new())),
                            object,
                        ));
                    }
                }
            }
        }
    }
    // Decode in one list, so a remote stage gets whole batches.
    if let Some(pipeline) = pipeline {
        let (pending, list): (Vec<Pending>, Vec<_>) = to_decode.into_iter().unzip();
        let budget = Budget::new(rules.max_decoded_total).keeping_refs(true);
        for (p, result) in
            pending
                .into_iter()
                .zip(pipeline.run_each(Direction::Decode, list, &budget))
        {
            match result {
                Err(e) => report
                    .violations
                    .push(p.finding(Rule::Undecodable, e.to_string())),
                Ok(decoded) => {
                    if let Some(outer) = &rules.outer_encoding {
                        if payload::encoding(&decoded) == Some(outer.as_bytes()) {
                            report.violations.push(p.finding(
                                Rule::DoubleEncoded,
                                format!(
                                    "decoded once, the payload still carries {outer:?}: it was encoded twice"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// A payload waiting to be decoded: where it is, so a finding can be made if it fails.
enum Pending {
    /// A site of the document.
    Site(Location, SiteKind),
    /// A stored object behind a reference (its finding says so).
    Made(Finding),
}

impl Pending {
    fn finding(self, rule: Rule, message: String) -> Finding {
        match self {
            Pending::Site(location, kind) => site_finding(&location, kind, rule, message),
            Pending::Made(f) => Finding { rule, message, ..f },
        }
    }
}

/// A finding at `location`, a site of `kind`.
fn site_finding(location: &Location, kind: SiteKind, rule: Rule, message: String) -> Finding {
    Finding {
        file: location.file.to_string(),
        line: location.line,
        path: location.path.clone(),
        execution: location.execution.as_deref().map(str::to_string),
        rule,
        site: site_name(kind),
        message,
    }
}

/// The plaintext, key-id and size rules on one stored payload.
fn inspect(
    stored: &payload::Payload,
    kind: SiteKind,
    rules: &Rules,
    finding: &dyn Fn(Rule, String) -> Finding,
    out: &mut Report,
) -> bool {
    let encoding = payload::encoding(stored).map(payload::text);
    let mut foreign_key = false;
    if let (Some(known), Some(e)) = (&rules.known_encodings, &encoding) {
        let foreign = !known.iter().any(|k| k == e) && !CONVERTER_ENCODINGS.contains(&e.as_ref());
        if foreign {
            out.violations.push(finding(
                Rule::ForeignEncoding,
                format!(
                    "encoding {e:?} is not one this namespace's codecs decode ({}): another namespace's data, or the wrong -n?",
                    if known.is_empty() {
                        "it has none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
    let encoded = match (&rules.outer_encoding, &encoding) {
        (Some(outer), Some(e)) => outer == e,
        (None, Some(e)) => !CONVERTER_ENCODINGS.contains(&e.as_ref()),
        (_, None) => false,
    };
    if rules.require_encoded && !encoded {
        let shown = encoding.as_deref().unwrap_or("(none)");
        let expected = rules
            .outer_encoding
            .as_deref()
            .unwrap_or("(a codec's encoding)");
        let counts = match kind {
            SiteKind::Data => true,
            SiteKind::Header | SiteKind::MarkerData => rules.strict,
            SiteKind::SearchAttribute => false,
        };
        let message = format!("not encoded: encoding {shown:?}, expected {expected:?}");
        if counts {
            out.violations.push(finding(Rule::Plaintext, message));
        } else {
            out.notices.push(finding(
                Rule::Plaintext,
                format!("{message} (left plain by the SDKs by default)"),
            ));
        }
    }
    // `meta`, not the map's `get`: comparing a few keys costs less than SipHash.
    let key_id = payload::meta(stored, ENCRYPTION_KEY_ID);
    if let (Some(known), Some(id)) = (&rules.known_key_ids, key_id) {
        let id = payload::text(id);
        if !known.iter().any(|k| *k == id) {
            foreign_key = true;
            let names: Vec<String> = known.iter().map(|k| crate::codec::kms::shown(k)).collect();
            out.violations.push(finding(
                Rule::KeyId,
                format!(
                    "key id {:?} is not one of this namespace's keys ({}): another namespace's data, or the wrong -n?",
                    crate::codec::kms::shown(&id),
                    names.join(", ")
                ),
            ));
        }
    }
    if let (Some(allowed), Some(id)) = (&rules.allowed_key_ids, key_id) {
        let id = payload::text(id);
        if !allowed.iter().any(|a| *a == id) {
            out.violations.push(finding(
                Rule::KeyId,
                format!(
                    "key id {:?} is not allowed (allowed: {})",
                    crate::codec::kms::shown(&id),
                    allowed
                        .iter()
                        .map(|a| crate::codec::kms::shown(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    // The serialized size, without serializing (the length is the same in any map order).
    let size = prost::Message::encoded_len(stored) as u64;
    if size > rules.max_payload_size {
        out.violations.push(finding(
            Rule::Size,
            format!(
                "payload is {size} bytes, over the limit of {} bytes",
                rules.max_payload_size
            ),
        ));
    }
    foreign_key
}

fn site_name(kind: SiteKind) -> Option<&'static str> {
    match kind {
        SiteKind::Data => None,
        SiteKind::Header => Some("header"),
        SiteKind::MarkerData => Some("marker-data"),
        SiteKind::SearchAttribute => Some("search-attribute"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_size_limit_is_temporals_2_mib() {
        assert_eq!(DEFAULT_MAX_PAYLOAD_SIZE, 2_097_152);
    }
}
