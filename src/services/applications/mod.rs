//! Conditional access (有条件开放): applications, their review on a working-day clock, and the
//! grants that let an applicant obtain exactly the approved fields, within the approved period
//! and quota. Every decision and every use of a grant is in the audit log.

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::Actor;
use super::audit;
use crate::db::DbConnection;
pub use crate::db::applications::{Application, Comment, Grant, Notification};
use crate::db::datasets::{self as dataset_rows, Dataset};
use crate::db::users::User;
use crate::domain::{OpenClass, Role};

mod decide;
mod grants;
mod messages;
mod reports;
mod submit;

pub use decide::{approve, reject, withdraw};
pub use grants::{Denial, check, revoke, usable_grant, use_grant};
pub use messages::{comment, inbox, mark_inbox_read};
pub use reports::{Timeliness, report_overdue, timeliness};
pub use submit::{Attachment, MAX_ATTACHMENT, Submission, check_application, submit};

/// Working days a department has to answer (DESIGN.md §2).
pub const ANSWER_WITHIN: u32 = 10;
/// The longest period an application may ask for, in days.
pub const MAX_PERIOD_DAYS: i32 = 365;
/// Longest free-text answer.
const MAX_TEXT: usize = 2_000;

/// What an applicant typed (kept as typed, to show it again with the errors).
#[derive(Debug, Clone, Default)]
pub struct ApplicationForm {
    pub purpose: String,
    pub scenario: String,
    pub fields: Vec<String>,
    pub access_mode: String,
    pub period_days: String,
    pub security_measures: String,
    pub undertaking: bool,
}

/// A reviewer's approval: a subset of the requested fields, a period no longer than asked, an
/// optional quota of downloads or API calls.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    pub fields: Vec<String>,
    pub period_days: String,
    pub quota: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("未找到该数据集或申请")]
    NotFound,
    #[error("该数据集不是有条件开放数据，无需申请")]
    NotConditional,
    #[error("请先完成实名核验后再申请有条件开放数据")]
    NotVerified,
    #[error("无权处理该申请")]
    Forbidden,
    #[error("该申请已处理，不能再次操作")]
    NotPending,
    /// Field → message, in form order.
    #[error("提交的内容有误")]
    Invalid(Vec<(&'static str, String)>),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Who reviews: a publisher of the dataset's department, or an administrator.
pub fn may_review(user: &User, dataset: &Dataset) -> bool {
    user.role == Role::Admin
        || (user.role == Role::Publisher && user.department_id == Some(dataset.department_id))
}

/// A published, conditionally open dataset by slug.
pub fn conditional_dataset(
    conn: &mut DbConnection,
    slug: &str,
) -> Result<Dataset, ApplicationError> {
    let d = crate::db::catalog::public_by_slug(conn, slug)?.ok_or(ApplicationError::NotFound)?;
    if d.open_class != OpenClass::Conditional {
        return Err(ApplicationError::NotConditional);
    }
    Ok(d)
}

/// The names of a dataset's fields, in order.
pub fn field_names(conn: &mut DbConnection, dataset_id: i32) -> Result<Vec<String>, DbError> {
    Ok(dataset_rows::fields_of(conn, &[dataset_id])?
        .into_iter()
        .map(|f| f.name)
        .collect())
}

fn text(
    errors: &mut Vec<(&'static str, String)>,
    key: &'static str,
    label: &str,
    value: &str,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push((key, format!("请填写{label}")));
    } else if v.chars().count() > MAX_TEXT {
        errors.push((key, format!("{label}不能超过 {MAX_TEXT} 字")));
    }
    v.to_owned()
}

/// What the people concerned by an event read, in their inbox and the mail outbox.
struct Notice {
    to: Vec<i32>,
    text: super::notices::Notice,
    link: String,
}

/// The notice's words: `subject` and `body` are message ids (`account-mail-…`), with `args`.
fn words(
    actor: &Actor,
    (subject, body): (&str, &str),
    args: &[(&'static str, &str)],
) -> super::notices::Notice {
    use super::notices::{Letter, text};
    super::notices::Notice::new(actor, |lang| Letter {
        subject: text(lang, subject, args),
        body: text(lang, body, args),
    })
}

/// Audits an event (`action` on `target`) and tells the people concerned, inside the caller's
/// transaction.
fn record_and_tell(
    conn: &mut DbConnection,
    actor: &Actor,
    (action, target): (&str, String),
    details: serde_json::Value,
    notice: Notice,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    audit::record(conn, actor, now, action, &target, details)?;
    for user in notice.to {
        notice.text.send(conn, user, &notice.link, now)?;
    }
    Ok(())
}
