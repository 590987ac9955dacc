//! The rooms' imported patterns: one row per (room, name) holding the
//! Lovense pattern file's text as imported. Replacing a pattern replaces
//! its row; a tip already taken carries only the name, and plays what the
//! name holds when it runs.

use super::sql::{ConnExt, params};

use super::StoreError;
use super::read::SharedReader;
use super::writer::WriteHandle;

/// One imported pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternRow {
    pub room: String,
    pub name: String,
    /// The pattern file's text.
    pub text: String,
    pub at: i64,
    pub changed_by: String,
}

pub struct PatternDb {
    writer: WriteHandle,
    reader: SharedReader,
}

impl PatternDb {
    pub fn open(db: &super::Database, writer: WriteHandle) -> Result<Self, StoreError> {
        Ok(PatternDb {
            writer,
            reader: SharedReader::open(db)?,
        })
    }

    /// Every room's patterns, by room and name.
    pub fn all(&self) -> Result<Vec<PatternRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare(
            "SELECT room, name, text, at, changed_by FROM room_patterns ORDER BY room, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PatternRow {
                room: r.get(0)?,
                name: r.get(1)?,
                text: r.get(2)?,
                at: r.get(3)?,
                changed_by: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }

    /// Add or replace a pattern; returns once it is on disk.
    pub fn put(&self, row: PatternRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT INTO room_patterns (room, name, text, at, changed_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (room, name) DO UPDATE
                 SET text = excluded.text, at = excluded.at, changed_by = excluded.changed_by",
                params![row.room, row.name, row.text, row.at, row.changed_by],
            )?;
            Ok(())
        })
    }

    /// Remove a pattern; `true` when there was one.
    pub fn delete(&self, room: String, name: String) -> Result<bool, StoreError> {
        self.writer.write(move |tx| {
            let gone = tx.execute(
                "DELETE FROM room_patterns WHERE room = ?1 AND name = ?2",
                params![room, name],
            )?;
            Ok(gone > 0)
        })
    }
}
