//! Envelope encryption: one data key per subject, wrapped by the key-encryption key (KEK).

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{AeadCore, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use uuid::Uuid;

use super::SealingError;

const NONCE_LEN: usize = 24;

/// The key-encryption key from configuration. It never leaves memory and never prints.
#[derive(Clone)]
pub struct KeyEncryptionKey(XChaCha20Poly1305);

impl KeyEncryptionKey {
    /// Reads a KEK given as 32 bytes in standard base64.
    pub fn from_base64(encoded: &str) -> Result<Self, SealingError> {
        let bytes = B64.decode(encoded.trim()).map_err(|_| SealingError::BadKek)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealingError::BadKek)?;
        Ok(Self::from_bytes(key))
    }

    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(XChaCha20Poly1305::new(&key.into()))
    }

    /// A fresh random KEK, for tests and first-run development setups.
    pub fn generate() -> (Self, String) {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        (Self::from_bytes(key), B64.encode(key))
    }

    /// Wraps a data key; the subject and key id are bound in as associated data.
    pub fn wrap(&self, subject: &str, key: &DataKey) -> Vec<u8> {
        seal_bytes(&self.0, &aad(subject, key.id), &key.secret)
    }

    pub fn unwrap(&self, subject: &str, key_id: Uuid, wrapped: &[u8]) -> Result<DataKey, SealingError> {
        let secret = open_bytes(&self.0, &aad(subject, key_id), wrapped)
            .map_err(|_| SealingError::UnwrapFailed(subject.to_owned()))?;
        let secret: [u8; 32] = secret.try_into().map_err(|_| SealingError::UnwrapFailed(subject.to_owned()))?;
        Ok(DataKey { id: key_id, secret })
    }
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey(<redacted>)")
    }
}

/// A subject's data key.
#[derive(Clone)]
pub struct DataKey {
    pub id: Uuid,
    secret: [u8; 32],
}

impl DataKey {
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        Self { id: Uuid::new_v4(), secret }
    }

    /// Encrypts `plaintext` for `subject`; the result is base64 of nonce || ciphertext.
    pub fn seal(&self, subject: &str, plaintext: &[u8]) -> String {
        B64.encode(seal_bytes(&self.cipher(), &aad(subject, self.id), plaintext))
    }

    pub fn open(&self, subject: &str, sealed: &str) -> Result<Vec<u8>, SealingError> {
        let bytes = B64.decode(sealed).map_err(|_| SealingError::Malformed("data is not base64"))?;
        open_bytes(&self.cipher(), &aad(subject, self.id), &bytes)
            .map_err(|_| SealingError::Malformed("ciphertext does not authenticate"))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.secret.into())
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({}, <redacted>)", self.id)
    }
}

fn aad(subject: &str, key_id: Uuid) -> Vec<u8> {
    let mut aad = Vec::with_capacity(subject.len() + 16);
    aad.extend_from_slice(key_id.as_bytes());
    aad.extend_from_slice(subject.as_bytes());
    aad
}

fn seal_bytes(cipher: &XChaCha20Poly1305, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    // Encryption with a fresh 192-bit random nonce cannot fail for inputs under 256 GiB.
    let ciphertext = cipher.encrypt(&nonce, Payload { msg: plaintext, aad }).unwrap_or_default();
    out.extend_from_slice(&ciphertext);
    out
}

fn open_bytes(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, ()> {
    if sealed.len() < NONCE_LEN {
        return Err(());
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad }).map_err(|_| ())
}
