//! What operators read: whether the database answers (`/healthz`) and the ingest figures of
//! `/metrics`.

use crate::db::{self, DbConnection, DbError};

/// Whether the database answers a trivial query.
pub fn database_answers(conn: &mut DbConnection) -> Result<(), DbError> {
    db::ping(conn)
}

/// How many uploaded versions are in each ingest status.
pub fn ingest_counts(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, DbError> {
    db::versions::count_by_status(conn)
}
