//! Real-name registration, authentication, sessions and password changes.

use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;
use diesel::result::Error as DbError;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::notices::{Letter, Notice, text};
use super::passwords::PasswordHasher;
use super::{Actor, audit};
pub use crate::db::sessions::Session;
use crate::db::sessions::{self as session_rows, NewSession};
pub use crate::db::users::User;
use crate::db::users::{self as user_rows, NewUser};
use crate::db::{DbConnection, write_transaction};
use crate::domain::password::{self, PasswordError};
use crate::domain::{AccountKind, AccountStatus, CreditCode, Email, Mobile, ResidentId, Role};
use crate::secrets::Secrets;

/// A registration whose values have been parsed.
pub struct Registration {
    pub email: Email,
    pub password: String,
    /// The person's name (the contact person's, for an organisation).
    pub real_name: String,
    pub id_number: ResidentId,
    pub mobile: Mobile,
    /// For an organisation: its name and unified social credit code.
    pub organisation: Option<(String, CreditCode)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("无法计算密码哈希")]
    Hash,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// What became of a registration. The person registering is told the same in both cases
/// (whether an e-mail address, a resident ID number or a credit code already holds an account
/// is nobody's business but the account's); the difference goes out by mail.
#[derive(Debug)]
pub enum Registered {
    /// A new, unverified account; its owner was sent a welcome message.
    Created(Box<User>),
    /// A value belongs to an existing account: nothing was created, and each owner concerned
    /// was told by mail (and in their inbox) that someone tried.
    Refused,
}

/// A value of the registration that an existing account holds already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    Email,
    IdNumber,
    CreditCode,
}

impl Taken {
    fn field(self) -> &'static str {
        match self {
            Taken::Email => "email",
            Taken::IdNumber => "id_number",
            Taken::CreditCode => "credit_code",
        }
    }

    /// The message naming what is taken ("您的电子邮箱").
    fn described(self) -> &'static str {
        match self {
            Taken::Email => "account-mail-taken-email",
            Taken::IdNumber => "account-mail-taken-id-number",
            Taken::CreditCode => "account-mail-taken-credit-code",
        }
    }
}

/// The existing accounts that hold one of the registration's values, each with what it holds.
fn owners_of(
    conn: &mut DbConnection,
    reg: &Registration,
    id_hash: &str,
) -> QueryResult<Vec<(i32, Vec<Taken>)>> {
    let mut found: Vec<(i32, Taken)> = Vec::new();
    if let Some(u) = user_rows::by_email(conn, reg.email.as_str())? {
        found.push((u.id, Taken::Email));
    }
    match &reg.organisation {
        None => {
            if let Some(u) = user_rows::individual_by_id_hash(conn, id_hash)? {
                found.push((u.id, Taken::IdNumber));
            }
        }
        Some((_, code)) => {
            if let Some(u) = user_rows::organisation_by_credit_code(conn, code.as_str())? {
                found.push((u.id, Taken::CreditCode));
            }
        }
    }
    let mut owners: Vec<(i32, Vec<Taken>)> = Vec::new();
    for (id, what) in found {
        match owners.iter_mut().find(|(o, _)| *o == id) {
            Some((_, list)) => list.push(what),
            None => owners.push((id, vec![what])),
        }
    }
    Ok(owners)
}

/// Tells each owner that someone tried to register with their details, and audits the attempt
/// (the account concerned and which fields, never the values).
fn refuse(
    conn: &mut DbConnection,
    owners: &[(i32, Vec<Taken>)],
    kind: AccountKind,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<()> {
    for (user_id, taken) in owners {
        Notice::new(actor, |lang| {
            let what = taken
                .iter()
                .map(|t| lang.t(t.described()))
                .collect::<Vec<_>>()
                .join(&lang.t("account-mail-taken-and"));
            Letter {
                subject: lang.t("account-mail-taken-subject"),
                body: format!(
                    "{}\n\n{}\n{}",
                    text(lang, "account-mail-taken-body", &[("what", &what)]),
                    lang.t("account-mail-taken-if-you"),
                    lang.t("account-mail-taken-if-not-you"),
                ),
            }
        })
        .send(conn, *user_id, "/login", now)?;
        audit::record(
            conn,
            actor,
            now,
            "account.register.duplicate",
            &format!("user:{user_id}"),
            serde_json::json!({
                "kind": kind.as_str(),
                "fields": taken.iter().map(|t| t.field()).collect::<Vec<_>>(),
            }),
        )?;
    }
    Ok(())
}

/// Why a registration's transaction did not commit.
enum Aborted {
    /// Lost a race with a concurrent registration of the same values: a unique index refused
    /// the row (the transaction is spoilt on PostgreSQL; the owners are told in a new one).
    Raced(DbError),
    Database(DbError),
}

impl From<DbError> for Aborted {
    fn from(e: DbError) -> Self {
        Aborted::Database(e)
    }
}

/// Creates an unverified account, or, when the e-mail address, the resident ID number (of a
/// person) or the credit code (of an organisation) already holds an account, creates nothing
/// and tells that account's owner by mail. Both take about as long (the password is hashed
/// either way) and the caller answers both alike. Stores the resident ID number only as a
/// keyed hash and a masked form; audits the registration without personal data.
pub fn register(
    conn: &mut DbConnection,
    reg: &Registration,
    hasher: &PasswordHasher,
    secrets: &Secrets,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Registered, RegisterError> {
    password::check(
        &reg.password,
        &[reg.id_number.expose(), reg.mobile.as_str()],
    )?;
    let hash = hasher
        .hash(&reg.password)
        .map_err(|_| RegisterError::Hash)?;
    let id_hash = secrets.id_number_hash(&reg.id_number);
    let id_masked = reg.id_number.masked();
    let kind = if reg.organisation.is_some() {
        AccountKind::Organisation
    } else {
        AccountKind::Individual
    };
    let display_name = match &reg.organisation {
        Some((name, _)) => name.clone(),
        None => reg.real_name.clone(),
    };
    let attempt = write_transaction(conn, |conn| {
        let owners = owners_of(conn, reg, &id_hash)?;
        if !owners.is_empty() {
            refuse(conn, &owners, kind, now, actor)?;
            return Ok(Registered::Refused);
        }
        let inserted = user_rows::insert(
            conn,
            &NewUser {
                email: reg.email.as_str(),
                display_name: &display_name,
                password_hash: &hash,
                role: Role::User.as_str(),
                department_id: None,
                created_at: now,
                kind: kind.as_str(),
                status: AccountStatus::Unverified.as_str(),
                real_name: Some(&reg.real_name),
                mobile: Some(reg.mobile.as_str()),
                id_number_hash: Some(&id_hash),
                id_number_masked: Some(&id_masked),
                org_name: reg.organisation.as_ref().map(|(n, _)| n.as_str()),
                credit_code: reg.organisation.as_ref().map(|(_, c)| c.as_str()),
                password_changed_at: Some(now),
            },
        );
        let user = match inserted {
            Ok(user) => user,
            Err(e) if crate::db::unique_violation(&e).is_some() => {
                return Err(Aborted::Raced(e));
            }
            Err(e) => return Err(Aborted::Database(e)),
        };
        audit::record(
            conn,
            actor,
            now,
            "account.register",
            &format!("user:{}", user.id),
            serde_json::json!({ "kind": kind.as_str() }),
        )?;
        Notice::new(actor, |lang| Letter {
            subject: lang.t("account-mail-welcome-subject"),
            body: format!(
                "{}\n{}",
                lang.t("account-mail-welcome-body"),
                lang.t("account-mail-welcome-not-you")
            ),
        })
        .send(conn, user.id, "/login", now)?;
        Ok(Registered::Created(Box::new(user)))
    });
    match attempt {
        Ok(done) => Ok(done),
        Err(Aborted::Database(e)) => Err(RegisterError::Database(e)),
        Err(Aborted::Raced(e)) => write_transaction(conn, |conn| {
            let owners = owners_of(conn, reg, &id_hash)?;
            if owners.is_empty() {
                // The other registration did not commit after all: report the refusal.
                return Err(RegisterError::Database(e));
            }
            refuse(conn, &owners, kind, now, actor)?;
            Ok(Registered::Refused)
        }),
    }
}

pub enum LoginOutcome {
    Success(Box<User>),
    /// Unknown e-mail or wrong password: the same answer for both.
    Invalid,
    /// Right password, but an administrator disabled the account.
    Disabled,
}

/// Checks an e-mail address and password; records the attempt in the audit log.
pub fn authenticate(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
    hasher: &PasswordHasher,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<LoginOutcome> {
    let user = match Email::parse(email) {
        Ok(e) => user_rows::by_email(conn, e.as_str())?,
        Err(_) => None,
    };
    let Some(user) = user else {
        hasher.waste_time(password);
        audit::record(
            conn,
            actor,
            now,
            "login.failure",
            "user:unknown",
            serde_json::json!({}),
        )?;
        return Ok(LoginOutcome::Invalid);
    };
    let target = format!("user:{}", user.id);
    if !hasher.verify(password, &user.password_hash) {
        audit::record(
            conn,
            actor,
            now,
            "login.failure",
            &target,
            serde_json::json!({}),
        )?;
        return Ok(LoginOutcome::Invalid);
    }
    if user.status == AccountStatus::Disabled {
        audit::record(
            conn,
            actor,
            now,
            "login.refused",
            &target,
            serde_json::json!({"reason": "disabled"}),
        )?;
        return Ok(LoginOutcome::Disabled);
    }
    Ok(LoginOutcome::Success(Box::new(user)))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session for a user who has just authenticated; returns the token for the cookie.
pub fn start_session(
    conn: &mut DbConnection,
    user: &User,
    user_agent: &str,
    replaces: Option<i32>,
    idle_days: i64,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let agent: String = user_agent.chars().take(200).collect();
    write_transaction(conn, |conn| {
        // Sessions nobody used for `idle_days` are over; a login on top of a session ends it.
        session_rows::delete_idle(conn, now - Duration::days(idle_days))?;
        if let Some(old) = replaces {
            session_rows::delete(conn, user.id, old)?;
        }
        session_rows::insert(
            conn,
            &NewSession {
                user_id: user.id,
                token_hash: &token_hash(&token),
                created_at: now,
                last_seen_at: now,
                user_agent: &agent,
            },
        )?;
        audit::record(
            conn,
            actor,
            now,
            "login.success",
            &format!("user:{}", user.id),
            serde_json::json!({}),
        )?;
        Ok(token)
    })
}

/// The user behind a session token, if the session is live and the account not disabled.
/// Refreshes `last_seen_at` at most once a minute.
pub fn session_user(
    conn: &mut DbConnection,
    token: &str,
    idle_days: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<(Session, User)>> {
    let Some((session, user)) = session_rows::with_user(conn, &token_hash(token))? else {
        return Ok(None);
    };
    if now - session.last_seen_at > Duration::days(idle_days)
        || user.status == AccountStatus::Disabled
    {
        session_rows::delete(conn, user.id, session.id)?;
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        session_rows::touch(conn, session.id, now)?;
    }
    Ok(Some((session, user)))
}

pub fn logout(
    conn: &mut DbConnection,
    user_id: i32,
    session_id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        session_rows::delete(conn, user_id, session_id)?;
        audit::record(
            conn,
            actor,
            now,
            "logout",
            &format!("user:{user_id}"),
            serde_json::json!({}),
        )?;
        Ok(())
    })
}

/// Ends every session of the user, this one included.
pub fn logout_everywhere(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<usize> {
    write_transaction(conn, |conn| {
        let n = session_rows::delete_for_user(conn, user_id)?;
        audit::record(
            conn,
            actor,
            now,
            "logout.everywhere",
            &format!("user:{user_id}"),
            serde_json::json!({ "sessions": n }),
        )?;
        Ok(n)
    })
}

/// Ends one of the user's other sessions.
pub fn end_session(
    conn: &mut DbConnection,
    user_id: i32,
    session_id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let ended = session_rows::delete(conn, user_id, session_id)?;
        if ended {
            audit::record(
                conn,
                actor,
                now,
                "session.end",
                &format!("user:{user_id}"),
                serde_json::json!({ "session": session_id }),
            )?;
        }
        Ok(ended)
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error("当前密码不正确")]
    WrongCurrent,
    #[error("{0}")]
    Policy(#[from] PasswordError),
    #[error("新密码不能与当前密码相同")]
    Same,
    #[error("无法计算密码哈希")]
    Hash,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Changes the password after checking the current one; ends the user's other sessions.
/// A password change as the person asked for it.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    /// The session the change is made from: it stays; the others end.
    pub keep_session: i32,
}

pub fn change_password(
    conn: &mut DbConnection,
    user: &User,
    change: &PasswordChange<'_>,
    hasher: &PasswordHasher,
    secrets: &Secrets,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ChangePasswordError> {
    let (current, new, keep_session) = (change.current, change.new, change.keep_session);
    if !hasher.verify(current, &user.password_hash) {
        return Err(ChangePasswordError::WrongCurrent);
    }
    if current == new {
        return Err(ChangePasswordError::Same);
    }
    let personal: Vec<&str> = user.mobile.iter().map(String::as_str).collect();
    password::check(new, &personal)?;
    // The ID number itself is not stored: any 18 characters of the new password that read as
    // an ID number are hashed with the same key and compared with the stored hash.
    if let Some(stored) = &user.id_number_hash {
        let chars: Vec<char> = new.chars().collect();
        let contains_id = chars.windows(18).any(|w| {
            ResidentId::parse(&w.iter().collect::<String>())
                .is_ok_and(|id| secrets.id_number_hash(&id) == *stored)
        });
        if contains_id {
            return Err(ChangePasswordError::Policy(PasswordError::Personal));
        }
    }
    let hash = hasher.hash(new).map_err(|_| ChangePasswordError::Hash)?;
    write_transaction(conn, |conn| {
        user_rows::set_password(conn, user.id, &hash, now)?;
        for s in session_rows::for_user(conn, user.id)? {
            if s.id != keep_session {
                session_rows::delete(conn, user.id, s.id)?;
            }
        }
        audit::record(
            conn,
            actor,
            now,
            "password.change",
            &format!("user:{}", user.id),
            serde_json::json!({}),
        )?;
        Ok(())
    })
}

/// The name of a user's department, for the account page.
pub fn department_name(conn: &mut DbConnection, department_id: i32) -> QueryResult<String> {
    Ok(crate::db::departments::by_id(conn, department_id)?.name)
}

/// A user's sessions used since `since` (the devices page).
pub fn sessions_since(
    conn: &mut DbConnection,
    user_id: i32,
    since: chrono::NaiveDateTime,
) -> QueryResult<Vec<Session>> {
    session_rows::for_user_since(conn, user_id, since)
}
