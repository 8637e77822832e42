//! Answering an application: approving it into a grant, rejecting it, or its withdrawal.

use super::{
    Application, ApplicationError, Approval, Grant, Notice, may_review, record_and_tell, text,
    words,
};
use crate::db::DbConnection;
use crate::db::applications as rows;
use crate::db::applications::NewGrant;
use crate::db::datasets as dataset_rows;
use crate::db::datasets::Dataset;
use crate::db::users::User;
use crate::db::write_transaction;
use crate::domain::ApplicationStatus;
use crate::services::Actor;
use chrono::Duration;
use chrono::NaiveDateTime;
use serde_json::json;

/// An application the reviewer may decide, with its dataset.
fn reviewable(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
) -> Result<(Application, Dataset), ApplicationError> {
    let a = rows::by_id(conn, id)?.ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    if !may_review(reviewer, &d) {
        return Err(ApplicationError::Forbidden);
    }
    Ok((a, d))
}

/// Approves (possibly narrowing fields and period, setting a quota) and creates the grant.
pub fn approve(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
    approval: &Approval,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Grant, ApplicationError> {
    let (a, d) = reviewable(conn, reviewer, id)?;
    if a.status != ApplicationStatus::Pending {
        return Err(ApplicationError::NotPending);
    }
    let requested = a.field_names();
    let mut errors = Vec::new();
    let fields: Vec<String> = requested
        .iter()
        .filter(|f| approval.fields.contains(f))
        .cloned()
        .collect();
    if approval.fields.iter().any(|f| !requested.contains(f)) {
        errors.push(("fields", "只能批准申请人申请的字段".into()));
    } else if fields.is_empty() {
        errors.push((
            "fields",
            "请至少批准一个字段；不同意请选择“不予批准”并说明理由".into(),
        ));
    }
    let period = match approval.period_days.trim().parse::<i32>() {
        Ok(p) if (1..=a.period_days).contains(&p) => p,
        _ => {
            errors.push((
                "period_days",
                format!(
                    "批准期限应为 1 至 {} 之间的天数（不超过申请的期限）",
                    a.period_days
                ),
            ));
            0
        }
    };
    let quota = match approval.quota.trim() {
        "" => None,
        q => match q.parse::<i32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
            _ => {
                errors.push(("quota", "次数上限应为正整数，不限次数请留空".into()));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    let fields_json = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
    write_transaction(conn, |conn| {
        if !rows::decide(
            conn,
            a.id,
            ApplicationStatus::Approved,
            Some(reviewer.id),
            now,
            None,
        )? {
            return Err(ApplicationError::NotPending);
        }
        let g = rows::insert_grant(
            conn,
            &NewGrant {
                application_id: a.id,
                dataset_id: d.id,
                user_id: a.user_id,
                fields: &fields_json,
                access_mode: &a.access_mode,
                valid_from: now,
                valid_until: now + Duration::days(period.into()),
                quota,
                used: 0,
            },
        )?;
        record_and_tell(
            conn,
            actor,
            ("application.approve", format!("application:{}", a.id)),
            json!({
                "dataset": d.slug, "grant": g.id, "fields": fields,
                "period_days": period, "quota": quota,
            }),
            Notice {
                to: vec![a.user_id],
                text: crate::services::notices::Notice::new(actor, |lang| {
                    use crate::services::notices::{Letter, text};
                    let (id, period) = (a.id.to_string(), period.to_string());
                    let quota = quota
                        .map(|q| text(lang, "account-mail-quota", &[("quota", &q.to_string())]))
                        .unwrap_or_default();
                    let args = [
                        ("title", d.title.as_str()),
                        ("id", &id),
                        // i18n: a separator inside a value
                        ("fields", &fields.join("、")),
                        ("period", &period),
                        ("quota", &quota),
                    ];
                    Letter {
                        subject: text(lang, "account-mail-approved-subject", &args),
                        body: text(lang, "account-mail-approved-body", &args),
                    }
                }),
                link: "/account/applications".into(),
            },
            now,
        )?;
        Ok(g)
    })
}

/// Rejects with a reason (mandatory: the applicant must learn why).
pub fn reject(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
    reason: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let (a, d) = reviewable(conn, reviewer, id)?;
    if a.status != ApplicationStatus::Pending {
        return Err(ApplicationError::NotPending);
    }
    let mut errors = Vec::new();
    let reason = text(&mut errors, "reason", "不予批准的理由", reason);
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        if !rows::decide(
            conn,
            a.id,
            ApplicationStatus::Rejected,
            Some(reviewer.id),
            now,
            Some(&reason),
        )? {
            return Err(ApplicationError::NotPending);
        }
        record_and_tell(
            conn,
            actor,
            ("application.reject", format!("application:{}", a.id)),
            json!({ "dataset": d.slug }),
            Notice {
                to: vec![a.user_id],
                text: words(
                    actor,
                    (
                        "account-mail-rejected-subject",
                        "account-mail-rejected-body",
                    ),
                    &[
                        ("title", &d.title),
                        ("id", &a.id.to_string()),
                        ("reason", &reason),
                    ],
                ),
                link: "/account/applications".into(),
            },
            now,
        )?;
        Ok(())
    })
}

/// The applicant withdraws a pending application.
pub fn withdraw(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let a = rows::by_id(conn, id)?
        .filter(|a| a.user_id == user.id)
        .ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    write_transaction(conn, |conn| {
        if !rows::decide(conn, a.id, ApplicationStatus::Withdrawn, None, now, None)? {
            return Err(ApplicationError::NotPending);
        }
        let to = rows::publishers_of(conn, d.department_id)?;
        record_and_tell(
            conn,
            actor,
            ("application.withdraw", format!("application:{}", a.id)),
            json!({}),
            Notice {
                to,
                text: words(
                    actor,
                    (
                        "account-mail-withdrawn-subject",
                        "account-mail-withdrawn-body",
                    ),
                    &[("title", &d.title), ("id", &a.id.to_string())],
                ),
                link: format!("/console/applications/{}", a.id),
            },
            now,
        )?;
        Ok(())
    })
}
