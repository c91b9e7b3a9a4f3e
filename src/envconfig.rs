//! The `temporal` CLI's environment configuration (sdk-go `contrib/envconfig`): a TOML file
//! of profiles, `TEMPORAL_CONFIG_FILE` or `<user config dir>/temporalio/temporal.toml`; the
//! profile is `--profile`, then `TEMPORAL_PROFILE`, then `default`. tcodec reads the codec
//! settings of a profile:
//!
//! ```toml
//! [profile.staging.codec]
//! endpoint = "https://codec.staging.example/{namespace}"
//! auth = "Bearer ..."
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The codec settings of one profile.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct CodecProfile {
    /// Codec server endpoint.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `Authorization` header value.
    #[serde(default)]
    pub auth: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawProfile {
    #[serde(default)]
    codec: Option<CodecProfile>,
}

#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    profile: BTreeMap<String, RawProfile>,
}

/// The profile file: `TEMPORAL_CONFIG_FILE`, else the `temporal` CLI's default location.
pub fn file() -> Option<PathBuf> {
    std::env::var_os("TEMPORAL_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("temporalio").join("temporal.toml")))
}

/// The codec settings of `profile` (or `default` when `None`). A missing file or a missing
/// `default` profile is not an error; a profile named explicitly must exist.
pub fn codec(profile: Option<&str>) -> Result<Option<CodecProfile>> {
    let Some(path) = file() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) if profile.is_none() => return Ok(None),
        Err(e) => {
            return Err(Error::Config {
                file: path.display().to_string(),
                message: format!("cannot read the temporal CLI config for --profile: {e}"),
            })
        }
    };
    let raw: RawFile = toml::from_str(&text).map_err(|e| Error::Config {
        file: path.display().to_string(),
        message: e.message().to_string(),
    })?;
    let name = profile.unwrap_or("default");
    match raw.profile.get(name) {
        Some(p) => Ok(p.codec.clone()),
        None if profile.is_none() => Ok(None),
        None => Err(Error::Config {
            file: path.display().to_string(),
            message: format!("no profile {name:?} (profiles: {})", {
                let names: Vec<&str> = raw.profile.keys().map(String::as_str).collect();
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            }),
        }),
    }
}
