//! The durable store: SQLite through rusqlite, one writer thread.
//!
//! The command log is the source of truth: on start the engine is rebuilt by
//! replaying it, then checked against the stored postings and events. Each
//! command's effects (its log row, which is also its idempotency record, the
//! postings of its transfers, item rows and events with their room sequence
//! numbers) commit in one transaction before anyone is acknowledged.
//!
//! All SQL of the program lives under this module; the menus and the
//! tokens, the games and the tip levels keep their rows through [`MenuDb`],
//! [`TokenDb`], [`GameDb`] and [`TipLevelsDb`], which write through the
//! same writer thread.

mod broadcasts;
mod checkpoint;
mod filtered;
mod game_spins;
mod games;
mod menus;
mod messages;
mod moderation;
mod patterns;
mod points;
mod read;
mod rebuild;
pub mod schema;
mod tip_levels;
mod tokens;
mod writer;

use std::path::{Path, PathBuf};

pub use broadcasts::{BroadcastDb, BulkBroadcasts};
pub use game_spins::{SequenceRow, SpinRows, SpinScope};
pub use games::{ClientSeedRow, GameDb, GameRows, GameVersionRow, NonceRow, SeedRow};
pub use menus::{MenuDb, MenuVersionRow, VersionRow};
pub use messages::{FigureRow, MessageDb, MessageFilter, MessageRow, NewMessage, kind_of_key};
pub use moderation::{ModerationFilter, ModerationLog};
pub use patterns::{PatternDb, PatternRow};
pub use points::{PointsFilter, PointsHistory};
pub use read::{Reader, StoredEvent};
pub use schema::Synchronous;
pub use tip_levels::{TipLevelsDb, TipLevelsVersionRow};
pub use tokens::{TokenDb, TokenRow};
pub use writer::{Ack, Attachment, WriteHandle};

use crate::domain::{Engine, EngineConfig, InvariantViolation, Outcome, Request};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {detail}")]
    Open { path: String, detail: String },
    #[error("{path} is not a SQLite database; refusing to touch it")]
    NotADatabase { path: String },
    #[error("the database {path} is corrupt ({detail}); restore it from a backup")]
    Corrupt { path: String, detail: String },
    #[error(
        "{path} belongs to another program (application id {application_id:#x}); refusing to touch it"
    )]
    Foreign { path: String, application_id: i32 },
    #[error(
        "{path} has schema version {found}, newer than this cuedeck supports ({supported}); upgrade cuedeck"
    )]
    NewerSchema {
        path: String,
        found: i32,
        supported: i32,
    },
    #[error("command {command_id} in the log does not replay: {detail}")]
    Replay { command_id: i64, detail: String },
    #[error("the database disagrees with itself: {0}")]
    Mismatch(String),
    #[error(transparent)]
    Invariant(#[from] InvariantViolation),
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("the store's writer has stopped")]
    WriterGone,
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Sqlite(err.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Sqlite(format!("encoding: {err}"))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    pub synchronous: Synchronous,
    /// The most commands one transaction may carry.
    pub max_batch: usize,
    pub engine: EngineConfig,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            synchronous: Synchronous::Full,
            max_batch: 256,
            engine: EngineConfig::default(),
        }
    }
}

pub struct Store {
    path: PathBuf,
    epoch: String,
    writer: writer::Writer,
    checkpoints: checkpoint::Checkpointer,
}

impl Store {
    /// Open or create the database at `path` and rebuild the engine from it.
    pub fn open(path: &Path, options: StoreOptions) -> Result<(Store, Engine), StoreError> {
        let conn = schema::open(path, options.synchronous)?;
        let engine = rebuild::rebuild(&conn, options.engine)?;
        let epoch = schema::epoch(&conn)?;
        let writer = writer::Writer::spawn(conn, options.max_batch)?;
        let checkpoints = checkpoint::Checkpointer::spawn(path)?;
        Ok((
            Store {
                path: path.to_path_buf(),
                epoch,
                writer,
                checkpoints,
            },
            engine,
        ))
    }

    /// Queue a command's effects for commit, with the rows of `attachment`
    /// in the same transaction. The ack resolves after commit.
    pub fn commit(
        &self,
        request: Request,
        outcome: Outcome,
        attachment: Option<Attachment>,
    ) -> Ack {
        if outcome.replayed {
            return Ack::ready(Ok(outcome));
        }
        self.writer.submit(request, outcome, attachment)
    }

    /// Writes of the other tables go through the same writer thread.
    pub fn write_handle(&self) -> Result<WriteHandle, StoreError> {
        self.writer.handle().ok_or(StoreError::WriterGone)
    }

    /// A read-only connection for queries (WAL lets it read beside the writer).
    pub fn reader(&self) -> Result<Reader, StoreError> {
        Reader::open(&self.path)
    }

    /// The identity of this database's event history.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finish pending commits and stop the writer.
    pub fn close(mut self) {
        self.writer.close();
        self.checkpoints.close();
    }
}
