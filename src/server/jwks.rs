//! Loading a JWKS (`--jwks FILE|URL`) and keeping a URL's set fresh.
//!
//! A URL must be `https://`, or `http://` to a loopback host (a key set fetched in the
//! clear could be swapped by anyone on the path). A URL's set is fetched again every
//! refresh interval (or the `max-age` the answer's `Cache-Control` gives, between one
//! minute and a day), and soon after a token names an unknown `kid` (at most once per
//! [`UNKNOWN_KID_MIN_INTERVAL`]). A failed refresh keeps the last good set.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::auth::{parse_jwks, JwtSettings};

/// Fewest seconds between two refreshes caused by unknown `kid`s.
pub const UNKNOWN_KID_MIN_INTERVAL: Duration = Duration::from_secs(30);

/// Where the key set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A local file, read once.
    File(String),
    /// A URL, fetched at start and refreshed.
    Url(String),
}

impl JwksSource {
    /// Classifies `--jwks`, refusing plain http to a non-loopback host.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.contains("://") {
            crate::endpoint::check("--jwks", text, crate::endpoint::Clear::LoopbackOnly)?;
            return Ok(JwksSource::Url(text.to_string()));
        }
        Ok(JwksSource::File(text.to_string()))
    }

    /// The document's text.
    pub fn load(&self) -> Result<String, String> {
        match self {
            JwksSource::File(path) => {
                std::fs::read_to_string(path).map_err(|e| format!("cannot read --jwks {path}: {e}"))
            }
            JwksSource::Url(url) => fetch(url).map(|(text, _)| text),
        }
    }
}

/// Fetches a JWKS URL: its text and the `max-age` of its `Cache-Control`, if any.
fn fetch(url: &str) -> Result<(String, Option<Duration>), String> {
    let shown = crate::codec::remote::redact_url(url);
    // No redirects: a redirect could lead from https (or loopback http) to plain http.
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .max_redirects(0)
        .build()
        .new_agent();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| format!("cannot fetch --jwks {shown}: {e}"))?;
    if response.status().as_u16() != 200 {
        return Err(format!(
            "cannot fetch --jwks {shown}: HTTP {} (redirects are not followed)",
            response.status().as_u16()
        ));
    }
    let max_age = response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .and_then(max_age);
    let text = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .map_err(|e| format!("cannot read --jwks {shown}: {e}"))?;
    Ok((text, max_age))
}

/// `max-age=N` of a Cache-Control value.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case("max-age"))
            .then(|| v.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

/// Refreshes `settings` from `url` for as long as the server runs.
pub async fn refresh_forever(settings: Arc<JwtSettings>, url: String, every: Duration) {
    // The next periodic refresh is a fixed time, not a fresh sleep per wake-up: requests
    // with unknown key ids (rate-limited on-demand refreshes) must not postpone it forever.
    let mut next = tokio::time::Instant::now() + every;
    let mut last_on_demand: Option<Instant> = None;
    loop {
        let on_demand = tokio::select! {
            () = tokio::time::sleep_until(next) => false,
            () = settings.unknown_kid.notified() => true,
        };
        if on_demand {
            if last_on_demand.is_some_and(|t| t.elapsed() < UNKNOWN_KID_MIN_INTERVAL) {
                continue;
            }
            last_on_demand = Some(Instant::now());
        }
        let url2 = url.clone();
        let fetched = tokio::task::spawn_blocking(move || fetch(&url2))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
        match fetched.and_then(|(text, age)| parse_jwks(&text).map(|keys| (keys, age))) {
            Ok((keys, age)) => {
                let n = keys.keys.len();
                settings.replace_keys(keys);
                next = tokio::time::Instant::now()
                    + age
                        .map(|a| a.clamp(Duration::from_secs(60), Duration::from_secs(86_400)))
                        .unwrap_or(every);
                super::log::log(format_args!("tcodec serve: JWKS refreshed ({n} keys)"));
            }
            Err(e) => {
                next = tokio::time::Instant::now() + every;
                super::log::log(format_args!(
                    "tcodec serve: JWKS refresh failed, keeping the last good set: {e}"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://login.example/.well-known/jwks.json",
            "http://127.0.0.1:9/jwks",
            "http://localhost/jwks",
            "http://[::1]:8/x",
        ] {
            assert!(
                matches!(JwksSource::parse(ok), Ok(JwksSource::Url(_))),
                "{ok}"
            );
        }
        for bad in [
            "http://idp.example/jwks",
            "http://127.0.0.1.evil.example/jwks",
            "http://user:pw@10.0.0.1/jwks",
            "ftp://x/y",
        ] {
            let e = JwksSource::parse(bad).unwrap_err();
            assert!(!e.contains("pw@"), "{e}");
        }
        assert_eq!(
            JwksSource::parse("keys/jwks.json").unwrap(),
            JwksSource::File("keys/jwks.json".into())
        );
    }

    #[test]
    fn cache_control_max_age() {
        assert_eq!(
            max_age("public, max-age=300, must-revalidate"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("no-store"), None);
    }
}
