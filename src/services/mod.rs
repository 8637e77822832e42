//! Use cases. Services own transactions and audit records and know no HTTP.

pub mod audit;
pub mod catalog;
pub mod demo;
pub mod users;

use chrono::{NaiveDateTime, Timelike, Utc};

/// Now, in UTC, at microsecond precision: the precision both back-ends store, so a value
/// read back equals the value written (the audit chain hashes timestamps).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}
