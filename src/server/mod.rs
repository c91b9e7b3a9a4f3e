//! `tcodec serve`: the codec server for the Temporal Web UI and the `temporal` CLI, over the
//! same per-namespace pipelines as the command line.
//!
//! Layers, outermost first: access log → CORS (answers preflights before auth runs) →
//! request timeout → concurrency limit → body limit → routes (auth, then the codec).

pub mod auth;
pub mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::{Config, FALLBACK_NAMESPACE};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use auth::Auth;
use routes::Logged;

/// How to run the server.
#[derive(Debug)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Origins allowed by CORS (exact match; credentials allowed, never `*`).
    pub allow_origins: Vec<String>,
    /// Namespace when neither `X-Namespace` nor the path names one.
    pub default_namespace: String,
    /// TLS certificate chain and key (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Who may call.
    pub auth: Auth,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Per-request time limit.
    pub timeout: Duration,
    /// Requests served at once (others wait).
    pub max_concurrency: usize,
    /// Serve on a non-loopback address without TLS and auth.
    pub insecure_public: bool,
    /// Write access log lines to standard error.
    pub access_log: bool,
}

/// The pipelines served, built once at start (keys loaded once).
pub struct Pipelines {
    by_namespace: HashMap<String, Arc<Pipeline>>,
    fallback: Option<Arc<Pipeline>>,
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
        })
    }

    /// The pipeline serving `namespace`.
    pub fn get(&self, namespace: &str) -> Option<Arc<Pipeline>> {
        self.by_namespace
            .get(namespace)
            .or(self.fallback.as_ref())
            .cloned()
    }
}

/// Shared by every request.
pub struct AppState {
    /// The pipelines.
    pub pipelines: Pipelines,
    /// Who may call.
    pub auth: Auth,
    /// Namespace when the request names none.
    pub default_namespace: String,
}

/// The router with every layer, for the server and for in-process tests.
pub fn router(state: AppState, options: &ServeOptions) -> Result<Router> {
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
    let access_log = options.access_log;
    let app = Router::new()
        .route("/healthz", get(routes::healthz))
        .fallback(any(routes::codec))
        .with_state(Arc::new(state))
        .layer(DefaultBodyLimit::max(options.max_body))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            options.max_concurrency,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            options.timeout,
        ))
        .layer(cors)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            log_request(req, next, access_log)
        }));
    Ok(app)
}

/// One access log line per request: method, path, namespace, status, payloads, latency.
/// Never bodies, headers or tokens.
async fn log_request(req: Request, next: Next, enabled: bool) -> Response {
    if !enabled {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let logged = response
        .extensions()
        .get::<Logged>()
        .cloned()
        .unwrap_or_default();
    log(format_args!(
        "tcodec serve: {method} {path} ns={} status={} payloads={} {:.2}ms",
        if logged.namespace.is_empty() {
            "-"
        } else {
            &logged.namespace
        },
        response.status().as_u16(),
        logged.payloads,
        started.elapsed().as_secs_f64() * 1000.0
    ));
    response
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

/// Runs the server until SIGINT or SIGTERM; in-flight requests finish first.
pub fn serve(config: &Config, mut options: ServeOptions) -> Result<()> {
    check_exposure(&options)?;
    let pipelines = Pipelines::build(config)?;
    let state = AppState {
        pipelines,
        auth: std::mem::take(&mut options.auth),
        default_namespace: options.default_namespace.clone(),
    };
    let app = router(state, &options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the server runtime", "tokio", e))?;
    runtime.block_on(run(app, options))
}

async fn run(app: Router, options: ServeOptions) -> Result<()> {
    let listener = std::net::TcpListener::bind(options.listen)
        .map_err(|e| Error::io("cannot listen on", options.listen.to_string(), e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("cannot listen on", options.listen.to_string(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io("cannot listen on", options.listen.to_string(), e))?;
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        log(format_args!(
            "tcodec serve: shutting down, finishing requests in flight"
        ));
        shutdown.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    // Tests and scripts read this line to learn the port of `--listen 127.0.0.1:0`.
    log(format_args!(
        "tcodec serve: listening on {scheme}://{local}"
    ));
    let service = app.into_make_service();
    let served = match &options.tls {
        Some((cert, key)) => {
            // Both TLS backends could be linked; name ours once for the process.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| Error::Config {
                    file: cert.display().to_string(),
                    message: format!("cannot load TLS certificate and key: {e}"),
                })?;
            let mut server = axum_server::from_tcp_rustls(listener, tls)
                .map_err(|e| Error::io("cannot listen on", local.to_string(), e))?
                .handle(handle);
            slow_clients_time_out(server.http_builder());
            server.serve(service).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(|e| Error::io("cannot listen on", local.to_string(), e))?
                .handle(handle);
            slow_clients_time_out(server.http_builder());
            server.serve(service).await
        }
    };
    served.map_err(|e| Error::io("server failed on", local.to_string(), e))
}

/// A client that sends its request head too slowly (slowloris) is dropped after
/// [`HEADER_READ_TIMEOUT`]; slow bodies are bounded by the per-request timeout.
fn slow_clients_time_out(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
}

/// How long a client may take to send its request line and headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

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
