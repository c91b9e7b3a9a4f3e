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
mod log;
pub mod metrics;
mod observe;
mod reload;
pub mod routes;
mod state;
pub mod transform;

pub use log::escape;
pub use state::{AppState, Pipelines, Reload, RequestLimits, ServeOptions};

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;
use crate::error::{Error, Result};
use host::HostRule;
use log::log;
use observe::{observe, Observers};
use reload::{on_sighup, watch_config};

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
