//! The portal's clock: the system time, shifted by an offset that tests move (deadlines and
//! grant periods are checked against it). Production never moves it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

/// Seconds the whole process runs ahead of (or behind) the system time: zero in production.
/// Only [`start_at`] sets it, for test runs that must not depend on the day they run.
static START_OFFSET_SECS: AtomicI64 = AtomicI64::new(0);

pub(crate) fn start_offset() -> Duration {
    Duration::seconds(START_OFFSET_SECS.load(Ordering::SeqCst))
}

/// Makes the process believe it is `at` (UTC) now, and lets time run on from there: every
/// `services::now()` and every `Clock` follow. For tests only (the test helpers call it when
/// `KAIFANG_TEST_NOW` is set, to run the suite on the eve of a holiday); never from the portal.
#[doc(hidden)]
#[allow(clippy::disallowed_methods)] // the offset from the system clock, so it is read here
pub fn start_at(at: NaiveDateTime) {
    let secs = (at - Utc::now().naive_utc()).num_seconds();
    START_OFFSET_SECS.store(secs, Ordering::SeqCst);
}

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// Now in UTC (microsecond precision, as [`super::now`]).
    pub fn now(&self) -> NaiveDateTime {
        super::now() + Duration::seconds(self.offset_secs.load(Ordering::SeqCst))
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
