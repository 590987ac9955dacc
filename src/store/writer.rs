//! The single writer: one thread owns the connection, commits commands in
//! small groups, and acknowledges each only after its group has committed.
//!
//! After a failed commit the writer refuses everything that follows (fail
//! stop): the engine already applied those commands in memory, so the only
//! safe continuation is a restart that rebuilds state from disk.
//!
//! The other tables (menus, tokens, games) are written through the same
//! thread as [`Write`] jobs, each in a transaction of its own, so the
//! database has one writer. A failed write job fails only itself: no
//! in-memory state ran ahead of it.

use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::StoreError;
use super::sql::{Conn, ConnExt, params};
use crate::domain::{Outcome, Request};
use crate::games::SpinRecord;

/// Rows that are not the command's own but must commit with it.
pub enum Attachment {
    /// A spin's audit record, kept in `game_spins` in the commit of its
    /// charge.
    Spin(Arc<SpinRecord>),
}

pub(crate) struct Job {
    pub request: Request,
    pub outcome: Outcome,
    pub attachment: Option<Attachment>,
    pub ack: oneshot::Sender<Result<Outcome, StoreError>>,
}

/// A write of some other table, in a transaction of its own: it returns
/// whether to commit, and what to call with the commit's result (so its
/// caller hears of success only once the data is on disk).
type Write = Box<dyn FnOnce(&dyn Conn) -> (bool, Finish) + Send>;
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

// Commands are nearly every message; boxing them would allocate per command.
#[allow(clippy::large_enum_variant)]
enum Msg {
    Command(Job),
    Write(Write),
    Stop,
}

/// A cloneable way to write through the one writer thread.
#[derive(Clone)]
pub struct WriteHandle {
    tx: mpsc::Sender<Msg>,
}

impl WriteHandle {
    /// Run `f` in a transaction on the writer thread and wait for its
    /// commit (blocking: call it from a blocking task or thread).
    pub fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Conn) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (done, result) = std::sync::mpsc::sync_channel(1);
        let job: Write = Box::new(move |tx| {
            let outcome = f(tx);
            let commit = outcome.is_ok();
            let finish: Finish = Box::new(move |committed| {
                let _ = done.send(committed.and(outcome));
            });
            (commit, finish)
        });
        self.tx
            .send(Msg::Write(job))
            .map_err(|_| StoreError::WriterGone)?;
        result.recv().unwrap_or(Err(StoreError::WriterGone))
    }
}

/// Resolves once the command is durable, giving back its outcome so the
/// caller can publish the events (never before they are on disk).
pub struct Ack(AckInner);

enum AckInner {
    Ready(Option<Result<Outcome, StoreError>>),
    Pending(oneshot::Receiver<Result<Outcome, StoreError>>),
}

impl Ack {
    pub(crate) fn ready(result: Result<Outcome, StoreError>) -> Self {
        Ack(AckInner::Ready(Some(result)))
    }

    /// Wait on this thread (not from inside an async task).
    pub fn wait(self) -> Result<Outcome, StoreError> {
        match self.0 {
            AckInner::Ready(result) => result.unwrap_or(Err(StoreError::WriterGone)),
            AckInner::Pending(rx) => rx.blocking_recv().unwrap_or(Err(StoreError::WriterGone)),
        }
    }

    /// Wait asynchronously.
    pub async fn done(self) -> Result<Outcome, StoreError> {
        match self.0 {
            AckInner::Ready(result) => result.unwrap_or(Err(StoreError::WriterGone)),
            AckInner::Pending(rx) => rx.await.unwrap_or(Err(StoreError::WriterGone)),
        }
    }
}

pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Start the writer on `conn`; with a `fence`, every transaction first
    /// proves this node still holds the lease at that epoch.
    pub fn spawn(
        conn: Box<dyn Conn + Send>,
        fence: Option<i64>,
        max_batch: usize,
    ) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<Msg>();
        // The one writer numbers the commands itself: no statement has to
        // wait for an id the database hands out.
        let last_command: i64 = conn.query_row(
            "SELECT COALESCE(MAX(id), 0) FROM commands",
            params![],
            |r| r.get(0),
        )?;
        let writer = Connection {
            conn,
            fence,
            last_command,
        };
        let thread = std::thread::Builder::new()
            .name("cuedeck-store-writer".into())
            .spawn(move || run(writer, rx, max_batch.max(1)))
            .map_err(|e| StoreError::Open {
                path: "writer thread".into(),
                detail: e.to_string(),
            })?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn submit(
        &self,
        request: Request,
        outcome: Outcome,
        attachment: Option<Attachment>,
    ) -> Ack {
        let (ack, rx) = oneshot::channel();
        let job = Job {
            request,
            outcome,
            attachment,
            ack,
        };
        let sent = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send(Msg::Command(job)).is_ok());
        if sent {
            Ack(AckInner::Pending(rx))
        } else {
            Ack::ready(Err(StoreError::WriterGone))
        }
    }

    pub fn handle(&self) -> Option<WriteHandle> {
        self.tx.as_ref().map(|tx| WriteHandle { tx: tx.clone() })
    }

    /// Let queued commits finish, then stop the thread (handles that are
    /// still held get `WriterGone` from then on).
    pub fn close(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Msg::Stop);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer's connection and the lease epoch it writes under.
struct Connection {
    conn: Box<dyn Conn + Send>,
    fence: Option<i64>,
    /// The id of the last command committed (or being committed).
    last_command: i64,
}

impl Connection {
    /// `BEGIN`, then, under a lease, the fencing check: the lease row still
    /// carries our epoch (its row lock held to the commit, so no take-over
    /// can slip in between), and every command row is stamped with it.
    fn begin(&self) -> Result<&dyn Conn, StoreError> {
        let conn = &*self.conn;
        conn.batch("BEGIN")?;
        if let Some(epoch) = self.fence {
            let held = conn.execute(
                "UPDATE leases SET epoch = epoch WHERE name = 'leader' AND epoch = ?1",
                params![epoch],
            );
            let stamped = conn.execute(
                "SELECT set_config('cuedeck.lease_epoch', ?1, true)",
                params![epoch.to_string()],
            );
            match (held, stamped) {
                (Ok(1), Ok(_)) => {}
                (Err(err), _) | (_, Err(err)) => {
                    let _ = conn.batch("ROLLBACK");
                    return Err(err);
                }
                (Ok(_), Ok(_)) => {
                    let _ = conn.batch("ROLLBACK");
                    return Err(StoreError::Fenced { held: epoch });
                }
            }
        }
        Ok(conn)
    }

    fn commit(&self) -> Result<(), StoreError> {
        self.conn.batch("COMMIT")
    }

    fn rollback(&self) {
        let _ = self.conn.batch("ROLLBACK");
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Msg>, max_batch: usize) {
    let mut failed: Option<StoreError> = None;
    let mut next = rx.recv().ok();
    while let Some(msg) = next.take() {
        match msg {
            Msg::Stop => break,
            Msg::Write(write) => {
                run_write(&mut conn, write);
                next = rx.recv().ok();
            }
            Msg::Command(first) => {
                let mut batch = Vec::with_capacity(max_batch);
                batch.push(first);
                // Group what is already waiting; a write job ends the group.
                while batch.len() < max_batch {
                    match rx.try_recv() {
                        Ok(Msg::Command(job)) => batch.push(job),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if failed.is_none()
                    && let Err(err) = write_batch(&mut conn, &batch)
                {
                    tracing::error!(error = %err, "store commit failed; refusing further writes");
                    failed = Some(err);
                }
                for job in batch {
                    let result = match &failed {
                        Some(err) => Err(err.clone()),
                        None => Ok(job.outcome),
                    };
                    let _ = job.ack.send(result);
                }
                if next.is_none() {
                    next = rx.recv().ok();
                }
            }
        }
    }
}

fn run_write(conn: &mut Connection, write: Write) {
    let tx = match conn.begin() {
        Ok(tx) => tx,
        Err(err) => {
            tracing::error!(error = %err, "cannot begin a write");
            // Dropping the job without running it answers WriterGone.
            return;
        }
    };
    let (commit, finish) = write(tx);
    let committed = if commit {
        conn.commit()
    } else {
        conn.rollback();
        Ok(())
    };
    if let Err(err) = &committed {
        tracing::error!(error = %err, "a write did not commit");
    }
    finish(committed);
}

/// Write every job of the batch in one transaction, its statements sent
/// together where the database allows (only the command ids are waited for).
fn write_batch(conn: &mut Connection, batch: &[Job]) -> Result<(), StoreError> {
    let mut last_command = conn.last_command;
    let tx = conn.begin()?;
    tx.hold_writes(true);
    let written =
        super::command_rows::write(tx, batch, &mut last_command).and_then(|()| tx.flush());
    tx.hold_writes(false);
    match written {
        Ok(()) => {
            conn.commit()?;
            conn.last_command = last_command;
            Ok(())
        }
        Err(err) => {
            conn.rollback();
            Err(err)
        }
    }
}
