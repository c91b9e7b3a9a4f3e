//! The codec-server protocol: `POST …/encode` and `POST …/decode` with a
//! `{"payloads": [...]}` body in proto3 JSON, answered in the same form, count and order
//! kept (samples-go `codec-server`, sdk-go `NewPayloadCodecHTTPHandler`, the Web UI's
//! `data-encoder.ts`). The path suffix decides the direction, so any prefix works
//! (`/{namespace}/decode`); the namespace comes from `X-Namespace`, then the path prefix,
//! then the server's default.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::auth::Denied;
use super::AppState;
use crate::codec::Direction;
use crate::document::{self, DocType, Document, ReadOptions};
use crate::error::Location;
use crate::payload::{self, Payload};

/// Bodies above this size are transformed on the blocking pool, not on a runtime worker.
const INLINE_BODY_LIMIT: usize = 256 * 1024;

/// What the access log records of one request.
#[derive(Clone, Default)]
pub struct Logged {
    /// The namespace served.
    pub namespace: String,
    /// Payloads in the answer.
    pub payloads: usize,
}

/// `GET /healthz`.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Every other route: the codec endpoints by suffix, else 404.
pub async fn codec(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let (prefix, direction) = if let Some(p) = path.strip_suffix("/decode") {
        (p, Direction::Decode)
    } else if let Some(p) = path.strip_suffix("/encode") {
        (p, Direction::Encode)
    } else if path == "/download" || path.ends_with("/download") {
        return reply(
            StatusCode::NOT_FOUND,
            "this codec server has no external storage driver to download from",
        );
    } else {
        return reply(
            StatusCode::NOT_FOUND,
            "not found: use POST /encode or /decode",
        );
    };
    if method != Method::POST {
        return reply(StatusCode::METHOD_NOT_ALLOWED, "use POST");
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
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Err(denied) = state.auth.check(authorization, direction, &namespace) {
        let mut response = match denied {
            Denied::Missing => reply(StatusCode::UNAUTHORIZED, "missing bearer token"),
            Denied::Invalid(why) => reply(StatusCode::UNAUTHORIZED, &why),
            Denied::Forbidden(why) => reply(StatusCode::FORBIDDEN, &why),
        };
        response.extensions_mut().insert(Logged {
            namespace,
            payloads: 0,
        });
        return response;
    }
    let Some(pipeline) = state.pipelines.get(&namespace) else {
        let mut response = reply(
            StatusCode::NOT_FOUND,
            &format!("no codec pipeline configured for namespace {namespace:?}"),
        );
        response.extensions_mut().insert(Logged {
            namespace,
            payloads: 0,
        });
        return response;
    };
    let work = move || transform(&pipeline, direction, &body);
    let result = if state_body_is_small(&headers) {
        work()
    } else {
        match tokio::task::spawn_blocking(work).await {
            Ok(r) => r,
            Err(_) => Err((StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())),
        }
    };
    let mut response = match result {
        Ok((count, json)) => {
            let mut r = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                json,
            )
                .into_response();
            r.extensions_mut().insert(Logged {
                namespace,
                payloads: count,
            });
            return r;
        }
        Err((status, why)) => reply(status, &why),
    };
    response.extensions_mut().insert(Logged {
        namespace,
        payloads: 0,
    });
    response
}

fn state_body_is_small(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= INLINE_BODY_LIMIT)
}

/// Parses a request body, runs the pipeline, renders the answer: the codec endpoint's
/// work without HTTP (also the fuzz target's entry). Errors are 400 with a short reason.
pub fn transform(
    pipeline: &crate::pipeline::Pipeline,
    direction: Direction,
    body: &[u8],
) -> Result<(usize, Vec<u8>), (StatusCode, String)> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    let payloads = match crate::payload_body::payloads(body) {
        Some(payloads) => payloads,
        None => read_body(body)?,
    };
    let payloads: Vec<Payload> = pipeline
        .run_sequential(direction, payloads)
        .map_err(|e| bad(format!("payloads[{}]: {}", e.index, e.source)))?;
    let count = payloads.len();
    Ok((count, render(&payloads)))
}

/// The general reader: every shape the CLI accepts as a body, and the exact error for
/// anything wrong.
fn read_body(body: &[u8]) -> Result<Vec<Payload>, (StatusCode, String)> {
    let bad = |why: String| (StatusCode::BAD_REQUEST, why);
    if body.trim_ascii().is_empty() {
        return Err(bad("empty body: expected {\"payloads\": [...]}".into()));
    }
    crate::strict_json::check_no_duplicate_keys(body)
        .map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(bad(format!(
            "expected {{\"payloads\": [...]}}, found {}",
            payload::kind(&value)
        )));
    }
    let options = ReadOptions {
        doc_type: DocType::Payloads,
        ..Default::default()
    };
    let doc = document::document_from_value(value, Location::file("body"), options)
        .map_err(|e| bad(strip_location(&e.to_string())))?;
    match doc {
        Document::Payloads(doc) => Ok(doc.payloads),
        Document::Tree(_) => Err(bad("expected {\"payloads\": [...]}".into())),
    }
}

/// `{"payloads":[...]}`, compact.
fn render(payloads: &[Payload]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        16 + payloads
            .iter()
            .map(|p| p.data.len() * 4 / 3 + 96)
            .sum::<usize>(),
    );
    out.extend_from_slice(b"{\"payloads\":[");
    for (i, p) in payloads.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        payload::write_payload_json(p, &mut out);
    }
    out.extend_from_slice(b"]}");
    out
}

/// `malformed input: body: payloads[0]: ...` → `payloads[0]: ...`.
fn strip_location(message: &str) -> String {
    message
        .strip_prefix("malformed input: body: ")
        .or_else(|| message.strip_prefix("malformed input: body"))
        .unwrap_or(message)
        .trim_start_matches(": ")
        .to_string()
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
