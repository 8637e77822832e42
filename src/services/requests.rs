//! Data requests (开放需求): anyone logged in asks for data not yet open and others vote for it
//! ("I need this too", one vote per account); an administrator routes a request to a
//! department, which answers within a set number of working days and links the dataset once
//! it is published. Requests, votes, answers and links are public; who asked is not.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::result::Error as DbError;

use super::{Actor, audit};
pub use crate::db::departments::Department;
use crate::db::requests::{self as rows, DataRequest, NewDataRequest};
use crate::db::users::User;
use crate::db::{DbConnection, calendar, datasets, departments, write_transaction};
use crate::domain::{RequestStatus, Role, is_publicly_listed};

/// Requests one account may file in a day, and one address.
pub const DAILY_BUDGET: i64 = 3;
pub const ADDRESS_BUDGET: i64 = 20;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("不存在")]
    NotFound,
    #[error("只有被分派的部门可以答复")]
    Forbidden,
    #[error("提交的内容有误")]
    Invalid(Vec<(String, String)>),
    #[error("{0}")]
    Conflict(String),
    #[error("今天提交的需求已达上限，请明天再试")]
    OverBudget,
    #[error(transparent)]
    Database(#[from] DbError),
}

fn invalid(field: &str, message: impl Into<String>) -> RequestError {
    RequestError::Invalid(vec![(field.to_owned(), message.into())])
}

/// What a requester typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub intended_use: String,
    /// A department's slug, or empty.
    #[serde(default)]
    pub department: String,
}

fn length(
    errors: &mut Vec<(String, String)>,
    field: &str,
    label: &str,
    s: &str,
    min: usize,
    max: usize,
) {
    let n = s.chars().count();
    if n < min || n > max {
        errors.push((field.into(), format!("请填写{label}（{min} 至 {max} 字）")));
    }
}

/// Files a request; the requester's own vote is counted.
pub fn submit(
    conn: &mut DbConnection,
    user: &User,
    form: &RequestForm,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<DataRequest, RequestError> {
    let mut errors = Vec::new();
    let (title, description, intended_use) = (
        form.title.trim(),
        form.description.trim(),
        form.intended_use.trim(),
    );
    length(&mut errors, "title", "需要的数据", title, 4, 100);
    length(
        &mut errors,
        "description",
        "数据内容的说明",
        description,
        10,
        2000,
    );
    length(&mut errors, "intended_use", "用途", intended_use, 4, 1000);
    let suggested = match form.department.trim() {
        "" => None,
        slug => match departments::by_slug(conn, slug)? {
            Some(d) => Some(d.id),
            None => {
                errors.push(("department".into(), "请从列表中选择部门".into()));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(RequestError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        if rows::filed_since(conn, user.id, now - Duration::days(1))? >= DAILY_BUDGET
            || audit::over_address_budget(conn, actor, "request.submit", ADDRESS_BUDGET, now)?
        {
            return Err(RequestError::OverBudget);
        }
        let r = rows::insert(
            conn,
            &NewDataRequest {
                title,
                description,
                intended_use,
                suggested_department_id: suggested,
                requested_by: user.id,
                status: RequestStatus::Open.as_str(),
                votes: 0,
                created_at: now,
            },
        )?;
        rows::vote(conn, r.id, user.id, now)?;
        audit::record(
            conn,
            actor,
            now,
            "request.submit",
            &format!("request:{}", r.id),
            serde_json::json!({ "title": title }),
        )?;
        rows::by_id(conn, r.id)?.ok_or(RequestError::NotFound)
    })
}

/// "I need this too": one vote per account; false when the account had voted already.
pub fn vote(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    now: NaiveDateTime,
) -> Result<bool, RequestError> {
    write_transaction(conn, |conn| {
        let r = rows::by_id(conn, id)?.ok_or(RequestError::NotFound)?;
        if matches!(r.status, RequestStatus::Declined | RequestStatus::Published) {
            return Err(RequestError::Conflict(
                "该需求已有结果，不再接受投票".into(),
            ));
        }
        Ok(rows::vote(conn, r.id, user.id, now)?)
    })
}

/// An administrator routes an unanswered request to a department; the answer is due
/// `answer_days` working days later.
pub fn route(
    conn: &mut DbConnection,
    id: i32,
    department_slug: &str,
    answer_days: u32,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<DataRequest, RequestError> {
    let Some(d) = departments::by_slug(conn, department_slug.trim())? else {
        return Err(invalid("department", "请选择部门"));
    };
    write_transaction(conn, |conn| {
        let r = rows::by_id(conn, id)?.ok_or(RequestError::NotFound)?;
        let today = (now + Duration::hours(8)).date();
        // Routed again (to another department): the first deadline stands, so a reroute
        // cannot make a late request look on time.
        let (due, at) = match (r.status, r.due_on, r.routed_at) {
            (RequestStatus::Routed, Some(due), Some(at)) => (due, at),
            _ => (
                calendar::work_calendar(conn)?.add_working_days(today, answer_days),
                now,
            ),
        };
        if !rows::route(conn, r.id, d.id, due, at)? {
            return Err(RequestError::Conflict("已答复的需求不能再分派".into()));
        }
        audit::record(
            conn,
            actor,
            now,
            "request.route",
            &format!("request:{}", r.id),
            serde_json::json!({ "department": d.slug, "due_on": due.to_string() }),
        )?;
        rows::by_id(conn, r.id)?.ok_or(RequestError::NotFound)
    })
}

/// A request routed to the user's department.
fn own(conn: &mut DbConnection, user: &User, id: i32) -> Result<DataRequest, RequestError> {
    let r = rows::by_id(conn, id)?.ok_or(RequestError::NotFound)?;
    if user.role != Role::Publisher
        || user.department_id.is_none()
        || r.department_id != user.department_id
    {
        return Err(RequestError::Forbidden);
    }
    Ok(r)
}

/// The department answers: it will open the data, or it will not (with the reason).
pub fn answer(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    outcome: &str,
    text: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<DataRequest, RequestError> {
    own(conn, user, id)?;
    let mut errors = Vec::new();
    let status = match outcome {
        "accepted" => Some(RequestStatus::Accepted),
        "declined" => Some(RequestStatus::Declined),
        _ => {
            errors.push(("outcome".into(), "请选择答复：同意开放或暂不开放".into()));
            None
        }
    };
    let text = text.trim();
    length(&mut errors, "answer", "答复（公开）", text, 5, 2000);
    let Some(status) = status.filter(|_| errors.is_empty()) else {
        return Err(RequestError::Invalid(errors));
    };
    write_transaction(conn, |conn| {
        let r = own(conn, user, id)?;
        if !rows::answer(conn, r.id, status, text, user.id, now)? {
            return Err(RequestError::Conflict(format!(
                "状态为“{}”的需求不能再答复",
                r.status.label()
            )));
        }
        audit::record(
            conn,
            actor,
            now,
            "request.answer",
            &format!("request:{}", r.id),
            serde_json::json!({ "status": status.as_str() }),
        )?;
        use crate::services::notices::{Letter, Notice, text as t};
        Notice::to_another(|lang| {
            let status = lang.msg(status.label());
            let args = [
                ("title", r.title.as_str()),
                ("status", &status),
                ("text", text),
            ];
            Letter {
                subject: t(lang, "public-mail-request-answered-subject", &args),
                body: t(lang, "public-mail-request-answered-body", &args),
            }
        })
        .send(conn, r.requested_by, &format!("/requests/{}", r.id), now)?;
        rows::by_id(conn, r.id)?.ok_or(RequestError::NotFound)
    })
}

/// The department links the dataset that now answers the request: one of its own, public.
pub fn link(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    dataset_slug: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<DataRequest, RequestError> {
    own(conn, user, id)?;
    let d = match user.department_id {
        Some(dept) => crate::db::datasets::in_department(conn, dept, dataset_slug.trim())?,
        None => None,
    }
    .filter(|d| is_publicly_listed(d.status, d.open_class))
    .ok_or_else(|| invalid("dataset", "请选择本部门已发布的数据集"))?;
    write_transaction(conn, |conn| {
        let r = own(conn, user, id)?;
        let answered = (
            r.answered_at.unwrap_or(now),
            r.answered_by.unwrap_or(user.id),
        );
        if !rows::link(conn, r.id, d.id, answered)? {
            return Err(RequestError::Conflict(format!(
                "状态为“{}”的需求不能关联数据集",
                r.status.label()
            )));
        }
        audit::record(
            conn,
            actor,
            now,
            "request.link",
            &format!("request:{}", r.id),
            serde_json::json!({ "dataset": d.slug }),
        )?;
        use crate::services::notices::{Letter, Notice, text};
        let args = [("title", r.title.as_str()), ("dataset", d.title.as_str())];
        Notice::to_another(|lang| Letter {
            subject: text(lang, "public-mail-request-linked-subject", &args),
            body: text(lang, "public-mail-request-linked-body", &args),
        })
        .send(conn, r.requested_by, &format!("/datasets/{}", d.slug), now)?;
        rows::by_id(conn, r.id)?.ok_or(RequestError::NotFound)
    })
}

/// A request as the public sees it.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub request: DataRequest,
    pub suggested: Option<String>,
    pub department: Option<String>,
    /// (slug, title) of the linked dataset, while it is public.
    pub dataset: Option<(String, String)>,
    pub late: bool,
}

fn view(
    conn: &mut DbConnection,
    request: DataRequest,
    names: &[(i32, String)],
    today: NaiveDate,
) -> Result<RequestView, DbError> {
    let name = |id: Option<i32>| {
        id.and_then(|id| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
    };
    let dataset = match request.dataset_id {
        Some(id) => {
            let d = crate::db::datasets::by_id(conn, id)?;
            is_publicly_listed(d.status, d.open_class).then_some((d.slug, d.title))
        }
        None => None,
    };
    Ok(RequestView {
        suggested: name(request.suggested_department_id),
        department: name(request.department_id),
        late: request.is_late(today),
        dataset,
        request,
    })
}

fn department_names(conn: &mut DbConnection) -> Result<Vec<(i32, String)>, DbError> {
    Ok(departments::all(conn)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// Every request, most votes first.
pub fn list(conn: &mut DbConnection, today: NaiveDate) -> Result<Vec<RequestView>, DbError> {
    let names = department_names(conn)?;
    rows::all(conn)?
        .into_iter()
        .map(|r| view(conn, r, &names, today))
        .collect()
}

pub fn one(
    conn: &mut DbConnection,
    id: i32,
    today: NaiveDate,
) -> Result<Option<RequestView>, DbError> {
    let names = department_names(conn)?;
    match rows::by_id(conn, id)? {
        Some(r) => view(conn, r, &names, today).map(Some),
        None => Ok(None),
    }
}

/// The requests routed to a department, by due date.
pub fn of_department(
    conn: &mut DbConnection,
    department_id: i32,
    today: NaiveDate,
) -> Result<Vec<RequestView>, DbError> {
    let names = department_names(conn)?;
    rows::of_department(conn, department_id)?
        .into_iter()
        .map(|r| view(conn, r, &names, today))
        .collect()
}

/// The departments a request can be addressed or routed to.
pub fn departments(conn: &mut DbConnection) -> Result<Vec<Department>, DbError> {
    departments::all(conn)
}

/// A request, and whether `user` (when logged in) has voted for it.
pub fn one_for(
    conn: &mut DbConnection,
    id: i32,
    today: NaiveDate,
    user: Option<i32>,
) -> Result<Option<(RequestView, Option<bool>)>, DbError> {
    let Some(r) = one(conn, id, today)? else {
        return Ok(None);
    };
    let voted = match user {
        Some(u) => Some(rows::has_voted(conn, id, u)?),
        None => None,
    };
    Ok(Some((r, voted)))
}

/// Every request with the departments it can be routed to (the administrators' page).
pub fn routing(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> Result<(Vec<RequestView>, Vec<Department>), DbError> {
    Ok((list(conn, today)?, departments::all(conn)?))
}

/// Datasets an answer can link to: (slug, title).
pub type Linkable = Vec<(String, String)>;

/// The requests routed to a department, and the department's publicly listed datasets an
/// answer can link to.
pub fn console(
    conn: &mut DbConnection,
    department_id: i32,
    today: NaiveDate,
) -> Result<(Vec<RequestView>, Linkable), DbError> {
    let linkable = datasets::of_department(conn, department_id)?
        .into_iter()
        .filter(|d| is_publicly_listed(d.status, d.open_class))
        .map(|d| (d.slug, d.title))
        .collect();
    Ok((of_department(conn, department_id, today)?, linkable))
}
