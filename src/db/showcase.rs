//! Showcase items and the datasets they use.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{showcase_datasets, showcase_items};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = showcase_items)]
pub struct Item {
    pub id: i32,
    pub title: String,
    pub description: String,
    pub link: String,
    pub kind: String,
    pub screenshot_key: Option<String>,
    pub submitted_by: i32,
    pub status: String,
    pub decided_by: Option<i32>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub link_status: String,
    pub link_checked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = showcase_items)]
pub struct NewItem<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub link: &'a str,
    pub kind: &'a str,
    pub screenshot_key: Option<&'a str>,
    pub submitted_by: i32,
    pub status: &'a str,
    pub link_status: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewItem<'_>,
    dataset_ids: &[i32],
) -> QueryResult<Item> {
    let item: Item = diesel::insert_into(showcase_items::table)
        .values(new)
        .returning(showcase_items::all_columns)
        .get_result(conn)?;
    for id in dataset_ids {
        diesel::insert_into(showcase_datasets::table)
            .values((
                showcase_datasets::item_id.eq(item.id),
                showcase_datasets::dataset_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(item)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Item>> {
    showcase_items::table
        .find(id)
        .select(Item::as_select())
        .first(conn)
        .optional()
}

/// Items in this status, newest first.
pub fn in_status(conn: &mut DbConnection, status: &str) -> QueryResult<Vec<Item>> {
    showcase_items::table
        .filter(showcase_items::status.eq(status))
        .order((showcase_items::created_at.desc(), showcase_items::id.desc()))
        .select(Item::as_select())
        .load(conn)
}

/// Approved items that use this dataset, newest first.
pub fn approved_for_dataset(conn: &mut DbConnection, dataset_id: i32) -> QueryResult<Vec<Item>> {
    showcase_items::table
        .inner_join(showcase_datasets::table)
        .filter(showcase_datasets::dataset_id.eq(dataset_id))
        .filter(showcase_items::status.eq("approved"))
        .order((showcase_items::created_at.desc(), showcase_items::id.desc()))
        .select(Item::as_select())
        .load(conn)
}

pub fn dataset_ids(conn: &mut DbConnection, item_id: i32) -> QueryResult<Vec<i32>> {
    showcase_datasets::table
        .filter(showcase_datasets::item_id.eq(item_id))
        .select(showcase_datasets::dataset_id)
        .order(showcase_datasets::dataset_id)
        .load(conn)
}

pub fn filed_since(
    conn: &mut DbConnection,
    user_id: i32,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    showcase_items::table
        .filter(showcase_items::submitted_by.eq(user_id))
        .filter(showcase_items::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Approves or rejects a pending item; false when it was decided already.
pub fn decide(
    conn: &mut DbConnection,
    id: i32,
    status: &str,
    reason: Option<&str>,
    by: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        showcase_items::table
            .find(id)
            .filter(showcase_items::status.eq("pending")),
    )
    .set((
        showcase_items::status.eq(status),
        showcase_items::reason.eq(reason),
        showcase_items::decided_by.eq(Some(by)),
        showcase_items::decided_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn set_link_status(
    conn: &mut DbConnection,
    id: i32,
    status: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(showcase_items::table.find(id))
        .set((
            showcase_items::link_status.eq(status),
            showcase_items::link_checked_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}
