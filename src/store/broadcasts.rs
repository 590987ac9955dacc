//! Broadcasts as records, and the compact per-broadcast item facts their
//! reports read. Both are written by the writer in the transaction of the
//! command whose events they follow (`record`), so a report never runs
//! ahead of the log and a restart changes nothing: a room live at a
//! restart keeps its open broadcast row until its broadcast ends.
//!
//! `broadcast_items` is keyed by (broadcast, item): a report reads one
//! contiguous range of it and nothing else of the history, so its cost
//! follows the broadcast's size, not the database's.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Reader, StoreError};
use crate::domain::{Event, EventKind, RoomId, Stamp};
use crate::report::{Broadcast, ItemRow, SpinRow};

/// Keep the broadcast tables in step with one committed event.
pub(super) fn record(tx: &Transaction, event: &Event) -> Result<(), StoreError> {
    let at = event.at.0;
    match &event.kind {
        EventKind::BroadcastStarted => {
            tx.prepare_cached(
                "INSERT INTO broadcasts (room, started_at, start_seq) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![event.room.as_str(), at, event.seq as i64])?;
        }
        EventKind::BroadcastEnded { .. } => {
            tx.prepare_cached(
                "UPDATE broadcasts SET ended_at = ?2, end_seq = ?3 WHERE room = ?1 AND ended_at IS NULL",
            )?
            .execute(params![event.room.as_str(), at, event.seq as i64])?;
        }
        EventKind::ItemQueued { item: view, .. } | EventKind::InstantSettled { item: view } => {
            let (state, settled, closed) = if view.instant {
                ("finished", view.token_cost, Some(at))
            } else {
                ("queued", 0, None)
            };
            // An item belongs to the room's open broadcast (intake needs one).
            tx.prepare_cached(
                "INSERT INTO broadcast_items
                    (broadcast, item, user_id, source, title, state, token_cost, settled, closed_at, points)
                 SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
                 FROM broadcasts WHERE room = ?1 AND ended_at IS NULL",
            )?
            .execute(params![
                view.room.as_str(),
                view.id.0 as i64,
                view.user_id.as_str(),
                view.source.as_str(),
                &*view.action.title,
                state,
                view.token_cost as i64,
                settled as i64,
                closed,
                view.loyalty_points as i64,
            ])?;
        }
        EventKind::ItemStarted { item, .. } => {
            tx.prepare_cached("UPDATE broadcast_items SET state = 'in_progress' WHERE item = ?1")?
                .execute(params![item.0 as i64])?;
        }
        EventKind::ItemFinished { item, settled, .. } => {
            tx.prepare_cached(
                "UPDATE broadcast_items SET state = 'finished', settled = ?2, closed_at = ?3 WHERE item = ?1",
            )?
            .execute(params![item.0 as i64, *settled as i64, at])?;
        }
        EventKind::ItemRefunded {
            item,
            amount,
            settled,
            reason,
            ..
        } => {
            tx.prepare_cached(
                "UPDATE broadcast_items SET state = 'refunded', settled = ?2, refunded = ?3,
                 refund_reason = ?4, closed_at = ?5 WHERE item = ?1",
            )?
            .execute(params![
                item.0 as i64,
                *settled as i64,
                *amount as i64,
                reason.as_str(),
                at
            ])?;
        }
        _ => {}
    }
    Ok(())
}

/// Reads of the broadcasts and their report rows (read-only, beside the
/// writer).
pub struct BroadcastDb {
    reader: Mutex<Reader>,
}

impl BroadcastDb {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(BroadcastDb {
            reader: Mutex::new(Reader::open(path)?),
        })
    }

    /// The room's broadcasts, newest first, with ids below `before`.
    pub fn list(
        &self,
        room: &RoomId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Broadcast>, StoreError> {
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut stmt = reader.conn.prepare_cached(
            "SELECT id, room, started_at, ended_at FROM broadcasts
             WHERE room = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(
            params![room.as_str(), before.unwrap_or(i64::MAX), limit as i64],
            broadcast_of,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The broadcast `id` of `room` and its items, read in one transaction
    /// so they agree; `None` when the room has no such broadcast.
    pub fn report_rows(
        &self,
        room: &RoomId,
        id: i64,
    ) -> Result<Option<(Broadcast, Vec<ItemRow>)>, StoreError> {
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let tx = reader.conn.unchecked_transaction()?;
        let broadcast = tx
            .prepare_cached(
                "SELECT id, room, started_at, ended_at FROM broadcasts WHERE id = ?1 AND room = ?2",
            )?
            .query_row(params![id, room.as_str()], broadcast_of)
            .optional()?;
        let Some(broadcast) = broadcast else {
            return Ok(None);
        };
        let mut stmt = tx.prepare_cached(
            "SELECT b.item, b.user_id, b.source, b.title, b.state, b.token_cost, b.settled,
                    b.refunded, b.refund_reason, b.closed_at, b.points, s.game, s.tier, s.prize_id
             FROM broadcast_items b
             LEFT JOIN game_spins s ON s.item = b.item AND b.source IN ('slot_machine', 'spin_wheel')
             WHERE b.broadcast = ?1",
        )?;
        let rows = stmt
            .query_map(params![id], |r| {
                let game: Option<String> = r.get(11)?;
                Ok(ItemRow {
                    item: r.get::<_, i64>(0)? as u64,
                    user: r.get(1)?,
                    source: r.get(2)?,
                    title: r.get(3)?,
                    state: r.get(4)?,
                    token_cost: r.get::<_, i64>(5)? as u64,
                    settled: r.get::<_, i64>(6)? as u64,
                    refunded: r.get::<_, i64>(7)? as u64,
                    refund_reason: r.get(8)?,
                    closed_at: r.get::<_, Option<i64>>(9)?.map(Stamp),
                    points: r.get::<_, i64>(10)? as u64,
                    spin: match game {
                        Some(game) => Some(SpinRow {
                            game,
                            tier: r.get::<_, i64>(12)? as u32,
                            prize_id: r.get(13)?,
                        }),
                        None => None,
                    },
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        drop(stmt);
        tx.commit()?;
        Ok(Some((broadcast, rows)))
    }
}

fn broadcast_of(r: &rusqlite::Row) -> rusqlite::Result<Broadcast> {
    Ok(Broadcast {
        id: r.get(0)?,
        room: RoomId::new(r.get::<_, String>(1)?.as_str()),
        started_at: Stamp(r.get(2)?),
        ended_at: r.get::<_, Option<i64>>(3)?.map(Stamp),
    })
}

/// Broadcasts and their item facts written straight into a database, in
/// one transaction per broadcast, without the commands behind them: for
/// benchmarks that need a long history quickly. Not for a server's file.
pub struct BulkBroadcasts {
    conn: Connection,
}

impl BulkBroadcasts {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(BulkBroadcasts {
            conn: super::schema::open(path, super::Synchronous::Normal)?,
        })
    }

    /// Write one broadcast with these items; its id.
    pub fn write(
        &mut self,
        room: &RoomId,
        started_at: Stamp,
        ended_at: Option<Stamp>,
        items: &[ItemRow],
    ) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO broadcasts (room, started_at, ended_at, start_seq) VALUES (?1, ?2, ?3, 0)",
            params![room.as_str(), started_at.0, ended_at.map(|e| e.0)],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO broadcast_items (broadcast, item, user_id, source, title, state,
                    token_cost, settled, refunded, refund_reason, closed_at, points)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let mut insert_item = tx.prepare_cached(
                "INSERT INTO items (id, room, user_id, state, token_cost, settled, refunded, view, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for row in items {
                let view = serde_json::json!({
                    "id": row.item, "room": room.as_str(), "source": row.source,
                    "userId": row.user, "action": {"title": row.title}, "tokenCost": row.token_cost,
                });
                insert_item.execute(params![
                    row.item as i64,
                    room.as_str(),
                    row.user,
                    row.state,
                    row.token_cost as i64,
                    row.settled as i64,
                    row.refunded as i64,
                    view.to_string(),
                    row.closed_at.unwrap_or(started_at).0,
                ])?;
                insert.execute(params![
                    id,
                    row.item as i64,
                    row.user,
                    row.source,
                    row.title,
                    row.state,
                    row.token_cost as i64,
                    row.settled as i64,
                    row.refunded as i64,
                    row.refund_reason,
                    row.closed_at.map(|c| c.0),
                    row.points as i64,
                ])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }
}
