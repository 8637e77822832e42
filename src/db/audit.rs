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
    pub ip: Option<String>,
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
    pub ip: Option<&'a str>,
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

/// Filters for the audit-log viewer.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact actor, e.g. `user:12` or `cli`.
    pub actor: Option<String>,
    /// Action or action prefix: `dataset.` matches every dataset action.
    pub action: Option<String>,
    /// Target prefix, e.g. `dataset:hefei-bus`.
    pub target: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A page of events matching the filter, newest first, and the total.
pub fn search(
    conn: &mut DbConnection,
    f: &AuditFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<AuditEvent>)> {
    let filtered = || {
        let mut q = audit_events::table.into_boxed();
        if let Some(a) = &f.actor {
            q = q.filter(audit_events::actor.eq(a.clone()));
        }
        if let Some(a) = &f.action {
            q = q.filter(
                audit_events::action
                    .like(format!("{}%", escape_like(a)))
                    .escape('\\'),
            );
        }
        if let Some(t) = &f.target {
            q = q.filter(
                audit_events::target
                    .like(format!("{}%", escape_like(t)))
                    .escape('\\'),
            );
        }
        if let Some(t) = f.from {
            q = q.filter(audit_events::occurred_at.ge(t));
        }
        if let Some(t) = f.until {
            q = q.filter(audit_events::occurred_at.lt(t));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(audit_events::id.desc())
        .limit(limit)
        .offset(offset)
        .select(AuditEvent::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// The events about one target (e.g. `grant:7`), newest first, at most `limit`.
pub fn of_target(
    conn: &mut DbConnection,
    target: &str,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::target.eq(target))
        .order(audit_events::id.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// How many `action` events came from this address since `since` (the spam budgets of the
/// public forms).
pub fn count_from(
    conn: &mut DbConnection,
    action: &str,
    ip: &str,
    since: chrono::NaiveDateTime,
) -> QueryResult<i64> {
    audit_events::table
        .filter(audit_events::action.eq(action))
        .filter(audit_events::ip.eq(ip))
        .filter(audit_events::occurred_at.ge(since))
        .count()
        .get_result(conn)
}
