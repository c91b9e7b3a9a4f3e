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

/// Answers one codec request: a chain of guards, each of which may answer first (route,
/// method, Host, then, logged with the namespace: auth, pipeline, policy, body), then the
/// codec work.
async fn answer(
    state: &Arc<AppState>,
    parts: &axum::http::request::Parts,
    body: &mut Option<Body>,
    started: Instant,
) -> Response {
    let (prefix, direction, mut ask) = match route(parts.uri.path(), parts.uri.query()) {
        Ok(r) => r,
        Err(response) => return response,
    };
    ask.deadline = Some(started + state.timeout);
    ask.key_ids = state.metrics.is_some() || state.audit.is_some();
    if parts.method != Method::POST {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "use POST");
    }
    if let Err(response) = host_allowed(state, &parts.headers) {
        return response;
    }
    let namespace = namespace_of(&parts.headers, prefix, &state.default_namespace);
    let mut log = Logged {
        route: match (direction, ask.download) {
            (_, true) => 2,
            (Direction::Encode, _) => 0,
            _ => 1,
        },
        namespace: namespace.clone(),
        ..Default::default()
    };
    let result = serve(state, parts, body, direction, ask, namespace, &mut log).await;
    let mut response = result.unwrap_or_else(|refused| refused);
    response.extensions_mut().insert(log);
    response
}

/// The guards that know the namespace, then the work; every answer is logged.
async fn serve(
    state: &Arc<AppState>,
    parts: &axum::http::request::Parts,
    body: &mut Option<Body>,
    direction: Direction,
    mut ask: Ask,
    namespace: String,
    log: &mut Logged,
) -> Result<Response, Response> {
    let headers = &parts.headers;
    log.subject = Some(authenticate(state, headers, direction, &namespace)?);
    let snapshot = state.pipelines();
    let namespace = match &snapshot {
        Some(p) => p.resolve(&namespace, state.cloud_namespaces.as_deref()),
        None => namespace,
    };
    let mut pipeline = select_pipeline(snapshot.as_deref(), &namespace, ask.download)?;
    if let Some(policy) = snapshot.as_ref().and_then(|p| p.policy.as_ref()) {
        let grant = authorize(policy, log.subject.as_ref(), direction, ask, &namespace)?;
        if grant.passthrough {
            pipeline = Arc::new(crate::pipeline::Pipeline::new(
                namespace.clone(),
                Vec::new(),
            ));
        }
        ask.keep_refs = grant.keep_refs;
    }
    // Metrics may label only configured names (never the fallback's or a caller's).
    log.configured = snapshot
        .as_ref()
        .is_some_and(|p| p.is_configured(&namespace));
    if log.configured {
        log.namespace = namespace.clone();
    }
    let limits = state.limits;
    let body = read_body(headers, body, limits.max_body).await?;
    // The permit travels with the work: a request answered 503 by the timeout keeps its
    // slot until its codec work has really stopped (at the next payload).
    let Ok(permit) = state.work.clone().acquire_owned().await else {
        return Err(reply(StatusCode::SERVICE_UNAVAILABLE, "shutting down"));
    };
    let deadline = ask.deadline.unwrap_or_else(Instant::now);
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
    let (count, json) = result.map_err(|(status, why)| reply(status, &why))?;
    log.payloads = count;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json,
    )
        .into_response())
}

/// The route from the path's suffix: its prefix, the direction and what it asks.
fn route<'a>(path: &'a str, query: Option<&str>) -> Result<(&'a str, Direction, Ask), Response> {
    let mut ask = Ask {
        keep_refs: query_flag(query, "preserveStorageRefs"),
        ..Ask::default()
    };
    if let Some(p) = path.strip_suffix("/decode") {
        Ok((p, Direction::Decode, ask))
    } else if let Some(p) = path.strip_suffix("/encode") {
        Ok((p, Direction::Encode, ask))
    } else if let Some(p) = path.strip_suffix("/download") {
        ask.keep_refs = false;
        ask.download = true;
        Ok((p, Direction::Decode, ask))
    } else {
        Err(reply(
            StatusCode::NOT_FOUND,
            "not found: use POST /encode, /decode or /download",
        ))
    }
}

/// Exactly one Host header, naming a host this server serves (DNS rebinding defence).
fn host_allowed(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next().and_then(|v| v.to_str().ok());
    if hosts.next().is_some() {
        return Err(reply(StatusCode::BAD_REQUEST, "more than one Host header"));
    }
    if state.hosts.allows(host) {
        return Ok(());
    }
    Err(reply(
        StatusCode::MISDIRECTED_REQUEST,
        &match host {
            Some(h) => format!(
                "Host {:?} is not served here (DNS rebinding defence): start serve with --allow-host NAME to serve a name other than localhost",
                escape(h)
            ),
            None => "missing Host header".to_string(),
        },
    ))
}

/// The namespace asked for: `X-Namespace`, else a one-segment path prefix, else the
/// server's default.
fn namespace_of(headers: &HeaderMap, prefix: &str, default: &str) -> String {
    headers
        .get("x-namespace")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(|| {
            let p = prefix.trim_matches('/');
            (!p.is_empty() && !p.contains('/')).then(|| p.to_string())
        })
        .unwrap_or_else(|| default.to_string())
}

/// Who calls, by the `Authorization` header (401 without a valid token, 403 without the
/// right for this direction and namespace).
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    direction: Direction,
    namespace: &str,
) -> Result<crate::policy::Subject, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state
        .auth
        .check(authorization, direction, namespace)
        .map_err(|denied| match denied {
            Denied::Missing => reply(StatusCode::UNAUTHORIZED, "missing bearer token"),
            Denied::Invalid(why) => reply(StatusCode::UNAUTHORIZED, &why),
            Denied::Forbidden(why) => reply(StatusCode::FORBIDDEN, &why),
        })
}

/// The namespace's pipeline (404 without one; `/download` also needs its storage).
fn select_pipeline(
    snapshot: Option<&super::state::Pipelines>,
    namespace: &str,
    download: bool,
) -> Result<Arc<crate::pipeline::Pipeline>, Response> {
    let found = snapshot.and_then(|p| p.get(namespace));
    if download && found.as_ref().is_none_or(|p| p.storage().is_none()) {
        return Err(reply(
            StatusCode::NOT_FOUND,
            &format!(
                "namespace {:?} has no external storage to download from",
                escape(namespace)
            ),
        ));
    }
    found.ok_or_else(|| {
        reply(
            StatusCode::NOT_FOUND,
            &format!(
                "no codec pipeline configured for namespace {:?}",
                escape(namespace)
            ),
        )
    })
}

/// What the access policy grants a permitted request.
#[derive(Debug, PartialEq, Eq)]
struct Grant {
    /// Denied a decode under `deny = "passthrough"`: the payloads go back unchanged.
    passthrough: bool,
    /// Storage references stay as they are (the caller may not `download`).
    keep_refs: bool,
}

/// The access policy (default deny): 403, or what the request may do.
fn authorize(
    policy: &crate::policy::Policy,
    subject: Option<&crate::policy::Subject>,
    direction: Direction,
    ask: Ask,
    namespace: &str,
) -> Result<Grant, Response> {
    use crate::policy::DenyMode;
    // `/download` is its own right: a rule that grants `decode` does not grant it.
    let action = if ask.download {
        "download"
    } else {
        direction.verb()
    };
    let mut grant = Grant {
        passthrough: false,
        keep_refs: ask.keep_refs,
    };
    if !policy.allows(subject, action, namespace) {
        // Passthrough is for decoding only: a denied encode returned unchanged would be
        // stored as if it were encrypted.
        let mode = if direction == Direction::Decode {
            policy.deny
        } else {
            DenyMode::Forbid
        };
        if mode == DenyMode::Forbid {
            let who = subject
                .and_then(|s| s.email.clone().or_else(|| s.name.clone()))
                .unwrap_or_else(|| "an unauthenticated caller".into());
            return Err(reply(
                StatusCode::FORBIDDEN,
                &format!(
                    "policy: {} may not {action} in namespace {:?}",
                    escape(&who),
                    escape(namespace)
                ),
            ));
        }
        grant.passthrough = true;
    }
    // Resolving references fetches whole stored objects: `/decode` does that only for
    // callers who may `download`; for the others references stay as they are (what
    // `preserveStorageRefs=true` gives), so `/decode` is no way around `/download`.
    if direction == Direction::Decode && !policy.allows(subject, "download", namespace) {
        grant.keep_refs = true;
    }
    Ok(grant)
}

/// The whole body, within the limit (413 over it, by `Content-Length` first).
async fn read_body(
    headers: &HeaderMap,
    body: &mut Option<Body>,
    limit: usize,
) -> Result<axum::body::Bytes, Response> {
    if content_length(headers).is_some_and(|n| n > limit as u64) {
        return Err(too_large_body(limit));
    }
    let Some(unread) = body.take() else {
        return Err(reply(
            StatusCode::BAD_REQUEST,
            "cannot read the request body",
        ));
    };
    axum::body::to_bytes(unread, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            too_large_body(limit)
        } else {
            reply(StatusCode::BAD_REQUEST, "cannot read the request body")
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{DenyMode, Policy, Rule, Subject, SubjectKind};

    fn status(r: Result<impl Sized, Response>) -> Option<u16> {
        r.err().map(|r| r.status().as_u16())
    }

    #[test]
    fn the_route_comes_from_the_path_suffix() {
        let (prefix, direction, ask) = route("/billing/decode", Some("preserveStorageRefs=TRUE"))
            .ok()
            .unwrap_or(("", Direction::Encode, Ask::default()));
        assert_eq!(
            (prefix, direction, ask.keep_refs, ask.download),
            ("/billing", Direction::Decode, true, false)
        );
        let (_, direction, ask) = route("/download", Some("preserveStorageRefs=true"))
            .ok()
            .unwrap_or(("", Direction::Encode, Ask::default()));
        // `/download` resolves references, whatever the query says.
        assert_eq!(
            (direction, ask.keep_refs, ask.download),
            (Direction::Decode, false, true)
        );
        assert_eq!(status(route("/encode", None)), None);
        assert_eq!(status(route("/decoder", None)), Some(404));
        assert_eq!(status(route("/", None)), Some(404));
    }

    #[test]
    fn the_namespace_is_the_header_then_one_path_segment_then_the_default() {
        let mut headers = HeaderMap::new();
        assert_eq!(namespace_of(&headers, "", "dflt"), "dflt");
        assert_eq!(namespace_of(&headers, "/billing", "dflt"), "billing");
        assert_eq!(namespace_of(&headers, "/a/b", "dflt"), "dflt");
        headers.insert(
            "x-namespace",
            "ops"
                .parse()
                .unwrap_or(axum::http::HeaderValue::from_static("x")),
        );
        assert_eq!(namespace_of(&headers, "/billing", "dflt"), "ops");
        headers.insert("x-namespace", axum::http::HeaderValue::from_static(""));
        assert_eq!(namespace_of(&headers, "/billing", "dflt"), "billing");
    }

    fn policy(deny: DenyMode, can: &[&str]) -> Policy {
        Policy {
            deny,
            allow: vec![Rule {
                who: vec!["token:ada".into()],
                can: can.iter().map(|c| c.to_string()).collect(),
                namespaces: vec!["default".into()],
            }],
        }
    }

    #[test]
    fn the_policy_guard_forbids_passes_through_decodes_only_and_keeps_refs_without_download() {
        let ada = Subject {
            kind: SubjectKind::Token,
            name: Some("ada".into()),
            ..Subject::default()
        };
        let decode = Ask::default();
        let download = Ask {
            download: true,
            ..Ask::default()
        };
        let p = policy(DenyMode::Forbid, &["decode"]);
        // Allowed to decode, not to download: references stay.
        assert_eq!(
            authorize(&p, Some(&ada), Direction::Decode, decode, "default").ok(),
            Some(Grant {
                passthrough: false,
                keep_refs: true
            })
        );
        assert_eq!(
            status(authorize(
                &p,
                Some(&ada),
                Direction::Decode,
                download,
                "default"
            )),
            Some(403)
        );
        assert_eq!(
            status(authorize(
                &p,
                Some(&ada),
                Direction::Encode,
                decode,
                "default"
            )),
            Some(403)
        );
        assert_eq!(
            status(authorize(&p, None, Direction::Decode, decode, "default")),
            Some(403)
        );
        assert_eq!(
            status(authorize(
                &p,
                Some(&ada),
                Direction::Decode,
                decode,
                "other"
            )),
            Some(403)
        );
        // Passthrough: a denied decode goes back unchanged, a denied encode is still 403.
        let p = policy(DenyMode::Passthrough, &["encode"]);
        assert_eq!(
            authorize(&p, Some(&ada), Direction::Decode, decode, "default").ok(),
            Some(Grant {
                passthrough: true,
                keep_refs: true
            })
        );
        assert_eq!(
            status(authorize(
                &p,
                Some(&ada),
                Direction::Encode,
                decode,
                "other"
            )),
            Some(403)
        );
        // Who may download gets references resolved.
        let p = policy(DenyMode::Forbid, &["decode", "download"]);
        assert_eq!(
            authorize(&p, Some(&ada), Direction::Decode, decode, "default").ok(),
            Some(Grant {
                passthrough: false,
                keep_refs: false
            })
        );
    }
}
