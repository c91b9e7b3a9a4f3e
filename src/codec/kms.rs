//! temporal-proxy's envelope encryption: payloads sealed with a data key (DEK) that a key
//! encryption key (KEK) wraps, byte-exact with the proxy (temporalio/temporal-proxy
//! `pkg/codec/encryptor.go`, `pkg/crypto/{dek,kek}.go`; go-cloud's secrets drivers).
//!
//! Sealed Payload: metadata `encoding` = `binary/encrypted`, `encryption-key-id` = the KEK
//! URI, `encryption-dek` = standard padded base64 of the wrapped 32-byte DEK (values raw
//! UTF-8); data = nonce(12) ‖ AES-256-GCM(DEK, nonce, serialized Payload, no AAD) ‖ tag(16).
//! Decode touches only `binary/encrypted` payloads carrying both keys; the KEK is found by
//! the exact key id; everything else passes through. One DEK serves many payloads until
//! `data_key_lifetime` passes (wrapped once each); each distinct wrapped DEK is unwrapped
//! once.
//!
//! KEKs here: `base64key://<url-safe base64 of 32 bytes>` (the proxy's testing keys: NaCl
//! secretbox, wrapped = nonce(24) ‖ tag(16) ‖ ciphertext), `awskms://` (AWS KMS,
//! [`super::kms_aws`]) and `extension://SERVER/KEY` (the proxy's gRPC extension protocol,
//! [`super::kms_ext`]). `gcpkms://` and `azurekeyvault://` are refused by name at load:
//! nothing here can test them, so they are not claimed.
//! A KEK URI of this scheme holds key material: messages show it as `base64key://***`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::XSalsa20Poly1305;

use super::aes_gcm::{open_in_place, seal_in_place, Cipher, Wiped, ENCODING_ENCRYPTED};
use super::{has_encoding, inner_payload, Codec, CodecError};
use crate::keys::Key;
use crate::payload::{self, Payload, ENCRYPTION_KEY_ID};

pub use crate::payload::ENCRYPTION_DEK;
/// Default data-key lifetime: a new DEK (wrapped once) after this long.
pub const DEFAULT_DATA_KEY_LIFETIME: Duration = Duration::from_secs(3600);
const NONCE_LEN: usize = 12;

/// What the envelope codec did in this process, for the server's `/metrics`: KEK calls by
/// provider, operation and result; unwrapped data keys found in the cache or not; data keys
/// made (rotations).
pub mod counts {
    use std::sync::atomic::{AtomicU64, Ordering};

    /// KEK providers, as metric labels.
    pub const PROVIDERS: [&str; 3] = ["base64key", "awskms", "extension"];
    /// KEK operations, as metric labels.
    pub const OPERATIONS: [&str; 2] = ["wrap", "unwrap"];
    /// Call results, as metric labels.
    pub const RESULTS: [&str; 2] = ["ok", "error"];

    static CALLS: [AtomicU64; 12] = [const { AtomicU64::new(0) }; 12];
    static CACHE: [AtomicU64; 2] = [const { AtomicU64::new(0) }; 2];
    static ROTATIONS: AtomicU64 = AtomicU64::new(0);

    pub(super) fn call(provider: usize, operation: usize, ok: bool) {
        CALLS[provider * 4 + operation * 2 + usize::from(!ok)].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn cache(hit: bool) {
        CACHE[usize::from(!hit)].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn rotation() {
        ROTATIONS.fetch_add(1, Ordering::Relaxed);
    }

    /// KEK calls of `PROVIDERS[p]`, `OPERATIONS[o]` with `RESULTS[r]`.
    pub fn calls(p: usize, o: usize, r: usize) -> u64 {
        CALLS[(p * 4 + o * 2 + r) % 12].load(Ordering::Relaxed)
    }

    /// Unwrapped data keys found in the cache (`true`) or unwrapped by a KEK call.
    pub fn cache_lookups(hit: bool) -> u64 {
        CACHE[usize::from(!hit)].load(Ordering::Relaxed)
    }

    /// Data keys made to seal with (one per namespace per lifetime).
    pub fn rotations() -> u64 {
        ROTATIONS.load(Ordering::Relaxed)
    }
}

/// A key encryption key.
pub struct Kek {
    uri: String,
    kind: KekKind,
}

enum KekKind {
    /// `base64key://`: NaCl secretbox with the key in the URI.
    Secretbox(XSalsa20Poly1305),
    /// `awskms://`: AWS KMS.
    Aws(super::kms_aws::AwsKey),
    /// `extension://`: an operator's gRPC KMS extension server.
    Extension(super::kms_ext::ExtensionKey),
}

/// Where a KEK is used: the namespace an extension server wraps data keys for, and the
/// addresses of the extension servers `extension://` URIs name.
#[derive(Clone, Copy)]
pub struct KekPlace<'a> {
    /// The namespace whose payloads the KEK seals.
    pub namespace: &'a str,
    /// Extension server names → addresses (`https://host:port`).
    pub extension_servers: &'a BTreeMap<String, String>,
}

impl Kek {
    /// Parses a KEK URI: `base64key://`, `awskms://` or `extension://`.
    pub fn parse(uri: &str, place: KekPlace<'_>) -> Result<Self, String> {
        if uri.starts_with("extension://") {
            return Ok(Kek {
                uri: uri.to_string(),
                kind: KekKind::Extension(super::kms_ext::ExtensionKey::parse(
                    uri,
                    place.namespace,
                    place.extension_servers,
                )?),
            });
        }
        if uri.starts_with("awskms://") {
            return Ok(Kek {
                uri: uri.to_string(),
                kind: KekKind::Aws(super::kms_aws::AwsKey::parse(uri)?),
            });
        }
        let Some(b64) = uri.strip_prefix("base64key://") else {
            // A mistyped key-carrying URI names no scheme in the message (it holds a key).
            if shown(uri) != uri {
                return Err(format!(
                    "{}: not a KEK URI (base64key://<URL-safe base64 of 32 bytes>, lower case)",
                    shown(uri)
                ));
            }
            let scheme = uri.split("://").next().unwrap_or(uri);
            return Err(format!(
                "KEK scheme {scheme}:// is not supported (base64key://, awskms:// and extension:// are; gcpkms and azurekeyvault are not, as nothing here can test them)"
            ));
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64.trim_end_matches('='))
            .map_err(|_| {
                "base64key://***: not URL-safe base64 (standard base64 becomes URL-safe with `tr '+/' '-_'`)".to_string()
            })?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "base64key://***: the key must be 32 bytes".to_string())?;
        Ok(Kek {
            uri: uri.to_string(),
            kind: KekKind::Secretbox(XSalsa20Poly1305::new(&key.into())),
        })
    }

    /// The URI as messages show it (never key material).
    pub fn shown(&self) -> String {
        shown(&self.uri)
    }

    /// Wraps a data key with this KEK. A "wrapped" key that holds the data key in clear (a
    /// KMS or extension server that passes it through) is refused: every sealed payload
    /// would carry its own key.
    pub fn wrap(&self, dek: &[u8; 32]) -> Result<Vec<u8>, CodecError> {
        let wrapped = self.wrap_once(dek).and_then(|w| {
            if w.windows(dek.len()).any(|part| part == dek.as_slice()) {
                Err(CodecError::Kms {
                    message: format!(
                        "{}: the KMS answered the data key in clear as its wrapped form: refused",
                        self.shown()
                    ),
                })
            } else {
                Ok(w)
            }
        });
        counts::call(self.provider(), 0, wrapped.is_ok());
        wrapped
    }

    /// Unwraps a data key this KEK wrapped.
    pub fn unwrap(&self, wrapped: &[u8]) -> Result<[u8; 32], CodecError> {
        let dek = self.unwrap_once(wrapped);
        counts::call(self.provider(), 1, dek.is_ok());
        dek
    }

    /// The provider's index in [`counts::PROVIDERS`].
    fn provider(&self) -> usize {
        match self.kind {
            KekKind::Secretbox(_) => 0,
            KekKind::Aws(_) => 1,
            KekKind::Extension(_) => 2,
        }
    }

    fn wrap_once(&self, dek: &[u8; 32]) -> Result<Vec<u8>, CodecError> {
        let box_key = match &self.kind {
            KekKind::Aws(key) => return key.wrap(dek),
            KekKind::Extension(key) => return key.wrap(dek),
            KekKind::Secretbox(box_key) => box_key,
        };
        let mut nonce = [0u8; 24];
        rand::fill(&mut nonce);
        // RustCrypto's secretbox writes tag ‖ ciphertext, as NaCl does.
        let sealed = box_key
            .encrypt(&nonce.into(), dek.as_slice())
            .map_err(|_| CodecError::Authentication {
                key_id: self.shown(),
            })?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// Proves the KEK works end to end: wraps a fresh random data key and unwraps it again
    /// (for AWS KMS, one Encrypt and one Decrypt call). `config check` runs it per KEK.
    pub fn round_trip(&self) -> Result<(), CodecError> {
        let mut dek = [0u8; 32];
        rand::fill(&mut dek);
        let wrapped = self.wrap(&dek)?;
        let mut back = self.unwrap(&wrapped)?;
        let same = back == dek;
        zeroize::Zeroize::zeroize(&mut dek);
        zeroize::Zeroize::zeroize(&mut back);
        if same {
            Ok(())
        } else {
            Err(CodecError::Authentication {
                key_id: self.shown(),
            })
        }
    }

    fn unwrap_once(&self, wrapped: &[u8]) -> Result<[u8; 32], CodecError> {
        let box_key = match &self.kind {
            KekKind::Aws(key) => return key.unwrap(wrapped),
            KekKind::Extension(key) => return key.unwrap(wrapped),
            KekKind::Secretbox(box_key) => box_key,
        };
        let failed = || CodecError::Authentication {
            key_id: self.shown(),
        };
        if wrapped.len() < 24 {
            return Err(CodecError::Truncated { len: wrapped.len() });
        }
        let (nonce, sealed) = wrapped.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| failed())?;
        let dek = box_key
            .decrypt(&nonce.into(), sealed)
            .map_err(|_| failed())?;
        dek.try_into().map_err(|_| failed())
    }
}

/// A KEK URI as messages may show it (see [`crate::keys::shown_id`]).
pub use crate::keys::shown_id as shown;

/// The DEK encode uses now, wrapped once.
struct DataKey {
    made: Instant,
    cipher: Cipher,
    wrapped_b64: String,
}

/// The envelope codec of one namespace.
pub struct KmsCodec {
    active: Kek,
    keks: Vec<Kek>,
    lifetime: Duration,
    current: Mutex<Option<DataKey>>,
    unwrapped: Mutex<Unwrapped>,
    /// Held while a data key is unwrapped: payloads sharing a data key wait for the one
    /// unwrap (one KMS call) instead of each making their own.
    unwrapping: Mutex<()>,
    /// KMS failures of the last moments, by KEK (`usize::MAX`: the wrap of a new data key):
    /// the payloads waiting behind a failed call fail at once with its reason instead of
    /// each waiting out the same outage.
    outages: Mutex<HashMap<usize, (Instant, String)>>,
}

/// How long a KMS failure answers for the calls queued behind it.
const OUTAGE_MEMORY: Duration = Duration::from_secs(5);

/// How many unwrapped data keys one codec keeps. The proxy rotates data keys by time, so
/// a history holds few; a long-running server meets more, and forgets the oldest first.
const UNWRAPPED_CAPACITY: usize = 1024;

/// Unwrapped data keys by their wrapped bytes, each unwrapped once (one KMS call), bounded
/// at [`UNWRAPPED_CAPACITY`]: the oldest is dropped first. The raw key bytes are zeroized as
/// soon as the cipher is made; the cipher (ring's key schedule) is freed on eviction.
#[derive(Default)]
struct Unwrapped {
    ciphers: HashMap<Vec<u8>, std::sync::Arc<Cipher>>,
    order: std::collections::VecDeque<Vec<u8>>,
}

impl Unwrapped {
    fn get(&self, wrapped: &[u8]) -> Option<std::sync::Arc<Cipher>> {
        self.ciphers.get(wrapped).cloned()
    }

    fn insert(&mut self, wrapped: &[u8], cipher: std::sync::Arc<Cipher>) {
        if self.ciphers.contains_key(wrapped) {
            return;
        }
        while self.order.len() >= UNWRAPPED_CAPACITY {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.ciphers.remove(&oldest);
                }
                None => break,
            }
        }
        self.order.push_back(wrapped.to_vec());
        self.ciphers.insert(wrapped.to_vec(), cipher);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ciphers.len()
    }
}

impl KmsCodec {
    /// Encodes with `kek`, decodes with it and `decrypt_keks`.
    pub fn new(
        kek: &str,
        decrypt_keks: &[String],
        lifetime: Duration,
        place: KekPlace<'_>,
    ) -> Result<Self, String> {
        let active = Kek::parse(kek, place)?;
        let keks = std::iter::once(kek)
            .chain(decrypt_keks.iter().map(String::as_str))
            .map(|uri| Kek::parse(uri, place))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KmsCodec {
            active,
            keks,
            lifetime,
            current: Mutex::new(None),
            unwrapped: Mutex::new(Unwrapped::default()),
            unwrapping: Mutex::new(()),
            outages: Mutex::new(HashMap::new()),
        })
    }

    /// The data key to seal with: the current one while it lives, else a new one.
    fn with_data_key<T>(&self, f: impl FnOnce(&DataKey) -> T) -> Result<T, CodecError> {
        let mut slot = self.current.lock().map_err(|_| CodecError::Kms {
            message: "data key lock poisoned".into(),
        })?;
        if slot
            .as_ref()
            .is_none_or(|k| k.made.elapsed() >= self.lifetime)
        {
            let mut dek = [0u8; 32];
            rand::fill(&mut dek);
            let wrapped = self.remembering(usize::MAX, || self.active.wrap(&dek))?;
            counts::rotation();
            *slot = Some(DataKey {
                made: Instant::now(),
                cipher: Cipher::new(&Key::from_bytes(dek)),
                wrapped_b64: base64::engine::general_purpose::STANDARD.encode(wrapped),
            });
            zeroize::Zeroize::zeroize(&mut dek);
        }
        match slot.as_ref() {
            Some(key) => Ok(f(key)),
            None => Err(CodecError::Kms {
                message: "no data key".into(),
            }),
        }
    }

    fn cipher_for(
        &self,
        kek_id: &str,
        wrapped: &[u8],
    ) -> Result<std::sync::Arc<Cipher>, CodecError> {
        // The KEK first: a payload naming a KEK this namespace does not hold is refused
        // even when its wrapped key was unwrapped before under another KEK; and the cache
        // is keyed by (KEK, wrapped key), so one entry never opens for another KEK.
        let (index, kek) = self
            .keks
            .iter()
            .enumerate()
            .find(|(_, k)| k.uri == kek_id)
            .ok_or_else(|| CodecError::UnknownKeyId(shown(kek_id)))?;
        let mut cache_key = Vec::with_capacity(wrapped.len() + 8);
        cache_key.extend_from_slice(&(index as u64).to_be_bytes());
        cache_key.extend_from_slice(wrapped);
        if let Some(c) = self.unwrapped.lock().ok().and_then(|m| m.get(&cache_key)) {
            counts::cache(true);
            return Ok(c);
        }
        // One unwrap at a time; whoever waited may find the key unwrapped meanwhile.
        let _one = self.unwrapping.lock().map_err(|_| CodecError::Kms {
            message: "data key lock poisoned".into(),
        })?;
        if let Some(c) = self.unwrapped.lock().ok().and_then(|m| m.get(&cache_key)) {
            counts::cache(true);
            return Ok(c);
        }
        counts::cache(false);
        let mut dek = self.remembering(index, || kek.unwrap(wrapped))?;
        let cipher = std::sync::Arc::new(Cipher::new(&Key::from_bytes(dek)));
        zeroize::Zeroize::zeroize(&mut dek);
        if let Ok(mut map) = self.unwrapped.lock() {
            map.insert(&cache_key, std::sync::Arc::clone(&cipher));
        }
        Ok(cipher)
    }

    /// Runs a KMS call of KEK `slot`, unless that KEK's KMS failed in the last
    /// [`OUTAGE_MEMORY`]: then its reason at once. An outage (not a refused key) is kept.
    fn remembering<T>(
        &self,
        slot: usize,
        call: impl FnOnce() -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        if let Some((at, message)) = self.outages.lock().ok().and_then(|m| m.get(&slot).cloned()) {
            if at.elapsed() < OUTAGE_MEMORY {
                return Err(CodecError::Kms { message });
            }
        }
        let result = call();
        if let (Err(CodecError::Kms { message }), Ok(mut map)) = (&result, self.outages.lock()) {
            map.insert(slot, (Instant::now(), message.clone()));
        }
        result
    }
}

impl Codec for KmsCodec {
    fn name(&self) -> &str {
        "kms"
    }

    fn encoding(&self) -> &str {
        ENCODING_ENCRYPTED
    }

    fn encode(&self, payload: Payload) -> Result<Payload, CodecError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let mut data = Vec::with_capacity(NONCE_LEN + prost::Message::encoded_len(&payload) + 16);
        data.extend_from_slice(&nonce);
        payload::write_proto(&payload, &mut data);
        let wrapped = self.with_data_key(|key| {
            seal_in_place(&key.cipher, &mut data).map(|()| key.wrapped_b64.clone())
        })??;
        let mut out = payload::with_encoding(ENCODING_ENCRYPTED, data);
        out.metadata.insert(
            ENCRYPTION_KEY_ID.to_string(),
            self.active.uri.as_bytes().to_vec(),
        );
        out.metadata
            .insert(ENCRYPTION_DEK.to_string(), wrapped.into_bytes());
        Ok(out)
    }

    fn decode(&self, payload: Payload) -> Result<Payload, CodecError> {
        let (Some(id), Some(dek)) = (
            payload::meta(&payload, ENCRYPTION_KEY_ID),
            payload::meta(&payload, ENCRYPTION_DEK),
        ) else {
            return Ok(payload);
        };
        if !has_encoding(&payload, ENCODING_ENCRYPTED) {
            return Ok(payload);
        }
        let id = String::from_utf8_lossy(id).into_owned();
        let wrapped = base64::engine::general_purpose::STANDARD
            .decode(dek)
            .map_err(|_| CodecError::Corrupt {
                codec: "kms".into(),
                reason: "encryption-dek is not standard base64".into(),
            })?;
        let cipher = self.cipher_for(&id, &wrapped)?;
        let mut data = payload.data;
        let wiped = Wiped(&mut data);
        let plain = open_in_place(&cipher, wiped.0, &shown(&id))?;
        inner_payload(self.name(), plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_key_carrying_kek_is_refused_without_its_key() {
        let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        for uri in [format!("base64key:{key}"), format!("Base64Key://{key}")] {
            let e = Kek::parse(&uri, PLACE).err().unwrap();
            assert!(!e.contains(key) && e.contains("not a KEK URI"), "{e}");
        }
    }

    #[test]
    fn a_wrapped_key_seen_before_does_not_open_under_an_unknown_kek() {
        let codec = KmsCodec::new(KEK, &[], Duration::from_secs(3600), PLACE).unwrap();
        let sealed = codec
            .encode(payload::with_encoding("json/plain", b"1".to_vec()))
            .unwrap();
        assert!(codec.decode(sealed.clone()).is_ok());
        let mut other = sealed;
        other.metadata.insert(
            ENCRYPTION_KEY_ID.to_string(),
            b"awskms:///attacker-key?region=us-east-1".to_vec(),
        );
        assert!(matches!(
            codec.decode(other),
            Err(CodecError::UnknownKeyId(id)) if id == "awskms:///attacker-key?region=us-east-1"
        ));
    }

    #[test]
    fn the_unwrapped_key_cache_is_bounded_and_forgets_the_oldest_first() {
        let cipher = std::sync::Arc::new(Cipher::new(&Key::from_bytes([7u8; 32])));
        let mut cache = Unwrapped::default();
        for i in 0..UNWRAPPED_CAPACITY + 10 {
            cache.insert(&(i as u32).to_be_bytes(), std::sync::Arc::clone(&cipher));
        }
        assert_eq!(cache.len(), UNWRAPPED_CAPACITY);
        assert_eq!(cache.order.len(), UNWRAPPED_CAPACITY);
        assert!(cache.get(&0u32.to_be_bytes()).is_none());
        assert!(cache.get(&9u32.to_be_bytes()).is_none());
        assert!(cache.get(&10u32.to_be_bytes()).is_some());
        // A key already held is not queued twice.
        cache.insert(&10u32.to_be_bytes(), std::sync::Arc::clone(&cipher));
        assert_eq!(cache.order.len(), UNWRAPPED_CAPACITY);
    }

    static NO_SERVERS: BTreeMap<String, String> = BTreeMap::new();
    const PLACE: KekPlace<'static> = KekPlace {
        namespace: "default",
        extension_servers: &NO_SERVERS,
    };

    const KEK: &str = "base64key://AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    #[test]
    fn seals_opens_reuses_the_data_key_and_hides_the_kek() {
        let codec = KmsCodec::new(KEK, &[], DEFAULT_DATA_KEY_LIFETIME, PLACE).unwrap();
        let a = codec
            .encode(payload::from_value(&serde_json::json!("a")))
            .unwrap();
        let b = codec
            .encode(payload::from_value(&serde_json::json!("b")))
            .unwrap();
        assert_eq!(
            payload::meta(&a, ENCRYPTION_DEK),
            payload::meta(&b, ENCRYPTION_DEK)
        );
        assert_eq!(payload::meta(&a, ENCRYPTION_KEY_ID), Some(KEK.as_bytes()));
        assert_eq!(a.metadata.len(), 3);
        assert_eq!(
            codec.decode(a).unwrap(),
            payload::from_value(&serde_json::json!("a"))
        );
        let fresh = KmsCodec::new(KEK, &[], Duration::ZERO, PLACE).unwrap();
        let c = fresh
            .encode(payload::from_value(&serde_json::json!("c")))
            .unwrap();
        let d = fresh
            .encode(payload::from_value(&serde_json::json!("d")))
            .unwrap();
        assert_ne!(
            payload::meta(&c, ENCRYPTION_DEK),
            payload::meta(&d, ENCRYPTION_DEK)
        );
        // Another KEK: the id is shown without its key.
        let other = KmsCodec::new(
            "base64key://HxwdHhsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA",
            &[],
            DEFAULT_DATA_KEY_LIFETIME,
            PLACE,
        )
        .unwrap();
        let e = other.decode(c).unwrap_err().to_string();
        assert!(e.contains("base64key://***") && !e.contains("AAEC"), "{e}");
        // Payloads without a wrapped key (the samples' format) pass through.
        let plain = payload::with_encoding("binary/encrypted", vec![1, 2, 3]);
        assert_eq!(codec.decode(plain.clone()).unwrap(), plain);
        assert!(KmsCodec::new(
            "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
            &[],
            DEFAULT_DATA_KEY_LIFETIME,
            PLACE,
        )
        .err()
        .unwrap()
        .contains("gcpkms:// is not supported"));
    }
}
