//! Logged-in sessions. The browser holds a random token inside the encrypted session cookie;
//! the database holds only its SHA-256.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{sessions, users};
use super::users::User;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i32,
    pub user_id: i32,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub user_agent: String,
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub user_id: i32,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub user_agent: &'a str,
}

pub fn insert(conn: &mut DbConnection, new: &NewSession<'_>) -> QueryResult<Session> {
    diesel::insert_into(sessions::table)
        .values(new)
        .returning(sessions::all_columns)
        .get_result(conn)
}

pub fn with_user(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(Session, User)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((Session::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(drop)
}

/// The user's sessions used since `since`, most recent first.
pub fn for_user_since(
    conn: &mut DbConnection,
    user_id: i32,
    since: NaiveDateTime,
) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::last_seen_at.ge(since))
        .order(sessions::last_seen_at.desc())
        .select(Session::as_select())
        .load(conn)
}

pub fn for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::last_seen_at.desc())
        .select(Session::as_select())
        .load(conn)
}

/// Deletes one of the user's sessions; returns whether it existed.
pub fn delete(conn: &mut DbConnection, user_id: i32, id: i32) -> QueryResult<bool> {
    diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

pub fn delete_for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

pub fn delete_idle(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::last_seen_at.lt(before))).execute(conn)
}
