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

/// What every query answers when it fails.
pub use diesel::result::Error as DbError;

/// Whether `e` says the database went away or cannot be used (try again later), rather than
/// that the query was wrong.
pub fn is_unavailable(e: &DbError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            [
                "database is locked",
                "file is not a database",
                "disk I/O error",
                "unable to open database",
                "server closed the connection",
                "terminating connection",
                "no connection to the server",
            ]
            .iter()
            .any(|needle| m.contains(needle))
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

/// Whether the database answers a trivial query (the health check).
pub fn ping(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT 1 FROM themes LIMIT 1")
        .execute(conn)
        .map(drop)
}

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
