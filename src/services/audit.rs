//! The tamper-evident audit log: every row stores the hash of the row before it and its own
//! SHA-256 over that hash and its canonical content, so editing or deleting any row breaks
//! the chain from there on. The tables also refuse UPDATE and DELETE outright.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use sha2::{Digest, Sha256};

use super::Actor;
use crate::db::audit::{self as rows, NewAuditEvent};
pub use crate::db::audit::{AuditEvent, AuditFilter};
use crate::db::{DbConnection, write_transaction};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one event says, as hashed.
pub struct Content<'a> {
    pub occurred_at: NaiveDateTime,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
    pub ip: Option<&'a str>,
}

/// The hash of one row: SHA-256 over the previous hash and the row's canonical JSON form
/// (the IP address is appended only when there is one, so rows from before it was recorded
/// keep their hashes).
pub fn hash(prev_hash: &str, c: &Content<'_>) -> String {
    let mut canonical = serde_json::json!([
        c.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        c.actor,
        c.action,
        c.target,
        c.details,
    ]);
    if let (Some(ip), Some(list)) = (c.ip, canonical.as_array_mut()) {
        list.push(serde_json::Value::from(ip));
    }
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Appends one event that happened at `now` (the caller's [`super::clock::Clock`]). `target`
/// names the object, e.g. `dataset:hefei-bus-routes`; `details` must not hold personal data.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> QueryResult<AuditEvent> {
    write_transaction(conn, |conn| {
        rows::lock_chain(conn)?;
        let prev = rows::last_hash(conn)?.unwrap_or_else(|| GENESIS.to_owned());
        let details = details.to_string();
        let content = Content {
            occurred_at: now,
            actor: &actor.label,
            action,
            target,
            details: &details,
            ip: actor.ip.as_deref(),
        };
        let hash = hash(&prev, &content);
        rows::insert(
            conn,
            &NewAuditEvent {
                occurred_at: content.occurred_at,
                actor: content.actor,
                action,
                target,
                details: &details,
                prev_hash: &prev,
                hash: &hash,
                ip: content.ip,
            },
        )
    })
}

/// Where the chain first fails to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub event_id: i32,
}

/// Checks every link; returns the number of events when the chain is intact.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Result<usize, ChainBreak>> {
    let events = rows::all_in_order(conn)?;
    Ok(verify_events(&events))
}

pub fn verify_events(events: &[AuditEvent]) -> Result<usize, ChainBreak> {
    let mut prev = GENESIS.to_owned();
    for e in events {
        let expected = hash(
            &prev,
            &Content {
                occurred_at: e.occurred_at,
                actor: &e.actor,
                action: &e.action,
                target: &e.target,
                details: &e.details,
                ip: e.ip.as_deref(),
            },
        );
        if e.prev_hash != prev || e.hash != expected {
            return Err(ChainBreak { event_id: e.id });
        }
        prev = e.hash.clone();
    }
    Ok(events.len())
}

/// Whether this address has already done `action` `per_day` times in the last day (a public
/// form's budget per address; the forms have one per account too). No address, no budget.
pub fn over_address_budget(
    conn: &mut DbConnection,
    actor: &super::Actor,
    action: &str,
    per_day: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    match &actor.ip {
        Some(ip) => {
            Ok(
                crate::db::audit::count_from(conn, action, ip, now - chrono::Duration::days(1))?
                    >= per_day,
            )
        }
        None => Ok(false),
    }
}

/// A page of the audit events matching `f`, and how many match.
pub fn search(
    conn: &mut DbConnection,
    f: &AuditFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<AuditEvent>)> {
    rows::search(conn, f, limit, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i32, prev: &str, action: &str) -> AuditEvent {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 123_456)
            .unwrap();
        AuditEvent {
            id,
            occurred_at: at,
            actor: "cli".into(),
            action: action.into(),
            target: "user:1".into(),
            details: "{}".into(),
            prev_hash: prev.into(),
            hash: hash(
                prev,
                &Content {
                    occurred_at: at,
                    actor: "cli",
                    action,
                    target: "user:1",
                    details: "{}",
                    ip: Some("10.0.0.1"),
                },
            ),
            ip: Some("10.0.0.1".into()),
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        let a = event(1, GENESIS, "user.create");
        let b = event(2, &a.hash, "user.role");
        assert_eq!(verify_events(&[a, b]), Ok(2));
    }

    #[test]
    fn editing_or_removing_a_row_breaks_the_chain() {
        let a = event(1, GENESIS, "user.create");
        let b = event(2, &a.hash, "user.role");
        let c = event(3, &b.hash, "user.delete");
        let mut moved = b.clone();
        moved.ip = Some("10.0.0.2".into());
        assert_eq!(
            verify_events(&[a.clone(), moved, c.clone()]),
            Err(ChainBreak { event_id: 2 }),
            "the address is part of the hash"
        );
        let mut edited = b.clone();
        edited.action = "user.nothing".into();
        assert_eq!(
            verify_events(&[a.clone(), edited, c.clone()]),
            Err(ChainBreak { event_id: 2 })
        );
        assert_eq!(verify_events(&[a, c]), Err(ChainBreak { event_id: 3 }));
    }
}
