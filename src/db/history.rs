//! Dataset change history and open-class change requests.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::datasets::Dataset;
use super::schema::{class_change_requests, dataset_changes, datasets};
use crate::domain::{DecisionStatus, OpenClass};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = dataset_changes)]
pub struct DatasetChange {
    pub id: i32,
    pub dataset_id: i32,
    pub actor: String,
    pub changed_at: NaiveDateTime,
    pub action: String,
    /// JSON: `{field: [old, new]}` for updates, other details for other actions.
    pub changes: String,
    pub reason: String,
}

#[derive(Insertable)]
#[diesel(table_name = dataset_changes)]
pub struct NewDatasetChange<'a> {
    pub dataset_id: i32,
    pub actor: &'a str,
    pub changed_at: NaiveDateTime,
    pub action: &'a str,
    pub changes: &'a str,
    pub reason: &'a str,
}

pub fn record(conn: &mut DbConnection, new: &NewDatasetChange<'_>) -> QueryResult<()> {
    diesel::insert_into(dataset_changes::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

pub fn for_dataset(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<DatasetChange>> {
    dataset_changes::table
        .filter(dataset_changes::dataset_id.eq(dataset_id))
        .order(dataset_changes::id.desc())
        .select(DatasetChange::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = class_change_requests)]
pub struct ClassChangeRequest {
    pub id: i32,
    pub dataset_id: i32,
    #[diesel(deserialize_as = String)]
    pub from_class: OpenClass,
    #[diesel(deserialize_as = String)]
    pub to_class: OpenClass,
    pub legal_basis: String,
    pub open_conditions: Option<String>,
    pub reason: String,
    pub requested_by: Option<i32>,
    pub requested_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub status: DecisionStatus,
    pub decided_by: Option<i32>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = class_change_requests)]
pub struct NewClassChangeRequest<'a> {
    pub dataset_id: i32,
    pub from_class: &'a str,
    pub to_class: &'a str,
    pub legal_basis: &'a str,
    pub open_conditions: Option<&'a str>,
    pub reason: &'a str,
    pub requested_by: Option<i32>,
    pub requested_at: NaiveDateTime,
}

pub fn request(
    conn: &mut DbConnection,
    new: &NewClassChangeRequest<'_>,
) -> QueryResult<ClassChangeRequest> {
    diesel::insert_into(class_change_requests::table)
        .values(new)
        .returning(class_change_requests::all_columns)
        .get_result(conn)
}

pub fn pending_for(
    conn: &mut DbConnection,
    dataset_id: i32,
) -> QueryResult<Option<ClassChangeRequest>> {
    class_change_requests::table
        .filter(class_change_requests::dataset_id.eq(dataset_id))
        .filter(class_change_requests::status.eq(DecisionStatus::Pending.as_str()))
        .select(ClassChangeRequest::as_select())
        .first(conn)
        .optional()
}

/// Requests with their datasets, pending first, newest first.
pub fn list(
    conn: &mut DbConnection,
    status: Option<DecisionStatus>,
) -> QueryResult<Vec<(ClassChangeRequest, Dataset)>> {
    let mut q = class_change_requests::table
        .inner_join(datasets::table)
        .select((ClassChangeRequest::as_select(), Dataset::as_select()))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(class_change_requests::status.eq(s.as_str()));
    }
    q.order(class_change_requests::id.desc()).load(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<ClassChangeRequest>> {
    class_change_requests::table
        .find(id)
        .select(ClassChangeRequest::as_select())
        .first(conn)
        .optional()
}

pub fn decide(
    conn: &mut DbConnection,
    id: i32,
    status: DecisionStatus,
    by: i32,
    at: NaiveDateTime,
    note: &str,
) -> QueryResult<()> {
    diesel::update(class_change_requests::table.find(id))
        .set((
            class_change_requests::status.eq(status.as_str()),
            class_change_requests::decided_by.eq(Some(by)),
            class_change_requests::decided_at.eq(Some(at)),
            class_change_requests::decision_note.eq(Some(note)),
        ))
        .execute(conn)
        .map(drop)
}
