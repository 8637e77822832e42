//! The datastore: one typed table per resource version (CKAN DataStore style), named
//! `ds_v{version id}`, with `_row` (1-based) and columns `c1…cN`.
//!
//! Table and column names are never taken from requests: they are generated here and checked.
//! Every value is bound as a parameter. Rows come back as one JSON array per row
//! (`json_array` on SQLite, `json_build_array` on PostgreSQL), so any set of columns can be read
//! through one static row type.

mod bulk;

use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Date, Double, Nullable, Text, Timestamp};

use super::{Backend, BackendKind, DbConnection};
use crate::domain::column_type::{ColumnType, Value};

pub use self::bulk::BulkLoader;

/// A column of a datastore table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    /// `c1`, `c2`, …
    pub key: String,
    pub ty: ColumnType,
}

pub fn table_name(version_id: i32) -> String {
    format!("ds_v{version_id}")
}

fn checked(name: &str) -> QueryResult<&str> {
    let ok = name
        .strip_prefix("ds_v")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(name)
    } else {
        Err(diesel::result::Error::QueryBuilderError(
            format!("not a datastore table: {name}").into(),
        ))
    }
}

fn checked_key(key: &str) -> QueryResult<&str> {
    let ok = key
        .strip_prefix('c')
        .is_some_and(|n| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(key)
    } else {
        Err(diesel::result::Error::QueryBuilderError(
            format!("not a datastore column: {key}").into(),
        ))
    }
}

fn sql_type(kind: BackendKind, ty: ColumnType) -> &'static str {
    match (kind, ty) {
        (_, ColumnType::Integer) => "BIGINT",
        (BackendKind::Sqlite, ColumnType::Decimal) => "REAL",
        (BackendKind::Postgres, ColumnType::Decimal) => "DOUBLE PRECISION",
        (_, ColumnType::Boolean) => "BOOLEAN",
        (BackendKind::Sqlite, ColumnType::Date | ColumnType::DateTime) => "TEXT",
        (BackendKind::Postgres, ColumnType::Date) => "DATE",
        (BackendKind::Postgres, ColumnType::DateTime) => "TIMESTAMP",
        (_, ColumnType::Text) => "TEXT",
    }
}

pub fn create_table(conn: &mut DbConnection, table: &str, cols: &[Col]) -> QueryResult<()> {
    let kind = conn.kind();
    // On SQLite `_row` is the rowid itself (an INTEGER PRIMARY KEY), not a second index.
    let row = match kind {
        BackendKind::Sqlite => "INTEGER",
        BackendKind::Postgres => "BIGINT",
    };
    let mut sql = format!("CREATE TABLE {} (_row {row} PRIMARY KEY", checked(table)?);
    for c in cols {
        sql.push_str(&format!(
            ", {} {}",
            checked_key(&c.key)?,
            sql_type(kind, c.ty)
        ));
    }
    sql.push(')');
    diesel::sql_query(sql).execute(conn).map(drop)
}

pub fn drop_table(conn: &mut DbConnection, table: &str) -> QueryResult<()> {
    diesel::sql_query(format!("DROP TABLE IF EXISTS {}", checked(table)?))
        .execute(conn)
        .map(drop)
}

type Query<'a> = BoxedSqlQuery<'a, Backend, SqlQuery>;

fn bind<'a>(q: Query<'a>, ty: ColumnType, v: &Value) -> Query<'a> {
    match (ty, v) {
        (ColumnType::Integer, Value::Integer(n)) => q.bind::<Nullable<BigInt>, _>(Some(*n)),
        (ColumnType::Integer, _) => q.bind::<Nullable<BigInt>, _>(None::<i64>),
        (ColumnType::Decimal, Value::Decimal(n)) => q.bind::<Nullable<Double>, _>(Some(*n)),
        (ColumnType::Decimal, Value::Integer(n)) => q.bind::<Nullable<Double>, _>(Some(*n as f64)),
        (ColumnType::Decimal, _) => q.bind::<Nullable<Double>, _>(None::<f64>),
        (ColumnType::Boolean, Value::Boolean(b)) => q.bind::<Nullable<Bool>, _>(Some(*b)),
        (ColumnType::Boolean, _) => q.bind::<Nullable<Bool>, _>(None::<bool>),
        (ColumnType::Date, Value::Date(d)) => q.bind::<Nullable<Date>, _>(Some(*d)),
        (ColumnType::Date, _) => q.bind::<Nullable<Date>, _>(None::<chrono::NaiveDate>),
        (ColumnType::DateTime, Value::DateTime(t)) => q.bind::<Nullable<Timestamp>, _>(Some(*t)),
        (ColumnType::DateTime, _) => {
            q.bind::<Nullable<Timestamp>, _>(None::<chrono::NaiveDateTime>)
        }
        (ColumnType::Text, Value::Text(s)) => q.bind::<Nullable<Text>, _>(Some(s.clone())),
        (ColumnType::Text, Value::Null) => q.bind::<Nullable<Text>, _>(None::<String>),
        (ColumnType::Text, other) => q.bind::<Nullable<Text>, _>(Some(text_of(other))),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Integer(n) => n.to_string(),
        Value::Decimal(n) => n.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        Value::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        Value::Text(s) => s.clone(),
    }
}

/// Whether a datastore table exists (after a failed or interrupted ingest it must not).
pub fn table_exists(conn: &mut DbConnection, table: &str) -> QueryResult<bool> {
    let table = checked(table)?;
    let sql = match conn.kind() {
        BackendKind::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
        }
        BackendKind::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = $1"
        }
    };
    let found = diesel::sql_query(sql)
        .into_boxed::<Backend>()
        .bind::<Text, _>(table)
        .get_result::<Count>(conn)?;
    Ok(found.n > 0)
}

/// Most rows per INSERT: SQLite allows 32,766 parameters, PostgreSQL 65,535.
pub fn batch_rows(conn: &DbConnection, columns: usize) -> usize {
    let limit = match conn.kind() {
        BackendKind::Sqlite => 32_000,
        BackendKind::Postgres => 65_000,
    };
    (limit / (columns + 1)).clamp(1, 2_000)
}

/// Inserts rows numbered from `first_row`, in statements of at most `batch_rows` rows.
pub fn insert_rows(
    conn: &mut DbConnection,
    table: &str,
    cols: &[Col],
    first_row: i64,
    rows: &[Vec<Value>],
) -> QueryResult<()> {
    let table = checked(table)?;
    let per = batch_rows(conn, cols.len());
    let names: Vec<&str> = cols
        .iter()
        .map(|c| checked_key(&c.key))
        .collect::<QueryResult<_>>()?;
    let head = format!("INSERT INTO {table} (_row, {}) VALUES ", names.join(", "));
    // SQLite looks `$n` parameters up by name (a linear search per parameter, quadratic in a
    // statement of thousands); its anonymous `?` are numbered in order at no cost.
    let sqlite = conn.kind() == BackendKind::Sqlite;
    let statement = |len: usize| {
        use std::fmt::Write;
        let mut sql = String::with_capacity(head.len() + len * (cols.len() + 1) * 7);
        sql.push_str(&head);
        let mut n = 0;
        for i in 0..len {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..=cols.len() {
                n += 1;
                if j > 0 {
                    sql.push_str(", ");
                }
                if sqlite {
                    sql.push('?');
                } else {
                    let _ = write!(sql, "${n}");
                }
            }
            sql.push(')');
        }
        sql
    };
    let full = statement(per.min(rows.len()));
    for (chunk_no, chunk) in rows.chunks(per).enumerate() {
        let sql = if chunk.len() == per.min(rows.len()) {
            full.clone()
        } else {
            statement(chunk.len())
        };
        let mut q = diesel::sql_query(sql).into_boxed::<Backend>();
        for (i, row) in chunk.iter().enumerate() {
            let number = first_row + (chunk_no * per + i) as i64;
            q = q.bind::<BigInt, _>(number);
            for (c, v) in cols.iter().zip(row) {
                q = bind(q, c.ty, v);
            }
        }
        q.execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
}

impl Op {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "" | "eq" => Self::Eq,
            "ne" => Self::Ne,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "contains" => Self::Contains,
            _ => return None,
        })
    }

    fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Lt => "<",
            Self::Lte => "<=",
            Self::Contains => "LIKE",
        }
    }
}

/// A condition on one column; the value has the column's type.
#[derive(Debug, Clone)]
pub struct Condition {
    pub col: usize,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, Default)]
pub struct RowQuery {
    pub conditions: Vec<Condition>,
    /// Matched (ASCII case folded) as a substring of any text column.
    pub text: Option<String>,
    /// (column index, descending)
    pub sort: Vec<(usize, bool)>,
    pub limit: i64,
    pub offset: i64,
}

fn like(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_ascii_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// `WHERE …` for a query, with its binds in order, starting at `$first`.
fn where_clause(
    cols: &[Col],
    q: &RowQuery,
    first: usize,
) -> QueryResult<(String, Vec<(ColumnType, Value)>)> {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    let mut n = first;
    for c in &q.conditions {
        let col = cols
            .get(c.col)
            .ok_or_else(|| diesel::result::Error::QueryBuilderError("no such column".into()))?;
        let key = checked_key(&col.key)?;
        if c.op == Op::Contains {
            parts.push(format!("lower({key}) LIKE ${n} ESCAPE '\\'"));
            binds.push((ColumnType::Text, Value::Text(like(&text_of(&c.value)))));
        } else if c.value == Value::Null {
            parts.push(format!(
                "{key} IS {}NULL",
                if c.op == Op::Ne { "NOT " } else { "" }
            ));
            continue;
        } else {
            parts.push(format!("{key} {} ${n}", c.op.sql()));
            binds.push((col.ty, c.value.clone()));
        }
        n += 1;
    }
    if let Some(t) = q.text.as_ref().filter(|t| !t.is_empty()) {
        let texts: Vec<String> = cols
            .iter()
            .filter(|c| c.ty == ColumnType::Text)
            .map(|c| checked_key(&c.key).map(|k| format!("lower({k}) LIKE ${n} ESCAPE '\\'")))
            .collect::<QueryResult<_>>()?;
        if texts.is_empty() {
            parts.push("1 = 0".into());
        } else {
            parts.push(format!("({})", texts.join(" OR ")));
            binds.push((ColumnType::Text, Value::Text(like(t))));
        }
    }
    let sql = if parts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", parts.join(" AND "))
    };
    Ok((sql, binds))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct RowJson {
    #[diesel(sql_type = Text)]
    row: String,
}

pub fn count(conn: &mut DbConnection, table: &str, cols: &[Col], q: &RowQuery) -> QueryResult<i64> {
    let (clause, binds) = where_clause(cols, q, 1)?;
    let sql = format!("SELECT COUNT(*) AS n FROM {}{clause}", checked(table)?);
    let mut query = diesel::sql_query(sql).into_boxed::<Backend>();
    for (ty, v) in &binds {
        query = bind(query, *ty, v);
    }
    Ok(query.get_result::<Count>(conn)?.n)
}

/// The rows a query selects, each as the JSON array of its column values in `cols` order.
pub fn rows(
    conn: &mut DbConnection,
    table: &str,
    cols: &[Col],
    q: &RowQuery,
) -> QueryResult<Vec<Vec<serde_json::Value>>> {
    let keys: Vec<&str> = cols
        .iter()
        .map(|c| checked_key(&c.key))
        .collect::<QueryResult<_>>()?;
    let array = match conn.kind() {
        BackendKind::Sqlite => format!("json_array({})", keys.join(", ")),
        BackendKind::Postgres => format!("CAST(json_build_array({}) AS TEXT)", keys.join(", ")),
    };
    let (clause, mut binds) = where_clause(cols, q, 1)?;
    let mut order: Vec<String> = Vec::new();
    for (i, desc) in &q.sort {
        let key = checked_key(
            &cols
                .get(*i)
                .ok_or_else(|| diesel::result::Error::QueryBuilderError("no such column".into()))?
                .key,
        )?;
        // NULLs last in both directions, on both back-ends.
        order.push(format!(
            "({key} IS NULL), {key} {}",
            if *desc { "DESC" } else { "ASC" }
        ));
    }
    order.push("_row ASC".into());
    let n = binds.len() + 1;
    let sql = format!(
        "SELECT {array} AS row FROM {}{clause} ORDER BY {} LIMIT ${n} OFFSET ${}",
        checked(table)?,
        order.join(", "),
        n + 1
    );
    binds.push((ColumnType::Integer, Value::Integer(q.limit)));
    binds.push((ColumnType::Integer, Value::Integer(q.offset)));
    let mut query = diesel::sql_query(sql).into_boxed::<Backend>();
    for (ty, v) in &binds {
        query = bind(query, *ty, v);
    }
    let rows: Vec<RowJson> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| serde_json::from_str::<Vec<serde_json::Value>>(&r.row).unwrap_or_default())
        .map(|values| {
            values
                .into_iter()
                .zip(cols)
                .map(|(v, c)| normalise(c.ty, v))
                .collect()
        })
        .collect())
}

/// The same JSON on both back-ends: booleans as booleans (SQLite stores 0/1), timestamps as
/// `YYYY-MM-DD HH:MM:SS` (PostgreSQL writes a `T`, SQLite may add fractions).
fn normalise(ty: ColumnType, v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match (ty, v) {
        (_, J::Null) => J::Null,
        (ColumnType::Boolean, J::Number(n)) => J::Bool(n.as_i64() == Some(1)),
        (ColumnType::DateTime, J::String(s)) => {
            let t = s.replace('T', " ");
            J::String(t.get(..19).unwrap_or(&t).to_owned())
        }
        (ColumnType::Decimal, J::Number(n)) => J::from(n.as_f64().unwrap_or_default()),
        (_, other) => other,
    }
}

#[derive(QueryableByName)]
struct Bar {
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = Double)]
    total: f64,
}

/// Sum (or average) of a numeric column per value of another column: the largest `limit`,
/// or — for a date column — the latest `limit` in date order.
pub fn sums_by(
    conn: &mut DbConnection,
    table: &str,
    group: &Col,
    value: &Col,
    chronological: bool,
    average: bool,
    limit: i64,
) -> QueryResult<Vec<(String, f64)>> {
    let (g, v) = (checked_key(&group.key)?, checked_key(&value.key)?);
    let double = match conn.kind() {
        BackendKind::Sqlite => "REAL",
        BackendKind::Postgres => "DOUBLE PRECISION",
    };
    let order = if chronological {
        format!("{g} DESC")
    } else {
        // Ties by label, so that equal bars keep their order from one request to the next.
        format!("total DESC, {g}")
    };
    let agg = if average { "AVG" } else { "SUM" };
    let sql = format!(
        "SELECT CAST({g} AS TEXT) AS label, CAST(COALESCE({agg}({v}), 0) AS {double}) AS total \
         FROM {} WHERE {g} IS NOT NULL GROUP BY {g} ORDER BY {order} LIMIT $1",
        checked(table)?
    );
    let mut bars: Vec<(String, f64)> = diesel::sql_query(sql)
        .into_boxed::<Backend>()
        .bind::<BigInt, _>(limit)
        .load::<Bar>(conn)?
        .into_iter()
        .map(|b| (b.label, b.total))
        .collect();
    if chronological {
        bars.reverse();
    }
    Ok(bars)
}

#[cfg(test)]
mod tests;
