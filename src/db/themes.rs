//! Themes: the 21 priority areas, seeded by the first migration.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::themes;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = themes)]
pub struct Theme {
    pub id: i32,
    pub slug: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub position: i32,
    /// The English description, when given (the English name is always there).
    pub description_en: Option<String>,
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Theme>> {
    themes::table
        .order(themes::position.asc())
        .select(Theme::as_select())
        .load(conn)
}

pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Theme>> {
    themes::table
        .filter(themes::slug.eq(slug))
        .select(Theme::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Theme> {
    themes::table
        .find(id)
        .select(Theme::as_select())
        .first(conn)
}
