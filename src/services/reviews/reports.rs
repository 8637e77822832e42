//! Filing an error report: the form, its checks and budgets, the evidence.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::result::Error as DbError;

use super::{ANSWER_WITHIN, Choices, DAILY_BUDGET, ErrorReview, Evidence, ReportForm, ReviewError};
use crate::db::datasets::Dataset;
use crate::db::reviews::{self as rows, NewErrorReview};
use crate::db::users::User;
use crate::db::{DbConnection, calendar, write_transaction};
use crate::domain::ReviewStatus;
use crate::services::{Actor, audit};

/// A dataset the public may see (and so report on).
pub fn reportable(conn: &mut DbConnection, slug: &str) -> Result<Dataset, ReviewError> {
    crate::db::catalog::public_by_slug(conn, slug)?.ok_or(ReviewError::NotFound)
}

fn limit(errors: &mut Vec<(String, String)>, field: &str, label: &str, s: &str, max: usize) {
    if s.chars().count() > max {
        errors.push((field.into(), format!("{label}最多 {max} 字")));
    }
}

/// Checks a report; the normalised contact when anonymous.
pub fn check(
    conn: &mut DbConnection,
    d: &Dataset,
    form: &ReportForm,
    reporter: Option<&User>,
) -> Result<(Option<i32>, Option<String>), ReviewError> {
    let mut errors = Vec::new();
    let description = form.description.trim();
    if description.chars().count() < 5 {
        errors.push((
            "description".into(),
            "请说明错误是什么（至少 5 个字）".into(),
        ));
    }
    limit(&mut errors, "description", "错误说明", description, 2000);
    limit(
        &mut errors,
        "correction",
        "建议更正",
        form.correction.trim(),
        2000,
    );
    limit(&mut errors, "row", "所在行", form.row.trim(), 200);
    limit(&mut errors, "field", "所在字段", form.field.trim(), 200);
    let resource = resource_of(conn, d, &form.resource)?;
    if !form.resource.trim().is_empty() && resource.is_none() {
        errors.push(("resource".into(), "请选择该数据集的数据文件".into()));
    }
    let contact = if reporter.is_some() {
        None
    } else {
        let c = form.contact.trim();
        if let Ok(e) = crate::domain::email::Email::parse(c) {
            Some(e.as_str().to_owned())
        } else if let Ok(m) = crate::domain::mobile::Mobile::parse(c) {
            Some(m.as_str().to_owned())
        } else {
            errors.push((
                "contact".into(),
                "未登录时请留下电子邮箱或手机号码，以便告知核查结果（不会公开）".into(),
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ReviewError::Invalid(errors));
    }
    Ok((resource, contact))
}

fn resource_of(conn: &mut DbConnection, d: &Dataset, raw: &str) -> Result<Option<i32>, DbError> {
    let Ok(id) = raw.trim().parse::<i32>() else {
        return Ok(None);
    };
    Ok(crate::db::resources::by_id(conn, id)?
        .filter(|r| r.dataset_id == d.id)
        .map(|r| r.id))
}

/// Whether this account (or anonymous contact) may file another report today.
pub fn within_budget(
    conn: &mut DbConnection,
    reporter: Option<&User>,
    contact: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), ReviewError> {
    if rows::count_since(
        conn,
        reporter.map(|u| u.id),
        contact,
        now - Duration::days(1),
    )? >= DAILY_BUDGET
    {
        return Err(ReviewError::OverBudget);
    }
    Ok(())
}

/// Files a report; the answer is due [`ANSWER_WITHIN`] working days after today (China time).
pub fn submit(
    conn: &mut DbConnection,
    slug: &str,
    form: &ReportForm,
    reporter: Option<&User>,
    evidence: Option<&Evidence>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<ErrorReview, ReviewError> {
    let d = reportable(conn, slug)?;
    let (resource, contact) = check(conn, &d, form, reporter)?;
    // The evidence is offered under the extension of the type told from its bytes
    // (`公告.html` holding a PDF is `公告.pdf`).
    let evidence_name =
        evidence.map(|e| crate::domain::attachment::named_as(&e.name, e.media_type));
    write_transaction(conn, |conn| {
        within_budget(conn, reporter, contact.as_deref(), now)?;
        let today = (now + Duration::hours(8)).date();
        let due_on = calendar::work_calendar(conn)?.add_working_days(today, ANSWER_WITHIN);
        let r = rows::insert(
            conn,
            &NewErrorReview {
                dataset_id: d.id,
                resource_id: resource,
                location_row: form.row.trim(),
                location_field: form.field.trim(),
                description: form.description.trim(),
                correction: form.correction.trim(),
                evidence_key: evidence.map(|e| e.key.as_str()),
                evidence_name: evidence_name.as_deref(),
                evidence_type: evidence.map(|e| e.media_type),
                reporter_id: reporter.map(|u| u.id),
                reporter_contact: contact.as_deref(),
                status: ReviewStatus::Received.as_str(),
                due_on,
                created_at: now,
            },
        )?;
        // No contact, no name: the audit log is read by administrators, not the reporter's.
        audit::record(
            conn,
            actor,
            now,
            "review.submit",
            &format!("review:{}", r.id),
            serde_json::json!({ "dataset": d.slug, "due_on": due_on.to_string(),
                "evidence": evidence.is_some() }),
        )?;
        Ok(r)
    })
}

/// After a report that was refused once its evidence was kept (the budget spent meanwhile):
/// removes the file this request added, unless a report refers to it by now.
pub fn forget_evidence(
    conn: &mut DbConnection,
    store: &crate::storage::FileStore,
    key: &str,
) -> Result<(), DbError> {
    use crate::db::schema::error_reviews::dsl::{error_reviews, evidence_key};
    use diesel::prelude::*;
    let used: i64 = error_reviews
        .filter(evidence_key.eq(key))
        .count()
        .get_result(conn)?;
    if used == 0
        && let Err(e) = store.remove(key)
    {
        tracing::warn!(key, error = %e, "could not remove refused evidence");
    }
    Ok(())
}

/// Reports one address may file in a day, whoever is behind it.
pub const ADDRESS_BUDGET: i64 = 20;

/// What the report form of a dataset shows: the dataset, its resources (id, name) and the
/// day a report filed today is due to be answered. `NotFound` unless publicly listed.
pub fn report_form(
    conn: &mut DbConnection,
    slug: &str,
    today: NaiveDate,
) -> Result<(Dataset, Choices, NaiveDate), ReviewError> {
    let d = reportable(conn, slug)?;
    let resources = crate::db::resources::for_dataset(conn, d.id)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let due = calendar::work_calendar(conn)?.add_working_days(today, ANSWER_WITHIN);
    Ok((d, resources, due))
}

/// Everything a report is checked for before its evidence is kept: the address's daily
/// budget ([`ADDRESS_BUDGET`]), the dataset, the form, and the reporter's daily budget.
pub fn check_report(
    conn: &mut DbConnection,
    slug: &str,
    form: &ReportForm,
    reporter: Option<&User>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ReviewError> {
    if audit::over_address_budget(conn, actor, "review.submit", ADDRESS_BUDGET, now)? {
        return Err(ReviewError::OverBudget);
    }
    let d = reportable(conn, slug)?;
    let (_, contact) = check(conn, &d, form, reporter)?;
    within_budget(conn, reporter, contact.as_deref(), now)
}
