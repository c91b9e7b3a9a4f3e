//! `tcodec doctor`: replays what the Temporal Web UI does against a codec server and says,
//! step by step, whether a browser at ORIGIN would see plaintext, with the fix when not.
//!
//! What the UI does (ui `src/lib/services/data-encoder.ts`; facts §7): every call is
//! preflighted (`OPTIONS …/decode?preserveStorageRefs=true` asking for `content-type,
//! x-namespace`, plus `authorization, authorization-extras` with "Pass access token", which
//! the UI sends only to https endpoints); then `POST …/decode?preserveStorageRefs=true`
//! with `X-Namespace`; `/download` for storage references (404 means no storage). With
//! credentials included, the answer must name the exact origin and allow credentials.
//! Temporal Cloud's UI (`https://cloud.temporal.io`) needs an https endpoint.

use std::time::Duration;

use super::exit::ExitStatus;
use super::{Cli, DoctorArgs};
use crate::error::{Error, Result};

/// The Temporal Cloud UI's origin.
pub const CLOUD_ORIGIN: &str = "https://cloud.temporal.io";

/// One step's outcome.
enum Outcome {
    Ok(String),
    Info(String),
    Fail { what: String, fix: String },
}

/// Runs every step, prints one line each, and exits 0 only when a browser would decode.
pub fn run(cli: &Cli, args: &DoctorArgs) -> Result<ExitStatus> {
    let endpoint = args.codec_endpoint.trim_end_matches('/').to_string();
    let origin = super::parse_origin(&args.origin).map_err(Error::Usage)?;
    let cloud = origin == CLOUD_ORIGIN;
    let with_token = args.codec_auth.is_some();
    let credentials = args.include_credentials || cloud;
    let mut outcomes = vec![endpoint_rules(&endpoint, &origin, with_token, cloud)];
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(path) = &args.ca_cert {
        tls = tls.root_certs(ca_certs(path)?);
    }
    let agent = ureq::Agent::config_builder()
        .tls_config(tls.build())
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    let shown = crate::codec::remote::redact_url(&endpoint);
    let mut asked = vec!["content-type", "x-namespace"];
    if with_token {
        asked.extend(["authorization", "authorization-extras"]);
    }
    let preflight = agent
        .options(format!("{endpoint}/decode?preserveStorageRefs=true"))
        .header("Origin", &origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", asked.join(","))
        .call();
    match preflight {
        Err(e) => {
            print(&[Outcome::Fail {
                what: format!("cannot reach {shown}: {e}"),
                fix: unreachable_fix(&e, &endpoint).into(),
            }]);
            return Ok(ExitStatus::Remote);
        }
        Ok(answer) => outcomes.push(check_preflight(&answer, &origin, &asked, credentials)),
    }
    let post_body = |path: &str, body: &[u8]| {
        let mut request = agent
            .post(format!("{endpoint}/{path}?preserveStorageRefs=true"))
            .header("Origin", &origin)
            .header("Content-Type", "application/json")
            .header("X-Namespace", &args.namespace);
        if let Some(auth) = &args.codec_auth {
            request = request
                .header("Authorization", auth)
                .header("Authorization-Extras", auth);
        }
        request.send(body)
    };
    let post = |path: &str| post_body(path, b"{\"payloads\":[]}".as_slice());
    outcomes.push(match post("decode") {
        Err(e) => Outcome::Fail {
            what: format!("decode: {e}"),
            fix: "check that the server answers POST /decode".into(),
        },
        Ok(mut answer) => check_decode(&mut answer, &origin, credentials, &args.namespace),
    });
    outcomes.push(round_trip(&post_body, &|| {
        local_probe(cli, &args.namespace)
    }));
    outcomes.extend(prove_keks(cli, &args.namespace));
    outcomes.push(match post("download") {
        Ok(answer) if answer.status().as_u16() == 404 => Outcome::Info(
            "download: 404, no external storage: the UI says so for offloaded payloads".into(),
        ),
        Ok(answer) => Outcome::Info(format!(
            "download: HTTP {} (storage-aware)",
            answer.status().as_u16()
        )),
        Err(e) => Outcome::Info(format!("download: {e}")),
    });
    print(&outcomes);
    let failed = outcomes.iter().any(|o| matches!(o, Outcome::Fail { .. }));
    if failed {
        println!("a browser at {origin} would NOT see plaintext from {shown}");
        Ok(ExitStatus::Violations)
    } else {
        println!("a browser at {origin} would see plaintext from {shown}");
        Ok(ExitStatus::Ok)
    }
}

/// What to do when the first request failed: the usual causes by the error's kind.
fn unreachable_fix(e: &ureq::Error, endpoint: &str) -> &'static str {
    let text = e.to_string();
    if text.contains("invalid peer certificate") {
        "the server's certificate is not trusted: pass --ca-cert CA.pem (the CA that signed it), or serve a certificate for this host from a public CA"
    } else if endpoint.starts_with("http://") && text.contains("http parse fail") {
        "the server answers with TLS: use an https:// endpoint"
    } else {
        "start the codec server, or check --codec-endpoint"
    }
}

/// The certificates of `--ca-cert`: a PEM file with at least one certificate.
pub(super) fn ca_certs(path: &std::path::Path) -> Result<ureq::tls::RootCerts> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| Error::Usage(format!("--ca-cert {shown}: {e}")))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert.to_owned()),
            Ok(_) => {}
            Err(e) => return Err(Error::Usage(format!("--ca-cert {shown}: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(Error::Usage(format!(
            "--ca-cert {shown}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
        )));
    }
    Ok(ureq::tls::RootCerts::from(certs))
}

fn print(outcomes: &[Outcome]) {
    for o in outcomes {
        match o {
            Outcome::Ok(what) => println!("ok    {what}"),
            Outcome::Info(what) => println!("info  {what}"),
            Outcome::Fail { what, fix } => println!("FAIL  {what}: {fix}"),
        }
    }
}

/// What the endpoint's scheme allows, before any request.
fn endpoint_rules(endpoint: &str, origin: &str, with_token: bool, cloud: bool) -> Outcome {
    let parsed =
        match crate::endpoint::check("endpoint", endpoint, crate::endpoint::Clear::Anywhere) {
            Ok(url) => url,
            Err(what) => {
                return Outcome::Fail {
                    what,
                    fix: "give the codec endpoint as https://HOST[:PORT][/PATH], without user@"
                        .into(),
                }
            }
        };
    let https = parsed.scheme() == "https";
    let loopback = crate::endpoint::is_loopback(&parsed);
    let host = parsed.host_str().unwrap_or_default();
    if https {
        return Outcome::Ok("endpoint: https".into());
    }
    if cloud {
        return Outcome::Fail {
            what: format!(
                "endpoint: Temporal Cloud ({CLOUD_ORIGIN}) needs an https codec endpoint"
            ),
            fix: "serve with --tls-cert/--tls-key behind a name with a valid certificate".into(),
        };
    }
    if with_token {
        return Outcome::Fail {
            what: "endpoint: the UI sends the access token (Pass access token) only to https endpoints".into(),
            fix: "serve with --tls-cert/--tls-key and use an https:// endpoint".into(),
        };
    }
    if origin.starts_with("https://") && !loopback {
        return Outcome::Fail {
            what: format!(
                "endpoint: a page at {origin} may not call http://{host} (mixed content)"
            ),
            fix: "serve with --tls-cert/--tls-key and use an https:// endpoint".into(),
        };
    }
    Outcome::Ok("endpoint: http (fine for a local UI)".into())
}

fn header(answer: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    answer
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The CORS preflight: exact origin, credentials when needed, POST and every header.
fn check_preflight(
    answer: &ureq::http::Response<ureq::Body>,
    origin: &str,
    asked: &[&str],
    credentials: bool,
) -> Outcome {
    let status = answer.status().as_u16();
    let allow = header(answer, "access-control-allow-origin");
    let allow_origin_fix = format!("start serve with --allow-origin {origin}");
    match allow.as_deref() {
        None => {
            return Outcome::Fail {
                what: format!(
                    "preflight: origin {origin} is not allowed (HTTP {status}, no Access-Control-Allow-Origin)"
                ),
                fix: allow_origin_fix,
            }
        }
        Some("*") if credentials => {
            return Outcome::Fail {
                what: "preflight: Access-Control-Allow-Origin is *, which browsers refuse with credentials".into(),
                fix: allow_origin_fix,
            }
        }
        Some(o) if o != "*" && o != origin => {
            return Outcome::Fail {
                what: format!("preflight: the server allows origin {o}, not {origin}"),
                fix: allow_origin_fix,
            }
        }
        _ => {}
    }
    if !(200..300).contains(&status) {
        return Outcome::Fail {
            what: format!("preflight: HTTP {status}"),
            fix: "answer OPTIONS with 2xx before auth".into(),
        };
    }
    if credentials && header(answer, "access-control-allow-credentials").as_deref() != Some("true")
    {
        return Outcome::Fail {
            what:
                "preflight: credentials are not allowed (no Access-Control-Allow-Credentials: true)"
                    .into(),
            fix: "allow credentials for the origin (tcodec serve always does)".into(),
        };
    }
    let methods = header(answer, "access-control-allow-methods").unwrap_or_default();
    if !methods
        .split(',')
        .any(|m| m.trim().eq_ignore_ascii_case("POST") || m.trim() == "*")
    {
        return Outcome::Fail {
            what: format!("preflight: POST is not an allowed method ({methods:?})"),
            fix: "allow POST".into(),
        };
    }
    let headers = header(answer, "access-control-allow-headers").unwrap_or_default();
    let allowed: Vec<String> = headers
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = asked
        .iter()
        .filter(|h| {
            !allowed
                .iter()
                .any(|a| a == *h || (a == "*" && !credentials))
        })
        .copied()
        .collect();
    if !missing.is_empty() {
        return Outcome::Fail {
            what: format!(
                "preflight: request headers not allowed: {}",
                missing.join(", ")
            ),
            fix: format!("allow {} (tcodec serve does)", missing.join(", ")),
        };
    }
    Outcome::Ok(format!(
        "preflight: origin {origin} allowed with {}",
        asked.join(", ")
    ))
}

/// The probe payload doctor round-trips: `json/plain` "tcodec doctor probe".
const PROBE: &str = r#"{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"InRjb2RlYyBkb2N0b3IgcHJvYmUi"}]}"#;

/// Encodes a probe payload and decodes the answer: proves the keys, not only the route
/// (an empty decode proves nothing about them).
fn round_trip<F, L>(post: &F, local: &L) -> Outcome
where
    F: Fn(&str, &[u8]) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    L: Fn() -> Option<std::result::Result<String, String>>,
{
    let read = |answer: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>| {
        let mut answer = answer.map_err(|e| e.to_string())?;
        let status = answer.status().as_u16();
        let text = answer
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((status, text))
    };
    let probe: serde_json::Value = serde_json::from_str(PROBE).unwrap_or_default();
    let encoded = match read(post("encode", PROBE.as_bytes())) {
        Ok((200, text)) => text,
        Ok((status @ (401 | 403), _)) => match local() {
            // The token may not encode: encode the probe with the configuration's keys
            // here and ask the server to decode it (proves the same keys).
            Some(Ok(sealed)) => {
                return decode_probe(post, &read, &probe, &sealed, Sealer::Config)
            }
            Some(Err(e)) => {
                return Outcome::Fail {
                    what: format!("round trip: /encode answered {status} for this token, and the probe could not be encoded with --config ({e})"),
                    fix: "give tcodec --config the namespace's keys".into(),
                }
            }
            None => {
                return Outcome::Fail {
                    what: format!("round trip: /encode answered {status} for this token, so the keys are not proven"),
                    fix: "give tcodec --config FILE (or a ./tcodec.toml) with the namespace's keys: doctor encodes a probe with them and asks the server to decode it; or a token that may encode".into(),
                }
            }
        },
        Ok((status, text)) => {
            let reason: String = text.trim().chars().take(120).collect();
            return Outcome::Fail {
                what: format!("round trip: /encode answered {status} ({reason})"),
                fix: "see the server's log".into(),
            };
        }
        Err(e) => {
            return Outcome::Fail {
                what: format!("round trip: /encode: {e}"),
                fix: "check that the server answers POST /encode".into(),
            }
        }
    };
    decode_probe(post, &read, &probe, &encoded, Sealer::Server)
}

/// Who sealed the probe doctor asks the server to decode.
#[derive(Clone, Copy)]
enum Sealer {
    /// The server's `/encode`.
    Server,
    /// The namespace's pipeline from `--config`, here.
    Config,
}

/// Asks the server to decode a sealed probe and compares the answer with the probe.
fn decode_probe<F, R>(
    post: &F,
    read: &R,
    probe: &serde_json::Value,
    sealed: &str,
    sealer: Sealer,
) -> Outcome
where
    F: Fn(&str, &[u8]) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    R: Fn(
        std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> std::result::Result<(u16, String), String>,
{
    let (how, failed) = match sealer {
        Sealer::Server => ("encoded by the server", "what it encoded"),
        Sealer::Config => (
            "encoded here with the config",
            "a probe encoded here with the config",
        ),
    };
    if serde_json::from_str::<serde_json::Value>(sealed)
        .ok()
        .as_ref()
        == Some(probe)
    {
        return Outcome::Info(
            "round trip: the namespace's codecs left the probe as it was (no codec, or compression that does not pay)".into(),
        );
    }
    match read(post("decode", sealed.as_bytes())) {
        Ok((200, text))
            if serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .as_ref()
                == Some(probe) =>
        {
            Outcome::Ok(format!(
                "round trip: a probe payload {how} decodes back to itself (the keys work)"
            ))
        }
        Ok((status, text)) => {
            let reason: String = text.trim().chars().take(120).collect();
            Outcome::Fail {
                what: format!(
                    "round trip: the server could not decode {failed} ({status}: {reason})"
                ),
                fix: "check the namespace's keys: the active key must also decrypt".into(),
            }
        }
        Err(e) => Outcome::Fail {
            what: format!("round trip: /decode: {e}"),
            fix: "check that the server answers POST /decode".into(),
        },
    }
}

/// The probe sealed by the namespace's pipeline from the configuration (`--config`, else
/// the one found as for every command; None without any). A config found implicitly is
/// safe here: it can only seal a probe the server must open, never make a FAIL an ok.
/// Each KEK of the namespace's local pipeline, proven with a wrap and unwrap round trip
/// (the server needs the same KMS to read what workers seal). Nothing without a config.
fn prove_keks(cli: &Cli, namespace: &str) -> Vec<Outcome> {
    let Ok(config) = cli.load_config() else {
        return Vec::new();
    };
    config
        .keks(Some(namespace))
        .into_iter()
        .map(|(uri, kek)| {
            let shown = crate::codec::kms::shown(&uri);
            match kek.and_then(|k| k.round_trip().map_err(|e| e.to_string())) {
                Ok(()) => Outcome::Ok(format!("KEK {shown}: wrap and unwrap round trip")),
                Err(why) => Outcome::Fail {
                    what: format!("KEK {shown}: {why}"),
                    fix: "the KMS must be reachable with these credentials from here and from the server: check the KEK URI, the endpoint and the key policy".into(),
                },
            }
        })
        .collect()
}

fn local_probe(cli: &Cli, namespace: &str) -> Option<std::result::Result<String, String>> {
    let config = match cli.load_config() {
        Ok(config) => config,
        Err(_) if cli.config.is_none() => return None,
        Err(e) => return Some(Err(e.to_string())),
    };
    Some((|| {
        let pipeline = config.pipeline(namespace).map_err(|e| e.to_string())?;
        let probe: serde_json::Value = serde_json::from_str(PROBE).map_err(|e| e.to_string())?;
        let payload =
            crate::payload::payload_from_json(&probe["payloads"][0]).map_err(|e| e.message)?;
        let sealed = pipeline.encode(payload).map_err(|e| e.to_string())?;
        let value = serde_json::json!({ "payloads": [crate::payload::payload_to_json(&sealed)] });
        Ok(value.to_string())
    })())
}

/// The decode call itself: 2xx JSON payloads, and CORS on the answer too.
fn check_decode(
    answer: &mut ureq::http::Response<ureq::Body>,
    origin: &str,
    credentials: bool,
    namespace: &str,
) -> Outcome {
    let status = answer.status().as_u16();
    let allow = header(answer, "access-control-allow-origin");
    let text = answer
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let reason: String = text.trim().chars().take(120).collect();
    match status {
        401 => {
            return Outcome::Fail {
                what: format!("decode: HTTP 401 ({reason})"),
                fix: "the server wants a token: enable Pass access token in the UI (https endpoint) and give doctor --codec-auth 'Bearer ...'".into(),
            }
        }
        403 => {
            return Outcome::Fail {
                what: format!("decode: HTTP 403 ({reason})"),
                fix: format!("grant the token decode in namespace {namespace:?}"),
            }
        }
        404 => {
            return Outcome::Fail {
                what: format!("decode: HTTP 404 ({reason})"),
                fix: format!("configure namespace {namespace:?} (or a \"*\" fallback), or check the endpoint path"),
            }
        }
        s if !(200..300).contains(&s) => {
            return Outcome::Fail {
                what: format!("decode: HTTP {s} ({reason})"),
                fix: "see the server's log".into(),
            }
        }
        _ => {}
    }
    match allow.as_deref() {
        Some(o) if o == origin || (o == "*" && !credentials) => {}
        _ => {
            return Outcome::Fail {
                what: "decode: the answer has no Access-Control-Allow-Origin for this origin: the browser discards it".into(),
                fix: format!("start serve with --allow-origin {origin}"),
            }
        }
    }
    let parsed: std::result::Result<serde_json::Value, _> = serde_json::from_str(&text);
    match parsed {
        Ok(v) if v.get("payloads").is_none_or(|p| p.is_array()) => Outcome::Ok(format!(
            "decode: POST /decode?preserveStorageRefs=true in namespace {namespace:?} answered {status} with payloads"
        )),
        _ => Outcome::Fail {
            what: format!("decode: the answer is not {{\"payloads\": [...]}} ({reason})"),
            fix: "answer proto3 JSON Payloads".into(),
        },
    }
}
