//! Read-only queries: the event log for resume, item audit records.

use super::sql::{Conn, ConnExt, params};
use super::{Database, StoreError};
use crate::domain::{Item, ItemId, RoomId, Source};

/// An event as stored: its JSON text, ready to send as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub json: String,
}

pub struct Reader {
    pub(super) conn: Box<dyn Conn + Send>,
}

/// One feature's read-only connection (menus, games), beside the writer.
pub struct SharedReader(std::sync::Mutex<Reader>);

impl SharedReader {
    pub fn open(db: &Database) -> Result<Self, StoreError> {
        Ok(SharedReader(std::sync::Mutex::new(Reader::open(db)?)))
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Reader> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Reader {
    pub fn open(db: &Database) -> Result<Self, StoreError> {
        Ok(Reader {
            conn: db.read_conn()?,
        })
    }

    /// Events of `room` with seq > `after`, oldest first, at most `limit`.
    pub fn events_after(
        &self,
        room: &RoomId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, body FROM events WHERE room = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![room.as_str(), after as i64, limit as i64], |r| {
            Ok(StoredEvent {
                seq: r.get::<_, i64>(0)? as u64,
                json: r.get(1)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }

    /// How many commands the log holds.
    pub fn command_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM commands", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Whether a command with this idempotency key was committed.
    pub fn has_key(&self, key: &str) -> Result<bool, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM commands WHERE idem_key = ?1",
            params![key],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Idempotency keys that produced more than one hold: must be none.
    pub fn keys_with_several_holds(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT idem_key FROM postings WHERE kind = 'hold' AND amount > 0 AND idem_key IS NOT NULL
             GROUP BY idem_key HAVING count(*) > 1",
        )?;
        let keys = stmt.query_map([], |r| r.get(0))?;
        keys.collect::<Result<_, _>>()
    }

    /// The sum of all postings per unit: zero for each when the ledger balances.
    pub fn unit_sums(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT unit, CAST(SUM(amount) AS BIGINT) FROM postings GROUP BY unit ORDER BY unit",
        )?;
        let sums = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        sums.collect::<Result<_, _>>()
    }

    /// Whether an item was ever taken from this source event.
    pub fn source_event_taken(&self, source: Source, id: &str) -> Result<bool, StoreError> {
        let dialect = self.conn.dialect();
        let sql = format!(
            "SELECT 1 FROM items WHERE {} = ?1 AND {} = ?2 LIMIT 1",
            dialect.json_text("view", "sourceEventId"),
            dialect.json_text("view", "source"),
        );
        self.conn
            .prepare_cached(&sql)?
            .exists(params![id, source.as_str()])
    }

    /// A closed item's whole record (the engine keeps only its facts).
    pub fn closed_item(&self, item: ItemId) -> Result<Option<Item>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record FROM items WHERE id = ?1 AND record IS NOT NULL")?;
        let mut rows = stmt.query(params![item.0 as i64])?;
        match rows.next()? {
            Some(row) => Ok(Some(serde_json::from_str(&row.get::<_, String>(0)?)?)),
            None => Ok(None),
        }
    }

    /// The stored events that concern one item (its audit trail as sent).
    pub fn item_events(&self, room: &RoomId, item: ItemId) -> Result<Vec<StoredEvent>, StoreError> {
        let dialect = self.conn.dialect();
        let sql = format!(
            "SELECT seq, body FROM events WHERE room = ?1 AND type LIKE 'item_%'
             AND ({} = ?2 OR {} = ?2) ORDER BY seq",
            dialect.json_text("body", "item"),
            dialect.json_text_at("body", "item", "id"),
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![room.as_str(), item.0 as i64], |r| {
            Ok(StoredEvent {
                seq: r.get::<_, i64>(0)? as u64,
                json: r.get(1)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }
}
