//! `tcodec serve`: options to [`crate::server::ServeOptions`], then run.

use super::{Cli, ServeArgs};
use crate::config::Config;
use crate::error::{Error, ExitStatus, Result};
use crate::server::auth::Auth;
use crate::server::{serve, ServeOptions};

/// Builds the server's options from the command line and runs it until a signal.
pub fn run(cli: &Cli, args: &ServeArgs) -> Result<ExitStatus> {
    let config = Config::discover(cli.config.as_deref())?;
    let mut auth = Auth::default();
    if let Some(path) = &args.auth_tokens {
        auth = auth.with_tokens_file(path).map_err(Error::Usage)?;
    }
    if let Some(source) = &args.jwks {
        let text = read_jwks(source)?;
        auth = auth
            .with_jwks(
                &text,
                args.jwt_audience.clone(),
                args.jwt_issuer.clone(),
                args.jwt_namespace_claim.clone(),
            )
            .map_err(|e| Error::Usage(format!("--jwks {source}: {e}")))?;
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        (None, None) => None,
        _ => return Err(Error::Usage("--tls-cert and --tls-key go together".into())),
    };
    let options = ServeOptions {
        listen: args.listen,
        allow_origins: args.allow_origin.clone(),
        default_namespace: args.namespace.clone(),
        tls,
        auth,
        max_body: usize::try_from(args.max_body_size).unwrap_or(usize::MAX),
        timeout: std::time::Duration::from_secs_f64(args.request_timeout),
        max_concurrency: args.max_concurrency.max(1),
        insecure_public: args.insecure_public_bind,
        access_log: !cli.quiet,
    };
    serve(&config, options)?;
    Ok(ExitStatus::Ok)
}

/// The JWKS document from a file, or from an `https://` (or loopback `http://`) URL.
fn read_jwks(source: &str) -> Result<String> {
    if source.starts_with("https://") || source.starts_with("http://") {
        let mut response = ureq::get(source)
            .call()
            .map_err(|e| Error::Usage(format!("cannot fetch --jwks {source}: {e}")))?;
        return response
            .body_mut()
            .read_to_string()
            .map_err(|e| Error::Usage(format!("cannot read --jwks {source}: {e}")));
    }
    std::fs::read_to_string(source).map_err(|e| Error::io("cannot read", source, e))
}
