//! age encryption (<https://age-encryption.org/v1>, the `age` crate) to X25519 recipients.
//!
//! Encoding needs only recipients (public `age1...` keys), so CI and developers can make
//! encrypted fixtures without holding any secret; decoding needs an identity file.
//!
//! Payload format (stable): metadata `encoding` = `binary/age` and nothing else; data = the
//! binary (unarmored) age v1 file whose plaintext is the serialized Payload. Several
//! recipients give several stanzas in one header: any one identity opens it.

use std::io::{Read as _, Write as _};
use std::path::Path;

use super::{has_encoding, inner_payload, Codec, CodecError};
use crate::payload::{self, Payload};

/// The `encoding` value of age payloads.
pub const ENCODING_AGE: &str = "binary/age";

/// Largest identity file read.
pub const MAX_IDENTITY_FILE: u64 = 64 * 1024;

/// The age codec: recipients to encrypt to, identities to decrypt with.
pub struct AgeCodec {
    recipients: Vec<age::x25519::Recipient>,
    identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// Decompressed-size bound on a decrypted payload, in bytes.
    max_decoded_size: u64,
}

/// Why age keys could not be read (never key text).
#[derive(Debug, thiserror::Error)]
pub enum AgeKeyError {
    /// A recipient string is not an `age1...` X25519 recipient.
    #[error("recipient #{index} is not an age X25519 recipient (age1...)")]
    Recipient {
        /// 1-based position in the list.
        index: usize,
    },
    /// An identity file cannot be read or holds no usable identity.
    #[error("{file}: {reason}")]
    Identity {
        /// The file.
        file: String,
        /// What is wrong (line numbers only).
        reason: String,
    },
}

impl AgeCodec {
    /// A codec encrypting to `recipients` (`age1...`).
    pub fn new(recipients: &[String], max_decoded_size: u64) -> Result<Self, AgeKeyError> {
        let recipients = recipients
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.trim()
                    .parse::<age::x25519::Recipient>()
                    .map_err(|_| AgeKeyError::Recipient { index: i + 1 })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AgeCodec {
            recipients,
            identities: Vec::new(),
            max_decoded_size,
        })
    }

    /// Adds the X25519 identities of an identity file (`AGE-SECRET-KEY-1...` lines, `#`
    /// comments), as `age-keygen` and `tcodec keygen --age` write them.
    pub fn add_identity_file(&mut self, path: &Path) -> Result<(), AgeKeyError> {
        let fail = |reason: String| AgeKeyError::Identity {
            file: path.display().to_string(),
            reason,
        };
        // Bounded like key files: a regular file (a FIFO or device could block or never
        // end) of at most 64 KiB (an identity is 74 characters).
        let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        if !meta.is_file() {
            return Err(fail(
                "is not a regular file (FIFOs, devices and directories are refused)".into(),
            ));
        }
        let mut text = zeroize::Zeroizing::new(String::new());
        {
            use std::io::Read as _;
            let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
            file.take(MAX_IDENTITY_FILE + 1)
                .read_to_string(&mut text)
                .map_err(|e| fail(format!("cannot read: {e}")))?;
        }
        if text.len() as u64 > MAX_IDENTITY_FILE {
            return Err(fail(format!(
                "holds more than {MAX_IDENTITY_FILE} bytes; an identity file is a few lines"
            )));
        }
        let mut found = 0;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // Reported by line number only: the line is a secret.
            let identity = line
                .parse::<age::x25519::Identity>()
                .map_err(|_| fail(format!("line {} is not an age X25519 identity", n + 1)))?;
            self.identities.push(Box::new(identity));
            found += 1;
        }
        if found == 0 {
            return Err(fail("holds no identity".into()));
        }
        Ok(())
    }

    fn failed(reason: impl Into<String>) -> CodecError {
        CodecError::Age {
            reason: reason.into(),
        }
    }
}

impl Codec for AgeCodec {
    fn name(&self) -> &str {
        "age"
    }

    fn encoding(&self) -> &str {
        ENCODING_AGE
    }

    fn encode(&self, payload: Payload) -> Result<Payload, CodecError> {
        if self.recipients.is_empty() {
            return Err(Self::failed("no recipients configured to encrypt to"));
        }
        let plaintext = zeroize::Zeroizing::new(payload::to_proto(&payload));
        let encryptor = age::Encryptor::with_recipients(
            self.recipients.iter().map(|r| r as &dyn age::Recipient),
        )
        .map_err(|e| Self::failed(e.to_string()))?;
        let mut out = Vec::with_capacity(plaintext.len() + 256);
        let mut writer = encryptor
            .wrap_output(&mut out)
            .map_err(|e| Self::failed(e.to_string()))?;
        writer
            .write_all(&plaintext)
            .and_then(|()| writer.finish().map(|_| ()))
            .map_err(|e| Self::failed(e.to_string()))?;
        Ok(payload::with_encoding(ENCODING_AGE, out))
    }

    fn decode(&self, payload: Payload) -> Result<Payload, CodecError> {
        if !has_encoding(&payload, ENCODING_AGE) {
            return Ok(payload);
        }
        if self.identities.is_empty() {
            return Err(Self::failed(
                "no identity to decrypt with (pass -i IDENTITY_FILE or set identities in the config)",
            ));
        }
        let decryptor = age::Decryptor::new_buffered(payload.data.as_slice())
            .map_err(|e| Self::failed(format!("not an age file ({e})")))?;
        let reader = decryptor
            .decrypt(
                self.identities
                    .iter()
                    .map(|i| i.as_ref() as &dyn age::Identity),
            )
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => {
                    Self::failed("no identity matches any recipient of this payload")
                }
                other => Self::failed(other.to_string()),
            })?;
        let mut plaintext = zeroize::Zeroizing::new(Vec::new());
        reader
            .take(self.max_decoded_size + 1)
            .read_to_end(&mut plaintext)
            .map_err(|e| Self::failed(format!("decryption failed ({e})")))?;
        if plaintext.len() as u64 > self.max_decoded_size {
            return Err(CodecError::TooLarge {
                codec: "age".into(),
                limit: self.max_decoded_size,
            });
        }
        inner_payload(self.name(), &plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret as _;

    fn identity_file(dir: &Path, name: &str) -> (std::path::PathBuf, String) {
        let id = age::x25519::Identity::generate();
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!("# test\n{}\n", id.to_string().expose_secret()),
        )
        .unwrap();
        (path, id.to_public().to_string())
    }

    #[test]
    fn several_recipients_each_identity_opens_it() {
        let dir = tempfile::tempdir().unwrap();
        let (f1, r1) = identity_file(dir.path(), "a");
        let (f2, r2) = identity_file(dir.path(), "b");
        let (f3, _) = identity_file(dir.path(), "c");
        let enc = AgeCodec::new(&[r1, r2], 1 << 20).unwrap();
        let plain = payload::with_encoding("json/plain", b"\"secret\"".to_vec());
        let sealed = enc.encode(plain.clone()).unwrap();
        assert_eq!(payload::encoding(&sealed), Some(ENCODING_AGE.as_bytes()));
        assert_eq!(sealed.metadata.len(), 1);
        for f in [&f1, &f2] {
            let mut dec = AgeCodec::new(&[], 1 << 20).unwrap();
            dec.add_identity_file(f).unwrap();
            assert_eq!(dec.decode(sealed.clone()).unwrap(), plain);
        }
        let mut wrong = AgeCodec::new(&[], 1 << 20).unwrap();
        wrong.add_identity_file(&f3).unwrap();
        assert_eq!(
            wrong.decode(sealed).unwrap_err().to_string(),
            "age: no identity matches any recipient of this payload"
        );
    }

    #[test]
    fn bad_keys_are_named_without_their_text() {
        assert_eq!(
            AgeCodec::new(&["age1nope".into()], 1)
                .err()
                .unwrap()
                .to_string(),
            "recipient #1 is not an age X25519 recipient (age1...)"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id");
        std::fs::write(&path, "# c\nAGE-SECRET-KEY-1NOTREALLYASECRET\n").unwrap();
        let err = AgeCodec::new(&[], 1)
            .unwrap()
            .add_identity_file(&path)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("line 2 is not an age X25519 identity"),
            "{err}"
        );
        assert!(!err.contains("NOTREALLY"));
    }
}
