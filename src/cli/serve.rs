//! `tcodec serve`: options to [`crate::server::ServeOptions`], then run.

use std::time::Duration;

use super::{Cli, ServeArgs};
use crate::error::{Error, ExitStatus, Result};
use crate::server::auth::{Auth, JwtRules};
use crate::server::jwks::JwksSource;
use crate::server::routes::RequestLimits;
use crate::server::{serve, ServeOptions};

/// Builds the server's options from the command line and runs it until a signal.
pub fn run(cli: &Cli, args: &ServeArgs) -> Result<ExitStatus> {
    let config = cli.load_config()?;
    let mut auth = Auth::default();
    if let Some(path) = &args.auth_tokens {
        auth = auth.with_tokens_file(path).map_err(Error::Usage)?;
    }
    let mut jwks_refresh = None;
    if let Some(text) = &args.jwks {
        if args.jwt_audience.is_none() && !args.jwt_any_audience {
            return Err(Error::Usage(
                "--jwks needs --jwt-audience AUD (tokens minted for other apps would pass otherwise), or --jwt-any-audience to accept any".into(),
            ));
        }
        let source = JwksSource::parse(text).map_err(Error::Usage)?;
        let document = source.load().map_err(Error::Usage)?;
        let rules = JwtRules {
            audience: args.jwt_audience.clone(),
            issuer: args.jwt_issuer.clone(),
            namespace_claim: args.jwt_namespace_claim.clone(),
            leeway: args.jwt_leeway.round() as u64,
            email_claim: args.jwt_email_claim.clone(),
        };
        auth = auth
            .with_jwks(&document, rules)
            .map_err(|e| Error::Usage(format!("--jwks: {e}")))?;
        if let JwksSource::Url(url) = source {
            jwks_refresh = Some((url, Duration::from_secs_f64(args.jwks_refresh)));
        }
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        (None, None) => None,
        _ => return Err(Error::Usage("--tls-cert and --tls-key go together".into())),
    };
    let max_body = usize::try_from(args.max_body_size).unwrap_or(usize::MAX);
    let options = ServeOptions {
        listen: args.listen,
        allow_origins: args.allow_origin.clone(),
        allow_hosts: args.allow_host.clone(),
        default_namespace: args.namespace.clone(),
        tls,
        auth,
        jwks_refresh,
        limits: RequestLimits {
            max_body,
            max_decoded: args
                .max_decoded_size
                .unwrap_or(args.max_body_size.saturating_mul(4)),
            max_payloads: args.max_payloads as usize,
        },
        // parse_positive_seconds bounds it to (0, 86400]: from_secs_f64 cannot panic.
        timeout: Duration::from_secs_f64(args.request_timeout),
        max_concurrency: args.max_concurrency as usize,
        max_connections: args.max_connections as usize,
        header_timeout: Duration::from_secs_f64(args.header_timeout),
        insecure_public: args.insecure_public_bind,
        access_log: !cli.quiet,
        metrics: args.metrics,
        metrics_namespace_labels: args.metrics_namespace_labels,
        audit_log: args.audit_log.clone(),
    };
    serve(&config, options)?;
    Ok(ExitStatus::Ok)
}
