//! The tip-level tables: every version of every room's tip levels,
//! append-only, as menus and games keep theirs. Reads use a read-only
//! connection; writes go through the one writer.

use super::sql::{ConnExt, params};

use super::StoreError;
use super::read::SharedReader;
use super::writer::WriteHandle;

/// One stored version of a room's tip levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipLevelsVersionRow {
    pub room: String,
    pub version: u64,
    pub at: i64,
    pub changed_by: String,
    /// The levels as JSON.
    pub body: String,
}

pub struct TipLevelsDb {
    writer: WriteHandle,
    reader: SharedReader,
}

impl TipLevelsDb {
    pub fn open(db: &super::Database, writer: WriteHandle) -> Result<Self, StoreError> {
        Ok(TipLevelsDb {
            writer,
            reader: SharedReader::open(db)?,
        })
    }

    /// Every version of every room's levels, by room and version.
    pub fn versions(&self) -> Result<Vec<TipLevelsVersionRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare(
            "SELECT room, version, at, changed_by, body FROM tip_level_versions
             ORDER BY room, version",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TipLevelsVersionRow {
                room: r.get(0)?,
                version: r.get::<_, i64>(1)? as u64,
                at: r.get(2)?,
                changed_by: r.get(3)?,
                body: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }

    /// Append a version; returns once it is on disk. A version already
    /// taken is refused by the primary key, never overwritten.
    pub fn insert_version(&self, row: TipLevelsVersionRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT INTO tip_level_versions (room, version, at, changed_by, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    row.room,
                    row.version as i64,
                    row.at,
                    row.changed_by,
                    row.body
                ],
            )?;
            Ok(())
        })
    }
}
