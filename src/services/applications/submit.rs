//! Submitting an application: the form, its checks and the stored application.

use super::{
    ANSWER_WITHIN, Application, ApplicationError, ApplicationForm, MAX_PERIOD_DAYS, Notice,
    conditional_dataset, field_names, record_and_tell, text, words,
};
use crate::db::DbConnection;
use crate::db::applications as rows;
use crate::db::applications::NewApplication;
use crate::db::calendar;
use crate::db::datasets::Dataset;
use crate::db::users::User;
use crate::db::write_transaction;
use crate::domain::AccountStatus;
use crate::domain::ApplicationStatus;
use crate::services::Actor;
use chrono::Duration;
use chrono::NaiveDateTime;
use serde_json::json;

/// A PDF the applicant attached, already in the file store.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub key: String,
    pub name: String,
    pub size: i64,
}

/// The largest attachment, in bytes.
pub const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;

/// An application that passed every check, ready to store.
struct Checked {
    dataset: Dataset,
    purpose: String,
    scenario: String,
    security: String,
    fields: Vec<String>,
    period: i32,
}

/// Checks an application without storing anything (the web layer checks before it keeps an
/// attachment, so that a refused application leaves no file behind).
pub fn check_application(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    form: &ApplicationForm,
    allow_unverified: bool,
) -> Result<(), ApplicationError> {
    checked(conn, user, slug, form, allow_unverified).map(drop)
}

fn checked(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    form: &ApplicationForm,
    allow_unverified: bool,
) -> Result<Checked, ApplicationError> {
    let d = conditional_dataset(conn, slug)?;
    if user.status != AccountStatus::Verified && !allow_unverified {
        return Err(ApplicationError::NotVerified);
    }
    let known = field_names(conn, d.id)?;
    let mut errors = Vec::new();
    let purpose = text(&mut errors, "purpose", "申请用途", &form.purpose);
    let scenario = text(&mut errors, "scenario", "应用场景", &form.scenario);
    let security = text(
        &mut errors,
        "security_measures",
        "安全保障措施",
        &form.security_measures,
    );
    let mut fields: Vec<String> = Vec::new();
    for f in &form.fields {
        if !known.contains(f) {
            errors.push((
                "fields",
                format!("字段“{}”不在该数据集的字段目录中", shorten(f)),
            ));
        } else if !fields.contains(f) {
            fields.push(f.clone());
        }
    }
    if form.fields.is_empty() {
        errors.push(("fields", "请至少选择一个字段".into()));
    }
    if !matches!(form.access_mode.as_str(), "download" | "api") {
        errors.push(("access_mode", "请选择获取方式：下载或接口".into()));
    }
    let period = match form.period_days.trim().parse::<i32>() {
        Ok(p) if (1..=MAX_PERIOD_DAYS).contains(&p) => p,
        _ => {
            errors.push((
                "period_days",
                format!("使用期限应为 1 至 {MAX_PERIOD_DAYS} 之间的天数"),
            ));
            0
        }
    };
    if !form.undertaking {
        errors.push((
            "undertaking",
            "请阅读并勾选承诺：仅用于申请用途，不向第三方提供".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    Ok(Checked {
        dataset: d,
        purpose,
        scenario,
        security,
        fields,
        period,
    })
}

/// An application as submitted, for [`submit`].
#[derive(Clone, Copy)]
pub struct Submission<'a> {
    pub form: &'a ApplicationForm,
    /// The supporting document, already in the file store.
    pub attachment: Option<&'a Attachment>,
    /// Accounts whose real name is not yet verified may apply (a setting).
    pub allow_unverified: bool,
}

/// Submits an application; its answer is due [`ANSWER_WITHIN`] working days after `now`.
pub fn submit(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    submission: Submission<'_>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Application, ApplicationError> {
    let Submission {
        form,
        attachment,
        allow_unverified,
    } = submission;
    let Checked {
        dataset: d,
        purpose,
        scenario,
        security,
        fields,
        period,
    } = checked(conn, user, slug, form, allow_unverified)?;
    let fields_json = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
    write_transaction(conn, |conn| {
        let today = (now + Duration::hours(8)).date();
        let due_on = calendar::work_calendar(conn)?.add_working_days(today, ANSWER_WITHIN);
        let a = rows::insert(
            conn,
            &NewApplication {
                dataset_id: d.id,
                user_id: user.id,
                purpose: &purpose,
                scenario: &scenario,
                fields: &fields_json,
                access_mode: &form.access_mode,
                period_days: period,
                security_measures: &security,
                attachment_key: attachment.map(|a| a.key.as_str()),
                attachment_name: attachment.map(|a| a.name.as_str()),
                attachment_size: attachment.map(|a| a.size),
                status: ApplicationStatus::Pending.as_str(),
                submitted_at: now,
                due_on,
            },
        )?;
        let to = rows::publishers_of(conn, d.department_id)?;
        record_and_tell(
            conn,
            actor,
            ("application.submit", format!("application:{}", a.id)),
            json!({
                "dataset": d.slug, "fields": fields.len(), "due_on": due_on.to_string(),
                "attachment": attachment.is_some(),
            }),
            Notice {
                to,
                text: words(
                    actor,
                    ("account-mail-new-subject", "account-mail-new-body"),
                    &[
                        ("title", &d.title),
                        ("id", &a.id.to_string()),
                        ("due", &due_on.to_string()),
                    ],
                ),
                link: format!("/console/applications/{}", a.id),
            },
            now,
        )?;
        Ok(a)
    })
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
