//! Keys the commands need besides the event store's own.

use std::fmt;

use domain::{EmailAddress, EmailClaim};
use eventstore::StreamId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Secrets of the write side, from configuration. They never print.
#[derive(Clone)]
pub struct Secrets {
    /// Keys the email-claim stream ids. It must stay the same for the life of the data: a new
    /// key would give every address a new stream, and let an address be registered twice.
    pub email_lookup_key: [u8; 32],
}

impl Secrets {
    pub fn new(email_lookup_key: [u8; 32]) -> Self {
        Self { email_lookup_key }
    }

    /// The id of `email`'s claim stream: hex HMAC-SHA256 of the normalized address.
    ///
    /// Keyed, not a plain hash: stream ids are stored in clear (and are not sealed or shredded),
    /// and a plain SHA-256 of an email is reversed by hashing a list of likely addresses.
    /// Without the key, the id says nothing about the address; with it, equal addresses still
    /// meet in one stream, which is what makes them unique.
    pub fn email_claim_id(&self, email: &EmailAddress) -> String {
        hex::encode(self.keyed_hash(email.as_str().as_bytes()))
    }

    /// The stream in which `email` is claimed; its owner is the user who may sign in with it.
    pub fn email_claim_stream(&self, email: &EmailAddress) -> StreamId {
        StreamId::new(<EmailClaim as domain::Decide>::TYPE, self.email_claim_id(email))
    }

    fn keyed_hash(&self, message: &[u8]) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.email_lookup_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> EmailAddress {
        EmailAddress::parse(raw).unwrap()
    }

    #[test]
    fn equal_addresses_share_a_claim_and_keys_separate_them() {
        let a = Secrets::new([1; 32]);
        let b = Secrets::new([2; 32]);
        let ada = email("Ada@Example.com");
        assert_eq!(a.email_claim_id(&ada), a.email_claim_id(&email("ada@example.com")));
        assert_ne!(a.email_claim_id(&ada), b.email_claim_id(&ada));
        assert_eq!(a.email_claim_id(&ada).len(), 64);
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", Secrets::new([1; 32])), "Secrets(<redacted>)");
    }
}
