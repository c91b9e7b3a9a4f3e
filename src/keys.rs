//! Key material: where keys come from, how they are parsed, and how they are kept.
//!
//! A [`Key`] is 32 bytes, zeroized on drop, and prints as `Key(redacted)`. Key sources are
//! a file (raw 32 bytes, 64 hex digits, or base64), an environment variable (hex or base64),
//! or a command whose standard output is the key (the hook for KMS, Vault or 1Password CLIs).
//! Errors describe the source and the shape of what was found, never its content.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use zeroize::{Zeroize, Zeroizing};

/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;

/// A 256-bit secret key. Zeroized on drop; never printed.
#[derive(Clone)]
pub struct Key(Zeroizing<[u8; KEY_LEN]>);

impl Key {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Key(Zeroizing::new(bytes))
    }

    /// Copies exactly 32 bytes straight into the key's own (zeroized) storage, leaving no
    /// copy on the stack; `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        let mut key = Key(Zeroizing::new([0u8; KEY_LEN]));
        key.0.copy_from_slice(bytes);
        Some(key)
    }

    /// The raw key bytes, for handing to a cipher.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::fill(&mut bytes[..]);
        Key(bytes)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(redacted)")
    }
}

/// Why a key could not be loaded. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read.
    #[error("cannot read key file {path}: {source}")]
    Read {
        /// The key file.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The environment variable is not set.
    #[error("environment variable {0} is not set")]
    EnvMissing(String),
    /// The key command could not run or failed.
    #[error("key command `{command}` {reason}")]
    Command {
        /// The program name (arguments are not shown: they may name secrets).
        command: String,
        /// What went wrong.
        reason: String,
    },
    /// The source is not a regular file, or holds far more than any key form.
    #[error("{source_name} {reason}")]
    Unfit {
        /// The source description.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The material is not a 32-byte key in any accepted form.
    #[error("{source_name} holds {found}; expected a 32-byte key: 32 raw bytes, 64 hex digits, or base64 of 32 bytes")]
    Shape {
        /// The source description (file path, variable name, command).
        source_name: String,
        /// What was found, described by length only.
        found: String,
    },
}

/// Where a key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A file holding raw, hex or base64 key material.
    File(PathBuf),
    /// An environment variable holding hex or base64 key material.
    Env(String),
    /// A program and its arguments; its standard output is the key.
    Command(Vec<String>),
}

impl KeySource {
    /// Loads and parses the key.
    pub fn load(&self) -> Result<Key, KeyError> {
        match self {
            KeySource::File(path) => {
                let bytes = read_key_file(path)?;
                parse_key(&bytes, &format!("key file {}", path.display()))
            }
            KeySource::Env(name) => {
                let text = Zeroizing::new(
                    std::env::var(name).map_err(|_| KeyError::EnvMissing(name.clone()))?,
                );
                let source_name = format!("environment variable {name}");
                if text.len() > MAX_KEY_SOURCE {
                    return Err(too_big(source_name));
                }
                parse_key(text.as_bytes(), &source_name)
            }
            KeySource::Command(argv) => run_key_command(argv),
        }
    }

    /// The key file, if this source is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            KeySource::File(p) => Some(p),
            _ => None,
        }
    }
}

/// The most bytes read from any key source: far more than any key form (32 raw bytes,
/// 64 hex digits, 44 base64 characters, plus whitespace), far less than could hurt.
pub const MAX_KEY_SOURCE: usize = 4096;

/// Default time a key command may take (`TCODEC_KEY_COMMAND_TIMEOUT`, seconds, overrides).
pub const KEY_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

fn too_big(source_name: String) -> KeyError {
    KeyError::Unfit {
        source_name,
        reason: format!(
            "holds more than {MAX_KEY_SOURCE} bytes; a key is 32 raw bytes, 64 hex digits or base64 of 32 bytes"
        ),
    }
}

/// Reads a key file: a regular file (never a FIFO or device, which could block or never
/// end) of at most [`MAX_KEY_SOURCE`] bytes.
fn read_key_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let read_error = |source| KeyError::Read {
        path: path.display().to_string(),
        source,
    };
    let source_name = format!("key file {}", path.display());
    // Refuse before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() {
        return Err(KeyError::Unfit {
            source_name,
            reason: "is not a regular file (FIFOs, devices and directories are refused)".into(),
        });
    }
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(128));
    file.take(MAX_KEY_SOURCE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > MAX_KEY_SOURCE {
        return Err(too_big(source_name));
    }
    Ok(bytes)
}

fn key_command_timeout() -> Duration {
    std::env::var("TCODEC_KEY_COMMAND_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map_or(KEY_COMMAND_TIMEOUT, Duration::from_secs_f64)
}

fn run_key_command(argv: &[String]) -> Result<Key, KeyError> {
    let program = argv.first().cloned().unwrap_or_default();
    let fail = |reason: String| KeyError::Command {
        command: program.clone(),
        reason,
    };
    if program.is_empty() {
        return Err(fail("is empty".into()));
    }
    let timeout = key_command_timeout();
    let mut child = Command::new(&program)
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| fail(format!("could not start: {e}")))?;
    let Some(stdout) = child.stdout.take() else {
        return Err(fail("has no standard output".into()));
    };
    // Read on a thread, bounded, so a command that writes forever or never closes its
    // output cannot hold us past the deadline.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Zeroizing::new(Vec::with_capacity(128));
        let result = stdout
            .take(MAX_KEY_SOURCE as u64 + 1)
            .read_to_end(&mut bytes)
            .map(|_| bytes);
        let _ = tx.send(result);
    });
    let deadline = Instant::now() + timeout;
    let stop = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
    };
    let output = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            stop(&mut child);
            return Err(fail(format!("output could not be read: {e}")));
        }
        Err(_) => {
            stop(&mut child);
            return Err(fail(format!(
                "timed out after {}s (TCODEC_KEY_COMMAND_TIMEOUT)",
                timeout.as_secs_f64()
            )));
        }
    };
    if output.len() > MAX_KEY_SOURCE {
        stop(&mut child);
        return Err(too_big(format!("output of key command `{program}`")));
    }
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                stop(&mut child);
                return Err(fail(format!(
                    "timed out after {}s (TCODEC_KEY_COMMAND_TIMEOUT)",
                    timeout.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(fail(format!("could not be waited for: {e}"))),
        }
    };
    if !status.success() {
        return Err(fail(format!("failed ({status})")));
    }
    parse_key(&output, &format!("output of key command `{program}`"))
}

/// A key id or KEK URI as messages, logs and reports may show it: a `base64key://` URI holds
/// the key itself, so it is shown as `base64key://***` and a short fingerprint (the first 8
/// hex digits of the URI's SHA-256), enough to tell two such keys apart and nothing to open.
pub fn shown_id(uri: &str) -> String {
    // Any spelling of the schemes that carry key material (temporal-proxy's `testing://`
    // is `base64key://` by another name), also mistyped (`base64key:KEY`, `Base64Key://`,
    // a leading space): never shown.
    let lower = uri.trim_start().to_ascii_lowercase();
    if lower.starts_with("base64key") || lower.starts_with("testing:") {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(uri.as_bytes());
        format!("base64key://*** (sha256 {})", hex::encode(&digest[..4]))
    } else {
        uri.to_string()
    }
}

/// Parses key material: exactly 32 raw bytes, or (whitespace trimmed) 64 hex digits or
/// base64 of 32 bytes.
pub fn parse_key(material: &[u8], source_name: &str) -> Result<Key, KeyError> {
    if let Some(key) = Key::from_slice(material) {
        return Ok(key);
    }
    let text = material.trim_ascii();
    let decoded: Option<Zeroizing<Vec<u8>>> = if text.len() == 2 * KEY_LEN {
        hex::decode(text).ok().map(Zeroizing::new)
    } else {
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| crate::payload::decode_base64(t).ok())
            .map(Zeroizing::new)
    };
    if let Some(mut bytes) = decoded {
        if let Some(key) = Key::from_slice(bytes.as_slice()) {
            bytes.zeroize();
            return Ok(key);
        }
        return Err(KeyError::Shape {
            source_name: source_name.into(),
            found: format!("{} bytes after decoding", bytes.len()),
        });
    }
    Err(KeyError::Shape {
        source_name: source_name.into(),
        found: format!("{} bytes that are neither hex nor base64", material.len()),
    })
}

/// Text forms a generated key can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyFormat {
    /// 32 raw bytes.
    Raw,
    /// 64 lowercase hex digits and a newline.
    Hex,
    /// Standard base64 and a newline.
    Base64,
}

/// Renders a key in the given form.
pub fn render_key(key: &Key, format: KeyFormat) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(match format {
        KeyFormat::Raw => key.expose().to_vec(),
        KeyFormat::Hex => format!("{}\n", hex::encode(key.expose())).into_bytes(),
        KeyFormat::Base64 => format!(
            "{}\n",
            base64::engine::general_purpose::STANDARD.encode(key.expose())
        )
        .into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_carrying_uris_never_show_in_any_spelling() {
        let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        for uri in [
            format!("base64key://{key}"),
            format!("base64key:{key}"),
            format!("Base64Key://{key}"),
            format!(" base64key://{key}"),
            format!("testing://{key}"),
            format!("TESTING://{key}"),
        ] {
            let shown = shown_id(&uri);
            assert!(!shown.contains(key), "{uri} shown as {shown}");
            assert!(shown.starts_with("base64key://*** (sha256 "), "{shown}");
        }
        assert_eq!(shown_id("test-key-1"), "test-key-1");
        assert_eq!(
            shown_id("awskms:///alias/x?region=us-east-1"),
            "awskms:///alias/x?region=us-east-1"
        );
    }

    const HEX: &str = "c6280b728801b3450956a069ba04c40b9cb4b287bb8c4b849538afc6220702f0";
    const B64: &str = "xigLcogBs0UJVqBpugTEC5y0soe7jEuElTivxiIHAvA=";

    #[test]
    fn parses_raw_hex_and_base64_alike() {
        let from_hex = parse_key(format!("{HEX}\n").as_bytes(), "t").unwrap();
        let from_b64 = parse_key(B64.as_bytes(), "t").unwrap();
        let raw = *from_hex.expose();
        let from_raw = parse_key(&raw, "t").unwrap();
        assert_eq!(from_hex.expose(), from_b64.expose());
        assert_eq!(from_raw.expose(), from_hex.expose());
        assert_eq!(hex::encode(raw), HEX);
    }

    #[test]
    fn wrong_length_is_described_without_content() {
        let e = parse_key(b"abcd", "key file k").unwrap_err().to_string();
        assert_eq!(
            e,
            "key file k holds 3 bytes after decoding; expected a 32-byte key: 32 raw bytes, 64 hex digits, or base64 of 32 bytes"
        );
        let e = parse_key(&[0xff; 10], "key file k")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("10 bytes that are neither hex nor base64"),
            "{e}"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let k = parse_key(HEX.as_bytes(), "t").unwrap();
        assert_eq!(format!("{k:?}"), "Key(redacted)");
    }

    #[test]
    fn command_source_reads_stdout() {
        let k = KeySource::Command(vec!["echo".into(), HEX.into()])
            .load()
            .unwrap();
        assert_eq!(hex::encode(k.expose()), HEX);
        let e = KeySource::Command(vec!["false".into()])
            .load()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("key command `false` failed"), "{e}");
    }

    #[test]
    fn generated_keys_differ_and_render() {
        let a = Key::generate();
        let b = Key::generate();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(render_key(&a, KeyFormat::Raw).len(), 32);
        assert_eq!(render_key(&a, KeyFormat::Hex).len(), 65);
        assert_eq!(render_key(&a, KeyFormat::Base64).len(), 45);
    }
}
