//! The audit log table. Rows are only ever inserted; triggers refuse updates and deletes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::audit_events;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i32,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub occurred_at: NaiveDateTime,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

pub fn insert(conn: &mut DbConnection, new: &NewAuditEvent<'_>) -> QueryResult<AuditEvent> {
    diesel::insert_into(audit_events::table)
        .values(new)
        .returning(audit_events::all_columns)
        .get_result(conn)
}

pub fn last_hash(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    audit_events::table
        .order(audit_events::id.desc())
        .select(audit_events::hash)
        .first(conn)
        .optional()
}

/// Serialises writers of the chain: an exclusive lock on PostgreSQL; on SQLite the caller's
/// write transaction already holds the database's single writer lock.
pub fn lock_chain(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Pg(_) => {
            diesel::sql_query("LOCK TABLE audit_events IN EXCLUSIVE MODE").execute(conn)?;
        }
        DbConnection::Sqlite(_) => {}
    }
    Ok(())
}

pub fn all_in_order(conn: &mut DbConnection) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .order(audit_events::id.asc())
        .select(AuditEvent::as_select())
        .load(conn)
}
