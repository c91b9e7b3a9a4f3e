//! `tcodec probe URL`: GET a health endpoint, exit 0 on 2xx. For container health checks
//! in images without a shell or curl (deploy/Dockerfile).

use std::time::Duration;

use super::exit::ExitStatus;
use super::ProbeArgs;
use crate::error::{Error, Result};

/// Probes `args.url`; `--insecure` (skip certificate checks) only for loopback hosts.
pub fn run(args: &ProbeArgs) -> Result<ExitStatus> {
    let url = crate::endpoint::check("probe", &args.url, crate::endpoint::Clear::Anywhere)
        .map_err(Error::Usage)?;
    let loopback = crate::endpoint::is_loopback(&url);
    if args.insecure && !loopback {
        return Err(Error::Usage(
            "--insecure is for probing this host (127.0.0.1, localhost) only".into(),
        ));
    }
    let mut tls = ureq::tls::TlsConfig::builder().disable_verification(args.insecure);
    if let Some(path) = &args.ca_cert {
        tls = tls.root_certs(super::doctor::ca_certs(path)?);
    }
    let tls = tls.build();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(5)))
        .tls_config(tls)
        .build()
        .new_agent();
    match agent.get(&args.url).call() {
        Ok(answer) if answer.status().is_success() => Ok(ExitStatus::Ok),
        Ok(answer) => {
            eprintln!(
                "tcodec: probe {}: HTTP {}",
                args.url,
                answer.status().as_u16()
            );
            Ok(ExitStatus::Remote)
        }
        Err(e) => {
            eprintln!("tcodec: probe {}: {e}", args.url);
            Ok(ExitStatus::Remote)
        }
    }
}
