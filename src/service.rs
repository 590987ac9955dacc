//! The queue service: the engine plus the store, the one writer of money.
//!
//! The engine applies a command in memory and the store commits its effects;
//! the caller gets an [`Ack`] that resolves only after the commit, carrying
//! the outcome whose events may then be published. Commands are pipelined:
//! the next one can run while earlier ones wait for their group commit.

use std::path::Path;

use crate::domain::{Command, DomainError, Engine, Request, Stamp};
use crate::store::{Ack, Store, StoreError, StoreOptions};

pub struct QueueService {
    engine: Engine,
    store: Store,
}

impl QueueService {
    /// Open the database at `path`, rebuilding and verifying the state in it.
    pub fn open(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        let (store, engine) = Store::open(path, options)?;
        Ok(QueueService { engine, store })
    }

    /// Run a command; the returned ack resolves once it is durable.
    /// Refused commands change nothing and are not stored.
    pub fn execute(&mut self, now: Stamp, request: Request) -> Result<Ack, DomainError> {
        let outcome = self.engine.execute(now, &request)?;
        Ok(self.store.commit(request, outcome))
    }

    /// Apply due grace periods. Call before each command and when
    /// [`Engine::next_deadline`] passes, so no command sees stale state.
    pub fn tick_if_due(&mut self, now: Stamp) -> Option<Ack> {
        let due = self.engine.next_deadline().is_some_and(|at| at <= now);
        if !due {
            return None;
        }
        self.execute(now, Request::new(Command::Tick)).ok()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Wait for pending commits, then close the database.
    pub fn close(self) {
        self.store.close();
    }
}
