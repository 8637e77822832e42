//! API keys: `kf_` followed by 40 random characters, shown once; stored as a SHA-256 hash with
//! the first characters kept visible so people can tell their keys apart.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::{Actor, audit};
pub use crate::db::api_keys::ApiKey;
use crate::db::api_keys::{self as rows, NewApiKey};
use crate::db::users::User;
use crate::db::{DbConnection, write_transaction};
use crate::domain::AccountStatus;

const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
pub const PREFIX: &str = "kf_";
const RANDOM_CHARS: usize = 40;
pub const MAX_NAME_CHARS: usize = 50;

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Whether a presented string has the shape of one of our keys (checked before any lookup).
pub fn well_formed(key: &str) -> bool {
    key.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == RANDOM_CHARS && rest.bytes().all(|b| ALPHABET.contains(&b))
    })
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("请填写密钥名称（最多 {MAX_NAME_CHARS} 个字）")]
    Name,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Creates a key; returns the row and the key itself, which is never shown again.
pub fn create(
    conn: &mut DbConnection,
    user_id: i32,
    name: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(ApiKey, String), KeyError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(KeyError::Name);
    }
    let mut rng = rand::rng();
    let random: String = (0..RANDOM_CHARS)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    let key = format!("{PREFIX}{random}");
    let prefix = format!("{}…", &key[..PREFIX.len() + 6]);
    let row = write_transaction(conn, |conn| {
        let row = rows::insert(
            conn,
            &NewApiKey {
                user_id,
                name,
                prefix: &prefix,
                key_hash: &hash(&key),
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            actor,
            now,
            "api_key.create",
            &format!("api_key:{}", row.id),
            serde_json::json!({ "user": user_id }),
        )?;
        Ok::<_, diesel::result::Error>(row)
    })?;
    Ok((row, key))
}

/// Revokes one of the user's keys; false when there is no such live key of theirs.
pub fn revoke(
    conn: &mut DbConnection,
    user_id: i32,
    key_id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let Some(key) = rows::revoke(conn, user_id, key_id, now)? else {
            return Ok(false);
        };
        audit::record(
            conn,
            actor,
            now,
            "api_key.revoke",
            &format!("api_key:{}", key.id),
            serde_json::json!({ "user": user_id }),
        )?;
        Ok(true)
    })
}

/// The user a presented key belongs to, if the key is live and the account not disabled.
pub fn authenticate(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<User>> {
    Ok(authenticate_key(conn, key, now)?.map(|(_, user)| user))
}

/// As [`authenticate`], with the key's row (its id and rate-limit tier).
pub fn authenticate_key(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(ApiKey, User)>> {
    if !well_formed(key) {
        return Ok(None);
    }
    let Some((row, user)) = rows::live_with_user(conn, &hash(key))? else {
        return Ok(None);
    };
    if user.status == AccountStatus::Disabled {
        return Ok(None);
    }
    if row
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        rows::touch(conn, row.id, now)?;
    }
    Ok(Some((row, user)))
}

/// The rate-limit tiers a key can have.
pub const TIERS: [&str; 2] = ["registered", "partner"];

/// An administrator sets a key's tier; the id of the key's owner, or `None` when there is no
/// such key or tier.
pub fn set_tier(
    conn: &mut DbConnection,
    key_id: i32,
    tier: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<Option<i32>> {
    if !TIERS.contains(&tier) {
        return Ok(None);
    }
    write_transaction(conn, |conn| {
        let Some(key) = rows::set_tier(conn, key_id, tier)? else {
            return Ok(None);
        };
        audit::record(
            conn,
            actor,
            now,
            "api_key.tier",
            &format!("api_key:{}", key.id),
            serde_json::json!({ "user": key.user_id, "tier": tier }),
        )?;
        Ok(Some(key.user_id))
    })
}

pub fn list(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<ApiKey>> {
    rows::for_user(conn, user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_its_own_key_shape() {
        assert!(well_formed(&format!("kf_{}", "A".repeat(40))));
        assert!(!well_formed(&format!("kf_{}", "A".repeat(39))));
        assert!(
            !well_formed(&format!("kf_{}", "0".repeat(40))),
            "0 is not in the alphabet"
        );
        assert!(!well_formed("Bearer kf_x"));
        assert!(!well_formed(""));
    }
}
