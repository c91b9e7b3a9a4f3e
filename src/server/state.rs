//! What the server runs with: its options, the pipelines of every namespace with the access
//! policy (what a reload replaces), and the state every request shares.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::auth::Auth;
use super::host::HostRule;
use super::{audit, metrics};
use crate::config::{Config, FALLBACK_NAMESPACE};
use crate::error::Result;
use crate::pipeline::Pipeline;

/// What one request may use.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    /// Largest body, in bytes.
    pub max_body: usize,
    /// Decoded bytes (decompressed output, summed over payloads) and answer bytes.
    pub max_decoded: u64,
    /// Payloads in one body.
    pub max_payloads: usize,
    /// `/encode` offloads large payloads to the namespace's storage (`--offload-on-encode`).
    pub offload_on_encode: bool,
}

/// How to run the server.
#[derive(Debug)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Origins allowed by CORS (exact match; credentials allowed, never `*`).
    pub allow_origins: Vec<String>,
    /// Host names answered besides loopback names and addresses.
    pub allow_hosts: Vec<String>,
    /// Namespace when neither `X-Namespace` nor the path names one.
    pub default_namespace: String,
    /// TLS certificate chain and key (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Who may call.
    pub auth: Auth,
    /// A JWKS URL to refresh, and how often.
    pub jwks_refresh: Option<(String, Duration)>,
    /// What one request may use.
    pub limits: RequestLimits,
    /// Per-request time limit.
    pub timeout: Duration,
    /// Requests whose codec work runs at once (others wait).
    pub max_concurrency: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// Time for a TLS handshake and each request head; idle time between requests.
    pub header_timeout: Duration,
    /// Serve on a non-loopback address without TLS and auth.
    pub insecure_public: bool,
    /// Write access log lines to standard error.
    pub access_log: bool,
    /// Serve `/metrics`.
    pub metrics: bool,
    /// Metrics by namespace too.
    pub metrics_namespace_labels: bool,
    /// The audit log's file (`-`: standard output).
    pub audit_log: Option<String>,
    /// Match Temporal Cloud namespace names (`<namespace>.<account>`) to configured ones,
    /// for these accounts (empty: any account).
    pub cloud_namespaces: Option<Vec<String>>,
    /// With `metrics`: where `GET /metrics` is served (a listener of its own).
    pub metrics_listen: std::net::SocketAddr,
    /// Reload when the configuration file changes, checked this often.
    pub watch_config: Option<Duration>,
}

/// The pipelines served, built once at start (keys loaded once), and the access policy:
/// what a SIGHUP reload replaces, together.
pub struct Pipelines {
    by_namespace: HashMap<String, Arc<Pipeline>>,
    fallback: Option<Arc<Pipeline>>,
    /// The `[policy]`, if any.
    pub policy: Option<crate::policy::Policy>,
}

impl Pipelines {
    /// Builds the pipeline of every configured namespace (and the `*` fallback).
    pub fn build(config: &Config) -> Result<Self> {
        let mut by_namespace = HashMap::new();
        let mut fallback = None;
        for ns in config.namespaces().keys() {
            let pipeline = Arc::new(config.pipeline(ns)?);
            if ns == FALLBACK_NAMESPACE {
                fallback = Some(pipeline);
            } else {
                by_namespace.insert(ns.clone(), pipeline);
            }
        }
        Ok(Pipelines {
            by_namespace,
            fallback,
            policy: config.policy().cloned(),
        })
    }

    /// The configured namespace names, sorted (`*` last when there is a fallback).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.by_namespace.keys().cloned().collect();
        names.sort();
        if self.fallback.is_some() {
            names.push(FALLBACK_NAMESPACE.to_string());
        }
        names
    }

    /// The configured namespace a request's namespace stands for: itself when configured;
    /// with `cloud`, `ns` for a Temporal Cloud `ns.account` when `ns` is configured and the
    /// account is one of `cloud`'s (any account when it names none).
    pub fn resolve(&self, namespace: &str, cloud: Option<&[String]>) -> String {
        if let (false, Some(accounts)) = (self.by_namespace.contains_key(namespace), cloud) {
            if let Some((ns, account)) = namespace.rsplit_once('.') {
                let known = accounts.is_empty() || accounts.iter().any(|a| a == account);
                if known && self.by_namespace.contains_key(ns) {
                    return ns.to_string();
                }
            }
        }
        namespace.to_string()
    }

    /// Whether `namespace` is configured by name (not served by the `*` fallback).
    pub fn is_configured(&self, namespace: &str) -> bool {
        self.by_namespace.contains_key(namespace)
    }

    /// The pipeline serving `namespace`.
    pub fn get(&self, namespace: &str) -> Option<Arc<Pipeline>> {
        self.by_namespace
            .get(namespace)
            .or(self.fallback.as_ref())
            .cloned()
    }
}

/// How SIGHUP loads the configuration again.
pub type Reload = Box<dyn Fn() -> Result<Config> + Send + Sync>;

/// Shared by every request.
pub struct AppState {
    /// The pipelines: replaced whole by a SIGHUP reload; each request keeps the set it
    /// started with.
    pub pipelines: std::sync::RwLock<Arc<Pipelines>>,
    /// Who may call.
    pub auth: Auth,
    /// Namespace when the request names none.
    pub default_namespace: String,
    /// Host header values answered.
    pub hosts: HostRule,
    /// What one request may use.
    pub limits: RequestLimits,
    /// Per-request time limit (codec work stops at the next payload past it).
    pub timeout: Duration,
    /// Work slots: requests whose codec work runs at once.
    pub work: Arc<tokio::sync::Semaphore>,
    /// Metrics, with `--metrics`.
    pub metrics: Option<Arc<metrics::Metrics>>,
    /// The audit log, with `--audit-log`.
    pub audit: Option<Arc<audit::AuditLog>>,
    /// Temporal Cloud namespace names match configured ones (`ns.acct` → `ns`), for these
    /// accounts (empty: any).
    pub cloud_namespaces: Option<Vec<String>>,
}

impl AppState {
    /// The pipelines now (a snapshot: a reload does not change it under a request).
    pub fn pipelines(&self) -> Option<Arc<Pipelines>> {
        self.pipelines.read().ok().map(|p| Arc::clone(&p))
    }
}
