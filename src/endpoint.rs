//! The one rule for every URL tcodec connects to (storage endpoints, the remote codec
//! stage, a JWKS, `doctor`, `probe`): parsed by a real URL parser (the `url` crate, as
//! HTTP clients parse it), no credentials in the authority, and plain `http` only to a
//! loopback host decided on the parsed host, never on the text.

use url::{Host, Url};

/// What an endpoint may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clear {
    /// `https`, or `http` to a loopback host only.
    LoopbackOnly,
    /// `http` to any host (the caller has a reason, e.g. `doctor` explaining mixed content).
    Anywhere,
}

/// Whether `url`'s parsed host is this machine: `localhost`, or a loopback address
/// (127.0.0.0/8, ::1). A name that merely starts with `127.` is a name, not loopback.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `text` parsed as an `http` or `https` URL with a host and no user name or password;
/// with [`Clear::LoopbackOnly`], plain `http` only to a loopback host. `what` names the
/// setting in the error (`storage endpoint`, `--jwks`, ...). Errors never repeat a password.
pub fn check(what: &str, text: &str, clear: Clear) -> Result<Url, String> {
    // The parser trims spaces the clients then pass on as written (object_store panicked on
    // one): the text must be the URL exactly.
    if text.trim() != text || text.contains(char::is_whitespace) {
        return Err(format!(
            "{what} {:?}: white space in the URL (remove it)",
            redact_url(text.trim())
        ));
    }
    let url =
        Url::parse(text).map_err(|e| format!("{what} {}: not a URL ({e})", redact_url(text)))?;
    let shown = || redact_url(text);
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{what} {}: expected an https:// URL (or http:// to a loopback host)",
            shown()
        ));
    }
    if url.host().is_none() {
        return Err(format!("{what} {}: the URL names no host", shown()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{what} {}: credentials in the URL (user@host) are refused; pass them the documented way",
            shown()
        ));
    }
    if clear == Clear::LoopbackOnly && url.scheme() == "http" && !is_loopback(&url) {
        return Err(format!(
            "{what} {}: plain http is allowed only to a loopback host (127.0.0.1, [::1], localhost): use https",
            shown()
        ));
    }
    // The host as written must be the host parsed: clients connect to the text they are
    // given, and `127.0.0.1.`, `127.1` or `0x7f.1` would be checked as one host and
    // resolved as another.
    let parsed = url.host_str().unwrap_or_default();
    if written_host(text).map(str::to_ascii_lowercase).as_deref() != Some(parsed) {
        return Err(format!(
            "{what} {}: write the host as {parsed} (its canonical form)",
            shown()
        ));
    }
    Ok(url)
}

/// The host part of a URL as written: between `://` (and any `user@`) and the port or path.
fn written_host(text: &str) -> Option<&str> {
    let rest = text.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if authority.starts_with('[') {
        let end = authority.find(']')?;
        return Some(&authority[..=end]);
    }
    Some(authority.rsplit_once(':').map_or(authority, |(h, _)| h))
}

/// `url` with any `user:password@` replaced by `***@`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_decided_on_the_parsed_host() {
        for ok in [
            "https://s3.example.com",
            "https://user.example/x@y",
            "http://127.0.0.1:9000",
            "http://127.1.2.3/",
            "http://localhost:9000/",
            "http://LOCALHOST/",
            "http://[::1]:9000",
            "HTTP://127.0.0.1/",
        ] {
            assert!(check("e", ok, Clear::LoopbackOnly).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("http://[::1]@0.0.0.0:5055", "credentials"),
            ("http://127.0.0.1:1@0.0.0.0", "credentials"),
            ("http://user:pw@127.0.0.1/", "credentials"),
            ("https://user@s3.example.com", "credentials"),
            ("http://10.0.0.5:9000", "loopback"),
            ("http://0.0.0.0:9000", "loopback"),
            ("http://127.0.0.1.evil.com", "loopback"),
            ("http://localhost.evil.com", "loopback"),
            ("http://[::ffff:10.0.0.1]/", "loopback"),
            ("ftp://x", "expected an https"),
            ("file:///etc/passwd", "expected an https"),
            ("s3.example.com", "not a URL"),
            ("http://", "not a URL"),
        ] {
            let e = check("storage endpoint", bad, Clear::LoopbackOnly).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.starts_with("storage endpoint "), "{e}");
            assert!(!e.contains(":pw@"), "{e}");
        }
        for (odd, canonical) in [
            ("http://127.0.0.1.:8081/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://0x7f.0.0.1/", "127.0.0.1"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://[0:0:0:0:0:0:0:1]/", "[::1]"),
        ] {
            let e = check("e", odd, Clear::LoopbackOnly).unwrap_err();
            assert!(
                e.contains(&format!(
                    "write the host as {canonical} (its canonical form)"
                )) || e.contains("canonical"),
                "{odd}: {e}"
            );
        }
        assert!(check("e", "http://10.0.0.5/", Clear::Anywhere).is_ok());
        assert!(check("e", "http://u@10.0.0.5/", Clear::Anywhere).is_err());
    }
}
