//! What the server runs with: its options, the pipelines of every namespace with the access
//! policy (what a reload replaces), and the state every request shares.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::auth::Auth;
use super::host::HostRule;
use super::{audit, metrics};
use crate::config::Config;
use crate::error::Result;

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

pub use crate::assemble::Pipelines;

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
