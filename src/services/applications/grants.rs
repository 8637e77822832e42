//! Grants: whether one allows use now, counted uses against its quota, and revocation.

use super::{ApplicationError, Grant, Notice, may_review, record_and_tell, text, words};
use crate::db::DbConnection;
use crate::db::applications as rows;
use crate::db::datasets as dataset_rows;
use crate::db::users::User;
use crate::db::write_transaction;
use crate::services::Actor;
use crate::services::audit;
use chrono::Duration;
use chrono::NaiveDateTime;
use diesel::result::Error as DbError;
use serde_json::json;

/// Why a user may not obtain a conditional dataset's data now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    NoGrant,
    /// A grant for the other channel (download or API) only.
    OtherMode(String),
    Revoked(String),
    Expired(NaiveDateTime),
    Exhausted(i32),
}

impl Denial {
    pub fn message(&self) -> String {
        match self {
            Denial::NoGrant => {
                "本数据为有条件开放数据，需提交开放申请并经数据提供部门批准后，在授权范围内获取。"
                    .into()
            }
            Denial::OtherMode(mode) => format!(
                "您的授权仅限{}，不包括这种获取方式；如需请另行申请。",
                if mode == "api" {
                    "接口调用"
                } else {
                    "下载文件"
                }
            ),
            Denial::Revoked(reason) => format!("您的授权已被撤销：{reason}"),
            Denial::Expired(at) => format!(
                "您的授权已于 {} 到期，如需继续使用请重新申请。",
                (*at + Duration::hours(8)).format("%Y-%m-%d %H:%M")
            ),
            Denial::Exhausted(quota) => {
                format!("您的授权次数（{quota} 次）已用完，如需继续使用请重新申请。")
            }
        }
    }
}

/// Whether a grant allows use at `now`.
pub fn check(g: &Grant, now: NaiveDateTime) -> Result<(), Denial> {
    if let Some(reason) = g.revoked_at.and(g.revoked_reason.clone()) {
        return Err(Denial::Revoked(reason));
    }
    if now < g.valid_from || now >= g.valid_until {
        return Err(Denial::Expired(g.valid_until));
    }
    if let Some(q) = g.quota
        && g.used >= q
    {
        return Err(Denial::Exhausted(q));
    }
    Ok(())
}

/// The grant under which `user_id` may obtain the dataset's data now through `mode`
/// (`download` or `api`), or why not: the newest usable grant, else the reason the newest grant
/// of that mode fails.
pub fn usable_grant(
    conn: &mut DbConnection,
    user_id: i32,
    dataset_id: i32,
    mode: &str,
    now: NaiveDateTime,
) -> Result<Result<Grant, Denial>, DbError> {
    let all = rows::grants_of(conn, user_id, dataset_id)?;
    let grants: Vec<&Grant> = all.iter().filter(|g| g.access_mode == mode).collect();
    if let Some(g) = grants.iter().find(|g| check(g, now).is_ok()) {
        return Ok(Ok((*g).clone()));
    }
    Ok(Err(match (grants.first(), all.first()) {
        (Some(g), _) => check(g, now).err().unwrap_or(Denial::NoGrant),
        (None, Some(other)) => Denial::OtherMode(other.access_mode.clone()),
        (None, None) => Denial::NoGrant,
    }))
}

/// Counts one use of a grant (atomically against its quota) and audits it.
pub fn use_grant(
    conn: &mut DbConnection,
    grant: &Grant,
    channel: &str,
    target: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Result<(), Denial>, DbError> {
    write_transaction(conn, |conn| {
        if !rows::use_once(conn, grant.id)? {
            return Ok(Err(Denial::Exhausted(grant.quota.unwrap_or_default())));
        }
        audit::record(
            conn,
            actor,
            now,
            &format!("grant.{channel}"),
            &format!("grant:{}", grant.id),
            json!({ "target": target }),
        )?;
        Ok(Ok(()))
    })
}

/// Revokes a grant with a reason (the dataset's department or an administrator); the id of
/// the application it was granted on.
pub fn revoke(
    conn: &mut DbConnection,
    reviewer: &User,
    grant_id: i32,
    reason: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<i32, ApplicationError> {
    let g = rows::grant_by_id(conn, grant_id)?.ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, g.dataset_id)?;
    if !may_review(reviewer, &d) {
        return Err(ApplicationError::Forbidden);
    }
    let mut errors = Vec::new();
    let reason = text(&mut errors, "reason", "撤销理由", reason);
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        if !rows::revoke(conn, g.id, now, &reason)? {
            return Err(ApplicationError::NotPending);
        }
        record_and_tell(
            conn,
            actor,
            ("grant.revoke", format!("grant:{}", g.id)),
            json!({ "dataset": d.slug }),
            Notice {
                to: vec![g.user_id],
                text: words(
                    actor,
                    ("account-mail-revoked-subject", "account-mail-revoked-body"),
                    &[
                        ("title", &d.title),
                        ("id", &g.application_id.to_string()),
                        ("reason", &reason),
                    ],
                ),
                link: "/account/applications".into(),
            },
            now,
        )?;
        Ok(g.application_id)
    })
}
