//! Datasets with their catalog metadata, data dictionary and formats.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{dataset_fields, dataset_formats, datasets};
use crate::domain::{DatasetStatus, Keywords, OpenClass, UpdateFrequency};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = datasets)]
pub struct Dataset {
    pub id: i32,
    pub slug: String,
    pub code: String,
    pub title: String,
    pub summary: String,
    pub keywords: String,
    pub theme_id: i32,
    pub department_id: i32,
    pub maintainer: String,
    #[diesel(deserialize_as = String)]
    pub open_class: OpenClass,
    pub open_conditions: Option<String>,
    pub legal_basis: Option<String>,
    #[diesel(deserialize_as = String)]
    pub update_frequency: UpdateFrequency,
    pub published_at: Option<NaiveDateTime>,
    pub last_updated_at: NaiveDateTime,
    pub record_count: i64,
    pub temporal_start: Option<NaiveDate>,
    pub temporal_end: Option<NaiveDate>,
    pub spatial_coverage: String,
    pub license: String,
    #[diesel(deserialize_as = String)]
    pub status: DatasetStatus,
    pub priority: bool,
    pub view_count: i64,
    pub download_count: i64,
    pub created_at: NaiveDateTime,
    pub modified_at: NaiveDateTime,
    /// The first time the public could see it (published, not closed), kept afterwards: set by
    /// a trigger. Its slug stays reserved from then on.
    pub public_since: Option<NaiveDateTime>,
    /// The English title and summary, when given.
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
}

impl Dataset {
    pub fn keyword_list(&self) -> Keywords {
        Keywords::from_stored(&self.keywords)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = datasets)]
pub struct NewDataset<'a> {
    pub slug: &'a str,
    pub code: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub keywords: &'a str,
    pub theme_id: i32,
    pub department_id: i32,
    pub maintainer: &'a str,
    pub open_class: &'a str,
    pub open_conditions: Option<&'a str>,
    pub legal_basis: Option<&'a str>,
    pub update_frequency: &'a str,
    pub published_at: Option<NaiveDateTime>,
    pub last_updated_at: NaiveDateTime,
    pub record_count: i64,
    pub temporal_start: Option<NaiveDate>,
    pub temporal_end: Option<NaiveDate>,
    pub spatial_coverage: &'a str,
    pub license: &'a str,
    pub status: &'a str,
    pub priority: bool,
    pub view_count: i64,
    pub download_count: i64,
    pub created_at: NaiveDateTime,
    pub modified_at: NaiveDateTime,
    pub title_en: Option<&'a str>,
    pub summary_en: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewDataset<'_>) -> QueryResult<Dataset> {
    diesel::insert_into(datasets::table)
        .values(new)
        .returning(datasets::all_columns)
        .get_result(conn)
}

/// A department's dataset with this slug, whatever its status. A slug is unique within its
/// department and among public datasets only (issue 17: another department's drafts and closed
/// datasets must not be found, nor block a slug); the public side uses
/// [`super::catalog::public_by_slug`].
pub fn in_department(
    conn: &mut DbConnection,
    department_id: i32,
    slug: &str,
) -> QueryResult<Option<Dataset>> {
    datasets::table
        .filter(datasets::department_id.eq(department_id))
        .filter(datasets::slug.eq(slug))
        .select(Dataset::as_select())
        .first(conn)
        .optional()
}

/// A withdrawn dataset the public once saw under this slug, for the page that says it was
/// withdrawn (one at most: the slug of a dataset the public has seen stays reserved).
pub fn once_public_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Dataset>> {
    datasets::table
        .filter(datasets::slug.eq(slug))
        .filter(datasets::status.eq(DatasetStatus::Withdrawn.as_str()))
        .filter(datasets::open_class.ne(OpenClass::Closed.as_str()))
        .filter(datasets::public_since.is_not_null())
        .select(Dataset::as_select())
        .first(conn)
        .optional()
}

/// The dataset that holds this slug for the whole portal: one the public sees or has seen
/// (links, harvesters and the withdrawal page go on naming it). Public knowledge, so saying
/// that it exists reveals nothing.
pub fn slug_holder(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Dataset>> {
    datasets::table
        .filter(datasets::slug.eq(slug))
        .filter(
            datasets::public_since.is_not_null().or(datasets::status
                .eq(DatasetStatus::Published.as_str())
                .and(datasets::open_class.ne(OpenClass::Closed.as_str()))),
        )
        .select(Dataset::as_select())
        .first(conn)
        .optional()
}

/// Records when the public first saw a dataset loaded with its history (the demo); everything
/// else gets it from the trigger.
pub fn set_public_since(
    conn: &mut DbConnection,
    id: i32,
    at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(datasets::table.find(id))
        .set(datasets::public_since.eq(at))
        .execute(conn)
        .map(|_| ())
}

/// Every department's dataset with this slug, for operators' tools and tests. Nothing that
/// answers a person may use it: it finds other departments' drafts and closed datasets.
pub fn all_with_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Vec<Dataset>> {
    datasets::table
        .filter(datasets::slug.eq(slug))
        .order(datasets::id)
        .select(Dataset::as_select())
        .load(conn)
}

pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    datasets::table.count().get_result(conn)
}

pub fn record_view(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(datasets::table.find(id))
        .set(datasets::view_count.eq(datasets::view_count + 1))
        .execute(conn)
        .map(drop)
}

/// Sets when the data was last updated (the demo keeps its own dates).
pub fn set_updated(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(datasets::table.find(id))
        .set((
            datasets::last_updated_at.eq(at),
            datasets::modified_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn record_download(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(datasets::table.find(id))
        .set(datasets::download_count.eq(datasets::download_count + 1))
        .execute(conn)
        .map(drop)
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = dataset_fields)]
pub struct Field {
    pub id: i32,
    pub dataset_id: i32,
    pub position: i32,
    pub name: String,
    pub data_type: String,
    pub description: String,
    pub unit: Option<String>,
    pub masked: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = dataset_fields)]
pub struct NewField<'a> {
    pub dataset_id: i32,
    pub position: i32,
    pub name: &'a str,
    pub data_type: &'a str,
    pub description: &'a str,
    pub unit: Option<&'a str>,
    pub masked: bool,
}

/// Inserts one field. (Batch inserts do not compile on the multi-back-end connection;
/// callers insert row by row inside their transaction.)
pub fn insert_field(conn: &mut DbConnection, new: &NewField<'_>) -> QueryResult<()> {
    diesel::insert_into(dataset_fields::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

pub fn fields(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<Field>> {
    dataset_fields::table
        .filter(dataset_fields::dataset_id.eq(dataset_id))
        .order(dataset_fields::position.asc())
        .select(Field::as_select())
        .load(conn)
}

pub fn add_format(conn: &mut DbConnection, dataset_id: i32, format: &str) -> QueryResult<()> {
    diesel::insert_into(dataset_formats::table)
        .values((
            dataset_formats::dataset_id.eq(dataset_id),
            dataset_formats::format.eq(format),
        ))
        .execute(conn)
        .map(drop)
}

pub fn formats(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<String>> {
    dataset_formats::table
        .filter(dataset_formats::dataset_id.eq(dataset_id))
        .order(dataset_formats::format.asc())
        .select(dataset_formats::format)
        .load(conn)
}

/// Formats of many datasets at once, as `(dataset_id, format)` pairs.
pub fn formats_of(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    dataset_formats::table
        .filter(dataset_formats::dataset_id.eq_any(ids))
        .order((dataset_formats::dataset_id, dataset_formats::format))
        .select((dataset_formats::dataset_id, dataset_formats::format))
        .load(conn)
}

/// Every editable catalog field, for an update. `None` in a nullable column writes NULL.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = datasets, treat_none_as_null = true)]
pub struct DatasetChanges<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub keywords: &'a str,
    pub theme_id: i32,
    pub maintainer: &'a str,
    pub open_class: &'a str,
    pub open_conditions: Option<&'a str>,
    pub legal_basis: Option<&'a str>,
    pub update_frequency: &'a str,
    pub record_count: i64,
    pub temporal_start: Option<NaiveDate>,
    pub temporal_end: Option<NaiveDate>,
    pub spatial_coverage: &'a str,
    pub license: &'a str,
    pub priority: bool,
    pub modified_at: NaiveDateTime,
    pub title_en: Option<&'a str>,
    pub summary_en: Option<&'a str>,
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    changes: &DatasetChanges<'_>,
) -> QueryResult<Dataset> {
    diesel::update(datasets::table.find(id))
        .set(changes)
        .returning(datasets::all_columns)
        .get_result(conn)
}

/// Changes the status; `published_at` is set the first time a dataset is published.
pub fn set_status(
    conn: &mut DbConnection,
    id: i32,
    status: DatasetStatus,
    published_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> QueryResult<Dataset> {
    diesel::update(datasets::table.find(id))
        .set((
            datasets::status.eq(status.as_str()),
            datasets::published_at.eq(published_at),
            datasets::modified_at.eq(at),
        ))
        .returning(datasets::all_columns)
        .get_result(conn)
}

/// Applies an approved open-class change.
pub fn set_class(
    conn: &mut DbConnection,
    id: i32,
    class: OpenClass,
    legal_basis: Option<&str>,
    conditions: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<Dataset> {
    diesel::update(datasets::table.find(id))
        .set((
            datasets::open_class.eq(class.as_str()),
            datasets::legal_basis.eq(legal_basis),
            datasets::open_conditions.eq(conditions),
            datasets::modified_at.eq(at),
        ))
        .returning(datasets::all_columns)
        .get_result(conn)
}

pub fn delete_fields(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<()> {
    diesel::delete(dataset_fields::table.filter(dataset_fields::dataset_id.eq(dataset_id)))
        .execute(conn)
        .map(drop)
}

pub fn delete_formats(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<()> {
    diesel::delete(dataset_formats::table.filter(dataset_formats::dataset_id.eq(dataset_id)))
        .execute(conn)
        .map(drop)
}

/// All datasets of a department, whatever their status, most recently modified first.
pub fn of_department(conn: &mut DbConnection, department_id: i32) -> QueryResult<Vec<Dataset>> {
    datasets::table
        .filter(datasets::department_id.eq(department_id))
        .order((datasets::modified_at.desc(), datasets::id.desc()))
        .select(Dataset::as_select())
        .load(conn)
}

/// Codes already used under a classification code (`{classification}/…`).
pub fn codes_with_classification(
    conn: &mut DbConnection,
    classification: &str,
) -> QueryResult<Vec<String>> {
    datasets::table
        .filter(datasets::code.like(format!("{classification}/%")))
        .select(datasets::code)
        .load(conn)
}

pub fn slug_of(conn: &mut DbConnection, id: i32) -> QueryResult<String> {
    datasets::table.find(id).select(datasets::slug).first(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Dataset> {
    datasets::table
        .find(id)
        .select(Dataset::as_select())
        .first(conn)
}

/// After a resource got a new current version: the record count is the sum of the current
/// versions' rows, the data was updated now, CSV/JSON/XLSX are offered, and the field
/// dictionary follows the new columns (keeping descriptions and units of known names; fields of
/// other resources are kept when the dataset has several).
pub fn after_new_version(
    conn: &mut DbConnection,
    dataset_id: i32,
    columns: &[(String, String, bool)],
    now: NaiveDateTime,
) -> QueryResult<()> {
    use super::schema::resources;
    let counts: Vec<Option<i64>> = resources::table
        .filter(resources::dataset_id.eq(dataset_id))
        .filter(resources::current_version_id.is_not_null())
        .select(resources::row_count)
        .load(conn)?;
    let total: i64 = counts.into_iter().flatten().sum();
    let resource_count: i64 = resources::table
        .filter(resources::dataset_id.eq(dataset_id))
        .count()
        .get_result(conn)?;
    diesel::update(datasets::table.find(dataset_id))
        .set((
            datasets::record_count.eq(total),
            datasets::last_updated_at.eq(now),
            datasets::modified_at.eq(now),
        ))
        .execute(conn)?;
    let have = formats(conn, dataset_id)?;
    for f in ["CSV", "JSON", "XLSX"] {
        if !have.iter().any(|h| h == f) {
            add_format(conn, dataset_id, f)?;
        }
    }
    let existing = fields(conn, dataset_id)?;
    let mut position = existing.iter().map(|f| f.position).max().unwrap_or(0);
    for (name, ty, masked) in columns {
        match existing.iter().find(|f| &f.name == name) {
            Some(f) => {
                diesel::update(dataset_fields::table.find(f.id))
                    .set((
                        dataset_fields::data_type.eq(ty),
                        dataset_fields::masked.eq(*masked || f.masked),
                    ))
                    .execute(conn)?;
            }
            None => {
                position += 1;
                insert_field(
                    conn,
                    &NewField {
                        dataset_id,
                        position,
                        name,
                        data_type: ty,
                        description: "",
                        unit: None,
                        masked: *masked,
                    },
                )?;
            }
        }
    }
    if resource_count == 1 {
        for f in existing
            .iter()
            .filter(|f| !columns.iter().any(|(n, _, _)| n == &f.name))
        {
            diesel::delete(dataset_fields::table.find(f.id)).execute(conn)?;
        }
    }
    Ok(())
}

/// The field dictionaries of several datasets.
pub fn fields_of(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Field>> {
    dataset_fields::table
        .filter(dataset_fields::dataset_id.eq_any(ids.to_vec()))
        .order((dataset_fields::dataset_id, dataset_fields::position))
        .select(Field::as_select())
        .load(conn)
}

/// Up to `limit` entries of the search outbox after `cursor`, oldest first:
/// (entry id, dataset id).
pub fn search_outbox_after(
    conn: &mut DbConnection,
    cursor: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, i32)>> {
    use super::schema::search_outbox as o;
    o::table
        .filter(o::id.gt(cursor))
        .order(o::id)
        .limit(limit)
        .select((o::id, o::dataset_id))
        .load(conn)
}

/// Datasets of the outbox entries in `(from, to]`.
pub fn search_outbox_between(conn: &mut DbConnection, from: i64, to: i64) -> QueryResult<Vec<i32>> {
    use super::schema::search_outbox as o;
    o::table
        .filter(o::id.gt(from).and(o::id.le(to)))
        .select(o::dataset_id)
        .load(conn)
}

/// The newest outbox entry.
pub fn search_outbox_last(conn: &mut DbConnection) -> QueryResult<Option<i64>> {
    use super::schema::search_outbox as o;
    o::table.select(diesel::dsl::max(o::id)).first(conn)
}

/// How many outbox entries lie past `cursor`.
pub fn search_outbox_count_after(conn: &mut DbConnection, cursor: i64) -> QueryResult<i64> {
    use super::schema::search_outbox as o;
    o::table.filter(o::id.gt(cursor)).count().get_result(conn)
}
