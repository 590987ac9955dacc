//! WAL checkpoints off the commit path. SQLite's automatic checkpoint runs
//! inside whichever commit crosses the threshold, stalling that commit (and
//! everyone waiting on its group); here a thread of its own checkpoints
//! passively, which never blocks the writer.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::StoreError;

/// How often the WAL is folded back into the database.
const EVERY: Duration = Duration::from_millis(500);

pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub fn spawn(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(1))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("cuedeck-checkpoint".into())
            .spawn(move || {
                let tick = Duration::from_millis(50);
                let mut waited = Duration::ZERO;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    waited += tick;
                    if waited >= EVERY {
                        waited = Duration::ZERO;
                        if let Err(err) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE);") {
                            tracing::warn!(error = %err, "checkpoint failed; trying again later");
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Open {
                path: "checkpoint thread".into(),
                detail: e.to_string(),
            })?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }

    pub fn close(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.close();
    }
}
