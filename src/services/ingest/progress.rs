//! The progress of a run, as the console's bar shows it (per mille, at most twice a second).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::result::Error as DbError;

use crate::db::DbConnection;
use crate::db::versions;

const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Reports progress at most twice a second.
pub(super) struct Progress {
    pub(super) version: i32,
    pub(super) last: Instant,
    /// Per mille where this pass starts and how much of the job it covers.
    pub(super) base: i32,
    pub(super) span: i32,
    pub(super) total_bytes: u64,
}

impl Progress {
    pub(super) fn tick(
        &mut self,
        conn: &mut DbConnection,
        rows: u64,
        bytes: &AtomicU64,
    ) -> Result<(), DbError> {
        if self.last.elapsed() < PROGRESS_EVERY {
            return Ok(());
        }
        self.last = Instant::now();
        let done = bytes.load(Ordering::Relaxed) as f64 / self.total_bytes.max(1) as f64;
        let per_mille = self.base + (f64::from(self.span) * done.min(1.0)) as i32;
        versions::progress(conn, self.version, rows as i64, per_mille)
    }
}
