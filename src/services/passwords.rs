//! Argon2id password hashing. `Cost::Fast` exists for tests only: hashing with the standard
//! parameters takes ~25 ms, which a test suite that logs in hundreds of times would feel.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    Standard,
    Fast,
}

#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash to verify against when the account does not exist, so that an unknown e-mail
    /// address takes as long as a wrong password.
    dummy: String,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password")]
pub struct HashError;

impl PasswordHasher {
    pub fn new(cost: Cost) -> Self {
        let params = match cost {
            Cost::Standard => Params::default(),
            Cost::Fast => Params::new(256, 1, 1, None).unwrap_or_default(),
        };
        let mut h = Self {
            params,
            dummy: String::new(),
        };
        h.dummy = h.hash("an account that does not exist").unwrap_or_default();
        h
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let salt = SaltString::encode_b64(&bytes).map_err(|_| HashError)?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| HashError)
    }

    /// Verifies with the parameters stored in the hash itself.
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// Spends the time of one verification (for unknown accounts).
    pub fn waste_time(&self, password: &str) {
        let _ = self.verify(password, &self.dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let h = PasswordHasher::new(Cost::Fast);
        let a = h.hash("晴天-合肥-2026").unwrap();
        let b = h.hash("晴天-合肥-2026").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(h.verify("晴天-合肥-2026", &a));
        assert!(!h.verify("晴天-合肥-2027", &a));
        assert!(!h.verify("x", "not a hash"));
        let standard = PasswordHasher::new(Cost::Standard).hash("p").unwrap();
        assert!(
            h.verify("p", &standard),
            "verification reads the parameters from the hash"
        );
    }
}
