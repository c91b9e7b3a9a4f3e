//! External Storage (claim check) as a pipeline stage.
//!
//! The SDKs run the codecs first and then offload payloads at or above a size threshold
//! (Python `converter/_data_converter.py:125-149`): the stored object is the codec's output,
//! serialized as a Payload, under a content-addressed key, and the history keeps a small
//! reference. Decoding is the reverse: resolve each reference (bucket and key from the
//! claim, SHA-256 checked), then decode with the codecs. This stage does the storage part of
//! both directions over a whole batch: each object is fetched once, concurrently, bounded
//! in size, count and time.

pub mod bucket;
pub mod driver;
pub mod prefetch;
pub mod reference;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use futures::StreamExt as _;
use serde::Deserialize;
use sha2::Digest as _;

use crate::codec::{Budget, CodecError};
use crate::payload::Payload;
pub use driver::{Driver, DriverKind, FetchError};
pub use reference::Claim;

/// The SDKs' default threshold (`_extstore.py:321`).
pub const DEFAULT_THRESHOLD: u64 = 256 * 1024;
/// Largest object fetched.
pub const MAX_OBJECT: u64 = 50 * 1024 * 1024;
/// Objects fetched or stored at once.
const CONCURRENCY: usize = 16;
/// Distinct objects one request or document may name.
const MAX_OBJECTS: usize = 10_000;
/// Time limit of one storage request.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A size given as bytes or as text like `256KiB`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Size {
    /// Bytes.
    Bytes(u64),
    /// Text with a unit.
    Text(String),
}

/// A namespace's `storage = { ... }` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// `s3`, `gcs` or `file`.
    pub driver: DriverKind,
    /// The bucket new objects go to, and the one references may name.
    pub bucket: Option<String>,
    /// Further buckets references may name (read only).
    #[serde(default)]
    pub read_buckets: Vec<String>,
    /// S3 region (else `AWS_REGION`/`AWS_DEFAULT_REGION`, else us-east-1).
    pub region: Option<String>,
    /// S3-compatible endpoint (else `AWS_ENDPOINT_URL`, else AWS).
    pub endpoint: Option<String>,
    /// `file`: the directory holding objects by key.
    pub path: Option<PathBuf>,
    /// Payloads whose encoded size is at least this are offloaded (default 256 KiB).
    pub threshold: Option<Size>,
}

impl StorageConfig {
    /// Checks the table; `base` resolves a relative `path`.
    pub fn validate(&mut self, base: &std::path::Path) -> Result<(), String> {
        match self.driver {
            DriverKind::File => {
                let Some(path) = &self.path else {
                    return Err("storage driver \"file\" needs path = DIR".into());
                };
                self.path = Some(base.join(path));
                if self.endpoint.is_some() || self.region.is_some() {
                    return Err("storage driver \"file\" takes no endpoint or region".into());
                }
            }
            DriverKind::S3 | DriverKind::Gcs => {
                if self.path.is_some() {
                    return Err("storage path is for driver \"file\" only".into());
                }
                if self.bucket.as_deref().is_none_or(str::is_empty) {
                    return Err("storage needs bucket = NAME (where new objects go)".into());
                }
                if let Some(endpoint) = &self.endpoint {
                    driver::check_endpoint(endpoint)?;
                }
            }
        }
        for bucket in self.bucket.iter().chain(&self.read_buckets) {
            if !valid_bucket(bucket) {
                return Err(format!(
                    "storage bucket {bucket:?} is not a valid bucket name (3-63 of a-z, 0-9, '.', '-', '_')"
                ));
            }
        }
        self.threshold_bytes().map(|_| ())
    }

    /// The threshold in bytes.
    pub fn threshold_bytes(&self) -> Result<u64, String> {
        let bytes = match &self.threshold {
            None => DEFAULT_THRESHOLD,
            Some(Size::Bytes(n)) => *n,
            Some(Size::Text(t)) => {
                crate::units::parse_size(t).map_err(|e| format!("storage threshold: {e}"))?
            }
        };
        if bytes == 0 {
            return Err("storage threshold must be at least 1 byte".into());
        }
        Ok(bytes)
    }
}

/// S3 and GCS bucket names: 3-63 lower-case letters, digits, `.`, `-` (and `_` for GCS),
/// starting and ending with a letter or digit.
pub(crate) fn valid_bucket(name: &str) -> bool {
    let ok_char =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_');
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name.chars().all(ok_char)
        && edge(name.chars().next())
        && edge(name.chars().last())
}

/// The storage stage of one namespace.
pub struct Storage {
    namespace: String,
    driver: Driver,
    bucket: Option<String>,
    read_buckets: Vec<String>,
    threshold: u64,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    started: OnceLock<Result<(), String>>,
    fetched: crate::counter::Counter,
    stored: crate::counter::Counter,
    resolved: crate::counter::Counter,
    offloaded: crate::counter::Counter,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("driver", &self.driver)
            .field("bucket", &self.bucket)
            .finish()
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        // A runtime dropped inside another (the server reloading its config) must not
        // block: let its threads wind down on their own.
        if let Ok(mut runtime) = self.runtime.lock() {
            if let Some(rt) = runtime.take() {
                rt.shutdown_background();
            }
        }
    }
}

/// Text from a claim, fit for a one-line message (control characters escaped).
fn escaped(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

/// Why a reference could not be resolved or a payload not stored.
fn data_error(message: String) -> CodecError {
    CodecError::StorageObject { message }
}

impl Storage {
    /// The stage for `namespace` from a validated table.
    pub fn new(namespace: &str, config: &StorageConfig) -> Result<Self, String> {
        Ok(Storage {
            namespace: namespace.to_string(),
            driver: Driver::new(
                config.driver,
                config.region.clone(),
                config.endpoint.clone(),
                config.path.clone(),
                TIMEOUT,
            ),
            bucket: config.bucket.clone(),
            read_buckets: config.read_buckets.clone(),
            threshold: config.threshold_bytes()?,
            runtime: Mutex::new(None),
            started: OnceLock::new(),
            fetched: crate::counter::Counter::default(),
            stored: crate::counter::Counter::default(),
            resolved: crate::counter::Counter::default(),
            offloaded: crate::counter::Counter::default(),
        })
    }

    /// The driver's kind.
    pub fn kind(&self) -> DriverKind {
        self.driver.kind()
    }

    /// The offload threshold in bytes.
    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// Objects fetched so far.
    pub fn fetched(&self) -> usize {
        self.fetched.get()
    }

    /// Objects stored (or found already stored) so far.
    pub fn stored(&self) -> usize {
        self.stored.get()
    }

    /// References replaced by their objects so far.
    pub fn resolved(&self) -> usize {
        self.resolved.get()
    }

    /// Payloads replaced by references so far.
    pub fn offloaded(&self) -> usize {
        self.offloaded.get()
    }

    /// [`Storage::block_on`], given up at the budget's deadline (the server's request
    /// time limit).
    fn block_on_until<F: std::future::Future>(
        &self,
        future: F,
        budget: &Budget,
    ) -> Result<F::Output, CodecError> {
        let Some(left) = budget.time_left() else {
            return self.block_on(future);
        };
        if self.driver.kind() == DriverKind::File {
            return self.block_on(future);
        }
        match self.block_on(tokio::time::timeout(left, future))? {
            Ok(out) => Ok(out),
            Err(_) => Err(CodecError::DeadlineExceeded),
        }
    }

    /// Runs `future` to completion on this stage's I/O runtime (made on first use).
    fn block_on<F: std::future::Future>(&self, future: F) -> Result<F::Output, CodecError> {
        if self.driver.kind() == DriverKind::File {
            return Ok(futures::executor::block_on(future));
        }
        let started = self.started.get_or_init(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("tcodec-storage")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the storage I/O runtime: {e}"))?;
            if let Ok(mut slot) = self.runtime.lock() {
                *slot = Some(rt);
            }
            Ok(())
        });
        if let Err(e) = started {
            return Err(CodecError::StorageUnavailable { message: e.clone() });
        }
        let handle = self
            .runtime
            .lock()
            .ok()
            .and_then(|rt| rt.as_ref().map(|r| r.handle().clone()))
            .ok_or_else(|| CodecError::StorageUnavailable {
                message: "storage I/O runtime is gone".into(),
            })?;
        Ok(handle.block_on(future))
    }

    /// Reads the claim of every plain reference in `batch`, fetches each object once,
    /// checks its SHA-256 and size, and puts the stored payload in the reference's place.
    /// Other payloads pass through.
    ///
    /// Fail closed: a claim may name only the configured bucket (or `read_buckets`); every
    /// fetched object is charged to `budget` as it arrives, and every reference resolved is
    /// charged again (each is a copy); fetching stops at the budget's deadline.
    pub fn resolve(
        &self,
        batch: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        let claims: Vec<Option<Result<Claim, CodecError>>> = batch
            .iter()
            .map(|p| reference::is_reference(p).then(|| self.admit(p)))
            .collect();
        // One fetch per object (bucket and key); each claim's hash is checked on its own.
        let mut unique: Vec<(String, String)> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for claim in claims.iter().flatten().flatten() {
            index
                .entry((claim.bucket.clone(), claim.key.clone()))
                .or_insert_with(|| {
                    unique.push((claim.bucket.clone(), claim.key.clone()));
                    unique.len() - 1
                });
        }
        if unique.len() > MAX_OBJECTS {
            let e = data_error(format!(
                "{} distinct stored objects in one request or document, over the limit of {MAX_OBJECTS}",
                unique.len()
            ));
            return batch.iter().map(|_| Err(e.clone())).collect();
        }
        let fetched: Vec<Result<Vec<u8>, FetchError>> = if unique.is_empty() {
            Vec::new()
        } else {
            let driver = &self.driver;
            // Each object's bytes are reserved from the budget before its body is read (the
            // driver knows the size from the answer's head), and the first failure stops
            // the rest: fetches in flight are dropped, none is started after it.
            let all = fan_out(
                unique
                    .iter()
                    .map(|(bucket, key)| driver.get(bucket, key, budget)),
            );
            match self.block_on_until(all, budget) {
                Ok(list) => list,
                Err(e) => return batch.into_iter().map(|_| Err(e.clone())).collect(),
            }
        };
        self.fetched.add(fetched.len());
        batch
            .into_iter()
            .zip(claims)
            .map(|(payload, claim)| {
                let Some(claim) = claim else {
                    return Ok(payload);
                };
                let claim = claim?;
                let key = escaped(&claim.key);
                let Some(fetch) = fetched.get(index[&(claim.bucket, claim.key.clone())]) else {
                    return Err(data_error(format!(
                        "stored object {key} was not fetched: an earlier object of the request failed"
                    )));
                };
                let bytes = match fetch {
                    Ok(bytes) => bytes,
                    Err(FetchError::Missing(_)) => {
                        return Err(data_error(format!(
                            "stored object {key} is missing from its bucket"
                        )))
                    }
                    Err(FetchError::OverBudget) => return Err(budget.exceeded()),
                    Err(FetchError::TooLarge(size)) => {
                        return Err(data_error(format!(
                            "stored object {key} ({size} bytes) is over the limit of {MAX_OBJECT} bytes per object or the request's or document's decoded budget"
                        )))
                    }
                    Err(FetchError::Unavailable(why)) => {
                        return Err(CodecError::StorageUnavailable {
                            message: format!("cannot fetch {key}: {why}"),
                        })
                    }
                };
                // The actual digest is not shown: it would make the check an oracle.
                if hex::encode(sha2::Sha256::digest(bytes)) != claim.sha256 {
                    return Err(data_error(format!(
                        "stored object {key} fails its integrity check (SHA-256 differs from the reference's)"
                    )));
                }
                budget.spend(bytes.len() as u64)?;
                let stored = crate::codec::inner_payload("storage", bytes)?;
                self.resolved.add(1);
                Ok(stored)
            })
            .collect()
    }

    /// A plain reference's claim, if this storage may read it: the driver's name, and a
    /// bucket this namespace is configured to read (the claim must not choose where the
    /// server's credentials are used).
    fn admit(&self, payload: &Payload) -> Result<Claim, CodecError> {
        let claim = reference::claim(payload).map_err(data_error)?;
        if !self.driver.reads(&claim.driver) {
            return Err(data_error(format!(
                "reference names storage driver {:?}; namespace {:?} has a {:?} driver",
                escaped(&claim.driver),
                self.namespace,
                self.driver.kind()
            )));
        }
        let allowed = match (&self.bucket, self.driver.kind()) {
            // A bucket dump read by the file driver: any bucket, unless one is named.
            (None, DriverKind::File) => true,
            (bucket, _) => {
                bucket.as_deref() == Some(claim.bucket.as_str())
                    || self.read_buckets.contains(&claim.bucket)
            }
        };
        if !allowed {
            return Err(data_error(format!(
                "reference names bucket {:?}, which namespace {:?} does not read (storage bucket or read_buckets)",
                escaped(&claim.bucket),
                self.namespace
            )));
        }
        Ok(claim)
    }

    /// Replaces every payload of `batch` whose serialized size is at least the threshold by
    /// a reference to a stored copy (uploaded once per key). References pass through.
    pub fn offload(&self, batch: Vec<Payload>) -> Vec<Result<Payload, CodecError>> {
        self.offload_from(batch, self.threshold)
    }

    /// Stores every payload of `batch` whatever its size (rekey: what was stored stays
    /// stored, as a new object under its new content address).
    pub fn offload_all(&self, batch: Vec<Payload>) -> Vec<Result<Payload, CodecError>> {
        self.offload_from(batch, 0)
    }

    fn offload_from(
        &self,
        batch: Vec<Payload>,
        threshold: u64,
    ) -> Vec<Result<Payload, CodecError>> {
        let mut jobs: Vec<(String, Vec<u8>)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut plan: Vec<Option<(Claim, u64)>> = Vec::with_capacity(batch.len());
        let bucket = self.bucket.clone();
        for p in &batch {
            if reference::is_reference(p) || reference::is_marked(p) {
                plan.push(None);
                continue;
            }
            let bytes = crate::payload::to_proto(p);
            if (bytes.len() as u64) < threshold {
                plan.push(None);
                continue;
            }
            let Some(bucket) = bucket.clone() else {
                let e = data_error("storage has no bucket to offload to: offloading needs `bucket` in the namespace's storage table; to keep payloads inline, encode with --no-offload".into());
                return batch.iter().map(|_| Err(e.clone())).collect();
            };
            let hex = hex::encode(sha2::Sha256::digest(&bytes));
            // The S3 driver's layout with the namespace as the only known target
            // (`_driver.py:137-208`: `v0/ns/{ns}/d/sha256/{hex}`).
            let key = format!(
                "v0/ns/{}/d/sha256/{hex}",
                reference::key_segment(&self.namespace)
            );
            let size = bytes.len() as u64;
            if !seen.contains_key(&key) {
                seen.insert(key.clone(), jobs.len());
                jobs.push((key.clone(), bytes));
            }
            plan.push(Some((
                Claim {
                    driver: self.driver.claim_name().to_string(),
                    bucket,
                    key,
                    sha256: hex,
                },
                size,
            )));
        }
        let results: Vec<Result<(), FetchError>> = if jobs.is_empty() {
            Vec::new()
        } else {
            let bucket = bucket.unwrap_or_default();
            let driver = &self.driver;
            let all = fan_out(
                jobs.into_iter()
                    .map(|(key, bytes)| driver.put(bucket.clone(), key, bytes)),
            );
            match self.block_on(all) {
                Ok(list) => list,
                Err(e) => return batch.iter().map(|_| Err(e.clone())).collect(),
            }
        };
        self.stored.add(results.len());
        batch
            .into_iter()
            .zip(plan)
            .map(|(payload, plan)| {
                let Some((claim, size)) = plan else {
                    return Ok(payload);
                };
                let Some(result) = seen.get(&claim.key).and_then(|&i| results.get(i)) else {
                    return Err(CodecError::StorageUnavailable {
                        message: format!(
                            "{} was not stored: an earlier object of the batch failed",
                            claim.key
                        ),
                    });
                };
                match result {
                    Ok(()) => {
                        self.offloaded.add(1);
                        Ok(reference::build(&claim, size))
                    }
                    Err(FetchError::Unavailable(why) | FetchError::Missing(why)) => {
                        Err(CodecError::StorageUnavailable {
                            message: format!("cannot store {}: {why}", claim.key),
                        })
                    }
                    Err(FetchError::TooLarge(n)) => {
                        Err(data_error(format!("object of {n} bytes refused")))
                    }
                    Err(FetchError::OverBudget) => Err(data_error("object refused".into())),
                }
            })
            .collect()
    }
}

/// Runs `jobs` at most [`CONCURRENCY`] at a time and answers in job order, stopping at the
/// first failure: jobs in flight are dropped and none is started after it (the answer is
/// then shorter than the jobs; the caller says what did not run).
async fn fan_out<T, F>(jobs: impl Iterator<Item = F>) -> Vec<Result<T, FetchError>>
where
    F: std::future::Future<Output = Result<T, FetchError>>,
{
    let mut stream = futures::stream::iter(jobs).buffered(CONCURRENCY);
    let mut out = Vec::new();
    while let Some(next) = stream.next().await {
        let failed = next.is_err();
        out.push(next);
        if failed {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_out_answers_in_order_and_stops_at_the_first_failure() {
        let started = std::sync::atomic::AtomicUsize::new(0);
        let jobs = (0..40).map(|i| {
            started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async move {
                if i == 3 {
                    Err(FetchError::Missing(format!("job {i}")))
                } else {
                    Ok(i)
                }
            }
        });
        let out = futures::executor::block_on(fan_out(jobs));
        assert_eq!(out.len(), 4);
        assert!(matches!(out[..3], [Ok(0), Ok(1), Ok(2)]));
        assert!(matches!(&out[3], Err(FetchError::Missing(m)) if m == "job 3"));
        // At most the window beyond the failure was started, not all 40.
        assert!(started.load(std::sync::atomic::Ordering::Relaxed) <= 3 + 1 + CONCURRENCY);
        let all: Vec<Result<i32, FetchError>> =
            futures::executor::block_on(fan_out((0..10).map(|i| async move { Ok(i) })));
        assert_eq!(all.len(), 10);
    }

    #[test]
    fn bucket_names_follow_the_s3_rules() {
        for good in [
            "temporal-payloads",
            "abc",
            "a.b-c_d",
            "0ab",
            &"a".repeat(63),
        ] {
            assert!(valid_bucket(good), "{good}");
        }
        for bad in [
            "ab",
            &"a".repeat(64),
            "Temporal",
            "-abc",
            "abc-",
            ".abc",
            "ab/c",
            "a#bc",
            "evil.example/#",
            "a b",
        ] {
            assert!(!valid_bucket(bad), "{bad}");
        }
    }
}
