//! Ratings (one per account and dataset, 1 to 5 stars) and comments on datasets. Comments show
//! at once; the providing department or an administrator may remove one; anyone logged in may
//! report one, which hides it until it is reviewed.

use chrono::{Duration, NaiveDateTime};
use diesel::result::Error as DbError;

use super::{Actor, audit};
use crate::db::datasets::Dataset;
pub use crate::db::social::Comment;
use crate::db::social::{self as rows};
use crate::db::users::User;
use crate::db::{DbConnection, write_transaction};
use crate::domain::{Role, is_publicly_listed};

/// Comments one account may write in a day; comments and reports one address may make.
pub const DAILY_COMMENTS: i64 = 10;
pub const ADDRESS_BUDGET: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum SocialError {
    #[error("不存在")]
    NotFound,
    #[error("只有提供该数据集的部门或平台管理员可以处理评论")]
    Forbidden,
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error("{0}")]
    Conflict(String),
    #[error("今天发表的评论已达上限，请明天再试")]
    OverBudget,
    #[error(transparent)]
    Database(#[from] DbError),
}

fn public(conn: &mut DbConnection, slug: &str) -> Result<Dataset, SocialError> {
    crate::db::catalog::public_by_slug(conn, slug)?.ok_or(SocialError::NotFound)
}

/// Rates a public dataset; a second rating by the same account replaces the first.
pub fn rate(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    stars: &str,
    now: NaiveDateTime,
) -> Result<Dataset, SocialError> {
    let d = public(conn, slug)?;
    let Some(stars) = stars
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|s| (1..=5).contains(s))
    else {
        return Err(SocialError::Invalid("stars", "请选择 1 到 5 星".into()));
    };
    write_transaction(conn, |conn| rows::rate(conn, d.id, user.id, stars, now))?;
    Ok(d)
}

/// How many ratings and their mean.
#[derive(Debug, Clone, Default)]
pub struct Rating {
    pub count: usize,
    pub mean: Option<f64>,
}

impl Rating {
    pub fn shown(&self) -> String {
        self.mean
            .map(|m| format!("{m:.1}"))
            .unwrap_or_else(|| "—".into())
    }
}

pub fn rating(conn: &mut DbConnection, dataset_id: i32) -> Result<Rating, DbError> {
    let stars = rows::stars_of(conn, dataset_id)?;
    Ok(Rating {
        count: stars.len(),
        mean: (!stars.is_empty())
            .then(|| f64::from(stars.iter().sum::<i32>()) / stars.len() as f64),
    })
}

pub fn comment(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    body: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(Dataset, Comment), SocialError> {
    let d = public(conn, slug)?;
    let body = body.trim();
    if body.chars().count() < 2 || body.chars().count() > 1000 {
        return Err(SocialError::Invalid("body", "评论应为 2 至 1000 字".into()));
    }
    write_transaction(conn, |conn| {
        if rows::comments_since(conn, user.id, now - Duration::days(1))? >= DAILY_COMMENTS
            || audit::over_address_budget(conn, actor, "comment.create", ADDRESS_BUDGET, now)?
        {
            return Err(SocialError::OverBudget);
        }
        let c = rows::insert_comment(conn, d.id, user.id, body, now)?;
        audit::record(
            conn,
            actor,
            now,
            "comment.create",
            &format!("comment:{}", c.id),
            serde_json::json!({ "dataset": d.slug }),
        )?;
        Ok((d, c))
    })
}

/// Anyone logged in reports a visible comment: it is hidden until reviewed.
pub fn report(
    conn: &mut DbConnection,
    id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Dataset, SocialError> {
    write_transaction(conn, |conn| {
        let c = rows::comment(conn, id)?.ok_or(SocialError::NotFound)?;
        let d = crate::db::datasets::by_id(conn, c.dataset_id)?;
        if !is_publicly_listed(d.status, d.open_class) {
            return Err(SocialError::NotFound);
        }
        if audit::over_address_budget(conn, actor, "comment.report", ADDRESS_BUDGET, now)? {
            return Err(SocialError::OverBudget);
        }
        // Restored by the department or an administrator: their decision stands.
        if c.moderated_at.is_some() {
            return Err(SocialError::Conflict(
                "该评论已经审核并恢复显示，不能再次举报".into(),
            ));
        }
        if !rows::set_status(conn, c.id, "visible", "reported", None, now)? {
            return Err(SocialError::Conflict("该评论已被举报或删除".into()));
        }
        audit::record(
            conn,
            actor,
            now,
            "comment.report",
            &format!("comment:{}", c.id),
            serde_json::json!({ "dataset": d.slug }),
        )?;
        Ok(d)
    })
}

/// Whether the user moderates comments on this dataset.
pub fn moderates(user: &User, d: &Dataset) -> bool {
    user.role == Role::Admin
        || (user.role == Role::Publisher && user.department_id == Some(d.department_id))
}

/// The department or an administrator restores a reported comment or removes a comment.
pub fn moderate(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    action: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Dataset, SocialError> {
    write_transaction(conn, |conn| {
        let c = rows::comment(conn, id)?.ok_or(SocialError::NotFound)?;
        let d = crate::db::datasets::by_id(conn, c.dataset_id)?;
        if !moderates(user, &d) {
            return Err(SocialError::Forbidden);
        }
        let moved = match action {
            "restore" => rows::set_status(conn, c.id, "reported", "visible", Some(user.id), now)?,
            "remove" => {
                rows::set_status(conn, c.id, "reported", "removed", Some(user.id), now)?
                    || rows::set_status(conn, c.id, "visible", "removed", Some(user.id), now)?
            }
            _ => return Err(SocialError::Invalid("action", "未知的操作".into())),
        };
        if !moved {
            return Err(SocialError::Conflict("该评论的状态已改变".into()));
        }
        audit::record(
            conn,
            actor,
            now,
            &format!("comment.{action}"),
            &format!("comment:{}", c.id),
            serde_json::json!({ "dataset": d.slug }),
        )?;
        Ok(d)
    })
}

/// Reported comments the user moderates, with their dataset (slug, title).
pub fn reported(
    conn: &mut DbConnection,
    user: &User,
) -> Result<Vec<(Comment, String, String)>, DbError> {
    let ids: Option<Vec<i32>> = match (user.role, user.department_id) {
        (Role::Admin, _) => None,
        (Role::Publisher, Some(dept)) => Some(
            crate::db::datasets::of_department(conn, dept)?
                .into_iter()
                .map(|d| d.id)
                .collect(),
        ),
        _ => Some(Vec::new()),
    };
    let mut out = Vec::new();
    for c in rows::reported(conn, ids.as_deref())? {
        let d = crate::db::datasets::by_id(conn, c.dataset_id)?;
        out.push((c, d.slug, d.title));
    }
    Ok(out)
}

/// A dataset's visible comments.
pub fn visible(conn: &mut DbConnection, dataset_id: i32) -> Result<Vec<Comment>, DbError> {
    rows::comments(conn, dataset_id, "visible")
}

/// The stars a user gave a dataset, if any.
pub fn rating_by(
    conn: &mut DbConnection,
    dataset_id: i32,
    user_id: i32,
) -> Result<Option<i32>, DbError> {
    rows::rating_of(conn, dataset_id, user_id)
}
