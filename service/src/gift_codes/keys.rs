//! The keys that hide codes in the database: a keyed hash of each code (to find it) and a
//! sealed copy (to e-mail it later); neither reveals a code without the key.
//!
//! New codes use `VOLIXTA_DATA_KEY` when it is set, a key WordPress never sees. Without it (and
//! for codes made before it was set) the keys derive from the shared secret. Each row records
//! which of the two sealed it, so setting a data key later loses no code.
use super::CodeText;
use chacha20::{
    ChaCha20,
    cipher::{KeyIvInit, StreamCipher},
};
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

/// Which root key a code's hash and sealed copy were made with (the column `sealed_with`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    SharedSecret,
    DataKey,
}

impl KeySource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SharedSecret => "shared_secret",
            Self::DataKey => "data_key",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "shared_secret" => Some(Self::SharedSecret),
            "data_key" => Some(Self::DataKey),
            _ => None,
        }
    }
}

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 32;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The three keys derived from one root key.
struct KeySet {
    source: KeySource,
    lookup: [u8; 32],
    seal: [u8; 32],
    tag: [u8; 32],
}

impl KeySet {
    fn derive(source: KeySource, root: &[u8]) -> Self {
        Self {
            source,
            lookup: hmac(root, &[b"volixta gift code lookup v1"]),
            seal: hmac(root, &[b"volixta gift code seal v1"]),
            tag: hmac(root, &[b"volixta gift code tag v1"]),
        }
    }

    fn lookup_hash(&self, code: &CodeText) -> [u8; 32] {
        hmac(&self.lookup, &[code.as_str().as_bytes()])
    }

    /// nonce ‖ ChaCha20(code) ‖ HMAC-SHA256(nonce ‖ ciphertext): encrypt-then-MAC.
    fn seal(&self, code: &CodeText) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill(&mut nonce);
        let mut body = code.as_str().as_bytes().to_vec();
        ChaCha20::new_from_slices(&self.seal, &nonce)
            .expect("32-byte key, 12-byte nonce")
            .apply_keystream(&mut body);
        let tag = hmac(&self.tag, &[&nonce, &body]);
        [nonce.as_slice(), &body, &tag].concat()
    }

    fn unseal(&self, sealed: &[u8]) -> Option<CodeText> {
        if sealed.len() <= NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.tag).expect("HMAC takes any key length");
        mac.update(nonce);
        mac.update(body);
        mac.verify_slice(tag).ok()?;
        let mut plain = body.to_vec();
        ChaCha20::new_from_slices(&self.seal, nonce)
            .ok()?
            .apply_keystream(&mut plain);
        CodeText::normalise(std::str::from_utf8(&plain).ok()?)
    }
}

/// The keys new codes are made with, and (once a data key is set) the shared secret's keys for
/// the codes made before it.
pub struct CodeKeys {
    current: KeySet,
    previous: Option<KeySet>,
}

/// A code as stored: its lookup hash and sealed copy, and which key made them.
pub struct Sealed {
    pub hash: [u8; 32],
    pub sealed: Vec<u8>,
    pub source: KeySource,
}

impl CodeKeys {
    pub fn new(data_key: Option<&[u8; 32]>, shared_secret: &[u8]) -> Self {
        let from_secret = KeySet::derive(KeySource::SharedSecret, shared_secret);
        match data_key {
            Some(key) => Self {
                current: KeySet::derive(KeySource::DataKey, key),
                previous: Some(from_secret),
            },
            None => Self {
                current: from_secret,
                previous: None,
            },
        }
    }

    /// The keys as they were before `VOLIXTA_DATA_KEY`: derived from the shared secret alone.
    pub fn derive(shared_secret: &[u8]) -> Self {
        Self::new(None, shared_secret)
    }

    /// A new code's hash and sealed copy, made with the current key.
    pub fn seal(&self, code: &CodeText) -> Sealed {
        Sealed {
            hash: self.current.lookup_hash(code),
            sealed: self.current.seal(code),
            source: self.current.source,
        }
    }

    /// Every hash the code may be stored under: the current key's, then the previous one's.
    pub fn lookup_hashes(&self, code: &CodeText) -> Vec<[u8; 32]> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|keys| keys.lookup_hash(code))
            .collect()
    }

    /// The code in clear; None when the key that sealed it is not (or no longer) ours.
    pub fn unseal(&self, source: KeySource, sealed: &[u8]) -> Option<CodeText> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|keys| keys.source == source)?
            .unseal(sealed)
    }

    /// Whether codes sealed with the shared secret should move to the data key.
    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA_KEY: [u8; 32] = [7; 32];

    #[test]
    fn sealed_codes_open_only_with_the_same_secret_and_intact() {
        let keys = CodeKeys::derive(b"secret");
        let code = CodeText::generate();
        let sealed = keys.seal(&code);
        assert_eq!(sealed.source, KeySource::SharedSecret);
        let bytes = &sealed.sealed;
        assert!(!String::from_utf8_lossy(bytes).contains(code.as_str()));
        assert_ne!(*bytes, keys.seal(&code).sealed, "a fresh nonce each time");
        let open = |keys: &CodeKeys, bytes: &[u8]| keys.unseal(KeySource::SharedSecret, bytes);
        assert_eq!(open(&keys, bytes), Some(code.clone()));
        assert_eq!(open(&CodeKeys::derive(b"other"), bytes), None);
        let mut tampered = bytes.clone();
        tampered[NONCE_LEN] ^= 1;
        assert_eq!(open(&keys, &tampered), None);
        assert_eq!(open(&keys, &bytes[..10]), None);
        assert_eq!(keys.lookup_hashes(&code), vec![sealed.hash]);
        assert_ne!(
            sealed.hash,
            CodeKeys::derive(b"other").lookup_hashes(&code)[0]
        );
    }

    #[test]
    fn a_data_key_seals_new_codes_and_still_opens_the_old_ones() {
        let code = CodeText::generate();
        let old = CodeKeys::derive(b"secret").seal(&code);
        let keys = CodeKeys::new(Some(&DATA_KEY), b"secret");
        let new = keys.seal(&code);
        assert_eq!(new.source, KeySource::DataKey);
        assert_eq!(keys.lookup_hashes(&code), vec![new.hash, old.hash]);
        assert_eq!(keys.unseal(old.source, &old.sealed), Some(code.clone()));
        assert_eq!(keys.unseal(new.source, &new.sealed), Some(code.clone()));
        // The data key alone opens its codes, whatever the shared secret is now.
        let rotated = CodeKeys::new(Some(&DATA_KEY), b"rotated");
        assert_eq!(rotated.lookup_hashes(&code)[0], new.hash);
        assert_eq!(rotated.unseal(new.source, &new.sealed), Some(code.clone()));
        assert_eq!(rotated.unseal(old.source, &old.sealed), None);
        // Without the data key, its codes neither open nor are found.
        let without = CodeKeys::derive(b"secret");
        assert_eq!(without.unseal(new.source, &new.sealed), None);
        assert!(!without.lookup_hashes(&code).contains(&new.hash));
        // Each source opens only with its own keys.
        assert_eq!(keys.unseal(KeySource::SharedSecret, &new.sealed), None);
    }

    #[test]
    fn key_sources_round_trip() {
        for source in [KeySource::SharedSecret, KeySource::DataKey] {
            assert_eq!(KeySource::parse(source.as_str()), Some(source));
        }
        assert_eq!(KeySource::parse("other"), None);
    }
}
