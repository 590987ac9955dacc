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
mod command_rows;
mod filtered;
mod game_spins;
mod games;
mod lease;
mod menus;
mod messages;
pub mod migrate;
mod moderation;
mod patterns;
mod pg_schema;
mod points;
mod read;
mod rebuild;
pub mod schema;
pub mod sql;
mod tip_levels;
mod tokens;
mod writer;

use std::path::{Path, PathBuf};

use sql::pg::PgDb;

pub use broadcasts::{BroadcastDb, BulkBroadcasts};
pub use game_spins::{SequenceRow, SpinRows, SpinScope};
pub use games::{ClientSeedRow, GameDb, GameRows, GameVersionRow, NonceRow, SeedRow};
pub use lease::{Lease, LeaseHolder};
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
use sql::Conn as _;

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
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("the query found no row")]
    NoRows,
    #[error("unexpected column: {0}")]
    Column(String),
    #[error(
        "this node lost the lease (epoch {held} is no longer the leader's); it writes nothing more"
    )]
    Fenced { held: i64 },
    #[error("the store's writer has stopped")]
    WriterGone,
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NoRows,
            other => StoreError::Sqlite(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Sqlite(format!("encoding: {err}"))
    }
}

/// Where the data lives: a SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(PgDb),
}

impl Database {
    /// A `postgres://` or `postgresql://` URL selects PostgreSQL; anything
    /// else is a SQLite path.
    pub fn parse(location: &str) -> Result<Database, StoreError> {
        if sql::pg::is_postgres_url(location) {
            // The writer, a reader per feature and the requests' readers.
            Ok(Database::Postgres(PgDb::connect(location, 32)?))
        } else {
            Ok(Database::Sqlite(PathBuf::from(location)))
        }
    }

    /// The location as a user gave it, without a password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(pg) => sql::pg::redacted(pg.url()),
        }
    }

    /// A connection for reads beside the writer.
    pub fn read_conn(&self) -> Result<Box<dyn sql::Conn + Send>, StoreError> {
        match self {
            Database::Sqlite(path) => Ok(Box::new(schema::open_read_only(path)?)),
            Database::Postgres(pg) => Ok(Box::new(pg.conn()?)),
        }
    }

    pub fn reader(&self) -> Result<Reader, StoreError> {
        Reader::open(self)
    }

    /// A read-write connection outside the writer, for tools that work on
    /// a database no server is running on (the move between backends,
    /// checks and tests). Its schema is brought up to date first.
    pub fn conn(&self) -> Result<Box<dyn sql::Conn + Send>, StoreError> {
        match self {
            Database::Sqlite(path) => Ok(Box::new(schema::open(path, Synchronous::Full)?)),
            Database::Postgres(pg) => {
                let conn = pg.conn()?;
                pg_schema::prepare(&conn, &self.describe())?;
                Ok(Box::new(conn))
            }
        }
    }
}

impl From<&Path> for Database {
    fn from(path: &Path) -> Self {
        Database::Sqlite(path.to_path_buf())
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

impl From<&PathBuf> for Database {
    fn from(path: &PathBuf) -> Self {
        Database::Sqlite(path.clone())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    pub synchronous: Synchronous,
    /// The most commands one transaction may carry.
    pub max_batch: usize,
    pub engine: EngineConfig,
    /// Under a lease: the epoch every write transaction must still hold.
    pub fence: Option<i64>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            synchronous: Synchronous::Full,
            max_batch: 256,
            engine: EngineConfig::default(),
            fence: None,
        }
    }
}

pub struct Store {
    db: Database,
    epoch: String,
    writer: writer::Writer,
    checkpoints: Option<checkpoint::Checkpointer>,
}

impl Store {
    /// Open or create the database and rebuild the engine from it.
    pub fn open(
        db: impl Into<Database>,
        options: StoreOptions,
    ) -> Result<(Store, Engine), StoreError> {
        let db = db.into();
        let (writer, engine, epoch, checkpoints) = match &db {
            Database::Sqlite(path) => {
                let conn = schema::open(path, options.synchronous)?;
                let engine = rebuild::rebuild(&conn, options.engine)?;
                let epoch = schema::epoch(&conn)?;
                let writer = writer::Writer::spawn(Box::new(conn), None, options.max_batch)?;
                let checkpoints = checkpoint::Checkpointer::spawn(path)?;
                (writer, engine, epoch, Some(checkpoints))
            }
            Database::Postgres(pg) => {
                let conn = pg.conn()?;
                pg_schema::prepare(&conn, &db.describe())?;
                let engine = rebuild::rebuild(&conn, options.engine)?;
                let epoch = schema::epoch(&conn)?;
                // A paused writer must not hold the lease row's lock for
                // long: the database ends its transaction instead.
                conn.batch("SET idle_in_transaction_session_timeout = '3s'")?;
                let writer =
                    writer::Writer::spawn(Box::new(conn), options.fence, options.max_batch)?;
                (writer, engine, epoch, None)
            }
        };
        Ok((
            Store {
                db,
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

    /// A connection for queries beside the writer.
    pub fn reader(&self) -> Result<Reader, StoreError> {
        Reader::open(&self.db)
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The identity of this database's event history.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// Finish pending commits and stop the writer.
    pub fn close(mut self) {
        self.writer.close();
        if let Some(checkpoints) = self.checkpoints.as_mut() {
            checkpoints.close();
        }
    }
}
