//! AES-256-GCM in the format of Temporal's encryption samples (Go, Python, TypeScript, Java).
//!
//! Encoded payload: metadata `encoding` = `binary/encrypted`, `encryption-key-id` = key id;
//! data = 12-byte random nonce ‖ ciphertext ‖ 16-byte tag of the serialized Payload, no AAD
//! (samples-go `encryption/crypt.go`, samples-python `encryption/codec.py`). The key id picks
//! the key on decode, so keys rotate: encode with the active id, decode with any known one.

use std::collections::BTreeMap;
use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

use super::{has_encoding, inner_payload, Codec, CodecError};
use crate::keys::Key;
use crate::payload::{self, Payload, ENCODING, ENCRYPTION_KEY_ID};

/// The `encoding` value of encrypted payloads.
pub const ENCODING_ENCRYPTED: &str = "binary/encrypted";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Key ids mapped to ciphers, with one active id for encoding.
pub struct Keyring {
    active: String,
    ciphers: BTreeMap<String, Arc<Aes256Gcm>>,
    fallback: Option<String>,
}

impl Keyring {
    /// A keyring that encodes with `active` and decodes with any of `keys`.
    /// `active` must be one of `keys`.
    pub fn new(active: &str, keys: Vec<(String, Key)>) -> Option<Self> {
        let ciphers = keys
            .into_iter()
            .map(|(id, key)| (id, Arc::new(Aes256Gcm::new(key.expose().into()))))
            .collect();
        Self::from_ciphers(active, ciphers)
    }

    /// A keyring over ciphers already built (shared between namespaces, so each key is
    /// held once). `active` must be one of them.
    pub fn from_ciphers(active: &str, ciphers: Vec<(String, Arc<Aes256Gcm>)>) -> Option<Self> {
        let ciphers: BTreeMap<String, Arc<Aes256Gcm>> = ciphers.into_iter().collect();
        ciphers.contains_key(active).then(|| Keyring {
            active: active.to_string(),
            ciphers,
            fallback: None,
        })
    }

    /// Decrypt payloads whose key id is unknown with this key (the Go and TypeScript samples
    /// accept any id). `id` must be in the ring.
    pub fn with_fallback(mut self, id: Option<&str>) -> Option<Self> {
        match id {
            Some(id) if !self.ciphers.contains_key(id) => None,
            _ => {
                self.fallback = id.map(str::to_string);
                Some(self)
            }
        }
    }

    /// The key id used for encoding.
    pub fn active(&self) -> &str {
        &self.active
    }

    /// All key ids in the ring.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ciphers.keys().map(String::as_str)
    }

    fn cipher_for(&self, id: &str) -> Result<&Aes256Gcm, CodecError> {
        self.ciphers
            .get(id)
            .or_else(|| self.fallback.as_ref().and_then(|f| self.ciphers.get(f)))
            .map(Arc::as_ref)
            .ok_or_else(|| CodecError::UnknownKeyId(id.to_string()))
    }
}

/// The samples-format AES-256-GCM codec.
pub struct AesGcmCodec {
    keyring: Keyring,
    /// Deterministic mode: nonces are HMAC-SHA256(nonce key, plaintext)[..12].
    nonce_key: Option<zeroize::Zeroizing<[u8; 32]>>,
}

impl AesGcmCodec {
    /// A codec over `keyring`.
    pub fn new(keyring: Keyring) -> Self {
        AesGcmCodec {
            keyring,
            nonce_key: None,
        }
    }

    /// Deterministic mode, for golden test fixtures only: the nonce is derived from the
    /// plaintext with a key derived from `active` (the active key), so the same payload and
    /// key always give the same bytes, and different payloads get different nonces (no
    /// nonce reuse across plaintexts). It reveals which payloads are equal: never use it
    /// for real data.
    pub fn deterministic(mut self, active: &Key) -> Self {
        let derived = hmac_sha256(active.expose(), b"tcodec deterministic nonce key v1");
        self.nonce_key = Some(zeroize::Zeroizing::new(derived));
        self
    }

    /// Encrypts with an explicit nonce (random in normal use).
    fn seal(&self, payload: &Payload, nonce: [u8; NONCE_LEN]) -> Result<Payload, CodecError> {
        let id = self.keyring.active();
        let cipher = self.keyring.cipher_for(id)?;
        let plaintext = zeroize::Zeroizing::new(payload::to_proto(payload));
        let data = seal_with(cipher, &nonce, &plaintext)?;
        let mut out = payload::with_encoding(ENCODING_ENCRYPTED, data);
        out.metadata
            .insert(ENCRYPTION_KEY_ID.to_string(), id.as_bytes().to_vec());
        Ok(out)
    }
}

impl Codec for AesGcmCodec {
    fn name(&self) -> &str {
        "aes-256-gcm"
    }

    fn encoding(&self) -> &str {
        ENCODING_ENCRYPTED
    }

    fn encode(&self, payload: Payload) -> Result<Payload, CodecError> {
        let mut nonce = [0u8; NONCE_LEN];
        match &self.nonce_key {
            Some(key) => {
                let tag = hmac_sha256(key.as_slice(), &payload::to_proto(&payload));
                nonce.copy_from_slice(&tag[..NONCE_LEN]);
            }
            None => rand::fill(&mut nonce),
        }
        self.seal(&payload, nonce)
    }

    fn decode(&self, payload: Payload) -> Result<Payload, CodecError> {
        if !has_encoding(&payload, ENCODING_ENCRYPTED) {
            return Ok(payload);
        }
        let id = payload
            .metadata
            .get(ENCRYPTION_KEY_ID)
            .ok_or(CodecError::MissingKeyId)?;
        let id = String::from_utf8_lossy(id);
        let cipher = self.keyring.cipher_for(&id)?;
        let plaintext = zeroize::Zeroizing::new(open_with(cipher, &payload.data, &id)?);
        inner_payload(self.name(), &plaintext)
    }
}

/// The samples format's core: `nonce ‖ ciphertext ‖ tag` of `plaintext`, no AAD.
fn seal_with(
    cipher: &Aes256Gcm,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> Result<Vec<u8>, CodecError> {
    let sealed = cipher
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .map_err(|_| CodecError::Compress {
            codec: "aes-256-gcm".into(),
            reason: "encryption failed".into(),
        })?;
    let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
    data.extend_from_slice(nonce);
    data.extend_from_slice(&sealed);
    Ok(data)
}

/// Opens `nonce ‖ ciphertext ‖ tag`; `key_id` names the key in errors.
fn open_with(cipher: &Aes256Gcm, data: &[u8], key_id: &str) -> Result<Vec<u8>, CodecError> {
    if data.len() < NONCE_LEN + TAG_LEN {
        return Err(CodecError::Truncated { len: data.len() });
    }
    let (nonce, sealed) = data.split_at(NONCE_LEN);
    cipher
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map_err(|_| CodecError::Authentication {
            key_id: key_id.to_string(),
        })
}

/// [`seal_with`] under `key`: the codec's core, for known-answer tests.
pub fn seal(key: &Key, nonce: &[u8; NONCE_LEN], plaintext: &[u8]) -> Result<Vec<u8>, CodecError> {
    seal_with(&Aes256Gcm::new(key.expose().into()), nonce, plaintext)
}

/// [`open_with`] under `key`: the codec's core, for known-answer tests.
pub fn open(key: &Key, data: &[u8]) -> Result<Vec<u8>, CodecError> {
    open_with(&Aes256Gcm::new(key.expose().into()), data, "(test)")
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::Mac as _;
    // HMAC accepts keys of any length: this cannot fail.
    let Ok(mut mac) = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Whether a payload carries the encrypted encoding (used by checks and inventories).
pub fn is_encrypted(payload: &Payload) -> bool {
    payload.metadata.get(ENCODING).map(Vec::as_slice) == Some(ENCODING_ENCRYPTED.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::parse_key;

    fn key(hex: &str) -> Key {
        parse_key(hex.as_bytes(), "t").unwrap()
    }

    const K1: &str = "c6280b728801b3450956a069ba04c40b9cb4b287bb8c4b849538afc6220702f0";
    const K2: &str = "80a3f13df5d0bf308fb1ffe51b11aaa4dee9415bf1d6b1b135d0c8f408d03b67";

    fn codec(active: &str) -> AesGcmCodec {
        AesGcmCodec::new(
            Keyring::new(active, vec![("k1".into(), key(K1)), ("k2".into(), key(K2))]).unwrap(),
        )
    }

    #[test]
    fn round_trip_and_rotation() {
        let p = payload::with_encoding("json/plain", b"\"hi\"".to_vec());
        let old = codec("k1").encode(p.clone()).unwrap();
        assert_eq!(old.metadata[ENCRYPTION_KEY_ID], b"k1");
        assert_eq!(old.metadata[ENCODING], b"binary/encrypted");
        assert_eq!(old.data.len(), 12 + p.encode_to_vec_len() + 16);
        // A ring whose active key is k2 still decodes k1 payloads.
        assert_eq!(codec("k2").decode(old).unwrap(), p);
    }

    #[test]
    fn failures_are_distinct() {
        let p = payload::with_encoding("json/plain", b"1".to_vec());
        let mut enc = codec("k1").encode(p).unwrap();
        let only_k2 = AesGcmCodec::new(Keyring::new("k2", vec![("k2".into(), key(K2))]).unwrap());
        assert!(
            matches!(only_k2.decode(enc.clone()), Err(CodecError::UnknownKeyId(id)) if id == "k1")
        );
        let last = enc.data.len() - 1;
        enc.data[last] ^= 1;
        assert!(matches!(
            codec("k1").decode(enc.clone()),
            Err(CodecError::Authentication { .. })
        ));
        enc.data.truncate(20);
        assert!(matches!(
            codec("k1").decode(enc.clone()),
            Err(CodecError::Truncated { len: 20 })
        ));
        enc.metadata.remove(ENCRYPTION_KEY_ID);
        assert!(matches!(
            codec("k1").decode(enc),
            Err(CodecError::MissingKeyId)
        ));
    }

    #[test]
    fn fallback_key_decodes_unknown_ids() {
        let p = payload::with_encoding("json/plain", b"1".to_vec());
        let enc = codec("k1").encode(p.clone()).unwrap();
        let mut renamed = enc.clone();
        renamed
            .metadata
            .insert(ENCRYPTION_KEY_ID.into(), b"test".to_vec());
        let ring = Keyring::new("k1", vec![("k1".into(), key(K1))])
            .unwrap()
            .with_fallback(Some("k1"))
            .unwrap();
        assert_eq!(AesGcmCodec::new(ring).decode(renamed).unwrap(), p);
    }

    #[test]
    fn foreign_encodings_pass_through() {
        let p = payload::with_encoding("binary/zlib", vec![1, 2, 3]);
        assert_eq!(codec("k1").decode(p.clone()).unwrap(), p);
    }

    trait Len {
        fn encode_to_vec_len(&self) -> usize;
    }
    impl Len for Payload {
        fn encode_to_vec_len(&self) -> usize {
            payload::to_proto(self).len()
        }
    }
}
