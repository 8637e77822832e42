//! Working on a report: how the public and the department see it, starting, extending and
//! answering it.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::result::Error as DbError;

use super::{Choices, ErrorReview, MAX_EXTENSION, ReviewError};
use crate::db::datasets::{self as dataset_rows, Dataset};
use crate::db::reviews as rows;
use crate::db::users::User;
use crate::db::{DbConnection, calendar, write_transaction};
use crate::domain::{ReviewStatus, Role, is_publicly_listed};
use crate::services::{Actor, audit};

/// A report as the public sees it.
#[derive(Debug, Clone)]
pub struct PublicReview {
    pub review: ErrorReview,
    pub dataset: Dataset,
    pub department: String,
    pub resource: Option<String>,
    pub late: bool,
}

impl PublicReview {
    pub fn status_label(&self) -> &'static str {
        self.review.status.label()
    }
}

pub fn public(
    conn: &mut DbConnection,
    id: i32,
    today: NaiveDate,
) -> Result<Option<PublicReview>, DbError> {
    let Some(review) = rows::by_id(conn, id)? else {
        return Ok(None);
    };
    let dataset = dataset_rows::by_id(conn, review.dataset_id)?;
    // A report on a dataset no longer public is not shown either.
    if !is_publicly_listed(dataset.status, dataset.open_class) {
        return Ok(None);
    }
    view(conn, review, dataset, today).map(Some)
}

/// A report as its department sees it, whatever became of the dataset since.
pub fn staff_view(
    conn: &mut DbConnection,
    review: ErrorReview,
    dataset: Dataset,
    today: NaiveDate,
) -> Result<PublicReview, DbError> {
    view(conn, review, dataset, today)
}

fn view(
    conn: &mut DbConnection,
    review: ErrorReview,
    dataset: Dataset,
    today: NaiveDate,
) -> Result<PublicReview, DbError> {
    let department = crate::db::departments::by_id(conn, dataset.department_id)?.name;
    let resource = match review.resource_id {
        Some(id) => crate::db::resources::by_id(conn, id)?.map(|r| r.name),
        None => None,
    };
    Ok(PublicReview {
        late: review.is_late(today),
        review,
        dataset,
        department,
        resource,
    })
}

/// A dataset's reports still open (received or under review), oldest deadline first.
pub fn open_for_dataset(
    conn: &mut DbConnection,
    dataset_id: i32,
    today: NaiveDate,
) -> Result<Vec<(ErrorReview, bool)>, DbError> {
    let mut open: Vec<(ErrorReview, bool)> = rows::for_dataset(conn, dataset_id)?
        .into_iter()
        .filter(|r| !r.status.is_answered())
        .map(|r| {
            let late = r.is_late(today);
            (r, late)
        })
        .collect();
    open.sort_by_key(|(r, _)| r.deadline());
    Ok(open)
}

/// The reports on a department's datasets: open ones by deadline, then answered ones newest
/// first.
pub fn queue(
    conn: &mut DbConnection,
    department_id: i32,
    today: NaiveDate,
) -> Result<Vec<PublicReview>, DbError> {
    let datasets = dataset_rows::of_department(conn, department_id)?;
    let ids: Vec<i32> = datasets.iter().map(|d| d.id).collect();
    let mut out = Vec::new();
    for r in rows::for_datasets(conn, &ids)? {
        let Some(d) = datasets.iter().find(|d| d.id == r.dataset_id).cloned() else {
            continue;
        };
        out.push(view(conn, r, d, today)?);
    }
    out.sort_by(|a, b| {
        let (x, y) = (&a.review, &b.review);
        x.status
            .is_answered()
            .cmp(&y.status.is_answered())
            .then_with(|| x.deadline().cmp(&y.deadline()))
            .then_with(|| y.answered_at.cmp(&x.answered_at))
    });
    Ok(out)
}

/// A report the user may work: staff of the providing department (or an administrator).
pub fn workable(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
) -> Result<(ErrorReview, Dataset), ReviewError> {
    let r = rows::by_id(conn, id)?.ok_or(ReviewError::NotFound)?;
    let d = dataset_rows::by_id(conn, r.dataset_id)?;
    let own = user.role == Role::Publisher && user.department_id == Some(d.department_id);
    if !(own || user.role == Role::Admin) {
        return Err(ReviewError::Forbidden);
    }
    Ok((r, d))
}

fn tell(
    conn: &mut DbConnection,
    r: &ErrorReview,
    (subject, body): (&str, &str),
    args: &[(&'static str, &str)],
    now: NaiveDateTime,
) -> Result<(), DbError> {
    use crate::services::notices::{Letter, Notice, text};
    if let Some(user) = r.reporter_id {
        Notice::to_another(|lang| {
            // The status is the portal's word, in each language; the rest is the people's.
            let own: Vec<(&'static str, String)> = args
                .iter()
                .map(|(k, v)| match *k {
                    "status" => (*k, lang.msg(v).into_owned()),
                    _ => (*k, (*v).to_owned()),
                })
                .collect();
            let args: Vec<(&'static str, &str)> =
                own.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Letter {
                subject: text(lang, subject, &args),
                body: text(lang, body, &args),
            }
        })
        .send(conn, user, &format!("/feedback/{}", r.id), now)?;
    }
    Ok(())
}

/// The department starts checking: received → under review.
pub fn start(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<ErrorReview, ReviewError> {
    write_transaction(conn, |conn| {
        let (r, _) = workable(conn, user, id)?;
        if !rows::set_status(conn, r.id, ReviewStatus::Received, ReviewStatus::Reviewing)? {
            return Err(ReviewError::Conflict(format!(
                "状态为“{}”的纠错不能再开始核查",
                r.status.label()
            )));
        }
        audit::record(
            conn,
            actor,
            now,
            "review.start",
            &format!("review:{}", r.id),
            serde_json::json!({}),
        )?;
        rows::by_id(conn, r.id)?.ok_or(ReviewError::NotFound)
    })
}

/// The one extension: by 1 to [`MAX_EXTENSION`] working days after the due date, with a reason
/// that is shown publicly.
pub fn extend(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    days: &str,
    reason: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<ErrorReview, ReviewError> {
    // Who may act is checked before what they typed.
    workable(conn, user, id)?;
    let mut errors = Vec::new();
    let days = days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_EXTENSION).contains(d));
    if days.is_none() {
        errors.push((
            "days".into(),
            format!("延长的工作日数应为 1 到 {MAX_EXTENSION}"),
        ));
    }
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        errors.push((
            "extension_reason".into(),
            "延期须说明理由（5 至 500 字），理由会公开".into(),
        ));
    }
    let Some(days) = days.filter(|_| errors.is_empty()) else {
        return Err(ReviewError::Invalid(errors));
    };
    write_transaction(conn, |conn| {
        let (r, _) = workable(conn, user, id)?;
        if r.extended_due_on.is_some() {
            return Err(ReviewError::Conflict("答复期限只能延长一次".into()));
        }
        if r.status.is_answered() {
            return Err(ReviewError::Conflict("已答复的纠错不能延期".into()));
        }
        // Extending is decided within the deadline, not to erase a lateness afterwards.
        if (now + Duration::hours(8)).date() > r.due_on {
            return Err(ReviewError::Conflict(format!(
                "答复期限（{}）已过，不能再延期",
                r.due_on
            )));
        }
        let until = calendar::work_calendar(conn)?.add_working_days(r.due_on, days);
        if !rows::extend(conn, r.id, until, reason)? {
            return Err(ReviewError::Conflict("答复期限只能延长一次".into()));
        }
        audit::record(
            conn,
            actor,
            now,
            "review.extend",
            &format!("review:{}", r.id),
            serde_json::json!({ "days": days, "until": until.to_string(), "reason": reason }),
        )?;
        let (id, until) = (r.id.to_string(), until.to_string());
        tell(
            conn,
            &r,
            (
                "public-mail-review-extended-subject",
                "public-mail-review-extended-body",
            ),
            &[("id", &id), ("until", &until), ("reason", reason)],
            now,
        )?;
        rows::by_id(conn, r.id)?.ok_or(ReviewError::NotFound)
    })
}

/// A department's answer to an error report, as the form sends it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// `corrected` or `not_error`.
    pub outcome: &'a str,
    /// The explanation, shown publicly.
    pub text: &'a str,
    /// The number of the version that carries a correction (may be empty).
    pub version: &'a str,
}

/// The answer: corrected (optionally naming the resource version that carries the correction)
/// or not an error, with an explanation that is shown publicly.
pub fn answer(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    answer: Answer<'_>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<ErrorReview, ReviewError> {
    let Answer {
        outcome,
        text,
        version,
    } = answer;
    workable(conn, user, id)?;
    let mut errors = Vec::new();
    let status = match outcome {
        "corrected" => Some(ReviewStatus::Corrected),
        "not_error" => Some(ReviewStatus::NotError),
        _ => {
            errors.push((
                "outcome".into(),
                "请选择核查结果：已更正或经核查无误".into(),
            ));
            None
        }
    };
    let text = text.trim();
    if text.chars().count() < 5 || text.chars().count() > 2000 {
        errors.push((
            "answer".into(),
            "请填写答复（5 至 2000 字），答复会公开".into(),
        ));
    }
    write_transaction(conn, |conn| {
        let (r, d) = workable(conn, user, id)?;
        // The version that carries the correction: one of the dataset's, given by id.
        let version_id = match version.trim() {
            "" => None,
            v => {
                let found = match v.parse::<i32>() {
                    Ok(vid) => crate::db::versions::by_id(conn, vid)?.filter(|v| {
                        v.status == "ready"
                            && crate::db::resources::by_id(conn, v.resource_id)
                                .ok()
                                .flatten()
                                .is_some_and(|res| res.dataset_id == d.id)
                    }),
                    Err(_) => None,
                };
                if found.is_none() {
                    errors.push(("version".into(), "请选择该数据集的数据文件版本".into()));
                }
                found.map(|v| v.id)
            }
        };
        let Some(status) = status.filter(|_| errors.is_empty()) else {
            return Err(ReviewError::Invalid(std::mem::take(&mut errors)));
        };
        if !rows::answer(conn, r.id, status, text, version_id, user.id, now)? {
            return Err(ReviewError::Conflict("该纠错已经答复".into()));
        }
        let answered = rows::by_id(conn, r.id)?.ok_or(ReviewError::NotFound)?;
        let today = (now + Duration::hours(8)).date();
        audit::record(
            conn,
            actor,
            now,
            "review.answer",
            &format!("review:{}", r.id),
            serde_json::json!({ "dataset": d.slug, "status": status.as_str(),
                "version": version_id, "late": answered.is_late(today) }),
        )?;
        let id = r.id.to_string();
        tell(
            conn,
            &r,
            (
                "public-mail-review-answered-subject",
                "public-mail-review-answered-body",
            ),
            &[("id", &id), ("status", status.label()), ("text", text)],
            now,
        )?;
        Ok(answered)
    })
}

/// The versions of a dataset's resources, newest first, for the "corrected in" choice.
pub fn versions_of(
    conn: &mut DbConnection,
    dataset_id: i32,
) -> Result<Vec<(i32, String)>, DbError> {
    let mut out = Vec::new();
    for r in crate::db::resources::for_dataset(conn, dataset_id)? {
        for v in crate::db::versions::of_resource(conn, r.id)?
            .into_iter()
            .rev()
        {
            if v.status == "ready" {
                out.push((v.id, format!("{} 第 {} 版", r.name, v.number)));
            }
        }
    }
    Ok(out)
}

/// department may see it (an account's e-mail or the contact given) and the dataset's versions.
pub fn work_view(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    today: NaiveDate,
) -> Result<(PublicReview, String, Choices), ReviewError> {
    let (r, d) = workable(conn, user, id)?;
    let reporter = match (r.reporter_id, &r.reporter_contact) {
        (Some(id), _) => crate::db::users::by_id(conn, id)?
            .map(|u| format!("注册用户 {}", u.email))
            .unwrap_or_default(),
        (None, Some(contact)) => format!("未登录，联系方式 {contact}"),
        _ => String::new(),
    };
    let versions = versions_of(conn, d.id)?;
    let view = staff_view(conn, r, d, today)?;
    Ok((view, reporter, versions))
}
