//! Creating accounts (the command line's `user add`; registration comes with accounts).

use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DbError};

use super::Actor;
use super::passwords::PasswordHasher;
use crate::db::users::{self as rows, NewUser, User};
use crate::db::{DbConnection, departments, write_transaction};
use crate::domain::{AccountKind, AccountStatus, Email, Role, Slug};

pub struct NewAccount {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub department: Option<Slug>,
    pub password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    #[error("该电子邮箱已注册")]
    DuplicateEmail,
    #[error("部门“{0}”不存在")]
    UnknownDepartment(String),
    #[error("数据提供部门账号（publisher）必须指定所属部门")]
    PublisherNeedsDepartment,
    #[error("只有数据提供部门账号（publisher）可以指定所属部门")]
    DepartmentNotAllowed,
    #[error("{0}")]
    Password(#[from] crate::domain::password::PasswordError),
    #[error("无法计算密码哈希")]
    Hash,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Creates an account and records it in the audit log (without the e-mail address: the log
/// holds no personal data).
pub fn add_user(
    conn: &mut DbConnection,
    account: &NewAccount,
    hasher: &PasswordHasher,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<User, AddUserError> {
    crate::domain::password::check(&account.password, &[])?;
    match (account.role, &account.department) {
        (Role::Publisher, None) => return Err(AddUserError::PublisherNeedsDepartment),
        (Role::User | Role::Admin, Some(_)) => return Err(AddUserError::DepartmentNotAllowed),
        _ => {}
    }
    let hash = hasher
        .hash(&account.password)
        .map_err(|_| AddUserError::Hash)?;
    write_transaction(conn, |conn| {
        let department_id = match &account.department {
            Some(slug) => Some(
                departments::by_slug(conn, slug.as_str())?
                    .ok_or_else(|| AddUserError::UnknownDepartment(slug.to_string()))?
                    .id,
            ),
            None => None,
        };
        if rows::by_email(conn, account.email.as_str())?.is_some() {
            return Err(AddUserError::DuplicateEmail);
        }
        let user = rows::insert(
            conn,
            &NewUser {
                email: account.email.as_str(),
                display_name: &account.display_name,
                password_hash: &hash,
                role: account.role.as_str(),
                department_id,
                created_at: now,
                kind: AccountKind::Individual.as_str(),
                // Staff accounts are created by an operator who knows who they are.
                status: AccountStatus::Verified.as_str(),
                password_changed_at: Some(now),
                ..NewUser::default()
            },
        )
        .map_err(|e| match e {
            DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AddUserError::DuplicateEmail
            }
            e => AddUserError::Database(e),
        })?;
        super::audit::record(
            conn,
            actor,
            now,
            "user.create",
            &format!("user:{}", user.id),
            serde_json::json!({ "role": account.role.as_str(), "department_id": department_id }),
        )?;
        Ok(user)
    })
}
