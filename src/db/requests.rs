//! Data requests (开放需求) and their votes.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{data_request_votes, data_requests};
use crate::domain::RequestStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = data_requests)]
pub struct DataRequest {
    pub id: i32,
    pub title: String,
    pub description: String,
    pub intended_use: String,
    pub suggested_department_id: Option<i32>,
    pub requested_by: i32,
    #[diesel(deserialize_as = String)]
    pub status: RequestStatus,
    pub department_id: Option<i32>,
    pub routed_at: Option<NaiveDateTime>,
    pub due_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<i32>,
    pub dataset_id: Option<i32>,
    pub votes: i32,
    pub created_at: NaiveDateTime,
}

impl DataRequest {
    /// Routed and unanswered past the due date, or answered after it.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        let Some(due) = self.due_on else {
            return false;
        };
        match self.answered_at {
            Some(at) => (at + chrono::Duration::hours(8)).date() > due,
            None => self.status == RequestStatus::Routed && today > due,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = data_requests)]
pub struct NewDataRequest<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub intended_use: &'a str,
    pub suggested_department_id: Option<i32>,
    pub requested_by: i32,
    pub status: &'a str,
    pub votes: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewDataRequest<'_>) -> QueryResult<DataRequest> {
    diesel::insert_into(data_requests::table)
        .values(new)
        .returning(data_requests::all_columns)
        .get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<DataRequest>> {
    data_requests::table
        .find(id)
        .select(DataRequest::as_select())
        .first(conn)
        .optional()
}

/// Every request, most votes first, then newest.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<DataRequest>> {
    data_requests::table
        .order((
            data_requests::votes.desc(),
            data_requests::created_at.desc(),
            data_requests::id.desc(),
        ))
        .select(DataRequest::as_select())
        .load(conn)
}

/// Requests routed to a department.
pub fn of_department(conn: &mut DbConnection, department_id: i32) -> QueryResult<Vec<DataRequest>> {
    data_requests::table
        .filter(data_requests::department_id.eq(department_id))
        .order((data_requests::due_on.asc(), data_requests::id.asc()))
        .select(DataRequest::as_select())
        .load(conn)
}

/// Requests this user filed since `since`.
pub fn filed_since(
    conn: &mut DbConnection,
    user_id: i32,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    data_requests::table
        .filter(data_requests::requested_by.eq(user_id))
        .filter(data_requests::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Adds a vote; false when this user already voted.
pub fn vote(
    conn: &mut DbConnection,
    id: i32,
    user_id: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let already: i64 = data_request_votes::table
        .filter(data_request_votes::request_id.eq(id))
        .filter(data_request_votes::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Ok(false);
    }
    diesel::insert_into(data_request_votes::table)
        .values((
            data_request_votes::request_id.eq(id),
            data_request_votes::user_id.eq(user_id),
            data_request_votes::created_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(data_requests::table.find(id))
        .set(data_requests::votes.eq(data_requests::votes + 1))
        .execute(conn)?;
    Ok(true)
}

pub fn has_voted(conn: &mut DbConnection, id: i32, user_id: i32) -> QueryResult<bool> {
    data_request_votes::table
        .filter(data_request_votes::request_id.eq(id))
        .filter(data_request_votes::user_id.eq(user_id))
        .count()
        .get_result::<i64>(conn)
        .map(|n| n > 0)
}

/// Routes an unanswered request to a department with its due date.
pub fn route(
    conn: &mut DbConnection,
    id: i32,
    department_id: i32,
    due_on: NaiveDate,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        data_requests::table
            .find(id)
            .filter(data_requests::status.eq_any(["open", "routed"])),
    )
    .set((
        data_requests::status.eq("routed"),
        data_requests::department_id.eq(Some(department_id)),
        data_requests::due_on.eq(Some(due_on)),
        data_requests::routed_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The department's answer to a routed request.
pub fn answer(
    conn: &mut DbConnection,
    id: i32,
    status: RequestStatus,
    text: &str,
    by: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        data_requests::table
            .find(id)
            .filter(data_requests::status.eq("routed")),
    )
    .set((
        data_requests::status.eq(status.as_str()),
        data_requests::answer.eq(Some(text)),
        data_requests::answered_at.eq(Some(at)),
        data_requests::answered_by.eq(Some(by)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Links the published dataset; the request is then `published`. `answered` keeps the first
/// answer's time and author when there was one.
pub fn link(
    conn: &mut DbConnection,
    id: i32,
    dataset_id: i32,
    answered: (NaiveDateTime, i32),
) -> QueryResult<bool> {
    diesel::update(
        data_requests::table
            .find(id)
            .filter(data_requests::status.eq_any(["routed", "accepted"])),
    )
    .set((
        data_requests::status.eq("published"),
        data_requests::dataset_id.eq(Some(dataset_id)),
        data_requests::answered_at.eq(Some(answered.0)),
        data_requests::answered_by.eq(Some(answered.1)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
