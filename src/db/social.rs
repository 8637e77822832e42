//! Ratings and comments on datasets.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{dataset_comments, dataset_ratings};

/// Sets this account's rating of a dataset (one per account: a new one replaces the old).
pub fn rate(
    conn: &mut DbConnection,
    dataset_id: i32,
    user_id: i32,
    stars: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(dataset_ratings::table.find((dataset_id, user_id)))
        .set((
            dataset_ratings::stars.eq(stars),
            dataset_ratings::rated_at.eq(at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(dataset_ratings::table)
            .values((
                dataset_ratings::dataset_id.eq(dataset_id),
                dataset_ratings::user_id.eq(user_id),
                dataset_ratings::stars.eq(stars),
                dataset_ratings::rated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every rating of a dataset (its stars).
pub fn stars_of(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<i32>> {
    dataset_ratings::table
        .filter(dataset_ratings::dataset_id.eq(dataset_id))
        .select(dataset_ratings::stars)
        .load(conn)
}

pub fn rating_of(
    conn: &mut DbConnection,
    dataset_id: i32,
    user_id: i32,
) -> QueryResult<Option<i32>> {
    dataset_ratings::table
        .find((dataset_id, user_id))
        .select(dataset_ratings::stars)
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dataset_comments)]
pub struct Comment {
    pub id: i32,
    pub dataset_id: i32,
    pub user_id: i32,
    pub body: String,
    pub status: String,
    pub reported_at: Option<NaiveDateTime>,
    pub moderated_by: Option<i32>,
    pub moderated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_comment(
    conn: &mut DbConnection,
    dataset_id: i32,
    user_id: i32,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<Comment> {
    diesel::insert_into(dataset_comments::table)
        .values((
            dataset_comments::dataset_id.eq(dataset_id),
            dataset_comments::user_id.eq(user_id),
            dataset_comments::body.eq(body),
            dataset_comments::status.eq("visible"),
            dataset_comments::created_at.eq(at),
        ))
        .returning(dataset_comments::all_columns)
        .get_result(conn)
}

pub fn comment(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Comment>> {
    dataset_comments::table
        .find(id)
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

/// A dataset's comments in this status, oldest first.
pub fn comments(
    conn: &mut DbConnection,
    dataset_id: i32,
    status: &str,
) -> QueryResult<Vec<Comment>> {
    dataset_comments::table
        .filter(dataset_comments::dataset_id.eq(dataset_id))
        .filter(dataset_comments::status.eq(status))
        .order((
            dataset_comments::created_at.asc(),
            dataset_comments::id.asc(),
        ))
        .select(Comment::as_select())
        .load(conn)
}

/// Reported comments on these datasets (every dataset when `None`), oldest report first.
pub fn reported(conn: &mut DbConnection, dataset_ids: Option<&[i32]>) -> QueryResult<Vec<Comment>> {
    let mut q = dataset_comments::table
        .filter(dataset_comments::status.eq("reported"))
        .into_boxed();
    if let Some(ids) = dataset_ids {
        q = q.filter(dataset_comments::dataset_id.eq_any(ids.to_vec()));
    }
    q.order(dataset_comments::reported_at.asc())
        .select(Comment::as_select())
        .load(conn)
}

pub fn comments_since(
    conn: &mut DbConnection,
    user_id: i32,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    dataset_comments::table
        .filter(dataset_comments::user_id.eq(user_id))
        .filter(dataset_comments::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Moves a comment from one status to another; false when it was not in `from`.
pub fn set_status(
    conn: &mut DbConnection,
    id: i32,
    from: &str,
    to: &str,
    by: Option<i32>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let q = dataset_comments::table
        .find(id)
        .filter(dataset_comments::status.eq(from));
    let n = if to == "reported" {
        diesel::update(q)
            .set((
                dataset_comments::status.eq(to),
                dataset_comments::reported_at.eq(Some(at)),
            ))
            .execute(conn)?
    } else {
        diesel::update(q)
            .set((
                dataset_comments::status.eq(to),
                dataset_comments::moderated_by.eq(by),
                dataset_comments::moderated_at.eq(Some(at)),
            ))
            .execute(conn)?
    };
    Ok(n == 1)
}
