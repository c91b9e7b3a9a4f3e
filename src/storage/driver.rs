//! Where stored payloads live: an S3-compatible or GCS bucket (through the `object_store`
//! crate, credentials from the standard provider chains) or a local directory laid out like
//! a bucket dump (`file`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use object_store::{ObjectStore, ObjectStoreExt as _};

use crate::codec::budget::Reservation;
use crate::codec::Budget;

/// Which driver a namespace's storage uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriverKind {
    /// Amazon S3 or any S3-compatible endpoint (claims name `aws.s3driver`).
    S3,
    /// Google Cloud Storage (claims name `gcp.gcsdriver`).
    Gcs,
    /// A local directory in the bucket's key layout (reads claims of any driver).
    File,
}

/// Why a storage operation failed. Messages name the object, never its contents or
/// credentials.
#[derive(Debug, Clone)]
pub enum FetchError {
    /// The object is not there.
    Missing(String),
    /// The object is larger than allowed.
    TooLarge(u64),
    /// The object does not fit in what the request's or document's budget has left.
    OverBudget,
    /// The store could not be reached or refused (network, credentials, timeout).
    Unavailable(String),
}

/// One driver instance: the stores it opened, one per bucket.
pub struct Driver {
    kind: DriverKind,
    region: Option<String>,
    endpoint: Option<String>,
    dir: Option<PathBuf>,
    timeout: Duration,
    stores: Mutex<HashMap<String, Arc<dyn ObjectStore>>>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").field("kind", &self.kind).finish()
    }
}

impl Driver {
    /// A driver of `kind`; `dir` for `file`, `region`/`endpoint` for `s3`.
    pub fn new(
        kind: DriverKind,
        region: Option<String>,
        endpoint: Option<String>,
        dir: Option<PathBuf>,
        timeout: Duration,
    ) -> Self {
        Driver {
            kind,
            region,
            endpoint,
            dir,
            timeout,
            stores: Mutex::new(HashMap::new()),
        }
    }

    /// The kind.
    pub fn kind(&self) -> DriverKind {
        self.kind
    }

    /// Whether this driver reads claims written by driver `name`.
    pub fn reads(&self, name: &str) -> bool {
        match self.kind {
            DriverKind::S3 => name == super::reference::S3_DRIVER,
            DriverKind::Gcs => name == super::reference::GCS_DRIVER,
            DriverKind::File => true,
        }
    }

    /// The driver name written into claims.
    pub fn claim_name(&self) -> &'static str {
        match self.kind {
            DriverKind::S3 | DriverKind::File => super::reference::S3_DRIVER,
            DriverKind::Gcs => super::reference::GCS_DRIVER,
        }
    }

    /// Reads `bucket`/`key`, at most `limit` bytes.
    pub async fn get(
        &self,
        bucket: &str,
        key: &str,
        budget: &Budget,
    ) -> Result<Vec<u8>, FetchError> {
        if self.kind == DriverKind::File {
            return self.file_get(key, budget);
        }
        let store = self.store(bucket)?;
        let path = object_path(key)?;
        let result = store.get(&path).await.map_err(|e| classify(e, key))?;
        // The size is known from the answer's head: the bytes are taken from the budget
        // before the body is read, and the read stops at that size.
        let size = result.meta.size;
        let reserved = reserve(size, budget)?;
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut body = result.into_stream();
        while let Some(chunk) = futures::StreamExt::next(&mut body).await {
            let chunk = chunk.map_err(|e| classify(e, key))?;
            if (bytes.len() + chunk.len()) as u64 > size {
                return Err(FetchError::TooLarge((bytes.len() + chunk.len()) as u64));
            }
            bytes.extend_from_slice(&chunk);
        }
        reserved.keep(bytes.len() as u64);
        Ok(bytes)
    }

    /// Stores `bytes` under `bucket`/`key` unless an object is already there (content
    /// addressed keys: equal key, equal bytes).
    pub async fn put(&self, bucket: String, key: String, bytes: Vec<u8>) -> Result<(), FetchError> {
        let key = key.as_str();
        if self.kind == DriverKind::File {
            return self.file_put(key, &bytes);
        }
        let store = self.store(&bucket)?;
        let path = object_path(key)?;
        match store.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(classify(e, key)),
        }
        store
            .put(&path, bytes.into())
            .await
            .map(|_| ())
            .map_err(|e| classify(e, key))
    }

    pub(crate) fn store(&self, bucket: &str) -> Result<Arc<dyn ObjectStore>, FetchError> {
        let mut stores = self
            .stores
            .lock()
            .map_err(|_| FetchError::Unavailable("storage client lock poisoned".into()))?;
        if let Some(store) = stores.get(bucket) {
            return Ok(store.clone());
        }
        let options = object_store::ClientOptions::new()
            .with_timeout(self.timeout)
            .with_connect_timeout(Duration::from_secs(5));
        let retry = object_store::RetryConfig {
            max_retries: 2,
            retry_timeout: self.timeout,
            ..Default::default()
        };
        let store: Arc<dyn ObjectStore> = match self.kind {
            DriverKind::S3 => {
                use object_store::aws::AmazonS3ConfigKey as Key;
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry);
                if let Some(region) = &self.region {
                    builder = builder.with_region(region);
                }
                // The configured endpoint wins over every AWS_ENDPOINT* variable (object_store
                // prefers AWS_ENDPOINT_URL_S3, matched in any case): set it under both keys.
                if let Some(endpoint) = &self.endpoint {
                    builder = builder
                        .with_config(Key::Endpoint, endpoint)
                        .with_config(Key::S3Endpoint, endpoint);
                }
                // Then check what the client will really use, wherever it came from.
                let mut clear = false;
                for key in [Key::S3Endpoint, Key::Endpoint, Key::StsEndpoint] {
                    if let Some(endpoint) = builder.get_config_value(&key) {
                        let parsed = check_endpoint(&endpoint).map_err(FetchError::Unavailable)?;
                        clear |= parsed.scheme() == "http";
                    }
                }
                Arc::new(
                    builder
                        .with_client_options(options.with_allow_http(clear))
                        .with_http_connector(NoRedirects {
                            timeout: self.timeout,
                            allow_http: clear,
                        })
                        .build()
                        .map_err(|e| {
                            FetchError::Unavailable(format!("cannot set up the S3 client ({e})"))
                        })?,
                )
            }
            DriverKind::Gcs => {
                use object_store::gcp::GoogleConfigKey as Key;
                let mut builder = object_store::gcp::GoogleCloudStorageBuilder::from_env();
                // Google's own libraries' emulator setting (`host:port` or a URL): the
                // emulator takes unsigned requests. Checked like every endpoint below.
                if let Some(host) = std::env::var("STORAGE_EMULATOR_HOST")
                    .ok()
                    .filter(|h| !h.is_empty())
                {
                    let base = if host.contains("://") {
                        host
                    } else {
                        format!("http://{host}")
                    };
                    builder = builder
                        .with_config(Key::BaseUrl, base.trim_end_matches('/'))
                        .with_config(Key::SkipSignature, "true");
                }
                let mut clear = false;
                if let Some(base) = builder.get_config_value(&Key::BaseUrl) {
                    let parsed = check_endpoint(&base).map_err(FetchError::Unavailable)?;
                    clear = parsed.scheme() == "http";
                }
                Arc::new(
                    builder
                        .with_bucket_name(bucket)
                        .with_client_options(options.with_allow_http(clear))
                        .with_retry(retry)
                        .with_http_connector(NoRedirects {
                            timeout: self.timeout,
                            allow_http: clear,
                        })
                        .build()
                        .map_err(|e| {
                            FetchError::Unavailable(format!("cannot set up the GCS client ({e})"))
                        })?,
                )
            }
            DriverKind::File => {
                return Err(FetchError::Unavailable(
                    "the file driver has no client".into(),
                ))
            }
        };
        stores.insert(bucket.to_string(), store.clone());
        Ok(store)
    }

    fn file_path(&self, key: &str) -> Result<PathBuf, FetchError> {
        let dir = self
            .dir
            .as_deref()
            .ok_or_else(|| FetchError::Unavailable("file storage has no path".into()))?;
        Ok(dir.join(checked_key(key)?))
    }

    fn file_get(&self, key: &str, budget: &Budget) -> Result<Vec<u8>, FetchError> {
        use std::io::Read as _;
        let path = self.file_path(key)?;
        let unreadable = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => FetchError::Missing(key.to_string()),
            _ => FetchError::Unavailable(format!("cannot read the object: {}", e.kind())),
        };
        let file = std::fs::File::open(&path).map_err(unreadable)?;
        let size = file.metadata().map_err(unreadable)?.len();
        let reserved = reserve(size, budget)?;
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.take(size + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > size {
            return Err(FetchError::TooLarge(bytes.len() as u64));
        }
        reserved.keep(bytes.len() as u64);
        Ok(bytes)
    }

    fn file_put(&self, key: &str, bytes: &[u8]) -> Result<(), FetchError> {
        let path = self.file_path(key)?;
        if path.is_file() {
            return Ok(());
        }
        let write = || -> std::io::Result<()> {
            let parent = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(parent)?;
            let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
            std::io::Write::write_all(&mut tmp, bytes)?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        write()
            .map_err(|e| FetchError::Unavailable(format!("cannot write {}: {e}", path.display())))
    }
}

/// The endpoint the standard environment names, if any (`AWS_ENDPOINT_URL`, as the AWS
/// SDKs read it).
/// The storage clients' HTTP client: object_store's own (reqwest, same features), but one
/// that follows no redirect. A redirect would carry the request's signed headers (a session
/// token) to a host no configuration named, past the endpoint rule.
#[derive(Debug)]
struct NoRedirects {
    timeout: Duration,
    allow_http: bool,
}

impl object_store::client::HttpConnector for NoRedirects {
    fn connect(
        &self,
        _: &object_store::ClientOptions,
    ) -> object_store::Result<object_store::client::HttpClient> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(Duration::from_secs(5))
            .https_only(!self.allow_http)
            .build()
            .map_err(|e| object_store::Error::Generic {
                store: "storage",
                source: Box::new(e),
            })?;
        Ok(object_store::client::HttpClient::new(client))
    }
}

/// `size` bytes reserved from `budget` for an object, refused over [`super::MAX_OBJECT`]
/// or over what the budget has left.
fn reserve(size: u64, budget: &Budget) -> Result<Reservation<'_>, FetchError> {
    if size > super::MAX_OBJECT {
        return Err(FetchError::TooLarge(size));
    }
    budget.reserve(size).map_err(|_| FetchError::OverBudget)
}

/// Plain http only to a loopback endpoint, no credentials in the URL: credentials and
/// payloads never cross a network in clear ([`crate::endpoint::check`]).
pub fn check_endpoint(endpoint: &str) -> Result<url::Url, String> {
    crate::endpoint::check(
        "storage endpoint",
        endpoint,
        crate::endpoint::Clear::LoopbackOnly,
    )
}

/// An object key as given, refused when it has empty, `.` or `..` segments or control
/// characters (a claim must not walk out of the bucket or the directory).
fn checked_key(key: &str) -> Result<&str, FetchError> {
    let bad = key.is_empty()
        || key.starts_with('/')
        || key
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        || key.chars().any(|c| c.is_control() || c == '\\');
    if bad {
        return Err(FetchError::Missing(format!(
            "{key} (not a valid object key)"
        )));
    }
    Ok(key)
}

fn object_path(key: &str) -> Result<object_store::path::Path, FetchError> {
    let key = checked_key(key)?;
    object_store::path::Path::parse(key)
        .map_err(|_| FetchError::Missing(format!("{key} (not a valid object key)")))
}

fn classify(e: object_store::Error, key: &str) -> FetchError {
    match e {
        object_store::Error::NotFound { .. } => FetchError::Missing(key.to_string()),
        other => FetchError::Unavailable(reason(&other)),
    }
}

/// A store error as one line for a message: object_store's text (URLs and status lines,
/// never credentials) with the server's answer in it escaped (an XML body spans lines, and
/// a server's words must not forge any) and cut to 300 characters. A missing bucket says so.
pub fn reason(e: &object_store::Error) -> String {
    let text = e.to_string();
    if text.contains("<Code>NoSuchBucket</Code>") {
        return "the bucket does not exist (NoSuchBucket)".into();
    }
    let mut shown: String = text
        .chars()
        .take(300)
        .collect::<String>()
        .escape_debug()
        .collect();
    if text.chars().count() > 300 {
        shown.push_str("...");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_in_clear_only_to_loopback() {
        assert!(check_endpoint("https://s3.example.com").is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000").is_ok());
        assert!(check_endpoint("http://localhost:9000/").is_ok());
        assert!(check_endpoint("http://[::1]:9000").is_ok());
        assert!(check_endpoint("http://10.0.0.5:9000").is_err());
        assert!(check_endpoint("http://127.0.0.1.evil.com").is_err());
        assert!(check_endpoint("ftp://x").is_err());
    }

    #[test]
    fn keys_cannot_walk_out() {
        for bad in ["", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b"] {
            assert!(checked_key(bad).is_err(), "{bad}");
        }
        assert!(checked_key("v0/ns/a%20b/d/sha256/ab").is_ok());
    }
}
