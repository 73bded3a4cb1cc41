//! Passwords: the policy they must meet, and argon2id hashing and verification.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::{PasswordHash, ValidationError};
use rand::rngs::OsRng;

use crate::CommandError;

const FIELD: &str = "password";
const MIN_CHARS: usize = 10;
/// Long passphrases are welcome; the cap only stops megabyte "passwords" from costing CPU.
const MAX_CHARS: usize = 256;

/// OWASP's argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Refuses passwords shorter than 10 or longer than 256 characters. Length is what makes a
/// password strong; composition rules only make it harder to remember (NIST SP 800-63B).
pub(crate) fn check_policy(password: &str) -> Result<(), ValidationError> {
    let len = password.chars().count();
    if len == 0 {
        return Err(ValidationError::Empty { field: FIELD });
    }
    if len < MIN_CHARS {
        return Err(ValidationError::Malformed { field: FIELD, reason: "must be at least 10 characters" });
    }
    if len > MAX_CHARS {
        return Err(ValidationError::TooLong { field: FIELD, max: MAX_CHARS, actual: len });
    }
    Ok(())
}

fn argon2id() -> Result<Argon2<'static>, CommandError> {
    let params =
        Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| CommandError::PasswordHashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes on the blocking pool: tens of milliseconds of CPU must not stall the async workers.
pub(crate) async fn hash_password(password: String) -> Result<PasswordHash, CommandError> {
    let phc = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2id()?
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| CommandError::PasswordHashing(e.to_string()))
    })
    .await
    .map_err(|e| CommandError::PasswordHashing(e.to_string()))??;
    Ok(PasswordHash::from_phc(&phc)?)
}

/// Whether `password` matches the argon2id hash `phc`, with the parameters recorded in it, so
/// hashes made under older parameters still verify. A malformed hash matches nothing.
///
/// CPU-bound (tens of milliseconds): call it from `spawn_blocking` in async code.
pub fn verify_password(phc: &str, password: &str) -> bool {
    argon2::PasswordHash::new(phc)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Like [`verify_password`], but spends the same effort when there is no hash to check, so the
/// clock cannot tell "no such user" from "wrong password".
pub(crate) fn verify_with_equal_effort(phc: Option<&str>, password: &str) -> bool {
    match phc {
        Some(phc) => verify_password(phc, password),
        None => {
            let _ = verify_password(decoy_hash(), password);
            false
        }
    }
}

/// A hash with the same parameters as real ones, of a password nobody knows.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2id()
            .ok()
            .and_then(|argon2| argon2.hash_password(salt.as_str().as_bytes(), &salt).ok())
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_of_10_to_256_characters_pass() {
        assert!(check_policy(&"x".repeat(10)).is_ok());
        assert!(check_policy(&"é".repeat(256)).is_ok());
        assert!(check_policy(&"x".repeat(9)).is_err());
        assert!(check_policy(&"x".repeat(257)).is_err());
        assert_eq!(check_policy("").unwrap_err().field(), "password");
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(hash.as_str(), "correct horse battery"));
        assert!(!verify_password(hash.as_str(), "correct horse battery!"));
        assert!(!verify_password("not a hash", "correct horse battery"));
    }
}
