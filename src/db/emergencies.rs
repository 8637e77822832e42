//! Emergency events, their linked datasets, updates and indicator values.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    emergency_attachments, emergency_datasets, emergency_events, emergency_fast_tracks,
    emergency_updates, emergency_values,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = emergency_events)]
pub struct Event {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub category: String,
    pub level: i32,
    pub regions: String,
    pub department_id: i32,
    pub summary: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub status: String,
    pub update_interval_minutes: i32,
    pub created_at: NaiveDateTime,
    /// The English title and summary, when given.
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = emergency_events)]
pub struct NewEvent<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub category: &'a str,
    pub level: i32,
    pub regions: &'a str,
    pub department_id: i32,
    pub summary: &'a str,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub status: &'a str,
    pub update_interval_minutes: i32,
    pub created_at: NaiveDateTime,
    pub title_en: Option<&'a str>,
    pub summary_en: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = emergency_updates)]
pub struct Update {
    pub id: i32,
    pub event_id: i32,
    pub reported_at: NaiveDateTime,
    pub posted_at: NaiveDateTime,
    pub body: String,
    pub posted_by: Option<i32>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = emergency_updates)]
pub struct NewUpdate<'a> {
    pub event_id: i32,
    pub reported_at: NaiveDateTime,
    pub posted_at: NaiveDateTime,
    pub body: &'a str,
    pub posted_by: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = emergency_values)]
pub struct Value {
    pub id: i32,
    pub update_id: i32,
    pub indicator: String,
    pub value: f64,
    pub unit: String,
    pub region: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = emergency_values)]
pub struct NewValue<'a> {
    pub update_id: i32,
    pub indicator: &'a str,
    pub value: f64,
    pub unit: &'a str,
    pub region: &'a str,
}

pub fn insert_event(conn: &mut DbConnection, new: &NewEvent<'_>) -> QueryResult<Event> {
    diesel::insert_into(emergency_events::table)
        .values(new)
        .returning(emergency_events::all_columns)
        .get_result(conn)
}

pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Event>> {
    emergency_events::table
        .filter(emergency_events::slug.eq(slug))
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// Every event, active ones first, newest first within each.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Event>> {
    emergency_events::table
        .order((
            emergency_events::status.asc(),
            emergency_events::started_at.desc(),
            emergency_events::id.desc(),
        ))
        .select(Event::as_select())
        .load(conn)
}

pub fn active_count(conn: &mut DbConnection) -> QueryResult<i64> {
    emergency_events::table
        .filter(emergency_events::status.eq("active"))
        .count()
        .get_result(conn)
}

pub fn close(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        emergency_events::table
            .find(id)
            .filter(emergency_events::status.eq("active")),
    )
    .set((
        emergency_events::status.eq("closed"),
        emergency_events::ended_at.eq(Some(at)),
    ))
    .execute(conn)
}

pub fn link_dataset(conn: &mut DbConnection, event_id: i32, dataset_id: i32) -> QueryResult<()> {
    diesel::insert_into(emergency_datasets::table)
        .values((
            emergency_datasets::event_id.eq(event_id),
            emergency_datasets::dataset_id.eq(dataset_id),
        ))
        .execute(conn)
        .map(drop)
}

pub fn dataset_ids(conn: &mut DbConnection, event_id: i32) -> QueryResult<Vec<i32>> {
    emergency_datasets::table
        .filter(emergency_datasets::event_id.eq(event_id))
        .select(emergency_datasets::dataset_id)
        .order(emergency_datasets::dataset_id)
        .load(conn)
}

pub fn insert_update(conn: &mut DbConnection, new: &NewUpdate<'_>) -> QueryResult<Update> {
    diesel::insert_into(emergency_updates::table)
        .values(new)
        .returning(emergency_updates::all_columns)
        .get_result(conn)
}

pub fn insert_values(conn: &mut DbConnection, values: &[NewValue<'_>]) -> QueryResult<()> {
    for v in values {
        diesel::insert_into(emergency_values::table)
            .values(v)
            .execute(conn)?;
    }
    Ok(())
}

/// An event's updates, newest report first.
pub fn updates(conn: &mut DbConnection, event_id: i32) -> QueryResult<Vec<Update>> {
    emergency_updates::table
        .filter(emergency_updates::event_id.eq(event_id))
        .order((
            emergency_updates::reported_at.desc(),
            emergency_updates::id.desc(),
        ))
        .select(Update::as_select())
        .load(conn)
}

/// The updates of an event after update `after` (by id), oldest (lowest id) first.
pub fn updates_after(
    conn: &mut DbConnection,
    event_id: i32,
    after: i32,
) -> QueryResult<Vec<Update>> {
    emergency_updates::table
        .filter(emergency_updates::event_id.eq(event_id))
        .filter(emergency_updates::id.gt(after))
        .order(emergency_updates::id.asc())
        .select(Update::as_select())
        .load(conn)
}

/// The id of an event's newest update.
pub fn last_update_id(conn: &mut DbConnection, event_id: i32) -> QueryResult<Option<i32>> {
    emergency_updates::table
        .filter(emergency_updates::event_id.eq(event_id))
        .select(diesel::dsl::max(emergency_updates::id))
        .first(conn)
}

/// The values of these updates.
pub fn values_of(conn: &mut DbConnection, update_ids: &[i32]) -> QueryResult<Vec<Value>> {
    let mut out = Vec::new();
    for chunk in update_ids.chunks(5000) {
        out.extend(
            emergency_values::table
                .filter(emergency_values::update_id.eq_any(chunk.to_vec()))
                .order(emergency_values::id)
                .select(Value::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The time of each event's latest update.
pub fn last_updates(conn: &mut DbConnection) -> QueryResult<Vec<(i32, Option<NaiveDateTime>)>> {
    use diesel::dsl::max;
    emergency_updates::table
        .group_by(emergency_updates::event_id)
        .select((
            emergency_updates::event_id,
            max(emergency_updates::posted_at),
        ))
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = emergency_attachments)]
pub struct Attachment {
    pub id: i32,
    pub update_id: i32,
    pub file_key: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = emergency_attachments)]
pub struct NewAttachment<'a> {
    pub update_id: i32,
    pub file_key: &'a str,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert_attachment(
    conn: &mut DbConnection,
    new: &NewAttachment<'_>,
) -> QueryResult<Attachment> {
    diesel::insert_into(emergency_attachments::table)
        .values(new)
        .returning(emergency_attachments::all_columns)
        .get_result(conn)
}

/// The attachments of these updates, oldest first.
pub fn attachments_of(conn: &mut DbConnection, update_ids: &[i32]) -> QueryResult<Vec<Attachment>> {
    let mut out = Vec::new();
    for chunk in update_ids.chunks(5000) {
        out.extend(
            emergency_attachments::table
                .filter(emergency_attachments::update_id.eq_any(chunk.to_vec()))
                .order(emergency_attachments::id)
                .select(Attachment::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

pub fn attachment(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Attachment>> {
    emergency_attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .optional()
}

pub fn update_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Update>> {
    emergency_updates::table
        .find(id)
        .select(Update::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = emergency_fast_tracks)]
pub struct FastTrack {
    pub id: i32,
    pub event_id: i32,
    pub dataset_id: i32,
    pub from_class: String,
    pub from_status: String,
    pub reason: String,
    pub published_by: Option<i32>,
    pub published_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_note: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = emergency_fast_tracks)]
pub struct NewFastTrack<'a> {
    pub event_id: i32,
    pub dataset_id: i32,
    pub from_class: &'a str,
    pub from_status: &'a str,
    pub reason: &'a str,
    pub published_by: Option<i32>,
    pub published_at: NaiveDateTime,
}

pub fn insert_fast_track(
    conn: &mut DbConnection,
    new: &NewFastTrack<'_>,
) -> QueryResult<FastTrack> {
    diesel::insert_into(emergency_fast_tracks::table)
        .values(new)
        .returning(emergency_fast_tracks::all_columns)
        .get_result(conn)
}

pub fn fast_track(conn: &mut DbConnection, id: i32) -> QueryResult<Option<FastTrack>> {
    emergency_fast_tracks::table
        .find(id)
        .select(FastTrack::as_select())
        .first(conn)
        .optional()
}

/// Every fast-tracked publication, those awaiting review first, newest first within each.
pub fn fast_tracks(conn: &mut DbConnection) -> QueryResult<Vec<FastTrack>> {
    emergency_fast_tracks::table
        .order((
            emergency_fast_tracks::reviewed_at.is_not_null().asc(),
            emergency_fast_tracks::published_at.desc(),
            emergency_fast_tracks::id.desc(),
        ))
        .select(FastTrack::as_select())
        .load(conn)
}

/// Records the administrator's review; false when it was already reviewed.
pub fn review_fast_track(
    conn: &mut DbConnection,
    id: i32,
    by: i32,
    at: NaiveDateTime,
    note: &str,
) -> QueryResult<bool> {
    diesel::update(
        emergency_fast_tracks::table
            .find(id)
            .filter(emergency_fast_tracks::reviewed_at.is_null()),
    )
    .set((
        emergency_fast_tracks::reviewed_by.eq(Some(by)),
        emergency_fast_tracks::reviewed_at.eq(Some(at)),
        emergency_fast_tracks::review_note.eq(Some(note)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
