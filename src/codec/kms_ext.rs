//! `extension://SERVER/KEY` KEKs: temporal-proxy's KMS extension protocol, a gRPC
//! `api.kms.v1.EncryptionService` the operator runs (temporalio/temporal-proxy
//! `api/kms/v1/{service,encrypt,decrypt}.proto`, `internal/api/kms.go`, `pkg/ext/kms.go`):
//!
//! - `Encrypt(EncryptRequest{namespace = 1: string, plaintext = 2: bytes})` →
//!   `EncryptResponse{ciphertext = 1: bytes}`: wraps a data key for that namespace (the
//!   server refuses an empty namespace);
//! - `Decrypt(DecryptRequest{ciphertext = 1: bytes})` → `DecryptResponse{plaintext = 1:
//!   bytes}`: the ciphertext names its own key.
//!
//! The URI's host names the server (the proxy's `extensionServers[].name`); the whole URI is
//! the KEK id recorded in every sealed payload. Here the codec's `extension_servers` table
//! gives each name its address: `https://host:port` (system roots), or `http://` to a
//! loopback host only, checked on the parsed host, since data keys cross this connection.
//! Unavailable and resource-exhausted answers are retried with backoff.

use std::collections::BTreeMap;
use std::time::Duration;

use super::kms_runtime::{block_on, runtime};
use super::CodecError;

/// `api.kms.v1.EncryptRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct EncryptRequest {
    #[prost(string, tag = "1")]
    namespace: String,
    #[prost(bytes = "vec", tag = "2")]
    plaintext: Vec<u8>,
}

/// `api.kms.v1.EncryptResponse`.
#[derive(Clone, PartialEq, prost::Message)]
struct EncryptResponse {
    #[prost(bytes = "vec", tag = "1")]
    ciphertext: Vec<u8>,
}

/// `api.kms.v1.DecryptRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct DecryptRequest {
    #[prost(bytes = "vec", tag = "1")]
    ciphertext: Vec<u8>,
}

/// `api.kms.v1.DecryptResponse`.
#[derive(Clone, PartialEq, prost::Message)]
struct DecryptResponse {
    #[prost(bytes = "vec", tag = "1")]
    plaintext: Vec<u8>,
}

const ENCRYPT: &str = "/api.kms.v1.EncryptionService/Encrypt";
const DECRYPT: &str = "/api.kms.v1.EncryptionService/Decrypt";
/// Attempts per call: the first and two retries (100 ms, then 400 ms later).
const ATTEMPTS: u32 = 3;
/// How long one attempt may take, from the request to the answer's last byte.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// One key on an extension server.
pub struct ExtensionKey {
    uri: String,
    namespace: String,
    channel: tonic::transport::Channel,
}

impl ExtensionKey {
    /// Parses `extension://SERVER/...` for `namespace`, SERVER looked up in `servers`.
    pub fn parse(
        uri: &str,
        namespace: &str,
        servers: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        let parsed = url::Url::parse(uri).map_err(|e| format!("{uri}: not a URI ({e})"))?;
        let server = parsed.host_str().unwrap_or_default();
        if server.is_empty() {
            return Err(format!(
                "{uri}: the URI names no extension server (extension://SERVER/KEY)"
            ));
        }
        let Some(address) = servers.get(server) else {
            let known: Vec<&str> = servers.keys().map(String::as_str).collect();
            return Err(format!(
                "{uri}: unknown extension server {server:?} (extension_servers has: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        };
        let checked = crate::endpoint::check(
            &format!("extension server {server:?}"),
            address,
            crate::endpoint::Clear::LoopbackOnly,
        )?;
        let bad = |e: tonic::transport::Error| format!("extension server {server:?}: {e}");
        let mut endpoint = tonic::transport::Endpoint::from_shared(address.clone())
            .map_err(bad)?
            .connect_timeout(Duration::from_secs(5))
            .timeout(CALL_TIMEOUT);
        if checked.scheme() == "https" {
            endpoint = endpoint
                .tls_config(tonic::transport::ClientTlsConfig::new().with_native_roots())
                .map_err(bad)?;
        }
        // A lazy channel starts its worker on the runtime it is made in: the KMS runtime.
        let _entered = runtime()?.enter();
        Ok(ExtensionKey {
            uri: uri.to_string(),
            namespace: namespace.to_string(),
            channel: endpoint.connect_lazy(),
        })
    }

    /// Wraps a data key: `Encrypt` with this codec's namespace.
    pub fn wrap(&self, dek: &[u8; 32]) -> Result<Vec<u8>, CodecError> {
        let request = EncryptRequest {
            namespace: self.namespace.clone(),
            plaintext: dek.to_vec(),
        };
        let answer: EncryptResponse = self.call("Encrypt", ENCRYPT, request)?;
        if answer.ciphertext.is_empty() {
            return Err(self.failed("Encrypt", "the answer holds no ciphertext".into()));
        }
        Ok(answer.ciphertext)
    }

    /// Unwraps a data key: `Decrypt`. A ciphertext the server refuses as invalid is an
    /// authentication failure of the payload (exit 3), not an outage.
    pub fn unwrap(&self, wrapped: &[u8]) -> Result<[u8; 32], CodecError> {
        let request = DecryptRequest {
            ciphertext: wrapped.to_vec(),
        };
        let mut answer: DecryptResponse = self.call("Decrypt", DECRYPT, request)?;
        let dek: Result<[u8; 32], _> = answer.plaintext.as_slice().try_into();
        zeroize::Zeroize::zeroize(&mut answer.plaintext);
        dek.map_err(|_| CodecError::Corrupt {
            codec: "kms".into(),
            reason: format!("{}: the unwrapped data key is not 32 bytes", self.uri),
        })
    }

    fn call<Req, Res>(
        &self,
        operation: &str,
        path: &'static str,
        request: Req,
    ) -> Result<Res, CodecError>
    where
        Req: prost::Message + Clone + Send + Sync + 'static,
        Res: prost::Message + Default + Send + Sync + 'static,
    {
        let channel = self.channel.clone();
        let answer = block_on(async move {
            let mut wait = Duration::from_millis(100);
            let mut attempt = 1;
            loop {
                // The whole call, answer body included, within CALL_TIMEOUT: a server that
                // sends headers and then stalls is an outage, not a wait forever.
                let call = unary::<Req, Res>(channel.clone(), path, request.clone());
                let result = tokio::time::timeout(CALL_TIMEOUT, call)
                    .await
                    .unwrap_or_else(|_| {
                        Err(tonic::Status::deadline_exceeded(format!(
                            "no whole answer within {} s",
                            CALL_TIMEOUT.as_secs()
                        )))
                    });
                match result {
                    Err(status) if attempt < ATTEMPTS && retryable(&status) => {
                        tokio::time::sleep(wait).await;
                        wait *= 4;
                        attempt += 1;
                    }
                    done => return done,
                }
            }
        })
        .map_err(|e| self.failed(operation, e))?;
        answer.map_err(|status| {
            if operation == "Decrypt" && status.code() == tonic::Code::InvalidArgument {
                CodecError::Authentication {
                    key_id: self.uri.clone(),
                }
            } else {
                self.failed(operation, reason(&status))
            }
        })
    }

    /// The extension server could not be used: the KEK and the reason (exit 5, 502).
    fn failed(&self, operation: &str, why: String) -> CodecError {
        CodecError::Kms {
            message: format!("KMS extension {operation} with {}: {why}", self.uri),
        }
    }
}

/// One unary call of the service, with prost messages (no generated client).
async fn unary<Req, Res>(
    channel: tonic::transport::Channel,
    path: &'static str,
    request: Req,
) -> Result<Res, tonic::Status>
where
    Req: prost::Message + Send + Sync + 'static,
    Res: prost::Message + Default + Send + Sync + 'static,
{
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(innermost(&e)))?;
    let codec = tonic_prost::ProstCodec::<Req, Res>::default();
    let answer = grpc
        .unary(
            tonic::Request::new(request),
            http::uri::PathAndQuery::from_static(path),
            codec,
        )
        .await?;
    Ok(answer.into_inner())
}

/// Throttling and outages: worth another try.
fn retryable(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        tonic::Code::Unavailable | tonic::Code::ResourceExhausted
    )
}

/// The status code and the server's message, or what kept the call from the server: one
/// line, escaped and cut short (a server's text never forges lines or terminal codes).
fn reason(status: &tonic::Status) -> String {
    let detail = match std::error::Error::source(status) {
        Some(source) => innermost(source),
        None => status.message().to_string(),
    };
    let mut shown: String = detail
        .chars()
        .take(200)
        .collect::<String>()
        .escape_debug()
        .collect();
    if detail.chars().count() > 200 {
        shown.push_str("...");
    }
    format!("{:?}: {shown}", status.code())
}

/// The innermost cause says it best ("Connection refused (os error 111)").
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(address: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("hsm".to_string(), address.to_string())])
    }

    #[test]
    fn the_uri_names_a_configured_server_reached_safely() {
        let ok = ExtensionKey::parse("extension://hsm/k1", "ns", &servers("http://127.0.0.1:1"));
        assert!(ok.is_ok());
        let unknown =
            ExtensionKey::parse("extension://other/k1", "ns", &servers("http://127.0.0.1:1"))
                .err()
                .unwrap();
        assert!(
            unknown.contains("unknown extension server \"other\" (extension_servers has: hsm)"),
            "{unknown}"
        );
        let clear =
            ExtensionKey::parse("extension://hsm/k1", "ns", &servers("http://10.0.0.8:9000"))
                .err()
                .unwrap();
        assert!(clear.contains("extension server \"hsm\""), "{clear}");
        assert!(
            ExtensionKey::parse("extension:///k1", "ns", &servers("http://127.0.0.1:1")).is_err()
        );
    }

    #[test]
    fn messages_have_the_protos_field_numbers() {
        let bytes = prost::Message::encode_to_vec(&EncryptRequest {
            namespace: "ns".into(),
            plaintext: vec![7],
        });
        assert_eq!(bytes, [0x0a, 2, b'n', b's', 0x12, 1, 7]);
        let bytes = prost::Message::encode_to_vec(&DecryptRequest {
            ciphertext: vec![9],
        });
        assert_eq!(bytes, [0x0a, 1, 9]);
    }
}
