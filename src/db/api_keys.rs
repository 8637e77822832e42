//! API keys: stored as a SHA-256 hash with a visible prefix; revoked keys stay for the record.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{api_keys, users};
use super::users::User;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// `registered` or `partner` (rate-limit tier).
    pub tier: String,
}

#[derive(Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub user_id: i32,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewApiKey<'_>) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values(new)
        .returning(api_keys::all_columns)
        .get_result(conn)
}

pub fn for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<ApiKey>> {
    api_keys::table
        .filter(api_keys::user_id.eq(user_id))
        .order(api_keys::id.desc())
        .select(ApiKey::as_select())
        .load(conn)
}

/// A live (not revoked) key with this hash, and its owner.
pub fn live_with_user(
    conn: &mut DbConnection,
    key_hash: &str,
) -> QueryResult<Option<(ApiKey, User)>> {
    api_keys::table
        .inner_join(users::table)
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select((ApiKey::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// Revokes one of the user's live keys; returns the key when one was revoked.
pub fn revoke(
    conn: &mut DbConnection,
    user_id: i32,
    id: i32,
    at: NaiveDateTime,
) -> QueryResult<Option<ApiKey>> {
    diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::user_id.eq(user_id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(Some(at)))
    .returning(api_keys::all_columns)
    .get_result(conn)
    .optional()
}

pub fn touch(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(Some(at)))
        .execute(conn)
        .map(drop)
}

/// Sets a key's rate-limit tier; returns the key when there is one with this id.
pub fn set_tier(conn: &mut DbConnection, id: i32, tier: &str) -> QueryResult<Option<ApiKey>> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::tier.eq(tier))
        .returning(api_keys::all_columns)
        .get_result(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}
