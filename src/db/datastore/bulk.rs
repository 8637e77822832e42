//! Loading many rows at once: on a SQLite file through a connection of its own with one
//! prepared INSERT, elsewhere through `insert_rows`.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::{Col, checked, checked_key, insert_rows, text_of};
use crate::db::{BackendKind, DbConnection, write_transaction};
use crate::domain::column_type::{ColumnType, Value};

/// Loads many rows into a datastore table. On a SQLite file it keeps a connection of its own
/// with one prepared single-row INSERT, as `sqlite3 .import` does: diesel's `sql_query` cannot
/// keep a prepared statement, and binding each value through the query builder costs several
/// times SQLite's own work (docs/PERFORMANCE.md). Elsewhere it uses `insert_rows`.
pub enum BulkLoader {
    Sqlite {
        conn: rusqlite::Connection,
        sql: String,
    },
    Rows,
}

#[derive(QueryableByName)]
struct DatabaseFile {
    #[diesel(sql_type = Text)]
    file: String,
}

fn sqlite_error(e: rusqlite::Error) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(Box::new(e))
}

impl BulkLoader {
    pub fn new(conn: &mut DbConnection, table: &str, cols: &[Col]) -> QueryResult<Self> {
        let table = checked(table)?;
        if conn.kind() != BackendKind::Sqlite {
            return Ok(Self::Rows);
        }
        let file = diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .get_result::<DatabaseFile>(conn)?
            .file;
        if file.is_empty() {
            return Ok(Self::Rows); // an in-memory database has no second connection
        }
        let own = rusqlite::Connection::open(&file).map_err(sqlite_error)?;
        own.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sqlite_error)?;
        own.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite_error)?;

        let names: Vec<&str> = cols
            .iter()
            .map(|c| checked_key(&c.key))
            .collect::<QueryResult<_>>()?;
        let sql = format!(
            "INSERT INTO {table} (_row, {}) VALUES (?{})",
            names.join(", "),
            ", ?".repeat(cols.len())
        );
        Ok(Self::Sqlite { conn: own, sql })
    }

    /// Inserts rows numbered from `first_row` in one transaction.
    pub fn insert(
        &mut self,
        conn: &mut DbConnection,
        table: &str,
        cols: &[Col],
        first_row: i64,
        rows: &[Vec<Value>],
    ) -> QueryResult<()> {
        let (own, sql) = match self {
            Self::Rows => {
                return write_transaction(conn, |c| insert_rows(c, table, cols, first_row, rows));
            }
            Self::Sqlite { conn, sql } => (conn, sql),
        };
        let tx = own
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sqlite_error)?;
        {
            let mut stmt = tx.prepare(sql).map_err(sqlite_error)?;
            for (i, row) in rows.iter().enumerate() {
                stmt.raw_bind_parameter(1, first_row + i as i64)
                    .map_err(sqlite_error)?;
                for (j, (c, v)) in cols.iter().zip(row).enumerate() {
                    bind_sqlite(&mut stmt, j + 2, c.ty, v).map_err(sqlite_error)?;
                }
                stmt.raw_execute().map_err(sqlite_error)?;
            }
        }
        tx.commit().map_err(sqlite_error)
    }
}

/// `YYYY-MM-DD HH:MM:SS` without chrono's format interpreter (a million rows have millions).
pub(super) fn iso_text(t: chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    fn two(out: &mut String, n: u32) {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    let year = t.year().clamp(0, 9999) as u32;
    let mut out = String::with_capacity(19);
    two(&mut out, year / 100);
    two(&mut out, year % 100);
    for (sep, n) in [
        ('-', t.month()),
        ('-', t.day()),
        (' ', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(sep);
        two(&mut out, n);
    }
    out
}

/// Binds a value the way diesel stores it on SQLite (booleans as 0/1, dates as `YYYY-MM-DD`,
/// timestamps as `YYYY-MM-DD HH:MM:SS`), so both paths write the same table.
fn bind_sqlite(
    stmt: &mut rusqlite::Statement<'_>,
    at: usize,
    ty: ColumnType,
    v: &Value,
) -> rusqlite::Result<()> {
    use rusqlite::types::Null;
    match (ty, v) {
        (ColumnType::Integer, Value::Integer(n)) => stmt.raw_bind_parameter(at, n),
        (ColumnType::Decimal, Value::Decimal(n)) => stmt.raw_bind_parameter(at, n),
        (ColumnType::Decimal, Value::Integer(n)) => stmt.raw_bind_parameter(at, *n as f64),
        (ColumnType::Boolean, Value::Boolean(b)) => stmt.raw_bind_parameter(at, b),
        (ColumnType::Date, Value::Date(d)) => {
            let text = iso_text(d.and_time(chrono::NaiveTime::MIN));
            stmt.raw_bind_parameter(at, text.get(..10).unwrap_or_default())
        }
        (ColumnType::DateTime, Value::DateTime(t)) => {
            stmt.raw_bind_parameter(at, iso_text(*t).as_str())
        }
        (ColumnType::Text, Value::Text(s)) => stmt.raw_bind_parameter(at, s.as_str()),
        (ColumnType::Text, Value::Null) => stmt.raw_bind_parameter(at, Null),
        (ColumnType::Text, other) => stmt.raw_bind_parameter(at, text_of(other)),
        // A value that is not of its column's type is stored as NULL, as `bind` does.
        _ => stmt.raw_bind_parameter(at, Null),
    }
}
