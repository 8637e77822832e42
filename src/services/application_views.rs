//! What the conditional-access pages show: the application form's dataset, lists of
//! applications with their datasets and grants, one application with its conversation and, for
//! reviewers, the grant's uses as the audit log recorded them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::applications::{self as service, ANSWER_WITHIN, ApplicationError};
use crate::db::applications::{self as rows};
pub use crate::db::applications::{Application, Comment, Grant};
pub use crate::db::datasets::Dataset;
use crate::db::datasets::{self as dataset_rows};
use crate::db::users::User;
use crate::db::{DbConnection, DbError, audit, calendar};
use crate::domain::{ApplicationStatus, Role};

/// The application form of a conditionally open dataset: the dataset, the names of its
/// fields and the day an application made today is due to be answered.
pub fn apply_form(
    conn: &mut DbConnection,
    slug: &str,
    today: NaiveDate,
) -> Result<(Dataset, Vec<String>, NaiveDate), ApplicationError> {
    let d = service::conditional_dataset(conn, slug)?;
    let fields = service::field_names(conn, d.id)?;
    let due = calendar::work_calendar(conn)?.add_working_days(today, ANSWER_WITHIN);
    Ok((d, fields, due))
}

/// The attachment (file-store key, file name) of an application, for its applicant or a
/// reviewer of its dataset; `None` for anyone else, or when there is none.
pub fn attachment(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
) -> Result<Option<(String, String)>, DbError> {
    let Some(a) = rows::by_id(conn, id)? else {
        return Ok(None);
    };
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    if a.user_id != user.id && !service::may_review(user, &d) {
        return Ok(None);
    }
    Ok(a.attachment_key.zip(a.attachment_name))
}

/// One row of a list: the application, its dataset and its grant.
pub struct Row {
    pub application: Application,
    pub dataset_title: String,
    pub dataset_slug: String,
    pub grant: Option<Grant>,
    pub overdue: bool,
}

fn rows_of(
    c: &mut DbConnection,
    list: Vec<Application>,
    today: NaiveDate,
) -> Result<Vec<Row>, DbError> {
    let mut ids: Vec<i32> = list.iter().map(|a| a.dataset_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let labels: HashMap<i32, (String, String)> = rows::dataset_labels(c, &ids)?
        .into_iter()
        .map(|(id, title, slug)| (id, (title, slug)))
        .collect();
    let application_ids: Vec<i32> = list.iter().map(|a| a.id).collect();
    let mut grants: HashMap<i32, Grant> = rows::grants_of_applications(c, &application_ids)?
        .into_iter()
        .map(|g| (g.application_id, g))
        .collect();
    Ok(list
        .into_iter()
        .map(|a| {
            let (title, slug) = labels.get(&a.dataset_id).cloned().unwrap_or_default();
            Row {
                overdue: a.status == ApplicationStatus::Pending && a.due_on < today,
                grant: grants.remove(&a.id),
                application: a,
                dataset_title: title,
                dataset_slug: slug,
            }
        })
        .collect())
}

/// A user's own applications.
pub fn mine(conn: &mut DbConnection, user_id: i32, today: NaiveDate) -> Result<Vec<Row>, DbError> {
    let list = rows::of_user(conn, user_id)?;
    rows_of(conn, list, today)
}

/// The applications a reviewer answers (an administrator: all), the earliest due first.
pub fn queue(
    conn: &mut DbConnection,
    reviewer: &User,
    today: NaiveDate,
) -> Result<Vec<Row>, DbError> {
    let department = match reviewer.role {
        Role::Admin => None,
        _ => Some(reviewer.department_id.unwrap_or(-1)),
    };
    let list = rows::queue(conn, department)?;
    rows_of(conn, list, today)
}

/// An application's conversation, each message labelled with its side.
pub type Thread = Vec<(&'static str, Comment)>;

fn thread_of(c: &mut DbConnection, a: &Application) -> Result<Thread, DbError> {
    Ok(rows::comments(c, a.id)?
        .into_iter()
        .map(|m| {
            let side = if m.user_id == a.user_id {
                "申请人"
            } else {
                "数据提供部门"
            };
            (side, m)
        })
        .collect())
}

/// An applicant's own application with its conversation; `None` for anyone else's.
pub fn own(
    conn: &mut DbConnection,
    user_id: i32,
    id: i32,
    today: NaiveDate,
) -> Result<Option<(Row, Thread)>, DbError> {
    let Some(a) = rows::by_id(conn, id)?.filter(|a| a.user_id == user_id) else {
        return Ok(None);
    };
    let thread = thread_of(conn, &a)?;
    Ok(rows_of(conn, vec![a], today)?.pop().map(|r| (r, thread)))
}

/// What a reviewer sees of an application.
pub struct Review {
    pub row: Row,
    pub thread: Thread,
    /// The grant's uses (downloads, API calls), newest first: (when, channel, what).
    pub uses: Vec<(NaiveDateTime, &'static str, String)>,
}

/// An application for its reviewer; `None` when missing or another department's (as
/// invisible as a missing one).
pub fn review(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
    today: NaiveDate,
) -> Result<Option<Review>, DbError> {
    let Some(a) = rows::by_id(conn, id)? else {
        return Ok(None);
    };
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    if !service::may_review(reviewer, &d) {
        return Ok(None);
    }
    let thread = thread_of(conn, &a)?;
    let Some(row) = rows_of(conn, vec![a], today)?.pop() else {
        return Ok(None);
    };
    let mut uses = Vec::new();
    if let Some(g) = &row.grant {
        for e in audit::of_target(conn, &format!("grant:{}", g.id), 200)? {
            let channel = match e.action.as_str() {
                "grant.download" => "下载",
                "grant.api" => "接口调用",
                _ => continue,
            };
            let what = serde_json::from_str::<serde_json::Value>(&e.details)
                .ok()
                .and_then(|v| v["target"].as_str().map(str::to_owned))
                .unwrap_or_default();
            uses.push((e.occurred_at, channel, what));
        }
    }
    Ok(Some(Review { row, thread, uses }))
}
