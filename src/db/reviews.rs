//! Error reports (复核) and their answers.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::error_reviews;
use crate::domain::ReviewStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = error_reviews)]
pub struct ErrorReview {
    pub id: i32,
    pub dataset_id: i32,
    pub resource_id: Option<i32>,
    pub location_row: String,
    pub location_field: String,
    pub description: String,
    pub correction: String,
    pub evidence_key: Option<String>,
    pub evidence_name: Option<String>,
    pub evidence_type: Option<String>,
    pub reporter_id: Option<i32>,
    pub reporter_contact: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: ReviewStatus,
    pub due_on: NaiveDate,
    pub extended_due_on: Option<NaiveDate>,
    pub extension_reason: Option<String>,
    pub answer: Option<String>,
    pub corrected_version_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<i32>,
}

impl ErrorReview {
    /// The date the answer is due: the extended one, if any.
    pub fn deadline(&self) -> NaiveDate {
        self.extended_due_on.unwrap_or(self.due_on)
    }

    /// Unanswered past the deadline, or answered after it.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        match self.answered_at {
            Some(at) => (at + chrono::Duration::hours(8)).date() > self.deadline(),
            None => today > self.deadline(),
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = error_reviews)]
pub struct NewErrorReview<'a> {
    pub dataset_id: i32,
    pub resource_id: Option<i32>,
    pub location_row: &'a str,
    pub location_field: &'a str,
    pub description: &'a str,
    pub correction: &'a str,
    pub evidence_key: Option<&'a str>,
    pub evidence_name: Option<&'a str>,
    pub evidence_type: Option<&'a str>,
    pub reporter_id: Option<i32>,
    pub reporter_contact: Option<&'a str>,
    pub status: &'a str,
    pub due_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewErrorReview<'_>) -> QueryResult<ErrorReview> {
    diesel::insert_into(error_reviews::table)
        .values(new)
        .returning(error_reviews::all_columns)
        .get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<ErrorReview>> {
    error_reviews::table
        .find(id)
        .select(ErrorReview::as_select())
        .first(conn)
        .optional()
}

/// A dataset's reports, newest first.
pub fn for_dataset(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<ErrorReview>> {
    error_reviews::table
        .filter(error_reviews::dataset_id.eq(dataset_id))
        .order((error_reviews::created_at.desc(), error_reviews::id.desc()))
        .select(ErrorReview::as_select())
        .load(conn)
}

/// The reports on these datasets, newest first.
pub fn for_datasets(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<ErrorReview>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(5000) {
        out.extend(
            error_reviews::table
                .filter(error_reviews::dataset_id.eq_any(chunk.to_vec()))
                .order((error_reviews::created_at.desc(), error_reviews::id.desc()))
                .select(ErrorReview::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// How many reports this reporter (account or contact) filed since `since`.
pub fn count_since(
    conn: &mut DbConnection,
    reporter_id: Option<i32>,
    contact: Option<&str>,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    let mut q = error_reviews::table
        .filter(error_reviews::created_at.ge(since))
        .into_boxed();
    q = match (reporter_id, contact) {
        (Some(id), _) => q.filter(error_reviews::reporter_id.eq(id)),
        (None, Some(c)) => q.filter(error_reviews::reporter_contact.eq(c)),
        (None, None) => return Ok(0),
    };
    q.count().get_result(conn)
}

/// Moves a report on from `from` (false when another request moved it first).
pub fn set_status(
    conn: &mut DbConnection,
    id: i32,
    from: ReviewStatus,
    to: ReviewStatus,
) -> QueryResult<bool> {
    diesel::update(
        error_reviews::table
            .find(id)
            .filter(error_reviews::status.eq(from.as_str())),
    )
    .set(error_reviews::status.eq(to.as_str()))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records the one extension (false when it was already extended or answered).
pub fn extend(
    conn: &mut DbConnection,
    id: i32,
    until: NaiveDate,
    reason: &str,
) -> QueryResult<bool> {
    diesel::update(
        error_reviews::table
            .find(id)
            .filter(error_reviews::extended_due_on.is_null())
            .filter(error_reviews::status.eq_any(["received", "reviewing"])),
    )
    .set((
        error_reviews::extended_due_on.eq(Some(until)),
        error_reviews::extension_reason.eq(Some(reason)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records the answer (false when it was already answered).
pub fn answer(
    conn: &mut DbConnection,
    id: i32,
    status: ReviewStatus,
    answer: &str,
    version_id: Option<i32>,
    by: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        error_reviews::table
            .find(id)
            .filter(error_reviews::status.eq_any(["received", "reviewing"])),
    )
    .set((
        error_reviews::status.eq(status.as_str()),
        error_reviews::answer.eq(Some(answer)),
        error_reviews::corrected_version_id.eq(version_id),
        error_reviews::answered_at.eq(Some(at)),
        error_reviews::answered_by.eq(Some(by)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<ErrorReview>> {
    error_reviews::table
        .order(error_reviews::id)
        .select(ErrorReview::as_select())
        .load(conn)
}
