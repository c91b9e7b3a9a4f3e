//! `tcodec serve`: the codec server for the Temporal Web UI and the `temporal` CLI, over the
//! same per-namespace pipelines as the command line.
//!
//! Connections: HTTP/1.1 only, capped, with header and handshake timeouts
//! ([`listener`]). Layers, outermost first: access log → CORS (answers preflights before
//! auth runs) → request timeout → routes. The codec route checks the Host header
//! ([`host`]), auth and the namespace from the request head, then reads the body (bounded),
//! then takes a work slot (held until the codec work ends) and runs the pipeline under a
//! per-request decoded-bytes budget, payload cap and deadline.

pub mod audit;
pub mod auth;
pub mod host;
pub mod jwks;
pub mod listener;
pub mod metrics;
pub mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::{Config, FALLBACK_NAMESPACE};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use auth::Auth;
use host::HostRule;
use routes::{Logged, RequestLimits};

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

/// What watches each request: access log, metrics, audit log.
struct Observers {
    access_log: bool,
    metrics: Option<Arc<metrics::Metrics>>,
    audit: Option<Arc<audit::AuditLog>>,
    next_id: std::sync::atomic::AtomicU64,
}

/// The whole server as one service: requests in, answers out, never an error (every
/// failure is an answer).
pub trait App:
    tower::Service<
        Request,
        Response = Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> App for S where
    S: tower::Service<
            Request,
            Response = Response,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The router with every layer, for the server and for in-process tests.
pub fn router(state: AppState, options: &ServeOptions) -> Result<impl App> {
    router_with(Arc::new(state), options)
}

/// [`router`] over state shared with the SIGHUP handler.
pub fn router_with(state: Arc<AppState>, options: &ServeOptions) -> Result<impl App> {
    let origins = options
        .allow_origins
        .iter()
        .map(|o| {
            if o == "*" {
                return Err(Error::Usage(
                    "--allow-origin must name origins (scheme://host:port); `*` is refused because credentials are allowed".into(),
                ));
            }
            HeaderValue::from_str(o.trim_end_matches('/'))
                .map_err(|_| Error::Usage(format!("--allow-origin {o:?} is not a valid origin")))
        })
        .collect::<Result<Vec<_>>>()?;
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("x-namespace"),
            HeaderName::from_static("authorization-extras"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
    let observers = Arc::new(Observers {
        access_log: options.access_log,
        metrics: state.metrics.clone(),
        audit: state.audit.clone(),
        next_id: std::sync::atomic::AtomicU64::new(1),
    });
    let routes = Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz));
    let routes = routes.fallback(any(routes::codec)).with_state(state);
    // The layers wrap the router once, not each route: a request then clones one route's
    // handler instead of every route's whole layer stack (~5% of the server's CPU).
    Ok(ServiceBuilder::new()
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            observe(req, next, observers.clone())
        }))
        .layer(cors)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.timeout,
        ))
        .service(routes))
}

/// Per request: an id (`x-request-id` on the answer), metrics, one audit line for codec
/// routes, and one access log line (method, path, namespace, status, payloads, latency).
/// Never bodies, headers or tokens.
async fn observe(req: Request, next: Next, observers: Arc<Observers>) -> Response {
    let id = observers
        .next_id
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Some(m) = &observers.metrics {
        m.start();
    }
    // Kept as they are; formatted only for the log lines that use them.
    let client = req.extensions().get::<listener::ClientAddr>().copied();
    let bytes_in = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let started = Instant::now();
    let method = req.method().clone();
    let (path, origin) = if observers.access_log {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .map(|o| escape(&String::from_utf8_lossy(o.as_bytes())));
        (req.uri().path().to_string(), origin)
    } else {
        (String::new(), None)
    };
    let mut response = next.run(req).await;
    response.headers_mut().insert(
        HeaderName::from_static("x-request-id"),
        HeaderValue::from(id),
    );
    // Responses without a record are not codec routes (healthz, readyz, metrics, 404s).
    let logged = response
        .extensions_mut()
        .remove::<Logged>()
        .unwrap_or(Logged {
            route: 3,
            ..Default::default()
        });
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let bytes_out = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .unwrap_or(0);
    if let Some(m) = &observers.metrics {
        m.record(&metrics::Sample {
            route: logged.route,
            status,
            seconds,
            payloads: (logged.payloads_in as u64, logged.payloads as u64),
            bytes: (bytes_in, bytes_out),
            error: logged.error,
            key_ids: &logged.key_ids,
            namespace: logged.configured.then_some(logged.namespace.as_str()),
        });
    }
    if let (Some(audit), true) = (&observers.audit, logged.route < 3) {
        // No subject (null) when the request was not authenticated.
        let mut key_ids = logged.key_ids.clone();
        key_ids.dedup();
        audit.write(&serde_json::json!({
            "time": audit::now_rfc3339(),
            "requestId": id,
            "client": client.map(|c| c.0.to_string()),
            "subject": logged.subject.as_ref().map(|s| {
                serde_json::json!({"kind": s.kind.name(), "name": s.name, "email": s.email})
            }),
            "namespace": logged.namespace,
            "route": metrics::ROUTES[logged.route],
            "payloads": logged.payloads_in,
            "keyIds": key_ids,
            "status": status,
            "error": logged.error.map(|k| metrics::ERROR_KINDS[k]),
            "millis": (seconds * 1000.0 * 100.0).round() / 100.0,
        }));
    }
    if !observers.access_log {
        return response;
    }
    // A preflight that CORS refused has no Access-Control-Allow-Origin: name its origin.
    if method == Method::OPTIONS
        && !response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        if let Some(origin) = &origin {
            log(format_args!(
                "tcodec serve: refused CORS preflight from origin {origin} (not in --allow-origin)"
            ));
        }
    }
    log(format_args!(
        "tcodec serve: {method} {} ns={} status={} payloads={} {:.2}ms",
        escape(&path),
        if logged.namespace.is_empty() {
            "-".to_string()
        } else {
            escape(&logged.namespace)
        },
        status,
        logged.payloads,
        seconds * 1000.0
    ));
    response
}

/// A request-supplied log field with spaces, control characters, quotes and backslashes
/// escaped as `\xNN`, so no field can forge another (or another line).
pub fn escape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for c in field.chars() {
        if c.is_ascii_graphic() && c != '"' && c != '\\' {
            out.push(c);
        } else if c.is_ascii() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// Writes one line to standard error; a closed stderr must not take a request down
/// (`eprintln!` panics when the write fails).
fn log(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Refuses a public bind without TLS and auth, unless explicitly overridden.
fn check_exposure(options: &ServeOptions) -> Result<()> {
    let public = !options.listen.ip().is_loopback();
    if public && (options.tls.is_none() || !options.auth.enabled()) && !options.insecure_public {
        return Err(Error::Usage(format!(
            "refusing to serve decrypted payloads on {} without TLS and auth: give --tls-cert/--tls-key and --auth-tokens or --jwks, or bind 127.0.0.1, or pass --insecure-public-bind",
            options.listen
        )));
    }
    Ok(())
}

impl AppState {
    /// The pipelines now (a snapshot: a reload does not change it under a request).
    pub fn pipelines(&self) -> Option<Arc<Pipelines>> {
        self.pipelines.read().ok().map(|p| Arc::clone(&p))
    }
}

/// Runs the server until SIGINT or SIGTERM; in-flight requests finish first. SIGHUP runs
/// `reload` and swaps in the new pipelines (keys loaded again), or keeps the old ones when
/// the new configuration fails.
pub fn serve(config: &Config, mut options: ServeOptions, reload: Reload) -> Result<()> {
    check_exposure(&options)?;
    let hosts = HostRule::new(options.listen, &options.allow_hosts).map_err(Error::Usage)?;
    let pipelines = Pipelines::build(config)?;
    let tls = match &options.tls {
        Some((cert, key)) => Some(Arc::new(listener::tls_config(cert, key).map_err(
            |message| Error::Config {
                file: cert.display().to_string(),
                message,
            },
        )?)),
        None => None,
    };
    let namespaces = pipelines.names();
    let state = AppState {
        pipelines: std::sync::RwLock::new(Arc::new(pipelines)),
        auth: std::mem::take(&mut options.auth),
        default_namespace: options.default_namespace.clone(),
        hosts,
        limits: options.limits,
        timeout: options.timeout,
        work: Arc::new(tokio::sync::Semaphore::new(options.max_concurrency)),
        metrics: options.metrics.then(|| {
            Arc::new(metrics::Metrics::new(
                config.keys().keys().cloned().collect(),
                options.metrics_namespace_labels,
            ))
        }),
        cloud_namespaces: options.cloud_namespaces.clone(),
        audit: match &options.audit_log {
            Some(spec) => Some(Arc::new(audit::AuditLog::open(spec).map_err(Error::Usage)?)),
            None => None,
        },
    };
    let jwt = state.auth.jwt();
    let audit = state.audit.clone();
    let state = Arc::new(state);
    let app = router_with(Arc::clone(&state), &options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the server runtime", "tokio", e))?;
    runtime.block_on(async move {
        if let (Some(jwt), Some((url, every))) = (jwt, options.jwks_refresh.clone()) {
            tokio::spawn(jwks::refresh_forever(jwt, url, every));
        }
        let metrics = state.metrics.is_some().then(|| Arc::clone(&state));
        let reload = Arc::new(reload);
        if let Some(every) = options.watch_config {
            tokio::spawn(watch_config(
                Arc::clone(&state),
                config.path().to_path_buf(),
                every,
                Arc::clone(&reload),
            ));
        }
        tokio::spawn(on_sighup(state, audit, reload));
        run(app, options, tls, &namespaces, metrics).await
    })
}

/// `GET /metrics` on a listener of its own (never on the codec listener, whose callers are
/// the Web UI and the CLI): plain HTTP, no auth, so it belongs on loopback or the pod network.
async fn serve_metrics(listener: tokio::net::TcpListener, state: Arc<AppState>) {
    let app = Router::new()
        .route("/metrics", get(routes::metrics))
        .with_state(state);
    if let Err(e) = axum::serve(listener, app).await {
        log(format_args!("tcodec serve: metrics listener stopped: {e}"));
    }
}

async fn run(
    app: impl App,
    options: ServeOptions,
    tls: Option<Arc<rustls::ServerConfig>>,
    namespaces: &[String],
    metrics: Option<Arc<AppState>>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| Error::io("cannot listen on", options.listen.to_string(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io("cannot listen on", options.listen.to_string(), e))?;
    let metrics_listener = match metrics {
        Some(state) => {
            let at = options.metrics_listen;
            let bound = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| Error::io("cannot listen for metrics on", at.to_string(), e))?;
            let addr = bound
                .local_addr()
                .map_err(|e| Error::io("cannot listen for metrics on", at.to_string(), e))?;
            Some((bound, addr, state))
        }
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Tests and scripts read this line to learn the port of `--listen 127.0.0.1:0`.
    log(format_args!(
        "tcodec serve: listening on {scheme}://{local}"
    ));
    if let Some((bound, addr, state)) = metrics_listener {
        log(format_args!(
            "tcodec serve: metrics on http://{addr}/metrics"
        ));
        tokio::spawn(serve_metrics(bound, state));
    }
    if options.cloud_namespaces.as_ref().is_some_and(Vec::is_empty) {
        log(format_args!(
            "tcodec serve: warning: --auth-preset temporal-cloud without --cloud-account: a Cloud namespace `<ns>.<account>` of any account maps to the configured `<ns>`; name your account ids to refuse the others"
        ));
    }
    log(format_args!(
        "tcodec serve: namespaces: {}",
        if namespaces.is_empty() {
            "(none configured)".to_string()
        } else {
            namespaces.join(", ")
        }
    ));
    if options.allow_origins.is_empty() {
        log(format_args!(
            "tcodec serve: no --allow-origin: browsers (the Web UI) are refused; the temporal CLI works"
        ));
    } else {
        log(format_args!(
            "tcodec serve: browsers allowed from: {}",
            options.allow_origins.join(", ")
        ));
    }
    let limits = listener::ConnectionLimits {
        header_timeout: options.header_timeout,
        max_connections: options.max_connections,
        grace: Duration::from_secs(30),
    };
    listener::serve(listener, app, tls, limits, async {
        wait_for_signal().await;
        log(format_args!(
            "tcodec serve: shutting down, finishing requests in flight"
        ));
    })
    .await;
    Ok(())
}

/// Loads the configuration and keys again and swaps them in whole, or keeps the old set
/// when the new one fails any check (logged, and counted in the metrics). `why` names the
/// trigger in the log (`SIGHUP`, `config changed`).
async fn reload_once(state: &AppState, reload: &Arc<Reload>, why: &str) {
    let load = Arc::clone(reload);
    // Keys may come from commands: off the I/O threads.
    let built =
        tokio::task::spawn_blocking(move || load().and_then(|config| Pipelines::build(&config)))
            .await;
    let applied = match built {
        Ok(Ok(pipelines)) => {
            let names = pipelines.names().join(", ");
            if let Ok(mut slot) = state.pipelines.write() {
                *slot = Arc::new(pipelines);
            }
            log(format_args!(
                "tcodec serve: {why}: configuration and keys reloaded; namespaces: {names}"
            ));
            true
        }
        Ok(Err(e)) => {
            log(format_args!(
                "tcodec serve: {why}: new configuration refused, keeping the old one: {e}"
            ));
            false
        }
        Err(_) => {
            log(format_args!(
                "tcodec serve: {why}: reload failed, keeping the old configuration"
            ));
            false
        }
    };
    if let Some(metrics) = &state.metrics {
        metrics.reloaded(applied);
    }
}

/// SIGHUP: reload the configuration and keys (swapped in whole, or refused whole), and
/// reopen the audit log (after logrotate moved it).
async fn on_sighup(state: Arc<AppState>, audit: Option<Arc<audit::AuditLog>>, reload: Arc<Reload>) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            reload_once(&state, &reload, "SIGHUP").await;
            if let Some(audit) = &audit {
                match audit.reopen() {
                    Ok(()) => log(format_args!("tcodec serve: SIGHUP: audit log reopened")),
                    Err(e) => log(format_args!("tcodec serve: SIGHUP: {e}")),
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (state, audit, reload);
}

/// What identifies a version of a file: its metadata after following links (a mounted
/// ConfigMap swaps a symlink), or `None` while it cannot be read.
fn file_version(path: &std::path::Path) -> Option<(std::time::SystemTime, u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.modified().ok()?, meta.len(), inode))
}

/// `--watch-config`: reloads whenever the configuration file changes (a Kubernetes
/// ConfigMap update, where no one can send SIGHUP), checked every `every`.
async fn watch_config(
    state: Arc<AppState>,
    path: std::path::PathBuf,
    every: Duration,
    reload: Arc<Reload>,
) {
    let mut seen = file_version(&path);
    loop {
        tokio::time::sleep(every).await;
        let now = file_version(&path);
        if now.is_some() && now != seen {
            seen = now;
            reload_once(&state, &reload, "config changed").await;
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
