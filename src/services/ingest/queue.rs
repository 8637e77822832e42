//! Ingest jobs run on their own threads, one or a few at a time, so uploads never hold a web
//! worker and memory stays bounded.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use super::{Context, Outcome, run};
use crate::db::DbPool;

pub struct Queue {
    sender: Mutex<Sender<i32>>,
}

impl Queue {
    /// Starts `workers` threads taking version ids from the queue.
    pub fn start(pool: DbPool, ctx: Context, workers: usize) -> Self {
        let (sender, receiver) = mpsc::channel::<i32>();
        let receiver: Arc<Mutex<Receiver<i32>>> = Arc::new(Mutex::new(receiver));
        let ctx = Arc::new(ctx);
        for n in 0..workers.max(1) {
            let (pool, ctx, receiver) = (pool.clone(), ctx.clone(), receiver.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("ingest-{n}"))
                .spawn(move || loop {
                    let next = match receiver.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok(version) = next else { return };
                    match pool.get() {
                        Ok(mut conn) => match run(&mut conn, &ctx, version) {
                            Ok(Outcome::Ready { rows }) => tracing::info!(version, rows, "ingest ready"),
                            Ok(outcome) => tracing::info!(version, ?outcome, "ingest finished"),
                            Err(e) => tracing::error!(version, error = %e, "ingest could not record its outcome"),
                        },
                        Err(e) => tracing::error!(version, error = %e, "ingest: no database connection"),
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start an ingest worker");
            }
        }
        Self {
            sender: Mutex::new(sender),
        }
    }

    pub fn submit(&self, version: i32) {
        if let Ok(s) = self.sender.lock()
            && s.send(version).is_err()
        {
            tracing::error!(version, "ingest queue is closed");
        }
    }
}
