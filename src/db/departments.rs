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
    /// The English name and description, when given.
    pub name_en: Option<String>,
    pub description_en: Option<String>,
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
    pub name_en: Option<&'a str>,
    pub description_en: Option<&'a str>,
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

/// Every editable column of a department. `None` in a nullable column writes NULL.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = departments, treat_none_as_null = true)]
pub struct DepartmentChanges<'a> {
    pub name: &'a str,
    pub level: &'a str,
    pub region_code: &'a str,
    pub parent_id: Option<i32>,
    pub description: &'a str,
    pub name_en: Option<&'a str>,
    pub description_en: Option<&'a str>,
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    changes: &DepartmentChanges<'_>,
) -> QueryResult<Department> {
    diesel::update(departments::table.find(id))
        .set(changes)
        .returning(departments::all_columns)
        .get_result(conn)
}
