//! `awskms://` KEKs: AWS KMS `Encrypt` and `Decrypt` of data keys through the official AWS
//! SDK for Rust (the standard credential chain; `AWS_ENDPOINT_URL_KMS` or
//! `AWS_ENDPOINT_URL`; the SDK's retries with backoff for throttling). The URI is go-cloud's
//! (`gocloud.dev/secrets/awskms`, which temporal-proxy uses):
//! `awskms:///<key id, ARN or alias>?region=R`, each `context_<k>=<v>` query parameter an
//! encryption context pair (bound to the wrapped key: `Decrypt` needs the same pairs).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use aws_sdk_kms::error::ProvideErrorMetadata as _;
use aws_sdk_kms::primitives::Blob;

use super::kms_runtime::block_on;
use super::CodecError;

/// One AWS KMS key, as its URI names it.
#[derive(Debug, Clone)]
pub struct AwsKey {
    uri: String,
    key_id: String,
    region: Option<String>,
    context: HashMap<String, String>,
}

/// Decodes `%XX` escapes of a URI query part (`+` is a space).
fn unescape(text: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad %-escape in {text:?}"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} is not UTF-8 once unescaped"))
}

impl AwsKey {
    /// Parses `awskms:///<key>?region=R&context_k=v`.
    pub fn parse(uri: &str) -> Result<Self, String> {
        let rest = uri
            .strip_prefix("awskms://")
            .ok_or_else(|| format!("{uri}: not an awskms:// URI"))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        // go-cloud: the host is empty and the key is the path (`awskms:///alias/x`), or the
        // key is all of it (`awskms://alias/x` has no leading slash after the scheme).
        let key_id = path.strip_prefix('/').unwrap_or(path).to_string();
        if key_id.is_empty() {
            return Err(format!(
                "{uri}: no key id (awskms:///<key id, ARN or alias>?region=R)"
            ));
        }
        let mut region = None;
        let mut context = HashMap::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (unescape(k)?, unescape(v)?);
            if k == "region" {
                region = Some(v);
            } else if let Some(name) = k.strip_prefix("context_") {
                context.insert(name.to_string(), v);
            } else if k != "awssdk" {
                return Err(format!(
                    "{uri}: unknown query parameter {k:?} (region, context_<name>)"
                ));
            }
        }
        Ok(AwsKey {
            uri: uri.to_string(),
            key_id,
            region,
            context,
        })
    }

    /// Wraps a data key: KMS `Encrypt`.
    pub fn wrap(&self, dek: &[u8; 32]) -> Result<Vec<u8>, CodecError> {
        let client = client(self.region.as_deref()).map_err(|e| self.failed("Encrypt", e))?;
        let request = client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(dek.to_vec()))
            .set_encryption_context((!self.context.is_empty()).then(|| self.context.clone()));
        let answer = block_on(request.send())
            .map_err(|e| self.failed("Encrypt", e))?
            .map_err(|e| self.failed("Encrypt", sdk_reason(&e)))?;
        answer
            .ciphertext_blob()
            .map(|b| b.as_ref().to_vec())
            .ok_or_else(|| self.failed("Encrypt", "no CiphertextBlob in the answer".into()))
    }

    /// Unwraps a data key: KMS `Decrypt`, naming the key (a wrapped key of another KMS key
    /// is refused by KMS, not opened).
    pub fn unwrap(&self, wrapped: &[u8]) -> Result<[u8; 32], CodecError> {
        let client = client(self.region.as_deref()).map_err(|e| self.failed("Decrypt", e))?;
        let request = client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(wrapped.to_vec()))
            .set_encryption_context((!self.context.is_empty()).then(|| self.context.clone()));
        let answer = block_on(request.send())
            .map_err(|e| self.failed("Decrypt", e))?
            .map_err(|e| {
                if matches!(
                    e.code(),
                    Some("InvalidCiphertextException" | "IncorrectKeyException")
                ) {
                    CodecError::Authentication {
                        key_id: self.uri.clone(),
                    }
                } else {
                    self.failed("Decrypt", sdk_reason(&e))
                }
            })?;
        let plain = answer
            .plaintext()
            .ok_or_else(|| self.failed("Decrypt", "no Plaintext in the answer".into()))?;
        let mut bytes = plain.as_ref().to_vec();
        let dek: Result<[u8; 32], _> = bytes.as_slice().try_into();
        zeroize::Zeroize::zeroize(&mut bytes);
        dek.map_err(|_| CodecError::Corrupt {
            codec: "kms".into(),
            reason: format!("{}: the unwrapped data key is not 32 bytes", self.uri),
        })
    }

    /// KMS could not be used: the KEK and the provider's reason (exit 5, 502).
    fn failed(&self, operation: &str, why: String) -> CodecError {
        CodecError::Kms {
            message: format!("AWS KMS {operation} with {}: {why}", self.uri),
        }
    }
}

/// The provider's error code and message, or what kept the request from KMS.
fn sdk_reason<
    E: aws_sdk_kms::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
>(
    e: &aws_sdk_kms::error::SdkError<E, R>,
) -> String {
    match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => {
            // The innermost cause says it best ("Connection refused (os error 111)").
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            format!("unreachable ({cause})")
        }
    }
}

/// The endpoint the SDK will call, when the environment names one: plain http only to
/// loopback, checked on the parsed host (as every other endpoint of tcodec).
fn check_endpoint() -> Result<(), String> {
    for var in ["AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"] {
        if let Ok(url) = std::env::var(var) {
            return crate::endpoint::check(var, &url, crate::endpoint::Clear::LoopbackOnly)
                .map(|_| ());
        }
    }
    Ok(())
}

/// The KMS endpoint URL the SDK resolves from `config`, as its client config does: one set
/// in code, else the KMS-specific setting (`AWS_ENDPOINT_URL_KMS`, a profile's `services`
/// section), else the global one (`AWS_ENDPOINT_URL`, a profile's `endpoint_url`).
fn effective_endpoint(config: &aws_types::SdkConfig) -> Result<Option<String>, String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return Ok(config.endpoint_url().map(str::to_string));
    }
    let key = aws_types::service_config::ServiceConfigKey::builder()
        .service_id("KMS")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .map_err(|e| format!("AWS KMS endpoint: {e}"))?;
    Ok(config
        .service_config()
        .and_then(|c| c.load_config(key))
        .or_else(|| config.endpoint_url().map(str::to_string)))
}

/// One client per region, made once (the credential chain is read once).
fn client(region: Option<&str>) -> Result<aws_sdk_kms::Client, String> {
    static CLIENTS: OnceLock<Mutex<HashMap<Option<String>, aws_sdk_kms::Client>>> = OnceLock::new();
    let clients = CLIENTS.get_or_init(|| Mutex::new(HashMap::new()));
    let key = region.map(str::to_string);
    if let Some(c) = clients.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(c);
    }
    check_endpoint()?;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    let config = block_on(loader.load())?;
    // The endpoint the client will call, wherever it was set (environment, or the shared
    // config file's `endpoint_url`, global or in a `services` section): checked too.
    if let Some(url) = effective_endpoint(&config)? {
        crate::endpoint::check(
            "the AWS KMS endpoint",
            &url,
            crate::endpoint::Clear::LoopbackOnly,
        )?;
    }
    let client = aws_sdk_kms::Client::new(&config);
    if let Ok(mut map) = clients.lock() {
        map.insert(key, client.clone());
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_give_key_region_and_context() {
        let k = AwsKey::parse(
            "awskms:///arn:aws:kms:us-east-1:1:key/abc?region=us-east-1&context_tenant=a%20b",
        )
        .unwrap();
        assert_eq!(k.key_id, "arn:aws:kms:us-east-1:1:key/abc");
        assert_eq!(k.region.as_deref(), Some("us-east-1"));
        assert_eq!(k.context.get("tenant").map(String::as_str), Some("a b"));
        assert_eq!(
            AwsKey::parse("awskms:///alias/x").unwrap().key_id,
            "alias/x"
        );
        assert!(AwsKey::parse("awskms:///?region=x").is_err());
        assert!(AwsKey::parse("awskms:///k?regoin=x")
            .unwrap_err()
            .contains("unknown query parameter \"regoin\""));
    }
}
