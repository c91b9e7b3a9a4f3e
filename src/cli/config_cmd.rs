//! `tcodec config check`: validate the configuration and every key, and list what is there.

use super::Cli;

/// A complete, annotated configuration: `tcodec config example`, `config --help` and the
/// tcodec.toml(5) man page. A test parses it, so it cannot drift from the format.
pub const EXAMPLE: &str = include_str!("config_example.toml");

/// `tcodec config --help`: the file format, by example.
pub const LONG_HELP: &str = concat!(
    "Examples:\n  tcodec config check\n  tcodec config example > tcodec.toml\n\nThe configuration file (man tcodec.toml):\n\n",
    include_str!("config_example.toml")
);
use super::exit::ExitStatus;
use crate::error::{Error, Result};
use crate::keys::KeySource;

/// Loads the configuration and each key (reporting failures without key material), then
/// lists namespaces with their codecs and key ids.
pub fn check(cli: &Cli) -> Result<ExitStatus> {
    let config = cli.load_config()?;
    super::serve::check_serve_table(&config)?;
    println!("config: {}", config.path().display());
    let mut status = ExitStatus::Ok;
    println!("keys:");
    for (id, source) in config.keys() {
        let from = match source {
            KeySource::File(p) => format!("file {}", p.display()),
            KeySource::Env(v) => format!("env {v}"),
            KeySource::Command(argv) => {
                format!("command {}", argv.first().map_or("", String::as_str))
            }
        };
        match config.load_key(id) {
            Ok(_) => println!("  {id}: ok ({from})"),
            Err(e) => {
                println!("  {id}: FAILED ({from})");
                super::exit::report(&e);
                status = status.max(super::exit::status(&e));
            }
        }
    }
    // Reached or not, every namespace is still built below (a KEK failure must not hide
    // a configuration error elsewhere).
    let keks = check_keks(&config);
    println!("namespaces:");
    for (ns, codecs) in config.namespaces() {
        let label = if ns == crate::config::FALLBACK_NAMESPACE {
            "* (fallback)".to_string()
        } else {
            ns.clone()
        };
        let list: Vec<String> = codecs
            .iter()
            .map(|c| {
                let ids: Vec<String> = c
                    .key_ids()
                    .into_iter()
                    .map(String::from)
                    .chain(c.keks().into_iter().map(crate::codec::kms::shown))
                    .collect();
                (c, ids)
            })
            .map(|(c, ids)| match ids.split_first() {
                Some((active, [])) => {
                    format!("{} [active {active}]", c.name())
                }
                Some((active, rest)) => {
                    format!(
                        "{} [active {active}; decrypt-only {}]",
                        c.name(),
                        rest.join(", ")
                    )
                }
                None => c.name().to_string(),
            })
            .collect();
        let chain = if list.is_empty() {
            "(no codecs: payloads pass through)".to_string()
        } else {
            list.join(" -> ")
        };
        println!("  {label}: {chain}");
        // Build it, as serve and every command will: a codec setting only a build can
        // judge (a KEK scheme, an age identity) fails here, not at first use.
        // (After a key failed, that failure is the news: not once per namespace again.)
        if status != ExitStatus::Ok {
            continue;
        }
        if let Err(e) = config.pipeline(ns) {
            super::exit::report(&e);
            status = status.max(super::exit::status(&e));
        }
    }
    print_serve_and_policy(&config);
    Ok(status.max(keks))
}

/// Every KEK of every `kms` codec, each proven once with a wrap and unwrap round trip (a
/// KMS that cannot be reached, or a key it refuses, fails here and not at first use).
fn check_keks(config: &crate::config::Config) -> ExitStatus {
    let keks = config.keks(None);
    if keks.is_empty() {
        return ExitStatus::Ok;
    }
    println!("KEKs (a wrap and unwrap round trip each):");
    let mut status = ExitStatus::Ok;
    for (uri, kek) in keks {
        let shown = crate::codec::kms::shown(&uri);
        // A KEK that does not open: listed here, its error reported by the namespace's build.
        let kek = match kek {
            Ok(kek) => kek,
            Err(_) => {
                println!("  {shown}: FAILED (does not open: see the error below)");
                continue;
            }
        };
        match kek.round_trip() {
            Ok(()) => println!("  {shown}: ok"),
            Err(source) => {
                println!("  {shown}: FAILED");
                eprintln!("tcodec: error: KEK {shown}: {source}");
                // The exit code a payload meeting this failure would give (5: unreachable).
                let e = Error::Codec {
                    direction: "check",
                    location: crate::error::Location::file(&shown),
                    source,
                };
                status = status.max(super::exit::status(&e));
            }
        }
    }
    status
}

/// The `[serve]` options and the `[policy]` rules as read: who may do what where.
fn print_serve_and_policy(config: &crate::config::Config) {
    let serve = config.serve_table();
    if !serve.is_empty() {
        println!("serve (flags and TCODEC_SERVE_* variables win over these):");
        for (key, value) in serve {
            println!("  {key} = {value}");
        }
    }
    let Some(policy) = config.policy() else {
        println!("policy: none (serve grants what tokens and JWT scopes say)");
        return;
    };
    let deny = match policy.deny {
        crate::policy::DenyMode::Forbid => "denied requests get 403",
        crate::policy::DenyMode::Passthrough => {
            "a denied decode gets its payloads back unchanged (still encoded); other denials 403"
        }
    };
    println!("policy (default deny; {deny}):");
    if policy.allow.is_empty() {
        println!("  no rule: every request is denied");
    }
    let configured = config.namespaces();
    for rule in &policy.allow {
        for ns in rule.namespaces.iter().filter(|n| *n != "*") {
            if !configured.contains_key(ns.as_str())
                && !configured.contains_key(crate::config::FALLBACK_NAMESPACE)
            {
                println!("  warning: namespace {ns:?} of a rule is not configured (a typo?)");
            }
        }
        println!(
            "  {} may {} in {}",
            rule.who.join(", "),
            rule.can.join(", "),
            rule.namespaces.join(", ")
        );
    }
}
