//! What watches each request: its id, metrics, one audit line for codec routes, and one
//! access log line. Never bodies, headers or tokens.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::log::{escape, log};
use super::routes::Logged;
use super::{audit, listener, metrics};

/// What watches each request: access log, metrics, audit log.
pub(super) struct Observers {
    pub(super) access_log: bool,
    pub(super) metrics: Option<Arc<metrics::Metrics>>,
    pub(super) audit: Option<Arc<audit::AuditLog>>,
    pub(super) next_id: std::sync::atomic::AtomicU64,
}

/// Per request: an id (`x-request-id` on the answer), metrics, one audit line for codec
/// routes, and one access log line (method, path, namespace, status, payloads, latency).
/// Never bodies, headers or tokens.
pub(super) async fn observe(req: Request, next: Next, observers: Arc<Observers>) -> Response {
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
