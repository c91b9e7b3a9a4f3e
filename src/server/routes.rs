//! The codec-server protocol: `POST …/encode` and `POST …/decode` with a
//! `{"payloads": [...]}` body in proto3 JSON, answered in the same form, count and order
//! kept (samples-go `codec-server`, sdk-go `NewPayloadCodecHTTPHandler`, the Web UI's
//! `data-encoder.ts`). The path suffix decides the direction, so any prefix works
//! (`/{namespace}/decode`); the namespace comes from `X-Namespace`, then the path prefix,
//! then the server's default.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::auth::Denied;
use super::log::escape;
use super::state::AppState;
use super::transform::{Ask, Report};
use crate::codec::Direction;

/// Bodies up to this size run on the I/O thread when the pipeline has no compression codec
/// and no remote stage (AES on 64 KiB takes microseconds): handing them to the blocking
/// pool would cost more than the work. Everything else runs on the blocking pool.
const INLINE_BODY_LIMIT: usize = 64 * 1024;

pub use super::state::RequestLimits;
pub use super::transform::{transform, transform_until};

/// What the access log, metrics and audit log record of one request.
#[derive(Clone, Default)]
pub struct Logged {
    /// Index into [`super::metrics::ROUTES`] (`other` when not a codec route).
    pub route: usize,
    /// The namespace served.
    pub namespace: String,
    /// Whether the namespace has a pipeline (only then may metrics label it).
    pub configured: bool,
    /// Payloads in the request.
    pub payloads_in: usize,
    /// Payloads in the answer.
    pub payloads: usize,
    /// Who called.
    pub subject: Option<super::auth::Subject>,
    /// Key ids of the encrypted payloads in the request, one per payload.
    pub key_ids: Vec<String>,
    /// The codec error kind, when the codec failed.
    pub error: Option<usize>,
}

/// `GET /healthz`: liveness.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the configuration and every key are loaded (they are before the server
/// listens), so a listening server is ready.
pub async fn readyz() -> &'static str {
    "ready\n"
}

/// `GET /metrics` (with `--metrics`).
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    match &state.metrics {
        Some(m) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            m.render(),
        )
            .into_response(),
        None => reply(StatusCode::NOT_FOUND, "metrics are off (--metrics)"),
    }
}

/// Every other route: the codec endpoints by suffix, else 404. Host, auth and the
/// namespace are settled from the request head before any of the body is read.
pub async fn codec(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let mut body = Some(body);
    let response = answer(&state, &parts, &mut body, started).await;
    if let Some(unread) = body {
        discard(unread, state.limits.max_body.saturating_mul(4));
    }
    response
}

/// Reads and drops a refused request's body in the background, bounded in bytes and time,
/// holding none of it: closing a connection with unread data resets it, and the client
/// would lose the answer (a lingering close, as careful servers do).
fn discard(body: Body, limit: usize) {
    use http_body_util::BodyExt as _;
    tokio::spawn(async move {
        let mut body = body;
        let mut seen = 0usize;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while let Some(Ok(frame)) = body.frame().await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > limit {
                    break;
                }
            }
        })
        .await;
    });
}

async fn answer(
    state: &Arc<AppState>,
    parts: &axum::http::request::Parts,
    body: &mut Option<Body>,
    started: Instant,
) -> Response {
    let path = parts.uri.path();
    let mut ask = Ask {
        keep_refs: query_flag(parts.uri.query(), "preserveStorageRefs"),
        download: false,
        deadline: Some(started + state.timeout),
        key_ids: state.metrics.is_some() || state.audit.is_some(),
    };
    let (prefix, direction) = if let Some(p) = path.strip_suffix("/decode") {
        (p, Direction::Decode)
    } else if let Some(p) = path.strip_suffix("/encode") {
        (p, Direction::Encode)
    } else if let Some(p) = path.strip_suffix("/download") {
        ask.keep_refs = false;
        ask.download = true;
        (p, Direction::Decode)
    } else {
        return reply(
            StatusCode::NOT_FOUND,
            "not found: use POST /encode, /decode or /download",
        );
    };
    if parts.method != Method::POST {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    let headers = &parts.headers;
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next().and_then(|v| v.to_str().ok());
    if hosts.next().is_some() {
        return reply(StatusCode::BAD_REQUEST, "more than one Host header");
    }
    if !state.hosts.allows(host) {
        return reply(
            StatusCode::MISDIRECTED_REQUEST,
            &match host {
                Some(h) => format!(
                    "Host {:?} is not served here (DNS rebinding defence): start serve with --allow-host NAME to serve a name other than localhost",
                    escape(h)
                ),
                None => "missing Host header".to_string(),
            },
        );
    }
    let namespace = headers
        .get("x-namespace")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(|| {
            let p = prefix.trim_matches('/');
            (!p.is_empty() && !p.contains('/')).then(|| p.to_string())
        })
        .unwrap_or_else(|| state.default_namespace.clone());
    let mut log = Logged {
        route: match (direction, ask.download) {
            (_, true) => 2,
            (Direction::Encode, _) => 0,
            _ => 1,
        },
        namespace: namespace.clone(),
        ..Default::default()
    };
    let logged = |mut response: Response, log: Logged| {
        response.extensions_mut().insert(log);
        response
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match state.auth.check(authorization, direction, &namespace) {
        Ok(subject) => log.subject = Some(subject),
        Err(denied) => {
            let response = match denied {
                Denied::Missing => reply(StatusCode::UNAUTHORIZED, "missing bearer token"),
                Denied::Invalid(why) => reply(StatusCode::UNAUTHORIZED, &why),
                Denied::Forbidden(why) => reply(StatusCode::FORBIDDEN, &why),
            };
            return logged(response, log);
        }
    }
    let snapshot = state.pipelines();
    let namespace = match &snapshot {
        Some(p) => p.resolve(&namespace, state.cloud_namespaces.as_deref()),
        None => namespace,
    };
    let found = snapshot.as_ref().and_then(|p| p.get(&namespace));
    if ask.download && found.as_ref().is_none_or(|p| p.storage().is_none()) {
        let response = reply(
            StatusCode::NOT_FOUND,
            &format!(
                "namespace {:?} has no external storage to download from",
                escape(&namespace)
            ),
        );
        return logged(response, log);
    }
    let Some(mut pipeline) = found else {
        let response = reply(
            StatusCode::NOT_FOUND,
            &format!(
                "no codec pipeline configured for namespace {:?}",
                escape(&namespace)
            ),
        );
        return logged(response, log);
    };
    // The access policy, once one exists: default deny.
    if let Some(policy) = snapshot.as_ref().and_then(|p| p.policy.as_ref()) {
        // `/download` is its own right: a rule that grants `decode` does not grant it.
        let action = if ask.download {
            "download"
        } else {
            direction.verb()
        };
        if !policy.allows(log.subject.as_ref(), action, &namespace) {
            // Passthrough is for decoding only: a denied encode returned unchanged would
            // be stored as if it were encrypted.
            let mode = if direction == Direction::Decode {
                policy.deny
            } else {
                crate::policy::DenyMode::Forbid
            };
            match mode {
                crate::policy::DenyMode::Forbid => {
                    let who = log
                        .subject
                        .as_ref()
                        .and_then(|s| s.email.clone().or_else(|| s.name.clone()))
                        .unwrap_or_else(|| "an unauthenticated caller".into());
                    let response = reply(
                        StatusCode::FORBIDDEN,
                        &format!(
                            "policy: {} may not {action} in namespace {:?}",
                            escape(&who),
                            escape(&namespace)
                        ),
                    );
                    return logged(response, log);
                }
                // The payloads go back as they came: still encoded.
                crate::policy::DenyMode::Passthrough => {
                    pipeline = Arc::new(crate::pipeline::Pipeline::new(
                        namespace.clone(),
                        Vec::new(),
                    ));
                }
            }
        }
        // Resolving references fetches whole stored objects: `/decode` does that only for
        // callers who may `download`; for the others references stay as they are (what
        // `preserveStorageRefs=true` gives), so `/decode` is no way around `/download`.
        if direction == Direction::Decode
            && !ask.keep_refs
            && !policy.allows(log.subject.as_ref(), "download", &namespace)
        {
            ask.keep_refs = true;
        }
    }
    // Metrics may label only configured names (never the fallback's or a caller's).
    log.configured = snapshot
        .as_ref()
        .is_some_and(|p| p.is_configured(&namespace));
    if log.configured {
        log.namespace = namespace.clone();
    }
    let limits = state.limits;
    if content_length(headers).is_some_and(|n| n > limits.max_body as u64) {
        return logged(too_large_body(limits.max_body), log);
    }
    let Some(unread) = body.take() else {
        return logged(
            reply(StatusCode::BAD_REQUEST, "cannot read the request body"),
            log,
        );
    };
    let body = match axum::body::to_bytes(unread, limits.max_body).await {
        Ok(body) => body,
        Err(e) => {
            let response = if is_length_limit(&e) {
                too_large_body(limits.max_body)
            } else {
                reply(StatusCode::BAD_REQUEST, "cannot read the request body")
            };
            return logged(response, log);
        }
    };
    // The permit travels with the work: a request answered 503 by the timeout keeps its
    // slot until its codec work has really stopped (at the next payload).
    let Ok(permit) = state.work.clone().acquire_owned().await else {
        return logged(reply(StatusCode::SERVICE_UNAVAILABLE, "shutting down"), log);
    };
    let deadline = started + state.timeout;
    // Compression is costly both ways (and decompression expands): never inline.
    let inline = body.len() <= INLINE_BODY_LIMIT && !pipeline.batches() && !pipeline.expands();
    let work = move || {
        let expired = || Instant::now() >= deadline;
        let mut report = Report::default();
        let result = transform_until(
            &pipeline,
            direction,
            &body,
            &limits,
            ask,
            &expired,
            &mut report,
        );
        drop(permit);
        (result, report)
    };
    let (result, report) = if inline {
        work()
    } else {
        match tokio::task::spawn_blocking(work).await {
            Ok(r) => r,
            Err(_) => (
                Err((StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())),
                Report::default(),
            ),
        }
    };
    log.payloads_in = report.payloads_in;
    log.key_ids = report.key_ids;
    log.error = report.error;
    match result {
        Ok((count, json)) => {
            log.payloads = count;
            logged(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    json,
                )
                    .into_response(),
                log,
            )
        }
        Err((status, why)) => logged(reply(status, &why), log),
    }
}

/// Whether the query string sets `name` to `true` (any case), as the Web UI sends
/// `preserveStorageRefs=true`.
fn query_flag(query: Option<&str>, name: &str) -> bool {
    query.is_some_and(|q| {
        q.split('&').any(|pair| {
            pair.split_once('=')
                .is_some_and(|(k, v)| k == name && v.eq_ignore_ascii_case("true"))
        })
    })
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

fn too_large_body(limit: usize) -> Response {
    reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("request body is over the limit of {limit} bytes (--max-body-size)"),
    )
}

/// A short plain-text answer.
pub fn reply(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}
