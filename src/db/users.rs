//! Accounts. Passwords are stored only as Argon2id hashes, resident ID numbers only as a keyed
//! hash and a masked form.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{DbConnection, lower};
use crate::domain::{AccountKind, AccountStatus, Role};

#[derive(Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    #[diesel(deserialize_as = String)]
    pub role: Role,
    pub department_id: Option<i32>,
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub kind: AccountKind,
    #[diesel(deserialize_as = String)]
    pub status: AccountStatus,
    pub real_name: Option<String>,
    pub mobile: Option<String>,
    pub id_number_hash: Option<String>,
    pub id_number_masked: Option<String>,
    pub org_name: Option<String>,
    pub credit_code: Option<String>,
    pub password_changed_at: Option<NaiveDateTime>,
}

/// Shows the id and role only: no e-mail address, name or password hash in any log line.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .field("department_id", &self.department_id)
            .finish_non_exhaustive()
    }
}

#[derive(Insertable, Default)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub department_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub kind: &'a str,
    pub status: &'a str,
    pub real_name: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub id_number_hash: Option<&'a str>,
    pub id_number_masked: Option<&'a str>,
    pub org_name: Option<&'a str>,
    pub credit_code: Option<&'a str>,
    pub password_changed_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The individual account holding this keyed ID-number hash, if any.
pub fn individual_by_id_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::kind.eq(AccountKind::Individual.as_str()))
        .filter(users::id_number_hash.eq(hash))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn organisation_by_credit_code(
    conn: &mut DbConnection,
    code: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::kind.eq(AccountKind::Organisation.as_str()))
        .filter(users::credit_code.eq(code))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A page of accounts matching `text` (e-mail, name or organisation) and `role`, newest first.
pub fn search(
    conn: &mut DbConnection,
    text: Option<&str>,
    role: Option<Role>,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<User>)> {
    let filtered = || {
        let mut q = users::table.into_boxed();
        if let Some(t) = text {
            // The same on both back-ends: ASCII case folded, wildcards dropped.
            let pat = format!("%{}%", t.to_ascii_lowercase().replace(['%', '_', '\\'], ""));
            q = q.filter(
                lower(users::email)
                    .like(pat.clone())
                    .or(lower(users::display_name).like(pat.clone()))
                    .or(lower(users::org_name.assume_not_null()).like(pat)),
            );
        }
        if let Some(r) = role {
            q = q.filter(users::role.eq(r.as_str()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(users::id.desc())
        .limit(limit)
        .offset(offset)
        .select(User::as_select())
        .load(conn)?;
    Ok((total, rows))
}

pub fn set_role(
    conn: &mut DbConnection,
    id: i32,
    role: Role,
    department_id: Option<i32>,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(role.as_str()),
            users::department_id.eq(department_id),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_status(conn: &mut DbConnection, id: i32, status: AccountStatus) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::status.eq(status.as_str()))
        .execute(conn)
        .map(drop)
}

pub fn set_password(
    conn: &mut DbConnection,
    id: i32,
    hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn count_with_status(conn: &mut DbConnection, status: AccountStatus) -> QueryResult<i64> {
    users::table
        .filter(users::status.eq(status.as_str()))
        .count()
        .get_result(conn)
}
