//! `serve`'s arguments: each also from `TCODEC_SERVE_<NAME>` and from the config's
//! `[serve]` table (flags > environment > file).

use std::path::PathBuf;

use clap::Args;

/// Arguments of `serve`. Each can also come from `TCODEC_SERVE_<NAME>` and from the
/// config's `[serve]` table (flags > environment > file).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port, printed on standard error)
    #[arg(
        env = "TCODEC_SERVE_LISTEN",
        long,
        default_value = "127.0.0.1:8081",
        value_name = "ADDR:PORT"
    )]
    pub listen: std::net::SocketAddr,

    /// Origin allowed to call from a browser, with its scheme, e.g. the Web UI's
    /// http://localhost:8233 (repeatable); without any, browsers are refused
    #[arg(env = "TCODEC_SERVE_ALLOW_ORIGIN", value_delimiter = ',', long, value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origin: Vec<String>,

    /// Host name the server may be called by, besides localhost and IP addresses
    /// (repeatable); requests with any other Host header are refused (DNS rebinding)
    #[arg(
        env = "TCODEC_SERVE_ALLOW_HOST",
        value_delimiter = ',',
        long,
        value_name = "NAME"
    )]
    pub allow_host: Vec<String>,

    /// Namespace for requests that name none (no X-Namespace, no path prefix) [default: the
    /// only configured namespace, else default]
    #[arg(short, long, env = "TEMPORAL_NAMESPACE", add = super::complete::namespaces(), display_order = 0)]
    pub namespace: Option<String>,

    /// TLS certificate chain (PEM)
    #[arg(env = "TCODEC_SERVE_TLS_CERT", long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM)
    #[arg(env = "TCODEC_SERVE_TLS_KEY", long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// Bearer tokens file: `TOKEN [RIGHTS] [NAMESPACES]` per line
    #[arg(env = "TCODEC_SERVE_AUTH_TOKENS", long, value_name = "FILE")]
    pub auth_tokens: Option<PathBuf>,

    /// Settings for a known identity provider: `temporal-cloud` sets the JWKS
    /// (https://login.tmprl.cloud/.well-known/jwks.json), the audience
    /// (https://saas-api.tmprl.cloud), the email claim, CORS for https://cloud.temporal.io,
    /// and matches Cloud namespace names `<namespace>.<account>` to configured namespaces;
    /// explicit options still win
    #[arg(
        env = "TCODEC_SERVE_AUTH_PRESET",
        long,
        value_enum,
        value_name = "PRESET"
    )]
    pub auth_preset: Option<AuthPreset>,

    /// With --auth-preset temporal-cloud: the Temporal Cloud account ids whose namespaces
    /// (`<namespace>.<account>`) map to configured namespaces; a namespace of any other
    /// account maps to nothing. Without it, any account maps (a warning at start)
    #[arg(
        env = "TCODEC_SERVE_CLOUD_ACCOUNT",
        long,
        value_name = "ACCOUNT",
        value_delimiter = ','
    )]
    pub cloud_account: Vec<String>,

    /// Verify bearer JWTs against this JWKS: a file, or an https:// URL (http:// only to
    /// loopback) fetched at start and refreshed
    #[arg(env = "TCODEC_SERVE_JWKS", long, value_name = "FILE|URL")]
    pub jwks: Option<String>,

    /// Required JWT audience (`aud`); needed with --jwks unless --jwt-any-audience
    #[arg(
        env = "TCODEC_SERVE_JWT_AUDIENCE",
        long,
        value_name = "AUD",
        requires = "jwks"
    )]
    pub jwt_audience: Option<String>,

    /// Accept JWTs minted for any audience (tokens for other apps then work here too)
    #[arg(
        env = "TCODEC_SERVE_JWT_ANY_AUDIENCE",
        long,
        requires = "jwks",
        conflicts_with = "jwt_audience"
    )]
    pub jwt_any_audience: bool,

    /// Required JWT issuer (`iss`)
    #[arg(
        env = "TCODEC_SERVE_JWT_ISSUER",
        long,
        value_name = "ISS",
        requires = "jwks"
    )]
    pub jwt_issuer: Option<String>,

    /// JWT claim listing the namespaces a token may use (string or array; `*` for any)
    #[arg(
        env = "TCODEC_SERVE_JWT_NAMESPACE_CLAIM",
        long,
        value_name = "CLAIM",
        requires = "jwks"
    )]
    pub jwt_namespace_claim: Option<String>,

    /// JWT claim holding the user's email, for the audit log
    #[arg(
        env = "TCODEC_SERVE_JWT_EMAIL_CLAIM",
        long,
        value_name = "CLAIM",
        default_value = "email",
        requires = "jwks"
    )]
    pub jwt_email_claim: String,

    /// JWT claim holding the user's groups or roles (a string or an array), for policies
    #[arg(
        env = "TCODEC_SERVE_JWT_GROUPS_CLAIM",
        long,
        value_name = "CLAIM",
        default_value = "groups",
        requires = "jwks"
    )]
    pub jwt_groups_claim: String,

    /// Clock skew allowed around a JWT's `exp` and `nbf`, in seconds
    #[arg(env = "TCODEC_SERVE_JWT_LEEWAY", long, value_name = "SECONDS", default_value = "5", value_parser = parse_seconds)]
    pub jwt_leeway: f64,

    /// How often a --jwks URL is fetched again, in seconds (a Cache-Control max-age wins)
    #[arg(env = "TCODEC_SERVE_JWKS_REFRESH", long, value_name = "SECONDS", default_value = "600", value_parser = parse_positive_seconds)]
    pub jwks_refresh: f64,

    /// Largest request body (B, KB, KiB, MB, MiB, ...)
    #[arg(env = "TCODEC_SERVE_MAX_BODY_SIZE", long, value_name = "SIZE", value_parser = crate::units::parse_size, default_value = "16MiB")]
    pub max_body_size: u64,

    /// Bytes one request may decode to (all its payloads' decompressed output together)
    /// and largest answer [default: 4 × --max-body-size]
    #[arg(env = "TCODEC_SERVE_MAX_DECODED_SIZE", long, value_name = "SIZE", value_parser = crate::units::parse_size)]
    pub max_decoded_size: Option<u64>,

    /// Payloads in one request
    #[arg(env = "TCODEC_SERVE_MAX_PAYLOADS", long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_payloads: u32,

    /// `/encode` offloads payloads at or above the namespace's storage threshold to its
    /// External Storage. Off by default: workers should not point a remote codec at a
    /// storage-aware handler (their SDK offloads after the codec itself)
    #[arg(long)]
    pub offload_on_encode: bool,

    /// Per-request time limit, in seconds (answered 503; codec work stops at the next payload)
    #[arg(env = "TCODEC_SERVE_REQUEST_TIMEOUT", long, value_name = "SECONDS", default_value = "30", value_parser = parse_positive_seconds)]
    pub request_timeout: f64,

    /// Requests whose codec work runs at once; others wait (within their time limit)
    #[arg(env = "TCODEC_SERVE_MAX_CONCURRENCY", long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrency: u32,

    /// Time a connection has for its TLS handshake and each request head, and may sit idle
    /// between requests, in seconds
    #[arg(env = "TCODEC_SERVE_HEADER_TIMEOUT", long, value_name = "SECONDS", default_value = "10", value_parser = parse_positive_seconds)]
    pub header_timeout: f64,

    /// Connections open at once; more are closed at once
    #[arg(env = "TCODEC_SERVE_MAX_CONNECTIONS", long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Allow a non-loopback --listen without TLS and auth (anyone who reaches it can decrypt)
    #[arg(env = "TCODEC_SERVE_INSECURE_PUBLIC_BIND", long)]
    pub insecure_public_bind: bool,

    /// Serve GET /metrics in the Prometheus text format (bounded labels: routes, status
    /// classes, error kinds, configured key ids)
    #[arg(env = "TCODEC_SERVE_METRICS", long)]
    pub metrics: bool,

    /// With --metrics: the address GET /metrics is served on, a listener of its own (plain
    /// HTTP, no auth: keep it on loopback or inside the pod network). The codec listener
    /// never serves /metrics
    #[arg(
        env = "TCODEC_SERVE_METRICS_LISTEN",
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:9464"
    )]
    pub metrics_listen: std::net::SocketAddr,

    /// With --metrics: also count requests by configured namespace
    #[arg(
        env = "TCODEC_SERVE_METRICS_NAMESPACE_LABELS",
        long,
        requires = "metrics"
    )]
    pub metrics_namespace_labels: bool,

    /// Reload the configuration and keys whenever the config file changes, checked every
    /// SECONDS (as SIGHUP does: refused whole when the new one fails a check). For
    /// Kubernetes, where a mounted ConfigMap changes and no one sends SIGHUP
    #[arg(env = "TCODEC_SERVE_WATCH_CONFIG", long, value_name = "SECONDS", value_parser = parse_positive_seconds)]
    pub watch_config: Option<f64>,

    /// Append one JSON line per encode/decode/download request to FILE (`-`: standard
    /// output): time, request id, client, subject, namespace, route, payloads, key ids,
    /// outcome; never payloads, tokens or keys. SIGHUP reopens FILE
    #[arg(env = "TCODEC_SERVE_AUDIT_LOG", long, value_name = "FILE|-")]
    pub audit_log: Option<String>,
}

/// Identity-provider presets for `serve --auth-preset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthPreset {
    /// Temporal Cloud's users and its Web UI at https://cloud.temporal.io.
    TemporalCloud,
}

/// Seconds as a finite, non-negative number of at most a day.
pub(crate) fn parse_seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, found {text:?}"))?;
    if !value.is_finite() || !(0.0..=86_400.0).contains(&value) {
        return Err(format!(
            "expected seconds between 0 and 86400, found {text:?}"
        ));
    }
    Ok(value)
}

/// Seconds as [`parse_seconds`], and more than zero.
pub(crate) fn parse_positive_seconds(text: &str) -> Result<f64, String> {
    let value = parse_seconds(text)?;
    if value <= 0.0 {
        return Err(format!("expected more than 0 seconds, found {text:?}"));
    }
    Ok(value)
}

/// An origin as browsers send it: `scheme://host[:port]`, no path.
pub(crate) fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/');
    if origin == "*" {
        return Err("`*` is refused because credentials are allowed: name each origin, e.g. http://localhost:8233".into());
    }
    let Some((scheme, host)) = origin.split_once("://") else {
        return Err(format!(
            "{text:?} has no scheme: write it as the browser sends it, e.g. http://{origin} or https://{origin}"
        ));
    };
    if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains(['/', '?', '#', ' '])
    {
        return Err(format!(
            "{text:?} is not an origin: expected http(s)://host[:port], no path"
        ));
    }
    Ok(origin.to_string())
}
