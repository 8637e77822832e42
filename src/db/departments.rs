//! Providing departments (数据提供部门).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::departments;
use crate::domain::{RegionCode, RegionLevel};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = departments)]
pub struct Department {
    pub id: i32,
    pub slug: String,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub level: RegionLevel,
    #[diesel(deserialize_as = String)]
    pub region_code: RegionCode,
    pub parent_id: Option<i32>,
    pub description: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = departments)]
pub struct NewDepartment<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub region_code: &'a str,
    pub parent_id: Option<i32>,
    pub description: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewDepartment<'_>) -> QueryResult<Department> {
    diesel::insert_into(departments::table)
        .values(new)
        .returning(departments::all_columns)
        .get_result(conn)
}

/// All departments: province first, then cities, then counties, each by region code and name.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Department>> {
    let mut list: Vec<Department> = departments::table
        .select(Department::as_select())
        .load(conn)?;
    list.sort_by_key(|d| (d.level, d.region_code, d.id));
    Ok(list)
}

pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Department>> {
    departments::table
        .filter(departments::slug.eq(slug))
        .select(Department::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    departments::table.count().get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Department> {
    departments::table
        .find(id)
        .select(Department::as_select())
        .first(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    name: &str,
    level: &str,
    region_code: &str,
    parent_id: Option<i32>,
    description: &str,
) -> QueryResult<Department> {
    diesel::update(departments::table.find(id))
        .set((
            departments::name.eq(name),
            departments::level.eq(level),
            departments::region_code.eq(region_code),
            departments::parent_id.eq(parent_id),
            departments::description.eq(description),
        ))
        .returning(departments::all_columns)
        .get_result(conn)
}
