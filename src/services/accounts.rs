//! Real-name registration, authentication, sessions and password changes.

use chrono::Duration;
use diesel::QueryResult;
use diesel::result::Error as DbError;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::passwords::PasswordHasher;
use super::{Actor, audit};
use crate::db::sessions::{self as session_rows, NewSession, Session};
use crate::db::users::{self as user_rows, NewUser, User};
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
    #[error("该电子邮箱已注册")]
    EmailTaken,
    #[error("该公民身份号码已注册个人账号")]
    PersonTaken,
    #[error("该统一社会信用代码已注册")]
    OrganisationTaken,
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("无法计算密码哈希")]
    Hash,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Creates an unverified account. Stores the resident ID number only as a keyed hash and a
/// masked form; audits the registration without personal data.
pub fn register(
    conn: &mut DbConnection,
    reg: &Registration,
    hasher: &PasswordHasher,
    secrets: &Secrets,
    actor: &Actor,
) -> Result<User, RegisterError> {
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
    write_transaction(conn, |conn| {
        if user_rows::by_email(conn, reg.email.as_str())?.is_some() {
            return Err(RegisterError::EmailTaken);
        }
        match &reg.organisation {
            None => {
                if user_rows::individual_by_id_hash(conn, &id_hash)?.is_some() {
                    return Err(RegisterError::PersonTaken);
                }
            }
            Some((_, code)) => {
                if user_rows::organisation_by_credit_code(conn, code.as_str())?.is_some() {
                    return Err(RegisterError::OrganisationTaken);
                }
            }
        }
        let now = super::now();
        let user = user_rows::insert(
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
        )
        .map_err(|e| match crate::db::unique_violation(&e) {
            // Lost a race with a concurrent registration: say which value is taken.
            Some(c) if c.contains("one_per_person") || c.contains("id_number_hash") => {
                RegisterError::PersonTaken
            }
            Some(c) if c.contains("one_per_organisation") || c.contains("credit_code") => {
                RegisterError::OrganisationTaken
            }
            Some(_) => RegisterError::EmailTaken,
            None => RegisterError::Database(e),
        })?;
        audit::record(
            conn,
            actor,
            "account.register",
            &format!("user:{}", user.id),
            serde_json::json!({ "kind": kind.as_str() }),
        )?;
        Ok(user)
    })
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
            "login.failure",
            "user:unknown",
            serde_json::json!({}),
        )?;
        return Ok(LoginOutcome::Invalid);
    };
    let target = format!("user:{}", user.id);
    if !hasher.verify(password, &user.password_hash) {
        audit::record(conn, actor, "login.failure", &target, serde_json::json!({}))?;
        return Ok(LoginOutcome::Invalid);
    }
    if user.status == AccountStatus::Disabled {
        audit::record(
            conn,
            actor,
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
    actor: &Actor,
) -> QueryResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = super::now();
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
) -> QueryResult<Option<(Session, User)>> {
    let Some((session, user)) = session_rows::with_user(conn, &token_hash(token))? else {
        return Ok(None);
    };
    let now = super::now();
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
    actor: &Actor,
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        session_rows::delete(conn, user_id, session_id)?;
        audit::record(
            conn,
            actor,
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
    actor: &Actor,
) -> QueryResult<usize> {
    write_transaction(conn, |conn| {
        let n = session_rows::delete_for_user(conn, user_id)?;
        audit::record(
            conn,
            actor,
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
    actor: &Actor,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let ended = session_rows::delete(conn, user_id, session_id)?;
        if ended {
            audit::record(
                conn,
                actor,
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
        user_rows::set_password(conn, user.id, &hash, super::now())?;
        for s in session_rows::for_user(conn, user.id)? {
            if s.id != keep_session {
                session_rows::delete(conn, user.id, s.id)?;
            }
        }
        audit::record(
            conn,
            actor,
            "password.change",
            &format!("user:{}", user.id),
            serde_json::json!({}),
        )?;
        Ok(())
    })
}
