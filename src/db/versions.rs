//! Resource versions: each upload of a resource, from processing to ready, blocked or failed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::resource_versions;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = resource_versions)]
pub struct Version {
    pub id: i32,
    pub resource_id: i32,
    pub number: i32,
    pub status: String,
    pub source_name: String,
    pub source_format: String,
    pub source_key: Option<String>,
    pub source_sha256: String,
    pub source_size: i64,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub data_key: Option<String>,
    pub data_sha256: Option<String>,
    pub data_size: Option<i64>,
    pub table_name: Option<String>,
    pub row_count: Option<i64>,
    pub rows_done: i64,
    /// Per mille of the whole job.
    pub progress: i32,
    pub column_info: Option<String>,
    pub pii: Option<String>,
    pub masking: Option<String>,
    pub report: Option<String>,
    pub override_reason: Option<String>,
    pub override_by: Option<i32>,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    /// Retired (its table dropped, its files forgotten): it never leaves again.
    pub retired_at: Option<NaiveDateTime>,
    pub retired_reason: Option<String>,
    /// Restarts that interrupted this version's ingest (it is tried again once).
    pub restarts: i32,
}

#[derive(Insertable)]
#[diesel(table_name = resource_versions)]
pub struct NewVersion<'a> {
    pub resource_id: i32,
    pub number: i32,
    pub status: &'a str,
    pub source_name: &'a str,
    pub source_format: &'a str,
    pub source_key: Option<&'a str>,
    pub source_sha256: &'a str,
    pub source_size: i64,
    pub masking: Option<&'a str>,
    pub column_info: Option<&'a str>,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewVersion<'_>) -> QueryResult<Version> {
    diesel::insert_into(resource_versions::table)
        .values(new)
        .returning(resource_versions::all_columns)
        .get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Version>> {
    resource_versions::table
        .find(id)
        .select(Version::as_select())
        .first(conn)
        .optional()
}

pub fn by_number(
    conn: &mut DbConnection,
    resource_id: i32,
    number: i32,
) -> QueryResult<Option<Version>> {
    resource_versions::table
        .filter(resource_versions::resource_id.eq(resource_id))
        .filter(resource_versions::number.eq(number))
        .select(Version::as_select())
        .first(conn)
        .optional()
}

/// The resource's versions, newest first.
pub fn of_resource(conn: &mut DbConnection, resource_id: i32) -> QueryResult<Vec<Version>> {
    resource_versions::table
        .filter(resource_versions::resource_id.eq(resource_id))
        .order(resource_versions::number.desc())
        .select(Version::as_select())
        .load(conn)
}

/// The versions of many resources, by resource, newest first within each.
pub fn of_resources(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Version>> {
    resource_versions::table
        .filter(resource_versions::resource_id.eq_any(ids))
        .order((
            resource_versions::resource_id.asc(),
            resource_versions::number.desc(),
        ))
        .select(Version::as_select())
        .load(conn)
}

pub fn next_number(conn: &mut DbConnection, resource_id: i32) -> QueryResult<i32> {
    let max: Option<i32> = resource_versions::table
        .filter(resource_versions::resource_id.eq(resource_id))
        .select(diesel::dsl::max(resource_versions::number))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn in_status(conn: &mut DbConnection, status: &str) -> QueryResult<Vec<Version>> {
    resource_versions::table
        .filter(resource_versions::status.eq(status))
        .order(resource_versions::id.asc())
        .select(Version::as_select())
        .load(conn)
}

/// An ingest a restart interrupted, made ready to run again from the start.
pub fn requeue_after_restart(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::rows_done.eq(0),
            resource_versions::progress.eq(0),
            resource_versions::finished_at.eq(None::<NaiveDateTime>),
            resource_versions::restarts.eq(resource_versions::restarts + 1),
        ))
        .execute(conn)
        .map(drop)
}

pub fn progress(conn: &mut DbConnection, id: i32, rows: i64, per_mille: i32) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::rows_done.eq(rows),
            resource_versions::progress.eq(per_mille.clamp(0, 1000)),
        ))
        .execute(conn)
        .map(drop)
}

/// What the scan found, and where it stopped (`blocked`, `failed` or still `processing`).
pub struct Scanned<'a> {
    pub status: &'a str,
    pub encoding: Option<&'a str>,
    pub delimiter: Option<&'a str>,
    pub column_info: Option<&'a str>,
    pub pii: Option<&'a str>,
    pub report: Option<&'a str>,
    pub finished_at: Option<NaiveDateTime>,
}

pub fn scanned(conn: &mut DbConnection, id: i32, s: &Scanned<'_>) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::status.eq(s.status),
            resource_versions::encoding.eq(s.encoding),
            resource_versions::delimiter.eq(s.delimiter),
            resource_versions::column_info.eq(s.column_info),
            resource_versions::pii.eq(s.pii),
            resource_versions::report.eq(s.report),
            resource_versions::finished_at.eq(s.finished_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn fail(conn: &mut DbConnection, id: i32, report: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::status.eq("failed"),
            resource_versions::report.eq(Some(report)),
            resource_versions::table_name.eq(None::<String>),
            resource_versions::finished_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

/// What a loaded version holds, for [`ready`].
pub struct Loaded<'a> {
    /// Its datastore table.
    pub table_name: &'a str,
    /// The published CSV in the file store.
    pub data_key: &'a str,
    pub data_sha256: &'a str,
    pub data_size: i64,
    pub row_count: i64,
    /// The columns as JSON.
    pub column_info: &'a str,
}

pub fn ready(
    conn: &mut DbConnection,
    id: i32,
    loaded: &Loaded<'_>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let Loaded {
        table_name,
        data_key,
        data_sha256,
        data_size,
        row_count,
        column_info,
    } = *loaded;
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::status.eq("ready"),
            resource_versions::table_name.eq(Some(table_name)),
            resource_versions::data_key.eq(Some(data_key)),
            resource_versions::data_sha256.eq(Some(data_sha256)),
            resource_versions::data_size.eq(Some(data_size)),
            resource_versions::row_count.eq(Some(row_count)),
            resource_versions::rows_done.eq(row_count),
            resource_versions::progress.eq(1000),
            resource_versions::column_info.eq(Some(column_info)),
            resource_versions::finished_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

/// Records the masking decisions (and optionally an administrator's override) and sends the
/// version back to processing.
pub fn decide(
    conn: &mut DbConnection,
    id: i32,
    masking: Option<&str>,
    override_reason: Option<&str>,
    override_by: Option<i32>,
) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::status.eq("processing"),
            resource_versions::masking.eq(masking),
            resource_versions::override_reason.eq(override_reason),
            resource_versions::override_by.eq(override_by),
            resource_versions::rows_done.eq(0),
            resource_versions::progress.eq(0),
            resource_versions::finished_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn forget_source(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set(resource_versions::source_key.eq(None::<String>))
        .execute(conn)
        .map(drop)
}

/// Retires a version: no table, no published file, no source; the reason stays.
pub fn retire(
    conn: &mut DbConnection,
    id: i32,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::table_name.eq(None::<String>),
            resource_versions::data_key.eq(None::<String>),
            resource_versions::source_key.eq(None::<String>),
            resource_versions::retired_at.eq(Some(at)),
            resource_versions::retired_reason.eq(Some(reason)),
        ))
        .execute(conn)
        .map(drop)
}

/// How many versions still refer to a stored file (as source or as data).
pub fn references_to(conn: &mut DbConnection, key: &str) -> QueryResult<i64> {
    resource_versions::table
        .filter(
            resource_versions::source_key
                .eq(key)
                .or(resource_versions::data_key.eq(key)),
        )
        .count()
        .get_result(conn)
}

/// Sets when a version was uploaded and finished (the demo keeps its own dates).
pub fn set_times(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(resource_versions::table.find(id))
        .set((
            resource_versions::created_at.eq(at),
            resource_versions::finished_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

/// How many versions are in each status (the ingest figures of `/metrics`).
pub fn count_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    resource_versions::table
        .group_by(resource_versions::status)
        .select((resource_versions::status, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)
}
