//! From arguments to the assembly layer's inputs: the configuration as found and the
//! remote codec server the flags or a `temporal` CLI profile name.

use super::{Cli, RemoteArgs};
use crate::assemble::{ConfigSource, RemoteSource};
use crate::error::Error;

impl RemoteArgs {
    /// The remote codec server these flags name.
    pub fn source(&self) -> RemoteSource {
        RemoteSource {
            endpoint: self.codec_endpoint.clone(),
            auth: self.codec_auth.clone(),
            headers: self.codec_header.clone(),
            profile: self.profile.clone(),
        }
    }

    /// Whether a remote codec stage will run (see [`RemoteSource::has_endpoint`]).
    pub fn has_endpoint(&self) -> Result<bool, Error> {
        self.source().has_endpoint()
    }

    /// The namespace's pipeline, assembled from the configuration and these flags.
    pub fn pipeline(
        &self,
        cli: &Cli,
        namespace: &str,
        options: &crate::config::BuildOptions,
    ) -> Result<crate::pipeline::Pipeline, Error> {
        let config;
        let source = match cli.load_config() {
            Ok(loaded) => {
                config = loaded;
                ConfigSource::Loaded(&config)
            }
            Err(why) => ConfigSource::Missing {
                why,
                explicit: cli.config.is_some(),
            },
        };
        crate::assemble::pipeline(source, &self.source(), namespace, options)
    }
}
