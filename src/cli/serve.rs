//! `tcodec serve`: options to [`crate::server::ServeOptions`], then run.

use std::time::Duration;

use super::exit::ExitStatus;
use super::{Cli, ServeArgs};
use crate::error::{Error, Result};
use crate::server::auth::{Auth, JwtRules};
use crate::server::jwks::JwksSource;
use crate::server::routes::RequestLimits;
use crate::server::{serve, ServeOptions};

/// Temporal Cloud's JWKS, audience, email claim and UI origin (docs: "Codec Server").
const CLOUD_JWKS: &str = "https://login.tmprl.cloud/.well-known/jwks.json";
const CLOUD_AUDIENCE: &str = "https://saas-api.tmprl.cloud";
const CLOUD_EMAIL_CLAIM: &str = "https://saas-api.tmprl.cloud/user/email";

/// `args` with a preset's settings wherever the options left them unset.
fn with_preset(mut args: ServeArgs) -> ServeArgs {
    if args.auth_preset == Some(super::AuthPreset::TemporalCloud) {
        args.jwks.get_or_insert_with(|| CLOUD_JWKS.to_string());
        if !args.jwt_any_audience {
            args.jwt_audience
                .get_or_insert_with(|| CLOUD_AUDIENCE.to_string());
        }
        if args.jwt_email_claim == "email" {
            args.jwt_email_claim = CLOUD_EMAIL_CLAIM.to_string();
        }
        let origin = super::doctor::CLOUD_ORIGIN.to_string();
        if !args.allow_origin.contains(&origin) {
            args.allow_origin.push(origin);
        }
    }
    args
}

pub fn run(cli: &Cli, args: &ServeArgs) -> Result<ExitStatus> {
    let config = cli.load_config()?;
    untrusted_serve_table(&config)?;
    let args = &with_preset(with_file_defaults(args, &config)?);
    validate(&config, args)?;
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
            groups_claim: args.jwt_groups_claim.clone(),
            scopes_required: args.auth_preset.is_none(),
            // Temporal Cloud's tokens carry no `email_verified`: the email claim is the
            // Cloud user's own account email, set by Temporal Cloud (which verified it
            // when the user was invited), so the preset trusts it. Every other issuer must
            // say `"email_verified": true`.
            email_verified_required: args.auth_preset.is_none(),
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
        default_namespace: cli.namespace(args.namespace.as_deref()),
        tls,
        auth,
        jwks_refresh,
        limits: RequestLimits {
            max_body,
            max_decoded: args
                .max_decoded_size
                .unwrap_or(args.max_body_size.saturating_mul(4)),
            max_payloads: args.max_payloads as usize,
            offload_on_encode: args.offload_on_encode,
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
        cloud_namespaces: (args.auth_preset == Some(super::AuthPreset::TemporalCloud))
            .then(|| args.cloud_account.clone()),
        metrics_listen: args.metrics_listen,
        watch_config: args.watch_config.map(Duration::from_secs_f64),
    };
    // SIGHUP loads the same file again, with the same trust, and runs every check that
    // start ran, with the flags in force: a config that could not start cannot be reloaded.
    let (named, trusted) = (cli.config.clone(), cli.trust_config);
    let in_force = args.clone();
    let reload: crate::server::Reload = Box::new(move || {
        let config = crate::config::Config::discover(named.as_deref())?;
        let config = if trusted { config.trust() } else { config };
        untrusted_serve_table(&config)?;
        check_serve_table(&config)?;
        validate(&config, &in_force)?;
        Ok(config)
    });
    serve(&config, options, reload)?;
    Ok(ExitStatus::Ok)
}

/// A `[serve]` table can open the server (origins, hosts, public binds): not from a config
/// that was only found in the working directory.
fn untrusted_serve_table(config: &crate::config::Config) -> Result<()> {
    if config.is_untrusted() && !config.serve_table().is_empty() {
        return Err(Error::Usage(format!(
            "{}: a [serve] table in a config found implicitly in the working directory is not applied; name it with --config {} (or TCODEC_CONFIG), or pass --trust-config",
            config.path().display(),
            config.path().display()
        )));
    }
    Ok(())
}

/// The checks a configuration must pass to be served with `args`: at start and again on
/// every SIGHUP reload (a reload that fails one is refused and the old set keeps serving).
fn validate(config: &crate::config::Config, args: &ServeArgs) -> Result<()> {
    if args.auth_preset.is_none() && !args.cloud_account.is_empty() {
        return Err(Error::Usage(
            "--cloud-account goes with --auth-preset temporal-cloud (it names the Cloud accounts whose namespaces map)".into(),
        ));
    }
    if args.auth_preset.is_some() && config.policy().is_none() {
        return Err(Error::Usage(
            "--auth-preset temporal-cloud: Cloud tokens carry no tcodec scopes, so a [policy] in the config must say who may decode and encode".into(),
        ));
    }
    Ok(())
}

/// Checks that every key of the config's `[serve]` table is a `serve` option (`config
/// check` runs this too): an unknown key is refused, never ignored.
pub fn check_serve_table(config: &crate::config::Config) -> Result<()> {
    let command = super::command();
    let Some(serve) = command.find_subcommand("serve") else {
        return Ok(());
    };
    let longs: Vec<&str> = serve.get_arguments().filter_map(|a| a.get_long()).collect();
    for key in config.serve_table().keys() {
        let long = key.replace('_', "-");
        if !longs.contains(&long.as_str()) {
            let hint = crate::units::nearest(&long, longs.iter().copied())
                .map(|n| format!("did you mean {n:?}? "))
                .unwrap_or_default();
            return Err(Error::Config {
                file: config.path().display().to_string(),
                message: format!(
                    "[serve] {key}: not a serve option; {hint}the table takes: {}",
                    longs.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// `args` with the config's `[serve]` table filling every option that neither the command
/// line nor a `TCODEC_SERVE_*` variable set. Keys are the long flag names (`max-body-size`
/// or `max_body_size`); paths are relative to the config file.
fn with_file_defaults(args: &ServeArgs, config: &crate::config::Config) -> Result<ServeArgs> {
    use clap::parser::ValueSource;
    let table = config.serve_table();
    if table.is_empty() {
        return Ok(args.clone());
    }
    check_serve_table(config)?;
    let file = config.path().display().to_string();
    let bad = |message: String| Error::Config {
        file: file.clone(),
        message,
    };
    let argv: Vec<std::ffi::OsString> = super::ARGV.get().cloned().unwrap_or_default();
    let command = super::command();
    let matches = command
        .clone()
        .try_get_matches_from(&argv)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let (Some(given), Some(serve)) = (
        matches.subcommand_matches("serve"),
        command.find_subcommand("serve"),
    ) else {
        return Ok(args.clone());
    };
    let base = config
        .path()
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mut extra: Vec<String> = Vec::new();
    for (key, value) in table {
        let id = key.replace('-', "_");
        let arg = serve
            .get_arguments()
            .find(|a| a.get_id().as_str() == id && a.get_long().is_some())
            .ok_or_else(|| {
                bad(format!(
                    "[serve] {key}: not a serve option (see tcodec serve --help)"
                ))
            })?;
        if !matches!(
            given.value_source(&id),
            None | Some(ValueSource::DefaultValue)
        ) {
            continue; // the command line or the environment set it
        }
        let long = arg.get_long().unwrap_or_default();
        let is_path = matches!(
            id.as_str(),
            "tls_cert" | "tls_key" | "auth_tokens" | "jwks" | "audit_log"
        );
        let text = |v: &toml::Value| -> Result<String> {
            let t = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                other => {
                    return Err(bad(format!(
                        "[serve] {key}: expected a string or a number, found {}",
                        other.type_str()
                    )))
                }
            };
            let relative =
                is_path && t != "-" && !t.contains("://") && std::path::Path::new(&t).is_relative();
            Ok(if relative {
                base.join(&t).display().to_string()
            } else {
                t
            })
        };
        match value {
            toml::Value::Boolean(true) => extra.push(format!("--{long}")),
            toml::Value::Boolean(false) => {}
            toml::Value::Array(items) => {
                for item in items {
                    extra.push(format!("--{long}={}", text(item)?));
                }
            }
            other => extra.push(format!("--{long}={}", text(other)?)),
        }
    }
    // Put them right after the `serve` word, then parse the whole command line again.
    // The `serve` word itself, not a value of --config.
    let Some(at) = argv
        .iter()
        .enumerate()
        .position(|(i, a)| a == "serve" && (i == 0 || argv[i - 1] != "--config"))
    else {
        return Ok(args.clone());
    };
    let mut full = argv.clone();
    full.splice(at + 1..at + 1, extra.into_iter().map(Into::into));
    let cli = <Cli as clap::Parser>::try_parse_from(full).map_err(|e| {
        bad(format!(
            "[serve]: {}",
            e.to_string().lines().next().unwrap_or_default()
        ))
    })?;
    match cli.command {
        super::Command::Serve(args) => Ok(args),
        _ => Ok(args.clone()),
    }
}
