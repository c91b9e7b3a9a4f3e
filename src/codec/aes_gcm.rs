//! AES-256-GCM in the format of Temporal's encryption samples (Go, Python, TypeScript, Java).
//!
//! Encoded payload: metadata `encoding` = `binary/encrypted`, `encryption-key-id` = key id;
//! data = 12-byte random nonce ‖ ciphertext ‖ 16-byte tag of the serialized Payload, no AAD
//! (samples-go `encryption/crypt.go`, samples-python `encryption/codec.py`). The key id picks
//! the key on decode, so keys rotate: encode with the active id, decode with any known one.

use std::collections::BTreeMap;
use std::sync::Arc;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};

use super::{has_encoding, inner_payload, Codec, CodecError};
use crate::keys::Key;
use crate::payload::{self, Payload, ENCODING, ENCRYPTION_KEY_ID};

/// The `encoding` value of encrypted payloads.
pub const ENCODING_ENCRYPTED: &str = "binary/encrypted";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// One key's AES-256-GCM cipher. Backed by `ring`, whose AES-NI/VAES and (V)PCLMULQDQ
/// code runs several times faster than the pure-Rust `aes-gcm` crate on the same core
/// (README, dependency notes); the format is unchanged.
pub struct Cipher(LessSafeKey);

impl Cipher {
    /// The cipher of a 32-byte key.
    pub fn new(key: &Key) -> Self {
        // A 32-byte slice is always a valid AES-256 key: UnboundKey::new fails only on a
        // wrong length, which the `Key` type rules out.
        match UnboundKey::new(&AES_256_GCM, key.expose()) {
            Ok(unbound) => Cipher(LessSafeKey::new(unbound)),
            Err(_) => unreachable!("a Key is always 32 bytes"),
        }
    }
}

/// Key ids mapped to ciphers, with one active id for encoding.
pub struct Keyring {
    active: String,
    ciphers: BTreeMap<String, Arc<Cipher>>,
    fallback: Option<String>,
}

impl Keyring {
    /// A keyring that encodes with `active` and decodes with any of `keys`.
    /// `active` must be one of `keys`.
    pub fn new(active: &str, keys: Vec<(String, Key)>) -> Option<Self> {
        let ciphers = keys
            .into_iter()
            .map(|(id, key)| (id, Arc::new(Cipher::new(&key))))
            .collect();
        Self::from_ciphers(active, ciphers)
    }

    /// A keyring over ciphers already built (shared between namespaces, so each key is
    /// held once). `active` must be one of them.
    pub fn from_ciphers(active: &str, ciphers: Vec<(String, Arc<Cipher>)>) -> Option<Self> {
        let ciphers: BTreeMap<String, Arc<Cipher>> = ciphers.into_iter().collect();
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

    fn cipher_for(&self, id: &str) -> Result<&Cipher, CodecError> {
        self.ciphers
            .get(id)
            .or_else(|| self.fallback.as_ref().and_then(|f| self.ciphers.get(f)))
            .map(Arc::as_ref)
            // A key id is data: a base64key:// one would be key material, shown redacted.
            .ok_or_else(|| CodecError::UnknownKeyId(crate::keys::shown_id(id)))
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
        // Serialize straight after the nonce and encrypt in place: the plaintext never
        // exists in a buffer of its own.
        let mut data =
            Vec::with_capacity(NONCE_LEN + prost::Message::encoded_len(payload) + TAG_LEN);
        data.extend_from_slice(&nonce);
        payload::write_proto(payload, &mut data);
        seal_in_place(cipher, &mut data)?;
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
        // temporal-proxy's envelope (a wrapped data key) is the kms codec's, not this one's.
        if !has_encoding(&payload, ENCODING_ENCRYPTED)
            || payload::meta_in(&payload.metadata, payload::ENCRYPTION_DEK).is_some()
        {
            return Ok(payload);
        }
        let id = payload::meta_in(&payload.metadata, ENCRYPTION_KEY_ID)
            .ok_or(CodecError::MissingKeyId)?;
        let id = payload::text(id);
        let cipher = self.keyring.cipher_for(&id)?;
        // Decrypt in place in the payload's own buffer (zeroed when dropped).
        let mut data = payload.data;
        let wiped = Wiped(&mut data);
        let plain = open_in_place(cipher, wiped.0, &id)?;
        inner_payload(self.name(), plain)
    }
}

/// A buffer that holds plaintext, overwritten with zeros when this guard is dropped.
/// `fill` is one `memset` (tens of GB/s); `zeroize`'s byte-at-a-time volatile writes ran
/// ~1 byte per cycle, ~10% of a small-payload history's decode. `black_box` (with a
/// compiler fence) keeps the compiler from dropping the write to memory that is about to
/// be freed; `black_box` is best-effort by its documentation, but the release binary's
/// disassembly shows the `memset` before the free.
pub(crate) struct Wiped<'a>(pub(crate) &'a mut Vec<u8>);

impl Drop for Wiped<'_> {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&mut *self.0);
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    }
}

/// `data` = `nonce ‖ plaintext` becomes `nonce ‖ ciphertext ‖ tag` (samples format, no AAD).
pub(crate) fn seal_in_place(cipher: &Cipher, data: &mut Vec<u8>) -> Result<(), CodecError> {
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&data[..NONCE_LEN]);
    let tag = cipher
        .0
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::empty(),
            &mut data[NONCE_LEN..],
        )
        .map_err(|_| CodecError::Compress {
            codec: "aes-256-gcm".into(),
            reason: "encryption failed".into(),
        })?;
    data.extend_from_slice(tag.as_ref());
    Ok(())
}

/// Opens `nonce ‖ ciphertext ‖ tag` in place; returns the plaintext part of `data`.
/// `key_id` names the key in errors.
pub(crate) fn open_in_place<'a>(
    cipher: &Cipher,
    data: &'a mut [u8],
    key_id: &str,
) -> Result<&'a [u8], CodecError> {
    if data.len() < NONCE_LEN + TAG_LEN {
        return Err(CodecError::Truncated { len: data.len() });
    }
    let (nonce, sealed) = data.split_at_mut(NONCE_LEN);
    let mut nonce_bytes = [0u8; NONCE_LEN];
    nonce_bytes.copy_from_slice(nonce);
    let plain = cipher
        .0
        .open_in_place(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::empty(),
            sealed,
        )
        .map_err(|_| CodecError::Authentication {
            key_id: key_id.to_string(),
        })?;
    Ok(plain)
}

/// The codec's core under `key`: `nonce ‖ ciphertext ‖ tag` of `plaintext` (known-answer
/// tests).
pub fn seal(key: &Key, nonce: &[u8; NONCE_LEN], plaintext: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut data = [nonce.as_slice(), plaintext].concat();
    seal_in_place(&Cipher::new(key), &mut data)?;
    Ok(data)
}

/// The codec's core under `key`: the plaintext of `nonce ‖ ciphertext ‖ tag` (known-answer
/// tests).
pub fn open(key: &Key, data: &[u8]) -> Result<Vec<u8>, CodecError> {
    let mut data = data.to_vec();
    open_in_place(&Cipher::new(key), &mut data, "(test)").map(<[u8]>::to_vec)
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
    payload::meta(payload, ENCODING) == Some(ENCODING_ENCRYPTED.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_buffers_are_wiped() {
        let mut buf = b"secret plaintext".to_vec();
        drop(Wiped(&mut buf));
        assert_eq!(buf, vec![0u8; 16]);
    }
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
