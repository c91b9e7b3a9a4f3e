//! Who may call the codec server: bearer tokens from a file, and JWTs verified against a
//! JWKS, each granting `encode` and/or `decode`, optionally per namespace.
//!
//! Tokens file: one token per line, `#` comments; after the token, optional rights
//! (`decode`, `encode` or `encode,decode`; both when absent) and optional namespaces
//! (`ns1,ns2`; any when absent or `*`):
//!
//! ```text
//! # token                          rights          namespaces
//! 3c1f0e...                        decode          default,staging
//! 9a77b2...                        encode,decode
//! ```
//!
//! JWTs, read strictly (absent or odd means no rights):
//! - the signature is checked with the JWKS key named by the token's `kid` (a `kid` is
//!   needed when the set holds several keys); only asymmetric algorithms (RS*, PS*, ES*,
//!   EdDSA), and the token's `alg` must match the key's `alg` when the key names one;
//! - `exp` is required, `nbf` honoured, with a small leeway (5 s by default);
//! - `aud` must match `--jwt-audience` (the server refuses to start without one unless
//!   `--jwt-any-audience`), `iss` must match `--jwt-issuer` when given;
//! - rights come only from `tcodec:encode` / `tcodec:decode` in `scope` or `scp`, each a
//!   space-separated string or an array of strings; no such claim, or one of another
//!   type, grants nothing;
//! - with a namespace claim configured, the claim (a string or an array of strings, `*`
//!   for any) must name the request's namespace; absent or odd, it names none.

use std::path::Path;
use std::sync::{Arc, RwLock};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};

use crate::codec::Direction;

/// What a credential may do.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    encode: bool,
    decode: bool,
    /// `None`: any namespace.
    namespaces: Option<Vec<String>>,
}

impl Grant {
    fn allows(&self, direction: Direction, namespace: &str) -> bool {
        let right = match direction {
            Direction::Encode => self.encode,
            Direction::Decode => self.decode,
            Direction::Rekey => self.encode && self.decode,
        };
        right
            && self
                .namespaces
                .as_ref()
                .is_none_or(|list| list.iter().any(|n| n == namespace || n == "*"))
    }
}

/// A static bearer token (kept out of `Debug`).
struct Token {
    secret: zeroize::Zeroizing<String>,
    grant: Grant,
    /// Its line in the tokens file: how the audit log names it (never by its text).
    line: usize,
    /// Its `name=` column: how policies and the audit log name it.
    name: Option<String>,
}

pub use crate::policy::{Subject, SubjectKind};

/// How JWTs are checked (besides the keys).
#[derive(Debug, Clone, Default)]
pub struct JwtRules {
    /// Required `aud`; `None` accepts any audience (only with `--jwt-any-audience`).
    pub audience: Option<String>,
    /// Required `iss`.
    pub issuer: Option<String>,
    /// Claim naming the namespaces a token may use.
    pub namespace_claim: Option<String>,
    /// Seconds of clock skew allowed around `exp` and `nbf`.
    pub leeway: u64,
    /// Claim holding the user's email, for the audit log.
    pub email_claim: String,
    /// Claim holding the user's groups or roles, for policies.
    pub groups_claim: String,
    /// Rights come from `tcodec:*` scopes (always, unless a preset's `[policy]` decides).
    pub scopes_required: bool,
    /// The email claim counts only when the token says `"email_verified": true` (the
    /// boolean; any other value, or none, is unverified). Off only for a preset whose
    /// provider never sends the claim and vouches for the email itself: then a missing
    /// claim is accepted, and any value but `true` still unverifies.
    pub email_verified_required: bool,
}

/// JWT verification settings: the current key set (replaced by refreshes) and the rules.
pub struct JwtSettings {
    keys: RwLock<Arc<JwkSet>>,
    rules: JwtRules,
    /// Woken when a token names an unknown `kid` (the refresher rate-limits).
    pub unknown_kid: tokio::sync::Notify,
}

/// The server's authentication policy. With neither tokens nor JWKS, every request passes.
#[derive(Default)]
pub struct Auth {
    tokens: Vec<Token>,
    jwt: Option<Arc<JwtSettings>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("tokens", &format_args!("{} (redacted)", self.tokens.len()))
            .field("jwt", &self.jwt.is_some())
            .finish()
    }
}

/// Why a request was refused (the text goes into the 401/403 answer: no token contents).
#[derive(Debug, PartialEq, Eq)]
pub enum Denied {
    /// No `Authorization: Bearer ...` header.
    Missing,
    /// The credential is not valid (unknown token, bad signature, expired, ...).
    Invalid(String),
    /// Valid, but not for this operation or namespace.
    Forbidden(String),
}

impl Auth {
    /// Whether any credential is required.
    pub fn enabled(&self) -> bool {
        !self.tokens.is_empty() || self.jwt.is_some()
    }

    /// Loads bearer tokens from `path` (format in the module docs).
    pub fn with_tokens_file(mut self, path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read tokens file {}: {e}", path.display()))?;
        let text = zeroize::Zeroizing::new(text);
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let secret = words.next().unwrap_or_default();
            let mut grant = Grant {
                encode: true,
                decode: true,
                namespaces: None,
            };
            if let Some(rights) = words.next() {
                grant.encode = false;
                grant.decode = false;
                for right in rights.split(',') {
                    match right {
                        "encode" => grant.encode = true,
                        "decode" => grant.decode = true,
                        // The line is reported by number, never by text: it holds a secret.
                        _ => {
                            return Err(format!(
                                "{} line {}: rights must be encode, decode or encode,decode",
                                path.display(),
                                n + 1
                            ))
                        }
                    }
                }
            }
            if let Some(list) = words.next() {
                if list != "*" {
                    grant.namespaces = Some(list.split(',').map(str::to_string).collect());
                }
            }
            let name = match words.next() {
                Some(word) => match word.strip_prefix("name=") {
                    Some(name) if !name.is_empty() => Some(name.to_string()),
                    _ => {
                        return Err(format!(
                            "{} line {}: expected TOKEN [RIGHTS] [NAMESPACES] [name=NAME]",
                            path.display(),
                            n + 1
                        ))
                    }
                },
                None => None,
            };
            if words.next().is_some() {
                return Err(format!(
                    "{} line {}: expected TOKEN [RIGHTS] [NAMESPACES] [name=NAME]",
                    path.display(),
                    n + 1
                ));
            }
            self.tokens.push(Token {
                secret: zeroize::Zeroizing::new(secret.to_string()),
                grant,
                line: n + 1,
                name,
            });
        }
        if self.tokens.is_empty() {
            return Err(format!("tokens file {} holds no token", path.display()));
        }
        Ok(self)
    }

    /// Verifies JWTs against the JWKS document `jwks` (JSON text) under `rules`.
    pub fn with_jwks(mut self, jwks: &str, rules: JwtRules) -> Result<Self, String> {
        let keys = parse_jwks(jwks)?;
        self.jwt = Some(Arc::new(JwtSettings {
            keys: RwLock::new(Arc::new(keys)),
            rules,
            unknown_kid: tokio::sync::Notify::new(),
        }));
        Ok(self)
    }

    /// The JWT settings, for the JWKS refresher.
    pub fn jwt(&self) -> Option<Arc<JwtSettings>> {
        self.jwt.clone()
    }

    /// Checks the `Authorization` header value for `direction` in `namespace`.
    pub fn check(
        &self,
        authorization: Option<&str>,
        direction: Direction,
        namespace: &str,
    ) -> Result<Subject, Denied> {
        if !self.enabled() {
            return Ok(Subject {
                kind: SubjectKind::None,
                ..Default::default()
            });
        }
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Denied::Missing)?;
        let (grant, subject) = match self.static_grant(token) {
            Some(found) => found,
            None => match &self.jwt {
                Some(jwt) => jwt.grant(token)?,
                None => return Err(Denied::Invalid("unknown token".into())),
            },
        };
        if grant.allows(direction, namespace) {
            Ok(subject)
        } else {
            Err(Denied::Forbidden(format!(
                "token does not grant {} in namespace {namespace:?}",
                direction.verb()
            )))
        }
    }

    fn static_grant(&self, token: &str) -> Option<(Grant, Subject)> {
        // Every token is compared in full, whatever matched: timing tells nothing.
        let mut found = None;
        for t in &self.tokens {
            if constant_time_eq(t.secret.as_bytes(), token.as_bytes()) {
                found = Some((
                    t.grant.clone(),
                    Subject {
                        kind: SubjectKind::Token,
                        name: Some(
                            t.name
                                .clone()
                                .unwrap_or_else(|| format!("tokens line {}", t.line)),
                        ),
                        email: None,
                        groups: Vec::new(),
                    },
                ));
            }
        }
        found
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A JWKS document with at least one key.
pub fn parse_jwks(text: &str) -> Result<JwkSet, String> {
    let keys: JwkSet =
        serde_json::from_str(text).map_err(|e| format!("invalid JWKS document: {e}"))?;
    if keys.keys.is_empty() {
        return Err("the JWKS document holds no key".into());
    }
    Ok(keys)
}

impl JwtSettings {
    /// Replaces the key set (a successful refresh).
    pub fn replace_keys(&self, keys: JwkSet) {
        if let Ok(mut slot) = self.keys.write() {
            *slot = Arc::new(keys);
        }
    }

    fn current_keys(&self) -> Option<Arc<JwkSet>> {
        self.keys.read().ok().map(|k| Arc::clone(&k))
    }

    fn grant(&self, token: &str) -> Result<(Grant, Subject), Denied> {
        let invalid = |what: &str| Denied::Invalid(what.to_string());
        let header = decode_header(token).map_err(|_| invalid("malformed token"))?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(invalid(
                "token algorithm not accepted (RS*, PS*, ES* or EdDSA only)",
            ));
        }
        let keys = self
            .current_keys()
            .ok_or_else(|| invalid("no JWKS loaded"))?;
        let jwk = match &header.kid {
            Some(kid) => keys.find(kid),
            None if keys.keys.len() == 1 => keys.keys.first(),
            None => return Err(invalid("token has no kid and the JWKS holds several keys")),
        };
        let Some(jwk) = jwk else {
            self.unknown_kid.notify_one();
            return Err(invalid("token signed by an unknown key"));
        };
        if let Some(alg) = jwk.common.key_algorithm {
            if format!("{alg:?}") != format!("{:?}", header.alg) {
                return Err(invalid("token alg does not match its key's alg"));
            }
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| invalid("unusable JWKS key"))?;
        let mut validation = Validation::new(header.alg);
        // A configured audience or issuer is required, not only checked when present.
        let mut required = vec!["exp"];
        if self.rules.audience.is_some() {
            required.push("aud");
        }
        if self.rules.issuer.is_some() {
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        validation.validate_nbf = true;
        validation.leeway = self.rules.leeway;
        match &self.rules.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &self.rules.issuer {
            validation.set_issuer(&[iss]);
        }
        let data = decode::<serde_json::Value>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => invalid("token expired"),
                ErrorKind::ImmatureSignature => invalid("token not valid yet (nbf)"),
                ErrorKind::InvalidAudience => invalid("token audience not accepted"),
                ErrorKind::InvalidIssuer => invalid("token issuer not accepted"),
                ErrorKind::InvalidSignature => invalid("bad token signature"),
                ErrorKind::MissingRequiredClaim(_) => invalid("token lacks a required claim"),
                _ => invalid("invalid token"),
            }
        })?;
        let claims = data.claims;
        let scopes = scopes(&claims);
        let namespaces = self
            .rules
            .namespace_claim
            .as_ref()
            .map(|name| strings(claims.get(name)).unwrap_or_default());
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        // Without required scopes (a preset whose tokens carry none), rights come from the
        // [policy], which the server then requires.
        let any = !self.rules.scopes_required;
        Ok((
            Grant {
                encode: any || scopes.iter().any(|s| s == "tcodec:encode"),
                decode: any || scopes.iter().any(|s| s == "tcodec:decode"),
                namespaces,
            },
            Subject {
                kind: SubjectKind::Jwt,
                name: text("sub"),
                // Only an email the provider says it verified is an email: the boolean
                // `true`, nothing else (`"true"`, 1, null or no claim are unverified).
                email: text(&self.rules.email_claim).filter(|_| {
                    match claims.get("email_verified") {
                        Some(serde_json::Value::Bool(true)) => true,
                        None => !self.rules.email_verified_required,
                        Some(_) => false,
                    }
                }),
                groups: strings(claims.get(&self.rules.groups_claim)).unwrap_or_default(),
            },
        ))
    }
}

/// The algorithms a JWKS of public keys can verify. HS* is never accepted: a public key
/// used as an HMAC secret is the classic algorithm-confusion forgery.
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The scopes of `scope` and `scp` together; a claim of any other shape voids them all.
fn scopes(claims: &serde_json::Value) -> Vec<String> {
    let mut all = Vec::new();
    for name in ["scope", "scp"] {
        let Some(value) = claims.get(name) else {
            continue;
        };
        match strings(Some(value)) {
            Some(items) => all.extend(
                items
                    .iter()
                    .flat_map(|s| s.split_whitespace().map(str::to_string)),
            ),
            None => return Vec::new(),
        }
    }
    all
}

/// A string or an array of strings; `None` for anything else (absent, null, numbers,
/// objects, or an array holding any non-string).
fn strings(value: Option<&serde_json::Value>) -> Option<Vec<String>> {
    match value? {
        serde_json::Value::String(s) => Some(vec![s.clone()]),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_file_grants_rights_per_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        std::fs::write(
            &path,
            "# comment\nreader decode default\nwriter encode,decode\n\n",
        )
        .unwrap();
        let auth = Auth::default().with_tokens_file(&path).unwrap();
        assert_eq!(
            auth.check(None, Direction::Decode, "default"),
            Err(Denied::Missing)
        );
        assert!(auth
            .check(Some("Bearer reader"), Direction::Decode, "default")
            .is_ok());
        assert!(matches!(
            auth.check(Some("Bearer reader"), Direction::Encode, "default"),
            Err(Denied::Forbidden(_))
        ));
        assert!(matches!(
            auth.check(Some("Bearer reader"), Direction::Decode, "other"),
            Err(Denied::Forbidden(_))
        ));
        assert!(auth
            .check(Some("Bearer writer"), Direction::Encode, "x")
            .is_ok());
        assert!(matches!(
            auth.check(Some("Bearer nope"), Direction::Decode, "default"),
            Err(Denied::Invalid(_))
        ));
    }

    #[test]
    fn bad_tokens_file_lines_are_named_by_number_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        std::fs::write(&path, "s3cret-value read\n").unwrap();
        let err = Auth::default().with_tokens_file(&path).unwrap_err();
        assert!(err.ends_with("line 1: rights must be encode, decode or encode,decode"));
        assert!(!err.contains("s3cret"));
        assert!(!format!(
            "{:?}",
            Auth::default()
                .with_tokens_file(&{
                    std::fs::write(&path, "s3cret-value\n").unwrap();
                    path.clone()
                })
                .unwrap()
        )
        .contains("s3cret"));
    }
}
