//! Which `Host` header values the codec routes answer (DNS rebinding defence).
//!
//! A web page at `attacker.example` can make its name resolve to 127.0.0.1 and then read
//! the answers of a loopback codec server, since the browser sees a same-origin request.
//! Such a request still carries `Host: attacker.example`, so the server answers only
//! requests whose Host is an IP address (loopback, the listen address, or any address when
//! listening on all of them), `localhost` (and `*.localhost`), or a name given with
//! `--allow-host`. The port is not compared: rebinding cannot change it.

use std::net::{IpAddr, SocketAddr};

/// The accepted Host values.
#[derive(Debug, Clone)]
pub struct HostRule {
    listen: IpAddr,
    names: Vec<String>,
}

impl HostRule {
    /// Hosts for a server listening on `listen`, plus the names in `allowed`.
    pub fn new(listen: SocketAddr, allowed: &[String]) -> Result<Self, String> {
        let names = allowed
            .iter()
            .map(|n| {
                let n = n.trim().trim_end_matches('.').to_ascii_lowercase();
                if n.is_empty() || n.contains(['/', ':', ' ', '@']) {
                    Err(format!(
                        "--allow-host {n:?} must be a host name (no scheme, port or path), e.g. codec.example.com"
                    ))
                } else {
                    Ok(n)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HostRule {
            listen: listen.ip(),
            names,
        })
    }

    /// Whether a request with this `Host` header value is answered.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host.and_then(host_name) else {
            return false;
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            return ip.is_loopback() || ip == self.listen || self.listen.is_unspecified();
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        host == "localhost" || host.ends_with(".localhost") || self.names.contains(&host)
    }
}

/// The host part of a Host header value: `name`, `name:port`, `[v6]` or `[v6]:port`.
fn host_name(value: &str) -> Option<&str> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        return (after.is_empty() || after.starts_with(':')).then_some(inside);
    }
    let name = match value.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        Some(_) => return None,
        None => value,
    };
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(listen: &str, allowed: &[&str]) -> HostRule {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        HostRule::new(listen.parse().unwrap(), &allowed).unwrap()
    }

    #[test]
    fn loopback_names_and_addresses_pass_others_do_not() {
        let r = rule("127.0.0.1:8081", &["codec.example.com"]);
        for ok in [
            "127.0.0.1:8081",
            "127.0.0.1",
            "localhost:8081",
            "LOCALHOST",
            "ui.localhost:8081",
            "[::1]:8081",
            "codec.example.com",
            "Codec.Example.com.:443",
        ] {
            assert!(r.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:8081",
            "localhost.attacker.example",
            "10.1.2.3:8081",
            "",
            "[::1",
            "host:port",
            "localhost:evil",
        ] {
            assert!(!r.allows(Some(bad)), "{bad}");
        }
        assert!(!r.allows(None), "no Host header");
    }

    #[test]
    fn a_wildcard_listen_accepts_any_address_but_not_any_name() {
        let r = rule("0.0.0.0:8443", &[]);
        assert!(r.allows(Some("10.1.2.3:8443")));
        assert!(!r.allows(Some("attacker.example:8443")));
        let r = rule("10.1.2.3:8443", &[]);
        assert!(r.allows(Some("10.1.2.3:8443")));
        assert!(!r.allows(Some("10.1.2.4:8443")));
    }

    #[test]
    fn allow_host_takes_names_only() {
        let listen = "127.0.0.1:1".parse().unwrap();
        for bad in ["https://x.example", "x.example:443", "", "a b"] {
            assert!(HostRule::new(listen, &[bad.to_string()]).is_err(), "{bad}");
        }
    }
}
