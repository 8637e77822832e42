//! The portal's clock: the system time, shifted by an offset that tests move (deadlines and
//! grant periods are checked against it). Production never moves it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDate, NaiveDateTime};

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
