//! `GET /metrics` (with `--metrics`): Prometheus text exposition format 0.0.4.
//!
//! Every label is bounded: routes are `encode`, `decode`, `download`, `other` (never raw
//! paths); status classes `2xx`..`5xx`; codec error kinds are a fixed list; key ids are
//! the configured ones (anything else counts as `other`); namespaces appear only with
//! `--metrics-namespace-labels` and only when configured.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// The routes metrics know.
pub const ROUTES: [&str; 4] = ["encode", "decode", "download", "other"];
const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];
/// Latency histogram bounds, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0];
/// Codec error kinds, as counted.
pub const ERROR_KINDS: [&str; 10] = [
    "unknown_key_id",
    "authentication",
    "truncated",
    "corrupt",
    "too_large",
    "budget",
    "deadline",
    "remote",
    "other",
    "storage",
];

/// What one request contributes.
#[derive(Debug, Default, Clone)]
pub struct Sample<'a> {
    /// Index into [`ROUTES`].
    pub route: usize,
    /// HTTP status.
    pub status: u16,
    /// Seconds taken.
    pub seconds: f64,
    /// Payloads in and out.
    pub payloads: (u64, u64),
    /// Body bytes in and out.
    pub bytes: (u64, u64),
    /// A codec error kind (index into [`ERROR_KINDS`]).
    pub error: Option<usize>,
    /// Key ids of the encrypted payloads decoded.
    pub key_ids: &'a [String],
    /// The namespace, when configured.
    pub namespace: Option<&'a str>,
}

/// Adds one to `label`'s count, allocating the label only the first time it is seen.
fn bump(counts: &mut BTreeMap<String, u64>, label: &str) {
    match counts.get_mut(label) {
        Some(n) => *n += 1,
        None => {
            counts.insert(label.to_string(), 1);
        }
    }
}

/// Counters shared by every request.
pub struct Metrics {
    requests: [[AtomicU64; 4]; 4],
    latency: [[AtomicU64; BUCKETS.len() + 1]; 4],
    latency_sum_micros: [AtomicU64; 4],
    payloads_in: AtomicU64,
    payloads_out: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    errors: [AtomicU64; ERROR_KINDS.len()],
    in_flight: AtomicI64,
    key_ids: Vec<String>,
    decrypts: Mutex<BTreeMap<String, u64>>,
    namespace_labels: bool,
    by_namespace: Mutex<BTreeMap<String, u64>>,
    /// SIGHUP reloads: applied, refused.
    reloads: [AtomicU64; 2],
}

impl Metrics {
    /// Metrics knowing the configured key ids; namespace labels only when asked.
    pub fn new(key_ids: Vec<String>, namespace_labels: bool) -> Self {
        Metrics {
            requests: Default::default(),
            latency: Default::default(),
            latency_sum_micros: Default::default(),
            payloads_in: AtomicU64::new(0),
            payloads_out: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            errors: Default::default(),
            in_flight: AtomicI64::new(0),
            key_ids,
            decrypts: Mutex::new(BTreeMap::new()),
            namespace_labels,
            by_namespace: Mutex::new(BTreeMap::new()),
            reloads: Default::default(),
        }
    }

    /// A SIGHUP reload was applied (`true`) or refused (`false`).
    pub fn reloaded(&self, applied: bool) {
        self.reloads[usize::from(!applied)].fetch_add(1, Ordering::Relaxed);
    }

    /// A request started.
    pub fn start(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// A request ended.
    pub fn record(&self, s: &Sample<'_>) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        let route = s.route.min(3);
        let class = usize::from((s.status / 100).clamp(2, 5) - 2);
        self.requests[route][class].fetch_add(1, Ordering::Relaxed);
        let bucket = BUCKETS
            .iter()
            .position(|b| s.seconds <= *b)
            .unwrap_or(BUCKETS.len());
        self.latency[route][bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros[route].fetch_add((s.seconds * 1e6) as u64, Ordering::Relaxed);
        self.payloads_in.fetch_add(s.payloads.0, Ordering::Relaxed);
        self.payloads_out.fetch_add(s.payloads.1, Ordering::Relaxed);
        self.bytes_in.fetch_add(s.bytes.0, Ordering::Relaxed);
        self.bytes_out.fetch_add(s.bytes.1, Ordering::Relaxed);
        if let Some(kind) = s.error {
            self.errors[kind.min(ERROR_KINDS.len() - 1)].fetch_add(1, Ordering::Relaxed);
        }
        if !s.key_ids.is_empty() && (200..300).contains(&s.status) {
            if let Ok(mut d) = self.decrypts.lock() {
                for id in s.key_ids {
                    let label = if self.key_ids.contains(id) {
                        id.as_str()
                    } else {
                        "other"
                    };
                    bump(&mut d, label);
                }
            }
        }
        if let (true, Some(ns)) = (self.namespace_labels, s.namespace) {
            if let Ok(mut m) = self.by_namespace.lock() {
                bump(&mut m, ns);
            }
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP tcodec_config_reloads_total SIGHUP reloads of the configuration, applied or refused."
        );
        let _ = writeln!(out, "# TYPE tcodec_config_reloads_total counter");
        for (i, result) in ["applied", "refused"].iter().enumerate() {
            let _ = writeln!(
                out,
                "tcodec_config_reloads_total{{result=\"{result}\"}} {}",
                load(&self.reloads[i])
            );
        }
        let _ = writeln!(
            out,
            "# HELP tcodec_requests_total Codec server requests by route and status class."
        );
        let _ = writeln!(out, "# TYPE tcodec_requests_total counter");
        for (r, route) in ROUTES.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tcodec_requests_total{{route=\"{route}\",status=\"{class}\"}} {}",
                    load(&self.requests[r][c])
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP tcodec_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(out, "# TYPE tcodec_request_duration_seconds histogram");
        for (r, route) in ROUTES.iter().enumerate() {
            let mut cumulative = 0;
            for (b, bound) in BUCKETS.iter().enumerate() {
                cumulative += load(&self.latency[r][b]);
                let _ = writeln!(
                    out,
                    "tcodec_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += load(&self.latency[r][BUCKETS.len()]);
            let _ = writeln!(
                out,
                "tcodec_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}"
            );
            let _ = writeln!(
                out,
                "tcodec_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                load(&self.latency_sum_micros[r]) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "tcodec_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}"
            );
        }
        for (name, help, value) in [
            (
                "tcodec_payloads_in_total",
                "Payloads received.",
                &self.payloads_in,
            ),
            (
                "tcodec_payloads_out_total",
                "Payloads answered.",
                &self.payloads_out,
            ),
            (
                "tcodec_bytes_in_total",
                "Request body bytes.",
                &self.bytes_in,
            ),
            (
                "tcodec_bytes_out_total",
                "Answer body bytes.",
                &self.bytes_out,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", load(value));
        }
        let _ = writeln!(
            out,
            "# HELP tcodec_codec_errors_total Codec failures by kind."
        );
        let _ = writeln!(out, "# TYPE tcodec_codec_errors_total counter");
        for (k, kind) in ERROR_KINDS.iter().enumerate() {
            let _ = writeln!(
                out,
                "tcodec_codec_errors_total{{kind=\"{kind}\"}} {}",
                load(&self.errors[k])
            );
        }
        render_kms(&mut out);
        let _ = writeln!(
            out,
            "# HELP tcodec_requests_in_flight Requests being served."
        );
        let _ = writeln!(out, "# TYPE tcodec_requests_in_flight gauge");
        // This scrape is itself in flight: do not count it.
        let _ = writeln!(
            out,
            "tcodec_requests_in_flight {}",
            (self.in_flight.load(Ordering::Relaxed) - 1).max(0)
        );
        let _ = writeln!(
            out,
            "# HELP tcodec_decrypts_total Encrypted payloads decoded, by configured key id."
        );
        let _ = writeln!(out, "# TYPE tcodec_decrypts_total counter");
        if let Ok(d) = self.decrypts.lock() {
            for id in self.key_ids.iter().map(String::as_str).chain(["other"]) {
                let _ = writeln!(
                    out,
                    "tcodec_decrypts_total{{key_id=\"{}\"}} {}",
                    label(id),
                    d.get(id).copied().unwrap_or(0)
                );
            }
        }
        if self.namespace_labels {
            let _ = writeln!(
                out,
                "# HELP tcodec_namespace_requests_total Codec requests by configured namespace."
            );
            let _ = writeln!(out, "# TYPE tcodec_namespace_requests_total counter");
            if let Ok(m) = self.by_namespace.lock() {
                for (ns, n) in m.iter() {
                    let _ = writeln!(
                        out,
                        "tcodec_namespace_requests_total{{namespace=\"{}\"}} {n}",
                        label(ns)
                    );
                }
            }
        }
        out
    }
}

/// A label value escaped for the text format.
/// temporal-proxy envelope metrics (process-wide: every namespace's kms codecs).
fn render_kms(out: &mut String) {
    use crate::codec::kms::counts;
    let _ = writeln!(
        out,
        "# HELP tcodec_kms_calls_total KEK calls (wrap, unwrap) by provider and result."
    );
    let _ = writeln!(out, "# TYPE tcodec_kms_calls_total counter");
    for (p, provider) in counts::PROVIDERS.iter().enumerate() {
        for (o, operation) in counts::OPERATIONS.iter().enumerate() {
            for (r, result) in counts::RESULTS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "tcodec_kms_calls_total{{provider=\"{provider}\",operation=\"{operation}\",result=\"{result}\"}} {}",
                    counts::calls(p, o, r)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "# HELP tcodec_kms_data_key_cache_total Wrapped data keys looked up: found unwrapped (hit) or unwrapped by a KEK call (miss)."
    );
    let _ = writeln!(out, "# TYPE tcodec_kms_data_key_cache_total counter");
    for (hit, result) in [(true, "hit"), (false, "miss")] {
        let _ = writeln!(
            out,
            "tcodec_kms_data_key_cache_total{{result=\"{result}\"}} {}",
            counts::cache_lookups(hit)
        );
    }
    let _ = writeln!(
        out,
        "# HELP tcodec_kms_data_key_rotations_total Data keys made to seal with (one per namespace per data_key_lifetime)."
    );
    let _ = writeln!(out, "# TYPE tcodec_kms_data_key_rotations_total counter");
    let _ = writeln!(
        out,
        "tcodec_kms_data_key_rotations_total {}",
        counts::rotations()
    );
}

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The kind of a codec error, as an index into [`ERROR_KINDS`].
pub fn error_kind(e: &crate::codec::CodecError) -> usize {
    use crate::codec::CodecError as E;
    match e {
        E::UnknownKeyId(_) | E::MissingKeyId => 0,
        E::Authentication { .. } | E::Age { .. } => 1,
        E::Truncated { .. } => 2,
        E::Corrupt { .. } | E::InnerPayload { .. } => 3,
        E::TooLarge { .. } => 4,
        E::BudgetExceeded { .. } | E::FileTooLarge { .. } => 5,
        E::DeadlineExceeded => 6,
        E::Remote { .. } | E::Kms { .. } => 7,
        E::Compress { .. } => 8,
        E::StorageObject { .. } | E::StorageUnavailable { .. } => 9,
    }
}
