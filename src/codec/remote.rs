//! A remote codec server as a pipeline stage (`--codec-endpoint`), speaking the protocol of
//! sdk-go's `NewRemotePayloadCodec` and the `temporal` CLI: `POST {endpoint}/encode|decode`,
//! body and answer `{"payloads": [...]}` in proto3 JSON, headers `X-Namespace`, then the
//! `--codec-header`s, then `Authorization` (later wins), `{namespace}` in the endpoint
//! replaced by the namespace (cli `cliext/client.go`).
//!
//! Unlike the CLI's gRPC interceptor, which sends one request per `Payloads` message, every
//! payload of a document is collected first and sent in a few large batches, several at a
//! time, each with a timeout and retries on connection errors and 5xx answers.

use std::time::Duration;

use serde_json::Value;

use super::{Budget, CodecError, Direction};
use crate::payload::{self, Payload};

/// Settings of a remote codec stage.
#[derive(Debug, Clone)]
pub struct RemoteSettings {
    /// The endpoint, e.g. `https://codec.example/{namespace}`.
    pub endpoint: String,
    /// Sent as `Authorization` (verbatim, as the `temporal` CLI does).
    pub auth: Option<String>,
    /// Extra headers, in order.
    pub headers: Vec<(String, String)>,
    /// Payloads per request at most.
    pub batch_payloads: usize,
    /// Request body bytes per request at most (a single larger payload goes alone).
    pub batch_bytes: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per-request time limit.
    pub timeout: Duration,
    /// Further tries after a connection error or a 5xx answer.
    pub retries: u32,
}

impl RemoteSettings {
    /// Defaults for `endpoint`: 1000 payloads or 4 MiB per request, 4 at once, 30 s, 2 retries.
    pub fn new(endpoint: impl Into<String>) -> Self {
        RemoteSettings {
            endpoint: endpoint.into(),
            auth: None,
            headers: Vec::new(),
            batch_payloads: 1000,
            batch_bytes: 4 * 1024 * 1024,
            concurrency: 4,
            timeout: Duration::from_secs(30),
            retries: 2,
        }
    }
}

/// The remote stage of one namespace's pipeline.
pub struct RemoteCodec {
    settings: RemoteSettings,
    namespace: String,
    agent: ureq::Agent,
}

impl RemoteCodec {
    /// A remote stage calling `settings.endpoint` for `namespace`.
    pub fn new(settings: RemoteSettings, namespace: &str) -> Self {
        // No redirects: a 3xx would carry the `--codec-header`s and `Authorization` to a
        // host nobody configured (a 3xx is then an error answer, as for doctor and JWKS).
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        RemoteCodec {
            settings,
            namespace: namespace.to_string(),
            agent,
        }
    }

    /// The URL for `direction`.
    pub fn url(&self, direction: Direction) -> String {
        let base = self
            .settings
            .endpoint
            .replace("{namespace}", &self.namespace);
        format!("{}/{}", base.trim_end_matches('/'), direction.verb())
    }

    /// Runs `payloads` through the server in batches; one result per payload, in order. A
    /// failed batch fails each of its payloads with the same reason. Each answer is read
    /// only up to what `budget` still allows, and decoded answers are charged to it.
    pub fn run_each(
        &self,
        direction: Direction,
        payloads: Vec<Payload>,
        budget: &Budget,
    ) -> Vec<Result<Payload, CodecError>> {
        let batches = self.batches(payloads);
        let concurrency = self.settings.concurrency.max(1);
        let mut results: Vec<Vec<Result<Payload, CodecError>>> = Vec::with_capacity(batches.len());
        let mut pending = batches.into_iter();
        loop {
            let wave: Vec<Vec<Payload>> = pending.by_ref().take(concurrency).collect();
            if wave.is_empty() {
                break;
            }
            let answers: Vec<Vec<Result<Payload, CodecError>>> = std::thread::scope(|scope| {
                let handles: Vec<_> = wave
                    .into_iter()
                    .map(|batch| {
                        scope.spawn(move || {
                            let n = batch.len();
                            match self.call(direction, &batch, budget) {
                                Ok(list) => list.into_iter().map(Ok).collect(),
                                Err(e) => vec![Err(e); n],
                            }
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            vec![Err(CodecError::Remote {
                                message: "request thread failed".into(),
                            })]
                        })
                    })
                    .collect()
            });
            results.extend(answers);
        }
        results.into_iter().flatten().collect()
    }

    fn batches(&self, payloads: Vec<Payload>) -> Vec<Vec<Payload>> {
        let mut out: Vec<Vec<Payload>> = Vec::new();
        let mut current: Vec<Payload> = Vec::new();
        let mut bytes = 0;
        for p in payloads {
            // Rough JSON size: base64 grows by 4/3, plus metadata and punctuation.
            let size = p.data.len() * 4 / 3 + 128;
            if !current.is_empty()
                && (current.len() >= self.settings.batch_payloads
                    || bytes + size > self.settings.batch_bytes)
            {
                out.push(std::mem::take(&mut current));
                bytes = 0;
            }
            bytes += size;
            current.push(p);
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }

    /// One batch, with retries.
    fn call(
        &self,
        direction: Direction,
        batch: &[Payload],
        budget: &Budget,
    ) -> Result<Vec<Payload>, CodecError> {
        let list: Vec<Value> = batch.iter().map(payload::payload_to_json).collect();
        let body = serde_json::to_vec(&serde_json::json!({ "payloads": list })).map_err(|e| {
            CodecError::Remote {
                message: e.to_string(),
            }
        })?;
        let url = self.url(direction);
        let mut attempt = 0;
        loop {
            match self.send(&url, &body, answer_limit(budget)) {
                Ok(answer) => {
                    let payloads = self.parse(&redact_url(&url), &answer, batch.len())?;
                    drop(answer);
                    if direction == Direction::Decode {
                        let decoded: usize = payloads.iter().map(payload_size).sum();
                        budget.spend(decoded as u64)?;
                    }
                    return Ok(payloads);
                }
                Err(Failure::TooLarge) => return Err(budget.exceeded()),
                Err(Failure::Answer(retryable, message)) => {
                    // Credentials in the URL (user:pass@) are never shown.
                    let message = message.replace(&url, &redact_url(&url));
                    if !retryable || attempt >= self.settings.retries {
                        return Err(CodecError::Remote { message });
                    }
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
                }
            }
        }
    }

    /// Sends one request: the answer body on 200 (at most `limit` bytes), else why not.
    fn send(&self, url: &str, body: &[u8], limit: u64) -> Result<Vec<u8>, Failure> {
        let mut request = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-Namespace", &self.namespace);
        for (k, v) in &self.settings.headers {
            request = request.header(k.as_str(), v.as_str());
        }
        if let Some(auth) = &self.settings.auth {
            request = request.header("Authorization", auth.as_str());
        }
        let mut response = request
            .send(body)
            .map_err(|e| Failure::Answer(true, format!("{url}: {e}")))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(Failure::Answer(
                false,
                format!(
                    "{url}: HTTP {}: the codec server redirects; redirects are not followed (give the final URL)",
                    status.as_u16()
                ),
            ));
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Failure::TooLarge,
                e => Failure::Answer(true, format!("{url}: cannot read the answer: {e}")),
            })?;
        if status.as_u16() == 200 {
            return Ok(text);
        }
        let reason = String::from_utf8_lossy(&text);
        let reason: String = reason.trim().chars().take(200).collect();
        Err(Failure::Answer(
            status.is_server_error() || status.as_u16() == 429,
            format!("{url}: HTTP {}: {reason}", status.as_u16()),
        ))
    }

    /// Reads an answer; `url` is the redacted URL for messages.
    fn parse(&self, url: &str, answer: &[u8], expected: usize) -> Result<Vec<Payload>, CodecError> {
        let bad = |message: String| CodecError::Remote {
            message: format!("{url}: {message}"),
        };
        let value: Value =
            serde_json::from_slice(answer).map_err(|e| bad(format!("answer is not JSON: {e}")))?;
        let items = match value.get("payloads") {
            Some(Value::Array(items)) => items.as_slice(),
            None | Some(Value::Null) if value.is_object() => &[],
            _ => return Err(bad("answer is not {\"payloads\": [...]}".into())),
        };
        if items.len() != expected {
            return Err(bad(format!(
                "sent {expected} payloads, the answer has {}",
                items.len()
            )));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                payload::payload_from_json(v)
                    .map_err(|e| bad(format!("answer payloads[{i}]: {}", e.message)))
            })
            .collect()
    }
}

pub use crate::endpoint::redact_url;

/// Why a request gave no answer to use.
enum Failure {
    /// The answer is larger than the budget allows.
    TooLarge,
    /// (retryable, reason)
    Answer(bool, String),
}

/// Largest answer body to read while `budget` allows: its payloads' bytes as base64
/// (4/3) plus room for metadata and punctuation, at most 1 GiB.
fn answer_limit(budget: &Budget) -> u64 {
    budget
        .remaining()
        .saturating_mul(4)
        .saturating_div(3)
        .saturating_add(64 * 1024)
        .min(1 << 30)
}

/// Bytes a payload holds: data and metadata.
fn payload_size(p: &Payload) -> usize {
    p.data.len()
        + p.metadata
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_redacted() {
        assert_eq!(
            redact_url("https://user:pa%40ss@codec.example:8443/ns/decode"),
            "https://***@codec.example:8443/ns/decode"
        );
        assert_eq!(redact_url("http://h:1/x@y"), "http://h:1/x@y");
        assert_eq!(redact_url("no-scheme"), "no-scheme");
    }

    #[test]
    fn urls_substitute_the_namespace_and_trim_one_slash() {
        let r = RemoteCodec::new(RemoteSettings::new("http://h:1/{namespace}/"), "prod");
        assert_eq!(r.url(Direction::Decode), "http://h:1/prod/decode");
        let r = RemoteCodec::new(RemoteSettings::new("http://h:1"), "prod");
        assert_eq!(r.url(Direction::Encode), "http://h:1/encode");
    }

    #[test]
    fn batches_respect_count_and_bytes() {
        let mut s = RemoteSettings::new("http://h");
        s.batch_payloads = 3;
        s.batch_bytes = 10_000;
        let r = RemoteCodec::new(s, "ns");
        let small = |n| {
            (0..n)
                .map(|_| payload::with_encoding("x", vec![0; 10]))
                .collect::<Vec<_>>()
        };
        let sizes: Vec<usize> = r.batches(small(7)).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 3, 1]);
        let mut big = small(1);
        big.push(payload::with_encoding("x", vec![0; 20_000]));
        big.extend(small(1));
        let sizes: Vec<usize> = r.batches(big).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![1, 1, 1]);
    }
}
