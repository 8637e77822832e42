//! The portal's clock: the system time, shifted by an offset that tests move (deadlines and
//! grant periods are checked against it). Production never moves it.
//!
//! Time comes from a [`Clock`] only: the web layer holds one (`AppState.clock`), the ingest
//! workers and background jobs a copy of it, and the CLI and the demo loader their own
//! `Clock::default()`. Services take the time (`now`) or the clock from their caller; the
//! system clock is read here, in [`system_now`], and nowhere else.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

/// Seconds the whole process runs ahead of (or behind) the system time: zero in production.
/// Only [`start_at`] sets it, for test runs that must not depend on the day they run.
static START_OFFSET_SECS: AtomicI64 = AtomicI64::new(0);

pub(crate) fn start_offset() -> Duration {
    Duration::seconds(START_OFFSET_SECS.load(Ordering::SeqCst))
}

/// Makes the process believe it is `at` (UTC) now, and lets time run on from there: every
/// `Clock` follows. For tests only (the test helpers call it when
/// `KAIFANG_TEST_NOW` is set, to run the suite on the eve of a holiday); never from the portal.
#[doc(hidden)]
#[allow(clippy::disallowed_methods)] // the offset from the system clock, so it is read here
pub fn start_at(at: NaiveDateTime) {
    let secs = (at - Utc::now().naive_utc()).num_seconds();
    START_OFFSET_SECS.store(secs, Ordering::SeqCst);
}

/// The system time in UTC, at microsecond precision: the precision both back-ends store, so a
/// value read back equals the value written (the audit chain hashes timestamps). The
/// process-wide start offset of [`start_at`] applies (zero unless a test set it).
///
/// Private: everything else asks a [`Clock`], which tests move.
#[allow(clippy::disallowed_methods)] // the one reading of the system clock
fn system_now() -> NaiveDateTime {
    let t = Utc::now().naive_utc() + start_offset();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// Now in UTC, at microsecond precision (see [`system_now`]), moved by [`Clock::advance`].
    pub fn now(&self) -> NaiveDateTime {
        system_now() + Duration::seconds(self.offset_secs.load(Ordering::SeqCst))
    }

    /// Today in China (UTC+8), the day deadlines count from.
    pub fn today(&self) -> NaiveDate {
        (self.now() + Duration::hours(8)).date()
    }

    /// Moves this clock (and every copy of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}
