//! The database file: recognising it, refusing what is not ours, and
//! migrating it forward one numbered step at a time.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// `PRAGMA application_id`: "CUED" in ASCII, so a foreign SQLite file is
/// recognised as such rather than silently taken over.
pub const APPLICATION_ID: i32 = 0x4355_4544;

mod migrations;

use migrations::MIGRATIONS;

pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// How hard SQLite syncs to disk at commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// Every commit survives power loss (the default).
    #[default]
    Full,
    /// Commits survive a crash of the process, maybe not power loss.
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// Open (creating if needed) and bring the schema up to date. Refuses a file
/// that is not SQLite, is corrupt, belongs to another program, or was
/// written by a newer cuedeck.
pub fn open(path: &Path, synchronous: Synchronous) -> Result<Connection, StoreError> {
    let shown = path.display().to_string();
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Open {
        path: shown.clone(),
        detail: e.to_string(),
    })?;
    // The first read of the header is where a non-database file shows up.
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not_a_database(&shown, e))?;
    let version: i32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| not_a_database(&shown, e))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(|e| not_a_database(&shown, e))?;

    let fresh = app_id == 0 && version == 0 && tables == 0;
    if !fresh {
        if app_id != APPLICATION_ID {
            return Err(StoreError::Foreign {
                path: shown,
                application_id: app_id,
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: shown,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| StoreError::Corrupt {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: shown,
                detail: check,
            });
        }
    }

    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = 0;",
        synchronous.pragma()
    ))?;
    migrate(&conn, if fresh { 0 } else { version })?;
    // The epoch names this database's event history; clients that saw
    // another history get a fresh snapshot instead of a replay.
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?1)",
        [uuid::Uuid::new_v4().simple().to_string()],
    )?;
    Ok(conn)
}

/// A read-only connection beside the writer (WAL lets it read while the
/// writer commits).
pub fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// The epoch of the database behind `conn`.
pub fn epoch(conn: &dyn super::sql::Conn) -> Result<String, StoreError> {
    use super::sql::ConnExt;
    conn.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
        r.get(0)
    })
}

fn not_a_database(path: &str, err: rusqlite::Error) -> StoreError {
    match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_string(),
        },
        _ => StoreError::Corrupt {
            path: path.to_string(),
            detail: err.to_string(),
        },
    }
}

fn migrate(conn: &Connection, from: i32) -> Result<(), StoreError> {
    migrate_until(conn, from, SCHEMA_VERSION)
}

/// Run the migrations after `from` up to and including `until`.
pub(super) fn migrate_until(conn: &Connection, from: i32, until: i32) -> Result<(), StoreError> {
    let steps = MIGRATIONS.iter().take(until as usize);
    for (index, sql) in steps.enumerate().skip(from as usize) {
        let version = index as i32 + 1;
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {version};"
        ))?;
        tx.commit()?;
    }
    Ok(())
}
