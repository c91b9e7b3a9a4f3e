//! The assembly layer: from the configuration, a `temporal` CLI profile and the command
//! line's remote codec settings to the pipelines that run. The CLI (one namespace per
//! command) and the server (every configured namespace, rebuilt on reload) both assemble
//! here, so a namespace runs the same codecs whichever edge asks.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{BuildOptions, Config, FALLBACK_NAMESPACE};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;

/// A remote codec server to call after the local codecs, as the command line or the
/// environment names it (`--codec-endpoint`, `--codec-auth`, `--codec-header`, `--profile`).
#[derive(Debug, Clone, Default)]
pub struct RemoteSource {
    /// The endpoint (`{namespace}` is replaced).
    pub endpoint: Option<String>,
    /// The `Authorization` value.
    pub auth: Option<String>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// A temporal.toml profile giving the endpoint and auth when the flags do not.
    pub profile: Option<String>,
}

impl RemoteSource {
    /// Whether a remote codec stage will run: an endpoint, or a named profile that gives
    /// one. A profile without an endpoint is no remote stage.
    pub fn has_endpoint(&self) -> Result<bool> {
        if self.endpoint.is_some() {
            return Ok(true);
        }
        if self.profile.is_none() {
            return Ok(false);
        }
        Ok(crate::envconfig::codec(self.profile.as_deref())?
            .and_then(|p| p.endpoint)
            .is_some())
    }
}

/// The configuration as the edge found it: loaded, or the reason it could not be.
pub enum ConfigSource<'a> {
    /// Loaded.
    Loaded(&'a Config),
    /// Not loaded: why, and whether the user named the file (a named file that fails is an
    /// error even when a remote codec server would do the work).
    Missing {
        /// Why it could not be loaded.
        why: Error,
        /// `--config` (or `TCODEC_CONFIG`) named it.
        explicit: bool,
    },
}

/// The namespace's pipeline: local codecs from the configuration, then the remote stage.
/// With an endpoint, the configuration is optional: a namespace it does not list (or no
/// configuration at all) gets the remote stage alone.
pub fn pipeline(
    source: ConfigSource<'_>,
    remote: &RemoteSource,
    namespace: &str,
    options: &BuildOptions,
) -> Result<Pipeline> {
    use crate::codec::remote::{RemoteCodec, RemoteSettings};
    let configured = matches!(source, ConfigSource::Loaded(c) if c.codecs_for(namespace).is_ok());
    // A temporal.toml profile: when named explicitly, or when tcodec's own config has
    // no pipeline for the namespace (tcodec's config takes precedence).
    let profile = if remote.endpoint.is_none() && (remote.profile.is_some() || !configured) {
        crate::envconfig::codec(remote.profile.as_deref())?
    } else {
        None
    };
    let endpoint = remote
        .endpoint
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.endpoint.clone()));
    let Some(endpoint) = endpoint else {
        return match source {
            ConfigSource::Loaded(config) => config.pipeline_with(namespace, options),
            ConfigSource::Missing { why, .. } => Err(why),
        };
    };
    let local = match source {
        ConfigSource::Loaded(config) if configured => config.pipeline_with(namespace, options)?,
        ConfigSource::Missing {
            why,
            explicit: true,
        } => return Err(why),
        _ => Pipeline::new(namespace, Vec::new()),
    };
    // The endpoint as it will be called: parsed, no credentials in it, plain http only to
    // loopback (the headers and auth travel with it).
    crate::endpoint::check(
        "--codec-endpoint",
        &endpoint.replace("{namespace}", namespace),
        crate::endpoint::Clear::LoopbackOnly,
    )
    .map_err(Error::Usage)?;
    let mut settings = RemoteSettings::new(endpoint);
    settings.auth = remote.auth.clone().or_else(|| profile.and_then(|p| p.auth));
    settings.headers = remote.headers.clone();
    Ok(local.with_remote(RemoteCodec::new(settings, namespace)))
}

/// The pipelines a server serves, built once (keys loaded once), with the access policy:
/// what a reload replaces, together.
pub struct Pipelines {
    by_namespace: HashMap<String, Arc<Pipeline>>,
    fallback: Option<Arc<Pipeline>>,
    /// The `[policy]`, if any.
    pub policy: Option<crate::policy::Policy>,
}

impl Pipelines {
    /// Builds the pipeline of every configured namespace (and the `*` fallback), each the
    /// way [`pipeline`] builds one for the CLI (no remote stage: the server is the remote).
    pub fn build(config: &Config) -> Result<Self> {
        let mut by_namespace = HashMap::new();
        let mut fallback = None;
        for ns in config.namespaces().keys() {
            let built = pipeline(
                ConfigSource::Loaded(config),
                &RemoteSource::default(),
                ns,
                &BuildOptions::default(),
            )?;
            let built = Arc::new(built);
            if ns == FALLBACK_NAMESPACE {
                fallback = Some(built);
            } else {
                by_namespace.insert(ns.clone(), built);
            }
        }
        Ok(Pipelines {
            by_namespace,
            fallback,
            policy: config.policy().cloned(),
        })
    }

    /// The configured namespace names, sorted (`*` last when there is a fallback).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.by_namespace.keys().cloned().collect();
        names.sort();
        if self.fallback.is_some() {
            names.push(FALLBACK_NAMESPACE.to_string());
        }
        names
    }

    /// The configured namespace a request's namespace stands for: itself when configured;
    /// with `cloud`, `ns` for a Temporal Cloud `ns.account` when `ns` is configured and the
    /// account is one of `cloud`'s (any account when it names none).
    pub fn resolve(&self, namespace: &str, cloud: Option<&[String]>) -> String {
        if let (false, Some(accounts)) = (self.by_namespace.contains_key(namespace), cloud) {
            if let Some((ns, account)) = namespace.rsplit_once('.') {
                let known = accounts.is_empty() || accounts.iter().any(|a| a == account);
                if known && self.by_namespace.contains_key(ns) {
                    return ns.to_string();
                }
            }
        }
        namespace.to_string()
    }

    /// Whether `namespace` is configured by name (not served by the `*` fallback).
    pub fn is_configured(&self, namespace: &str) -> bool {
        self.by_namespace.contains_key(namespace)
    }

    /// The pipeline serving `namespace`.
    pub fn get(&self, namespace: &str) -> Option<Arc<Pipeline>> {
        self.by_namespace
            .get(namespace)
            .or(self.fallback.as_ref())
            .cloned()
    }
}
