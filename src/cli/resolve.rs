//! From arguments, the configuration and a `temporal` CLI profile to the pipeline a
//! command runs: local codecs, then a remote codec server when one is named.

use super::{Cli, RemoteArgs};
use crate::error::Error;

impl RemoteArgs {
    /// Whether a remote codec stage will run: `--codec-endpoint`, or a named profile
    /// (`--profile`, `TEMPORAL_PROFILE`) that gives a codec endpoint. A profile without an
    /// endpoint is no remote stage.
    pub fn has_endpoint(&self) -> Result<bool, Error> {
        if self.codec_endpoint.is_some() {
            return Ok(true);
        }
        if self.profile.is_none() {
            return Ok(false);
        }
        Ok(crate::envconfig::codec(self.profile.as_deref())?
            .and_then(|p| p.endpoint)
            .is_some())
    }

    /// The namespace's pipeline: local codecs from the configuration, then the remote stage.
    /// With an endpoint, the configuration is optional: a namespace it does not list (or no
    /// configuration at all) gets the remote stage alone.
    pub fn pipeline(
        &self,
        cli: &Cli,
        namespace: &str,
        options: &crate::config::BuildOptions,
    ) -> Result<crate::pipeline::Pipeline, Error> {
        use crate::codec::remote::{RemoteCodec, RemoteSettings};
        let config = cli.load_config();
        let configured = matches!(&config, Ok(c) if c.codecs_for(namespace).is_ok());
        // A temporal.toml profile: when named explicitly, or when tcodec's own config has
        // no pipeline for the namespace (tcodec's config takes precedence).
        let profile = if self.codec_endpoint.is_none() && (self.profile.is_some() || !configured) {
            crate::envconfig::codec(self.profile.as_deref())?
        } else {
            None
        };
        let endpoint = self
            .codec_endpoint
            .clone()
            .or_else(|| profile.as_ref().and_then(|p| p.endpoint.clone()));
        let Some(endpoint) = endpoint else {
            return config?.pipeline_with(namespace, options);
        };
        let local = match config {
            Ok(config) if configured => config.pipeline_with(namespace, options)?,
            Err(e) if cli.config.is_some() => return Err(e),
            _ => crate::pipeline::Pipeline::new(namespace, Vec::new()),
        };
        // The endpoint as it will be called: parsed, no credentials in it, plain http
        // only to loopback (the `--codec-header`s and `--codec-auth` travel with it).
        crate::endpoint::check(
            "--codec-endpoint",
            &endpoint.replace("{namespace}", namespace),
            crate::endpoint::Clear::LoopbackOnly,
        )
        .map_err(Error::Usage)?;
        let mut settings = RemoteSettings::new(endpoint);
        settings.auth = self
            .codec_auth
            .clone()
            .or_else(|| profile.and_then(|p| p.auth));
        settings.headers = self.codec_header.clone();
        Ok(local.with_remote(RemoteCodec::new(settings, namespace)))
    }
}
