//! Buckets as inputs: `s3://BUCKET/PREFIX` and `gs://BUCKET/PREFIX` stand for every object
//! under the prefix, in key order; a URL naming one object stands for that object. The
//! clients are External Storage's (credentials from the standard chains, `AWS_ENDPOINT_URL`,
//! plain http only to loopback, no redirects). A selection narrows what is fetched: a Cloud
//! Export time window (`…/<YYYY>/<MM>/<DD>/<HH>/<mm>/<id>` keys) and a stable shard.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::StreamExt as _;
use object_store::{ObjectStore, ObjectStoreExt as _};

use super::driver::{Driver, DriverKind, FetchError};

/// Largest object read as one input (the CLI's default decoded budget per document).
pub const MAX_INPUT: u64 = 1 << 30;

/// A bucket URL, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketUrl {
    /// `s3` or `gcs`.
    pub kind: DriverKind,
    /// The bucket.
    pub bucket: String,
    /// The key or key prefix (no leading `/`).
    pub prefix: String,
}

impl BucketUrl {
    /// `s3://BUCKET/KEY` of one object in the same bucket.
    pub fn object(&self, key: &str) -> String {
        let scheme = if self.kind == DriverKind::Gcs {
            "gs"
        } else {
            "s3"
        };
        format!("{scheme}://{}/{key}", self.bucket)
    }
}

/// Whether `text` is a bucket URL (`s3://` or `gs://`).
pub fn is_url(text: &str) -> bool {
    text.starts_with("s3://") || text.starts_with("gs://")
}

/// Parses `s3://BUCKET[/PREFIX]` or `gs://BUCKET[/PREFIX]`.
pub fn parse(text: &str) -> Result<BucketUrl, String> {
    let (kind, rest) = if let Some(rest) = text.strip_prefix("s3://") {
        (DriverKind::S3, rest)
    } else if let Some(rest) = text.strip_prefix("gs://") {
        (DriverKind::Gcs, rest)
    } else {
        return Err(format!(
            "{text}: expected s3://BUCKET/PREFIX or gs://BUCKET/PREFIX"
        ));
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if !super::valid_bucket(bucket) {
        return Err(format!("{text}: {bucket:?} is not a valid bucket name"));
    }
    if prefix.split('/').any(|s| s == "." || s == "..") || prefix.chars().any(char::is_control) {
        return Err(format!(
            "{text}: the key prefix has `.`/`..` segments or control characters"
        ));
    }
    Ok(BucketUrl {
        kind,
        bucket: bucket.to_string(),
        prefix: prefix.to_string(),
    })
}

/// Which listed objects to take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Cloud Export time window: keys whose `YYYY/MM/DD/HH/mm` is at or after this
    /// (`YYYYMMDDHHmm`).
    pub since: Option<String>,
    /// … and before this.
    pub until: Option<String>,
    /// `(i, n)`: the objects whose key hashes to `i` modulo `n`.
    pub shard: Option<(u64, u64)>,
}

impl Selection {
    /// Whether `key` is selected.
    pub fn takes(&self, key: &str) -> bool {
        if let Some((i, n)) = self.shard {
            if fnv1a(key) % n != i {
                return false;
            }
        }
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let Some(time) = export_time(key) else {
            return false; // not in the Cloud Export layout: outside every window
        };
        self.since.as_deref().is_none_or(|s| time.as_str() >= s)
            && self.until.as_deref().is_none_or(|u| time.as_str() < u)
    }
}

/// FNV-1a (64-bit) of a key: a stable shard for the same key on every machine and run.
fn fnv1a(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `YYYYMMDDHHmm` of a Cloud Export key (`…/<YYYY>/<MM>/<DD>/<HH>/<mm>/<id>`).
pub fn export_time(key: &str) -> Option<String> {
    let segments: Vec<&str> = key.split('/').collect();
    segments.windows(6).find_map(|w| {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        (digits(w[0], 4)
            && digits(w[1], 2)
            && digits(w[2], 2)
            && digits(w[3], 2)
            && digits(w[4], 2))
        .then(|| w[..5].concat())
    })
}

/// The Cloud Export date folders (`2026/12/01/`) that every key of the window
/// `[since, until)` lies under: the leading `YYYY`, `MM`, `DD`, `HH`, `mm` segments both
/// ends share (keys between them share them too: the segments are fixed-width digits).
pub fn window_folders(since: &str, until: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for width in [4, 2, 2, 2, 2] {
        let (Some(a), Some(b)) = (since.get(at..at + width), until.get(at..at + width)) else {
            break;
        };
        if a != b {
            break;
        }
        out.push_str(a);
        out.push('/');
        at += width;
    }
    out
}

/// Parses an RFC 3339 time (`2026-12-01T14:00:00Z`, seconds and fraction optional, `Z` or
/// `+00:00`) to `YYYYMMDDHHmm`; other offsets are refused (Cloud Export keys are UTC).
pub fn parse_time(text: &str) -> Result<String, String> {
    let bad = || format!("{text:?}: expected an RFC 3339 UTC time like 2026-12-01T14:00:00Z");
    let t = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))
        .ok_or_else(bad)?;
    let (date, time) = t.split_once(['T', 't']).ok_or_else(bad)?;
    let d: Vec<&str> = date.split('-').collect();
    let h: Vec<&str> = time.split(':').collect();
    let ok = d.len() == 3
        && (2..=3).contains(&h.len())
        && d[0].len() == 4
        && [d[1], d[2], h[0], h[1]].iter().all(|p| p.len() == 2)
        && d.iter()
            .chain(&h[..2])
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(bad());
    }
    Ok(format!("{}{}{}{}{}", d[0], d[1], d[2], h[0], h[1]))
}

fn driver(kind: DriverKind) -> &'static Driver {
    static S3: OnceLock<Driver> = OnceLock::new();
    static GCS: OnceLock<Driver> = OnceLock::new();
    let cell = if kind == DriverKind::Gcs { &GCS } else { &S3 };
    cell.get_or_init(|| Driver::new(kind, None, None, None, Duration::from_secs(30)))
}

pub(super) fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the bucket I/O runtime: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn store(url: &BucketUrl) -> Result<Arc<dyn ObjectStore>, String> {
    driver(url.kind).store(&url.bucket).map_err(|e| match e {
        FetchError::Unavailable(why) | FetchError::Missing(why) => why,
        other => format!("{other:?}"),
    })
}

/// The keys `url` stands for, sorted: the one object it names, or every object under its
/// prefix (with a time window, only under the date folders the window spans; the caller
/// still applies `select` to each key). Listing fetches no object. The error is the store's
/// (the caller names the URL).
pub fn list(url: &BucketUrl, select: &Selection) -> Result<Vec<String>, String> {
    let store = store(url)?;
    let prefix = url.prefix.trim_end_matches('/');
    let path = (!prefix.is_empty()).then(|| object_store::path::Path::from(prefix));
    // A URL naming one object (no trailing `/`): that object, when it exists.
    if let (Some(object), false) = (&path, url.prefix.ends_with('/')) {
        if runtime()?.block_on(store.head(object)).is_ok() {
            return Ok(vec![prefix.to_string()]);
        }
    }
    // A time window under the level of the years lists only the date folders that the
    // window's two ends share (objects outside it are never listed, let alone fetched).
    let narrowed = match (&path, select.since.as_deref(), select.until.as_deref()) {
        (Some(dir), Some(since), Some(until)) if !window_folders(since, until).is_empty() => {
            let below = runtime()?
                .block_on(store.list_with_delimiter(Some(dir)))
                .map_err(|e| super::driver::reason(&e))?;
            let years = |p: &object_store::path::Path| {
                p.filename()
                    .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            };
            (below.objects.is_empty()
                && !below.common_prefixes.is_empty()
                && below.common_prefixes.iter().all(years))
            .then(|| {
                object_store::path::Path::from(format!(
                    "{prefix}/{}",
                    window_folders(since, until).trim_end_matches('/')
                ))
            })
        }
        _ => None,
    };
    let path = narrowed.or(path);
    let listed: Vec<String> = runtime()?.block_on(async {
        let mut stream = store.list(path.as_ref());
        let mut keys = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(|e| super::driver::reason(&e))?;
            keys.push(meta.location.to_string());
        }
        Ok::<_, String>(keys)
    })?;
    let mut keys = listed;
    keys.sort();
    Ok(keys)
}

/// Stores `bytes` as the object `text` (`s3://BUCKET/KEY`) names (one PUT: whole or not
/// at all).
pub fn put(text: &str, bytes: Vec<u8>) -> Result<(), String> {
    let url = parse(text)?;
    if url.prefix.is_empty() || url.prefix.ends_with('/') {
        return Err(format!("{text}: name an object (a key not ending in /)"));
    }
    let store = store(&url)?;
    let path = object_store::path::Path::from(url.prefix.as_str());
    runtime()?
        .block_on(store.put(&path, bytes.into()))
        .map(|_| ())
        .map_err(|e| super::driver::reason(&e))
}

/// The bytes of the object `text` (`s3://BUCKET/KEY`) names, fetched now (see
/// [`super::prefetch::fetch`] for objects fetched ahead).
pub fn fetch(text: &str) -> Result<Vec<u8>, String> {
    runtime()?.block_on(fetch_async(text.to_string()))
}

/// Fetches one object, bounded at [`MAX_INPUT`] from the answer's head, before its body.
pub(super) async fn fetch_async(text: String) -> Result<Vec<u8>, String> {
    let url = parse(&text)?;
    let store = store(&url)?;
    let path = object_store::path::Path::from(url.prefix.as_str());
    let got = store
        .get(&path)
        .await
        .map_err(|e| super::driver::reason(&e))?;
    // Bounded before the body is read, as a local file is by the disk it sits on.
    if got.meta.size > MAX_INPUT {
        return Err(format!(
            "the object is {} bytes, over the limit of {MAX_INPUT} bytes for one input",
            got.meta.size
        ));
    }
    let bytes = got.bytes().await.map_err(|e| super::driver::reason(&e))?;
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_lists_only_the_date_folders_its_ends_share() {
        assert_eq!(
            window_folders("202612011400", "202612011500"),
            "2026/12/01/"
        );
        assert_eq!(
            window_folders("202612011400", "202612011430"),
            "2026/12/01/14/"
        );
        assert_eq!(window_folders("202611010000", "202612010000"), "2026/");
        assert_eq!(window_folders("202512310000", "202601010000"), "");
        assert_eq!(
            window_folders("202612011400", "202612011400"),
            "2026/12/01/14/00/"
        );
    }

    #[test]
    fn urls_times_and_shards() {
        let u = parse("s3://temporal-payloads/temporal-workflow-history/export/ns/").unwrap();
        assert_eq!(u.bucket, "temporal-payloads");
        assert_eq!(u.prefix, "temporal-workflow-history/export/ns/");
        assert!(parse("s3://UPPER/x").is_err());
        assert!(parse("s3://bucket/a/../b").is_err());
        assert!(parse("http://x/y").is_err());
        assert_eq!(
            export_time("temporal-workflow-history/export/ns/2026/12/01/14/05/abc"),
            Some("202612011405".into())
        );
        assert_eq!(export_time("archive/0.history"), None);
        assert_eq!(parse_time("2026-12-01T14:00:00Z").unwrap(), "202612011400");
        assert_eq!(parse_time("2026-12-01T14:00Z").unwrap(), "202612011400");
        assert!(parse_time("2026-12-01T14:00:00+02:00").is_err());
        assert!(parse_time("yesterday").is_err());
        let window = Selection {
            since: Some("202612011400".into()),
            until: Some("202612011500".into()),
            shard: None,
        };
        assert!(window.takes("e/ns/2026/12/01/14/59/x"));
        assert!(!window.takes("e/ns/2026/12/01/15/00/x"));
        assert!(!window.takes("e/ns/2026/12/01/13/59/x"));
        assert!(!window.takes("no-layout"));
        let keys: Vec<String> = (0..200).map(|i| format!("k/{i}")).collect();
        let shard = |i| Selection {
            shard: Some((i, 3)),
            ..Default::default()
        };
        let mut all: Vec<&String> = (0..3)
            .flat_map(|i| keys.iter().filter(move |k| shard(i).takes(k)))
            .collect();
        all.sort();
        let mut expected: Vec<&String> = keys.iter().collect();
        expected.sort();
        assert_eq!(all, expected, "every key in exactly one shard");
    }
}
