//! The database layer: diesel only. Schema, rows, inserts and queries, each returning
//! `QueryResult`. It knows nothing of HTTP; services own transactions and audit records.

pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod connection;
pub mod datasets;
pub mod datastore;
pub mod departments;
pub mod emergencies;
pub mod history;
pub mod migrations;
pub mod requests;
pub mod resources;
pub mod reviews;
pub mod schema;
pub mod sessions;
pub mod showcase;
pub mod social;
pub mod stats;
pub mod themes;
pub mod users;
pub mod versions;

pub use connection::{
    Backend, BackendKind, DatabaseUrl, DbConnection, DbPool, PooledConn, write_transaction,
};

/// When `e` is a unique-constraint violation, the constraint's name or (on SQLite, which names no
/// constraint) the message, e.g. `UNIQUE constraint failed: datasets.slug`. Callers use it to
/// turn a lost race between check and insert into a conflict instead of an internal error.
pub fn unique_violation(e: &diesel::result::Error) -> Option<String> {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            info,
        ) => Some(
            info.constraint_name()
                .map(str::to_owned)
                .unwrap_or_else(|| info.message().to_owned()),
        ),
        _ => None,
    }
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// `lower()`, which folds ASCII only on both back-ends (with `COLLATE "C"` on PostgreSQL).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
