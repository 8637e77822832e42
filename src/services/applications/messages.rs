//! An application's conversation and a user's inbox.

use super::{ApplicationError, Notice, Notification, may_review, record_and_tell, text, words};
use crate::db::DbConnection;
use crate::db::applications as rows;
use crate::db::datasets as dataset_rows;
use crate::db::users::User;
use crate::db::write_transaction;
use crate::services::Actor;
use chrono::NaiveDateTime;
use diesel::result::Error as DbError;
use serde_json::json;

/// Adds to an application's conversation: the applicant, or a reviewer of its dataset (asking
/// for more information). The other side gets a message.
pub fn comment(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    body: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let a = rows::by_id(conn, id)?.ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    let applicant = a.user_id == user.id;
    if !applicant && !may_review(user, &d) {
        return Err(ApplicationError::NotFound);
    }
    let mut errors = Vec::new();
    let body = text(&mut errors, "body", "留言", body);
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        rows::add_comment(conn, a.id, user.id, &body, now)?;
        let (to, link) = if applicant {
            (
                rows::publishers_of(conn, d.department_id)?,
                format!("/console/applications/{}", a.id),
            )
        } else {
            (vec![a.user_id], format!("/account/applications/{}", a.id))
        };
        record_and_tell(
            conn,
            actor,
            ("application.comment", format!("application:{}", a.id)),
            json!({}),
            Notice {
                to,
                text: words(
                    actor,
                    ("account-mail-comment-subject", "account-mail-comment-body"),
                    &[("title", &d.title), ("id", &a.id.to_string())],
                ),
                link,
            },
            now,
        )?;
        Ok(())
    })
}

/// A user's messages, newest first (reading them changes nothing).
pub fn inbox(conn: &mut DbConnection, user_id: i32) -> Result<Vec<Notification>, DbError> {
    rows::inbox(conn, user_id)
}

/// Marks all of a user's unread messages read; how many were unread.
pub fn mark_inbox_read(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    rows::mark_read(conn, user_id, now)
}
