//! Per-namespace access policy for `tcodec serve`, from the config's `[policy]` table:
//! who may `encode`, `decode` or `download` in which namespaces. Once a policy exists,
//! anything no rule allows is denied (default deny), including requests without an
//! authenticated subject.
//!
//! ```toml
//! [policy]
//! deny = "forbid"            # 403 (default), or "passthrough": 200 with the payloads
//!                            # returned unchanged, still encoded (what Temporal Cloud allows)
//! [[policy.allow]]
//! who = ["email:ada@example.com", "domain:example.com", "sub:svc-7", "token:ops", "group:sre", "*"]
//! can = ["decode", "download"]
//! namespaces = ["default", "billing"]   # or ["*"]
//! ```

use serde::Deserialize;

/// How a caller authenticated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SubjectKind {
    /// No auth is configured: nobody in particular (no policy rule matches it).
    #[default]
    None,
    /// A bearer token from the tokens file.
    Token,
    /// A verified JWT.
    Jwt,
}

impl SubjectKind {
    /// The kind's name in the audit log.
    pub fn name(self) -> &'static str {
        match self {
            SubjectKind::None => "none",
            SubjectKind::Token => "token",
            SubjectKind::Jwt => "jwt",
        }
    }
}

/// Who made a request, for the policy and the audit log: never a token's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// How the caller authenticated.
    pub kind: SubjectKind,
    /// The token's `name=`, or the JWT's `sub`.
    pub name: Option<String>,
    /// The JWT's email claim (verified).
    pub email: Option<String>,
    /// The JWT's groups (or roles) claim.
    pub groups: Vec<String>,
}

/// What a denied request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DenyMode {
    /// 403 with a one-line reason.
    #[default]
    Forbid,
    /// 200 with the payloads unchanged: the Web UI then shows them still encoded.
    Passthrough,
}

/// One allow rule.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// `email:`, `domain:`, `sub:`, `token:`, `group:` matchers, or `*` (any
    /// authenticated subject).
    pub who: Vec<String>,
    /// `encode`, `decode`, `download`.
    pub can: Vec<String>,
    /// Namespaces, or `*`.
    pub namespaces: Vec<String>,
}

/// The `[policy]` table.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// What denied requests get.
    #[serde(default)]
    pub deny: DenyMode,
    /// The rules; a request is allowed when any rule allows it.
    #[serde(default)]
    pub allow: Vec<Rule>,
}

impl Policy {
    /// Checks the rules' words, so a typo is an error at start, not a silent deny.
    pub fn validate(&self) -> Result<(), String> {
        for (i, rule) in self.allow.iter().enumerate() {
            for who in &rule.who {
                let known = who == "*"
                    || ["email:", "domain:", "sub:", "token:", "group:"]
                        .iter()
                        .any(|p| who.strip_prefix(p).is_some_and(|v| !v.is_empty()));
                if !known {
                    return Err(format!(
                        "policy.allow[{i}].who: {who:?} is not email:, domain:, sub:, token:, group: or *"
                    ));
                }
            }
            for can in &rule.can {
                if !["encode", "decode", "download"].contains(&can.as_str()) {
                    return Err(format!(
                        "policy.allow[{i}].can: {can:?} is not encode, decode or download"
                    ));
                }
            }
            if rule.who.is_empty() || rule.can.is_empty() || rule.namespaces.is_empty() {
                return Err(format!(
                    "policy.allow[{i}]: who, can and namespaces must each name something"
                ));
            }
        }
        Ok(())
    }

    /// Whether `subject` may `action` in `namespace`.
    pub fn allows(&self, subject: Option<&Subject>, action: &str, namespace: &str) -> bool {
        let Some(subject) = subject.filter(|s| s.kind != SubjectKind::None) else {
            return false;
        };
        self.allow.iter().any(|rule| {
            rule.can.iter().any(|c| c == action)
                && rule.namespaces.iter().any(|n| n == "*" || n == namespace)
                && rule.who.iter().any(|w| matches(w, subject))
        })
    }
}

fn matches(who: &str, s: &Subject) -> bool {
    // An email with other than exactly one `@` matches no email: or domain: rule.
    let email = s
        .email
        .as_deref()
        .filter(|e| e.matches('@').count() == 1)
        .map(str::to_ascii_lowercase);
    if who == "*" {
        return true;
    }
    if let Some(want) = who.strip_prefix("email:") {
        return email.as_deref() == Some(want.to_ascii_lowercase().as_str());
    }
    if let Some(domain) = who.strip_prefix("domain:") {
        let suffix = format!("@{}", domain.to_ascii_lowercase());
        return email.is_some_and(|e| e.ends_with(&suffix));
    }
    if let Some(sub) = who.strip_prefix("sub:") {
        return s.kind == SubjectKind::Jwt && s.name.as_deref() == Some(sub);
    }
    if let Some(name) = who.strip_prefix("token:") {
        return s.kind == SubjectKind::Token && s.name.as_deref() == Some(name);
    }
    if let Some(group) = who.strip_prefix("group:") {
        return s.groups.iter().any(|g| g == group);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(sub: &str, email: &str, groups: &[&str]) -> Subject {
        Subject {
            kind: SubjectKind::Jwt,
            name: Some(sub.into()),
            email: Some(email.into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn rule(who: &[&str], can: &[&str], ns: &[&str]) -> Rule {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        Rule {
            who: v(who),
            can: v(can),
            namespaces: v(ns),
        }
    }

    #[test]
    fn each_matcher_and_default_deny() {
        let p = Policy {
            deny: DenyMode::Forbid,
            allow: vec![
                rule(&["email:Ada@Example.com"], &["decode"], &["default"]),
                rule(&["domain:ops.example"], &["encode"], &["*"]),
                rule(&["sub:svc-7", "token:ci"], &["download"], &["billing"]),
                rule(&["group:sre"], &["decode"], &["*"]),
            ],
        };
        assert!(p.validate().is_ok());
        let ada = jwt("u1", "ada@example.com", &[]);
        assert!(p.allows(Some(&ada), "decode", "default"));
        assert!(!p.allows(Some(&ada), "decode", "billing"), "namespace");
        assert!(!p.allows(Some(&ada), "encode", "default"), "action");
        let ops = jwt("u2", "bob@ops.example", &[]);
        assert!(p.allows(Some(&ops), "encode", "anything"));
        assert!(!p.allows(Some(&jwt("u3", "eve@evilops.example", &[])), "encode", "x"));
        assert!(
            !p.allows(
                Some(&jwt("u5", "eve@evil.com@ops.example", &[])),
                "encode",
                "x"
            ),
            "two @: no match"
        );
        assert!(p.allows(Some(&jwt("svc-7", "", &[])), "download", "billing"));
        let ci = Subject {
            kind: SubjectKind::Token,
            name: Some("ci".into()),
            ..Default::default()
        };
        assert!(p.allows(Some(&ci), "download", "billing"));
        // A tokens-file name is no JWT subject, and a JWT's sub is no token name.
        let token_named_like_a_sub = Subject {
            kind: SubjectKind::Token,
            name: Some("svc-7".into()),
            ..Default::default()
        };
        assert!(!p.allows(Some(&token_named_like_a_sub), "download", "billing"));
        assert!(!p.allows(Some(&jwt("ci", "", &[])), "decode", "billing"));
        assert!(p.allows(Some(&jwt("u4", "", &["sre"])), "decode", "prod"));
        assert!(!p.allows(None, "decode", "default"), "no subject: denied");
        let none = Subject {
            kind: SubjectKind::None,
            ..Default::default()
        };
        assert!(!p.allows(Some(&none), "decode", "default"));
        assert!(!Policy::default().allows(Some(&ada), "decode", "default"));
    }

    /// A rule with any one list empty grants nothing by accident: it is an error at start.
    #[test]
    fn a_rule_with_an_empty_list_is_an_error() {
        for (who, can, ns) in [
            (&[][..], &["decode"][..], &["*"][..]),
            (&["*"][..], &[][..], &["*"][..]),
            (&["*"][..], &["decode"][..], &[][..]),
        ] {
            let p = Policy {
                deny: DenyMode::Forbid,
                allow: vec![rule(who, can, ns)],
            };
            assert_eq!(
                p.validate().unwrap_err(),
                "policy.allow[0]: who, can and namespaces must each name something",
                "{who:?} {can:?} {ns:?}"
            );
        }
    }

    #[test]
    fn typos_are_errors() {
        let bad = Policy {
            deny: DenyMode::Forbid,
            allow: vec![rule(&["mail:ada@example.com"], &["decode"], &["*"])],
        };
        assert!(bad.validate().unwrap_err().contains("mail:ada"));
        let bad = Policy {
            deny: DenyMode::Forbid,
            allow: vec![rule(&["*"], &["read"], &["*"])],
        };
        assert!(bad.validate().unwrap_err().contains("\"read\""));
    }
}
