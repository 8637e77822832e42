//! The portal's secrets: one master key (from settings, or generated once into
//! `data_dir/secret.key`), from which separate keys are derived for the session cookie and for
//! the keyed hash of resident ID numbers. All instances behind a load balancer need the same
//! master key (`KAIFANG_AUTH__SECRET_KEY`).

use std::path::Path;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Sha256, Sha512};

pub struct Secrets {
    session_key: [u8; 64],
    id_hash_key: [u8; 32],
    column_hash_key: [u8; 32],
}

/// Never print key material.
impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("auth.secret_key must be at least 128 hexadecimal characters (64 bytes)")]
    TooShort,
    #[error("auth.secret_key is not hexadecimal")]
    NotHex,
    #[error("cannot read or create {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

/// HMAC-SHA256 of the parts, in order, under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    #[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA512 of the parts, in order, under `key`.
fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    #[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn derive<const N: usize>(master: &[u8], label: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let mut counter = 0u8;
    let mut filled = 0;
    while filled < N {
        let block = hmac_sha512(master, &[label.as_bytes(), &[counter]]);
        let take = (N - filled).min(block.len());
        out[filled..filled + take].copy_from_slice(&block[..take]);
        filled += take;
        counter += 1;
    }
    out
}

impl Secrets {
    pub fn from_master(master: &[u8]) -> Result<Self, SecretsError> {
        if master.len() < 64 {
            return Err(SecretsError::TooShort);
        }
        Ok(Self {
            session_key: derive(master, "kaifang session cookie"),
            id_hash_key: derive(master, "kaifang resident id hash"),
            column_hash_key: derive(master, "kaifang published column hash"),
        })
    }

    /// The configured key (hex), or the key file in the data directory, created on first use
    /// with permissions 0600.
    pub fn load(configured: &str, data_dir: &Path) -> Result<Self, SecretsError> {
        let configured = configured.trim();
        if !configured.is_empty() {
            let bytes = hex::decode(configured).map_err(|_| SecretsError::NotHex)?;
            return Self::from_master(&bytes);
        }
        let path = data_dir.join("secret.key");
        let io = |source| SecretsError::File {
            path: path.display().to_string(),
            source,
        };
        if let Ok(text) = std::fs::read_to_string(&path) {
            let bytes = hex::decode(text.trim()).map_err(|_| SecretsError::NotHex)?;
            return Self::from_master(&bytes);
        }
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let mut master = [0u8; 64];
        rand::rng().fill_bytes(&mut master);
        write_private(&path, hex::encode(master).as_bytes()).map_err(io)?;
        Self::from_master(&master)
    }

    pub fn session_key(&self) -> &[u8; 64] {
        &self.session_key
    }

    /// The key of the keyed hash that replaces personal data in a published column (so it
    /// still joins across datasets of this portal but cannot be reversed by guessing).
    pub fn column_hash_key(&self) -> [u8; 32] {
        self.column_hash_key
    }

    /// HMAC-SHA256 of a resident ID number: the same number always gives the same value (so a
    /// second account can be refused), but the number cannot be recovered without the key.
    pub fn id_number_hash(&self, id: &crate::domain::ResidentId) -> String {
        hex::encode(hmac_sha256(&self.id_hash_key, &[id.expose().as_bytes()]))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ResidentId;

    #[test]
    fn keys_are_derived_apart_and_the_file_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Secrets::load("", dir.path()).unwrap();
        let b = Secrets::load("", dir.path()).unwrap();
        assert_eq!(a.session_key, b.session_key, "the key file is reused");
        assert_ne!(&a.session_key[..32], &a.id_hash_key[..]);
        let id = ResidentId::parse("11010519491231002X").unwrap();
        let h = a.id_number_hash(&id);
        assert_eq!(h, b.id_number_hash(&id));
        assert_eq!(h.len(), 64);
        assert!(!h.contains("11010519491231002X"));
        let other = Secrets::from_master(&[7u8; 64]).unwrap();
        assert_ne!(other.id_number_hash(&id), h, "another key, another hash");
        assert!(Secrets::load("abcd", dir.path()).is_err());
        assert!(Secrets::load("zz", dir.path()).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
