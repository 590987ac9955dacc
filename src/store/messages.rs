//! Private messages and their delivery state (`messages`). The queue's
//! messages are inserted by the writer in their event's commit; replies and
//! every status change go through the same writer thread from here.

use super::sql::{ConnExt, Row, Value, params};

use super::StoreError;
use super::read::SharedReader;
use super::writer::WriteHandle;
use crate::domain::outbox::{FailReason, Letter, MessageId, Status, attempt_errors};
use crate::domain::{RoomId, Stamp, Tier, UserId};

/// A message's kind from its template key: the key's first part
/// (`queue`, `instant`, `slot`...); replies are `reply` or `public`.
pub fn kind_of_key(key: &str) -> &str {
    key.split('.').next().unwrap_or(key)
}

/// One row of `messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: u64,
    pub room: String,
    pub viewer: String,
    pub tier: String,
    pub kind: String,
    pub key: Option<String>,
    pub mood: Option<String>,
    pub vars: Option<String>,
    pub text: Option<String>,
    pub created_at: i64,
    pub status: String,
    pub priority: Option<u8>,
    pub due_at: Option<i64>,
    pub seq: Option<u64>,
    pub attempts: u32,
    pub next_at: Option<i64>,
    pub last_error: Option<String>,
    pub reason: Option<String>,
    pub sent_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub read_at: Option<i64>,
    pub failed_at: Option<i64>,
}

const COLUMNS: &str = "id, room, viewer, tier, kind, key, mood, vars, text, created_at, status, \
     priority, due_at, seq, attempts, next_at, last_error, reason, sent_at, delivered_at, read_at, failed_at";

fn row(r: &Row) -> Result<MessageRow, StoreError> {
    Ok(MessageRow {
        id: r.get::<_, i64>(0)? as u64,
        room: r.get(1)?,
        viewer: r.get(2)?,
        tier: r.get(3)?,
        kind: r.get(4)?,
        key: r.get(5)?,
        mood: r.get(6)?,
        vars: r.get(7)?,
        text: r.get(8)?,
        created_at: r.get(9)?,
        status: r.get(10)?,
        priority: r.get::<_, Option<i64>>(11)?.map(|p| p.clamp(0, 255) as u8),
        due_at: r.get(12)?,
        seq: r.get::<_, Option<i64>>(13)?.map(|s| s as u64),
        attempts: r.get::<_, i64>(14)?.max(0) as u32,
        next_at: r.get(15)?,
        last_error: r.get(16)?,
        reason: r.get(17)?,
        sent_at: r.get(18)?,
        delivered_at: r.get(19)?,
        read_at: r.get(20)?,
        failed_at: r.get(21)?,
    })
}

impl MessageRow {
    pub fn tier(&self) -> Tier {
        Tier::parse(&self.tier).unwrap_or_default()
    }

    /// The delivery state kept in this row; `None` for a row the delivery
    /// service has not taken in yet (no priority given).
    pub fn letter(&self) -> Option<Letter> {
        let priority = self.priority?;
        let due_at = Stamp(self.due_at?);
        Some(Letter {
            id: MessageId(self.id),
            viewer: UserId::new(self.viewer.as_str()),
            room: RoomId::new(self.room.as_str()),
            tier: self.tier(),
            priority,
            created_at: Stamp(self.created_at),
            due_at,
            status: Status::parse(&self.status)?,
            seq: self.seq,
            attempts: self.attempts,
            next_at: self.next_at.map_or(due_at, Stamp),
            sent_at: self.sent_at.map(Stamp),
            delivered_at: self.delivered_at.map(Stamp),
            read_at: self.read_at.map(Stamp),
            failed_at: self.failed_at.map(Stamp),
            reason: self.reason.as_deref().and_then(FailReason::parse),
            last_error: self.last_error.as_deref().and_then(|e| {
                [attempt_errors::NO_STREAM, attempt_errors::STREAM_CLOSED]
                    .into_iter()
                    .find(|known| *known == e)
            }),
        })
    }
}

/// What the delivery figures count of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    pub tier: String,
    pub status: String,
    pub mood: Option<String>,
    pub due_at: Option<i64>,
    pub delivered_at: Option<i64>,
}

/// A reply to insert.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub room: String,
    pub viewer: String,
    pub tier: Tier,
    pub kind: String,
    pub key: Option<String>,
    pub mood: Option<String>,
    pub text: String,
    pub created_at: Stamp,
}

/// What a history asks for; `None` is any.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub room: Option<String>,
    pub viewer: Option<String>,
    pub kind: Option<String>,
    pub tier: Option<String>,
    pub mood: Option<String>,
    pub status: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: usize,
}

pub struct MessageDb {
    writer: WriteHandle,
    reader: SharedReader,
}

impl MessageDb {
    pub fn open(db: &super::Database, writer: WriteHandle) -> Result<Self, StoreError> {
        Ok(MessageDb {
            writer,
            reader: SharedReader::open(db)?,
        })
    }

    fn select(
        &self,
        clause: &str,
        values: Vec<Value<'static>>,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM messages {clause}"))?;
        let rows = stmt.query_map(values, row)?;
        rows.collect::<Result<_, _>>()
    }

    /// Messages not yet delivered, failed or read: the outbox at start.
    pub fn open_rows(&self) -> Result<Vec<MessageRow>, StoreError> {
        self.select("WHERE status IN ('pending', 'sent') ORDER BY id", vec![])
    }

    /// Rows inserted after `id` (the queue's new messages), oldest first.
    pub fn rows_after(&self, id: u64, limit: usize) -> Result<Vec<MessageRow>, StoreError> {
        self.select(
            "WHERE id > ?1 ORDER BY id LIMIT ?2",
            vec![(id as i64).into(), (limit as i64).into()],
        )
    }

    /// The highest row id so far.
    pub fn last_id(&self) -> Result<u64, StoreError> {
        let reader = self.reader.lock();
        let id: Option<i64> = reader
            .conn
            .query_row("SELECT max(id) FROM messages", [], |r| r.get(0))?;
        Ok(id.unwrap_or(0) as u64)
    }

    /// Every viewer's highest inbox number.
    pub fn last_seqs(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare(
            "SELECT viewer, max(seq) FROM messages WHERE seq IS NOT NULL GROUP BY viewer",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        rows.collect::<Result<_, _>>()
    }

    /// A viewer's inbox after `seq` (sent, delivered or read), in order.
    pub fn inbox_after(
        &self,
        viewer: &str,
        seq: u64,
        limit: usize,
    ) -> Result<Vec<MessageRow>, StoreError> {
        self.select(
            "WHERE viewer = ?1 AND seq > ?2 AND status IN ('sent', 'delivered', 'read') ORDER BY seq LIMIT ?3",
            vec![viewer.to_string().into(), (seq as i64).into(), (limit as i64).into()],
        )
    }

    /// A viewer's messages sent and not yet written to them, in order.
    pub fn inbox_unwritten(&self, viewer: &str) -> Result<Vec<MessageRow>, StoreError> {
        self.select(
            "WHERE viewer = ?1 AND status = 'sent' ORDER BY seq",
            vec![viewer.to_string().into()],
        )
    }

    pub fn get(&self, id: u64) -> Result<Option<MessageRow>, StoreError> {
        Ok(self
            .select("WHERE id = ?1", vec![Value::Integer(id as i64)])?
            .pop())
    }

    /// Messages matching `filter`, newest first.
    pub fn history(&self, filter: &MessageFilter) -> Result<Vec<MessageRow>, StoreError> {
        let mut clause = String::from("WHERE 1 = 1");
        let mut values: Vec<Value<'static>> = Vec::new();
        for (column, value) in [
            ("room", &filter.room),
            ("viewer", &filter.viewer),
            ("kind", &filter.kind),
            ("tier", &filter.tier),
            ("mood", &filter.mood),
            ("status", &filter.status),
        ] {
            if let Some(value) = value {
                values.push(Value::Text(value.clone().into()));
                clause.push_str(&format!(" AND {column} = ?{}", values.len()));
            }
        }
        if let Some(from) = filter.from {
            values.push(Value::Integer(from));
            clause.push_str(&format!(" AND created_at >= ?{}", values.len()));
        }
        if let Some(to) = filter.to {
            values.push(Value::Integer(to));
            clause.push_str(&format!(" AND created_at < ?{}", values.len()));
        }
        values.push(Value::Integer(filter.limit as i64));
        clause.push_str(&format!(" ORDER BY id DESC LIMIT ?{}", values.len()));
        self.select(&clause, values)
    }

    /// Tier, status, mood, tier's time and delivery stamp of every message
    /// created in `[from, to)` (of `room`, or all), for the figures.
    pub fn figure_rows(
        &self,
        room: Option<&str>,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<FigureRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader.conn.prepare_cached(
            "SELECT tier, status, mood, due_at, delivered_at FROM messages
             WHERE (CAST(?1 AS TEXT) IS NULL OR room = ?1)
               AND (CAST(?2 AS BIGINT) IS NULL OR created_at >= ?2)
               AND (CAST(?3 AS BIGINT) IS NULL OR created_at < ?3)",
        )?;
        let rows = stmt.query_map(params![room, from, to], |r| {
            Ok(FigureRow {
                tier: r.get(0)?,
                status: r.get(1)?,
                mood: r.get(2)?,
                due_at: r.get(3)?,
                delivered_at: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_, _>>()
    }

    /// Insert a reply; returns its row once it is on disk.
    pub fn insert(&self, new: NewMessage) -> Result<MessageRow, StoreError> {
        let id = self.writer.write(move |tx| {
            let id = tx.insert_returning_id(
                "INSERT INTO messages (room, viewer, tier, kind, key, mood, text, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                params![
                    new.room,
                    new.viewer,
                    new.tier.label(),
                    new.kind,
                    new.key,
                    new.mood,
                    new.text,
                    new.created_at.0
                ],
            )?;
            Ok(id as u64)
        })?;
        self.get(id)?.ok_or(StoreError::WriterGone)
    }

    /// Keep the delivery state of each letter, in one transaction.
    pub fn save(&self, letters: Vec<Letter>) -> Result<(), StoreError> {
        if letters.is_empty() {
            return Ok(());
        }
        self.writer.write(move |tx| {
            let mut update = tx.prepare_cached(
                "UPDATE messages SET status = ?2, priority = ?3, due_at = ?4, seq = ?5, attempts = ?6,
                 next_at = ?7, last_error = ?8, reason = ?9, sent_at = ?10, delivered_at = ?11,
                 read_at = ?12, failed_at = ?13 WHERE id = ?1",
            )?;
            for l in &letters {
                update.execute(params![
                    l.id.0 as i64,
                    l.status.as_str(),
                    l.priority,
                    l.due_at.0,
                    l.seq.map(|s| s as i64),
                    l.attempts,
                    l.next_at.0,
                    l.last_error,
                    l.reason.map(|r| r.as_str()),
                    l.sent_at.map(|s| s.0),
                    l.delivered_at.map(|s| s.0),
                    l.read_at.map(|s| s.0),
                    l.failed_at.map(|s| s.0),
                ])?;
            }
            Ok(())
        })
    }

    /// Mark the viewer's own delivered (or sent) messages read; returns
    /// those that changed, with their room and tier. Another viewer's ids
    /// change nothing.
    pub fn mark_read(
        &self,
        viewer: &str,
        ids: Vec<u64>,
        at: Stamp,
    ) -> Result<Vec<(u64, String, String)>, StoreError> {
        let viewer = viewer.to_string();
        self.writer.write(move |tx| {
            let mut update = tx.prepare_cached(
                "UPDATE messages SET status = 'read', read_at = ?3,
                 delivered_at = coalesce(delivered_at, ?3)
                 WHERE id = ?1 AND viewer = ?2 AND status IN ('sent', 'delivered')
                 RETURNING room, tier",
            )?;
            let mut changed = Vec::new();
            for id in ids {
                let mut rows = update.query(params![id as i64, viewer, at.0])?;
                if let Some(row) = rows.next()? {
                    changed.push((id, row.get(0)?, row.get(1)?));
                }
            }
            Ok(changed)
        })
    }
}
