//! The chip-menu tables: every version of every menu (append-only, a
//! deletion is a version without a body) and each room's subscribers.
//! Reads use a read-only connection; writes go through the one writer.

use super::sql::{ConnExt, params};

use super::StoreError;
use super::read::SharedReader;
use super::writer::WriteHandle;

/// One stored version of a menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuVersionRow {
    pub room: String,
    pub menu: String,
    pub version: u64,
    pub at: i64,
    pub changed_by: String,
    pub change_kind: String,
    /// The menu as JSON; `None` records a deletion.
    pub body: Option<String>,
}

/// Who changed a menu, when and how (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub version: u64,
    pub at: i64,
    pub changed_by: String,
    pub change_kind: String,
}

pub struct MenuDb {
    writer: WriteHandle,
    reader: SharedReader,
}

impl MenuDb {
    pub fn open(db: &super::Database, writer: WriteHandle) -> Result<Self, StoreError> {
        Ok(MenuDb {
            writer,
            reader: SharedReader::open(db)?,
        })
    }

    /// Every version of every menu, by room, menu and version.
    pub fn versions(&self) -> Result<Vec<MenuVersionRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare(
            "SELECT room, menu, version, at, changed_by, change_kind, body
             FROM menu_versions ORDER BY room, menu, version",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(MenuVersionRow {
                room: r.get(0)?,
                menu: r.get(1)?,
                version: r.get::<_, i64>(2)? as u64,
                at: r.get(3)?,
                changed_by: r.get(4)?,
                change_kind: r.get(5)?,
                body: r.get(6)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }

    /// Every (room, user) on a subscriber list.
    pub fn subscribers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader
            .conn
            .prepare("SELECT room, user_id FROM menu_subscribers")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()
    }

    /// The body of one version (`None` for a deletion or no such version).
    pub fn version_body(
        &self,
        room: &str,
        menu: &str,
        version: u64,
    ) -> Result<Option<String>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare_cached(
            "SELECT body FROM menu_versions WHERE room = ?1 AND menu = ?2 AND version = ?3",
        )?;
        let mut rows = stmt.query(params![room, menu, version as i64])?;
        match rows.next()? {
            Some(row) => Ok(row.get(0)?),
            None => Ok(None),
        }
    }

    /// The versions of a menu after `after`, oldest first.
    pub fn history(
        &self,
        room: &str,
        menu: &str,
        after: u64,
    ) -> Result<Vec<VersionRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare_cached(
            "SELECT version, at, changed_by, change_kind FROM menu_versions
             WHERE room = ?1 AND menu = ?2 AND version > ?3 ORDER BY version",
        )?;
        let rows = stmt.query_map(params![room, menu, after as i64], |r| {
            Ok(VersionRow {
                version: r.get::<_, i64>(0)? as u64,
                at: r.get(1)?,
                changed_by: r.get(2)?,
                change_kind: r.get(3)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }

    /// Append a version; returns once it is on disk.
    pub fn insert_version(&self, row: MenuVersionRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT INTO menu_versions (room, menu, version, at, changed_by, change_kind, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    row.room,
                    row.menu,
                    row.version as i64,
                    row.at,
                    row.changed_by,
                    row.change_kind,
                    row.body
                ],
            )?;
            Ok(())
        })
    }

    /// Add `user` to (or remove them from) `room`'s subscribers; idempotent.
    pub fn set_subscriber(
        &self,
        room: String,
        user: String,
        subscriber: bool,
        at: i64,
        by: String,
    ) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            if subscriber {
                tx.execute(
                    "INSERT INTO menu_subscribers (room, user_id, at, added_by) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    params![room, user, at, by],
                )?;
            } else {
                tx.execute(
                    "DELETE FROM menu_subscribers WHERE room = ?1 AND user_id = ?2",
                    params![room, user],
                )?;
            }
            Ok(())
        })
    }
}
