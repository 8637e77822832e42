//! Resources: the files of a dataset, stored content-addressed in the data directory.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::resources;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = resources)]
pub struct Resource {
    pub id: i32,
    pub dataset_id: i32,
    pub name: String,
    pub format: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub encoding: String,
    pub row_count: Option<i64>,
    pub storage_key: String,
    pub created_at: NaiveDateTime,
    pub current_version_id: Option<i32>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = resources)]
pub struct NewResource<'a> {
    pub dataset_id: i32,
    pub name: &'a str,
    pub format: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub encoding: &'a str,
    pub row_count: Option<i64>,
    pub storage_key: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewResource<'_>) -> QueryResult<Resource> {
    diesel::insert_into(resources::table)
        .values(new)
        .returning(resources::all_columns)
        .get_result(conn)
}

pub fn for_dataset(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<Resource>> {
    resources::table
        .filter(resources::dataset_id.eq(dataset_id))
        .order(resources::id.asc())
        .select(Resource::as_select())
        .load(conn)
}

/// The resources of many datasets, by dataset then id.
pub fn for_datasets(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Resource>> {
    resources::table
        .filter(resources::dataset_id.eq_any(ids))
        .order((resources::dataset_id.asc(), resources::id.asc()))
        .select(Resource::as_select())
        .load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    resources::table.count().get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Resource>> {
    resources::table
        .find(id)
        .select(Resource::as_select())
        .first(conn)
        .optional()
}

/// Points the resource at a new current version and copies that version's published file
/// facts onto it (what lists and the dataset page show).
pub fn set_current(
    conn: &mut DbConnection,
    id: i32,
    version_id: i32,
    size_bytes: i64,
    sha256: &str,
    row_count: i64,
    storage_key: &str,
) -> QueryResult<()> {
    diesel::update(resources::table.find(id))
        .set((
            resources::current_version_id.eq(Some(version_id)),
            resources::size_bytes.eq(size_bytes),
            resources::sha256.eq(sha256),
            resources::encoding.eq("UTF-8"),
            resources::format.eq("CSV"),
            resources::row_count.eq(Some(row_count)),
            resources::storage_key.eq(storage_key),
        ))
        .execute(conn)
        .map(drop)
}
