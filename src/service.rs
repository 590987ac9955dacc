//! The queue service: the engine plus the store, the one writer of money.
//!
//! The engine applies a command in memory and the store commits its effects;
//! the caller gets an [`Ack`] that resolves only after the commit, carrying
//! the outcome whose events may then be published. Commands are pipelined:
//! the next one can run while earlier ones wait for their group commit.

use crate::domain::{Command, DomainError, Engine, Request, Stamp};
use crate::store::{Ack, Attachment, Reader, Store, StoreError, StoreOptions};

pub struct QueueService {
    engine: Engine,
    store: Store,
    /// Opened when first needed: for source events older than the engine's
    /// window.
    reader: Option<Reader>,
}

impl QueueService {
    /// Open the database at `path`, rebuilding and verifying the state in it.
    pub fn open(
        db: impl Into<crate::store::Database>,
        options: StoreOptions,
    ) -> Result<Self, StoreError> {
        let (store, engine) = Store::open(db, options)?;
        Ok(QueueService {
            engine,
            store,
            reader: None,
        })
    }

    /// Run a command; the returned ack resolves once it is durable.
    /// Refused commands change nothing and are not stored.
    pub fn execute(&mut self, now: Stamp, request: Request) -> Result<Ack, DomainError> {
        self.execute_with(now, request, None)
    }

    /// Run a command whose commit keeps `attachment` with it (nothing of
    /// it is kept when the command is refused or was already done).
    pub fn execute_with(
        &mut self,
        now: Stamp,
        request: Request,
        attachment: Option<Attachment>,
    ) -> Result<Ack, DomainError> {
        self.engine.advance_clock(now);
        self.refuse_forgotten_source_event(&request)?;
        let outcome = self.engine.execute(now, &request)?;
        Ok(self.store.commit(request, outcome, attachment))
    }

    /// A source event enters once, ever. The engine recognises those of its
    /// retention window (at least a day); an older one is on disk, since
    /// every command is committed long before its item leaves the window.
    /// So the store is asked only about an intake the engine would take as
    /// new: one whose key it does not remember, once it has forgotten items.
    fn refuse_forgotten_source_event(&mut self, request: &Request) -> Result<(), DomainError> {
        let Some(payload) = request.command.intake_payload() else {
            return Ok(());
        };
        if !self.engine.forgot_any() || self.engine.remembers(&payload.idempotency_key) {
            return Ok(());
        }
        let taken = self
            .reader()
            .and_then(|reader| reader.source_event_taken(payload.source, &payload.source_event_id));
        match taken {
            Ok(false) => Ok(()),
            Ok(true) => Err(DomainError::DuplicateSourceEvent {
                source_event_id: payload.source_event_id.to_string(),
            }),
            Err(err) => {
                tracing::error!(error = %err, "looking up a source event failed");
                self.reader = None;
                Err(DomainError::Unavailable)
            }
        }
    }

    fn reader(&mut self) -> Result<&Reader, StoreError> {
        if self.reader.is_none() {
            self.reader = Some(self.store.reader()?);
        }
        Ok(self.reader.as_ref().expect("just opened"))
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
