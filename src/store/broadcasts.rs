//! Broadcasts as records, and the compact per-broadcast item facts their
//! reports read. Both are written by the writer in the transaction of the
//! command whose events they follow (`record`), so a report never runs
//! ahead of the log and a restart changes nothing: a room live at a
//! restart keeps its open broadcast row until its broadcast ends.
//!
//! `broadcast_items` is keyed by (broadcast, item): a report reads one
//! contiguous range of it and nothing else of the history, so its cost
//! follows the broadcast's size, not the database's.

use std::sync::Mutex;

use super::sql::{Conn, ConnExt, OptionalExt, Row, params};

use super::{Reader, StoreError};
use crate::domain::{Event, EventKind, RoomId, Stamp};
use crate::report::{Broadcast, ItemRow, SpinRow, TipRow};

/// Keep the broadcast tables in step with one committed event.
pub(super) fn record(tx: &dyn Conn, event: &Event) -> Result<(), StoreError> {
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
        EventKind::ItemQueued { item: view, .. }
        | EventKind::InstantSettled { item: view }
        | EventKind::TipQueued { item: view, .. } => {
            let (state, settled, closed) = if view.instant {
                ("finished", view.token_cost, Some(at))
            } else {
                ("queued", 0, None)
            };
            // An item belongs to the room's open broadcast (intake needs one).
            tx.prepare_cached(
                "INSERT INTO broadcast_items
                    (broadcast, item, user_id, source, title, state, token_cost, settled, closed_at,
                     points, tip_level, tip_ms)
                 SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
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
                view.tip.as_ref().map(|t| &*t.label),
                view.tip.as_ref().map_or(0, |t| t.duration_ms as i64),
            ])?;
        }
        // A toy tip runs in the lane: started, given back, settled.
        EventKind::LaneStarted { item, .. } => {
            tx.prepare_cached("UPDATE broadcast_items SET state = 'in_progress' WHERE item = ?1")?
                .execute(params![item.0 as i64])?;
        }
        EventKind::LaneReturned { item, .. } => {
            tx.prepare_cached("UPDATE broadcast_items SET state = 'queued' WHERE item = ?1")?
                .execute(params![item.0 as i64])?;
        }
        EventKind::LaneSettled { item, settled } => {
            tx.prepare_cached(
                "UPDATE broadcast_items SET state = 'finished', settled = ?2, closed_at = ?3 WHERE item = ?1",
            )?
            .execute(params![item.0 as i64, *settled as i64, at])?;
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
    pub fn open(db: &super::Database) -> Result<Self, StoreError> {
        Ok(BroadcastDb {
            reader: Mutex::new(Reader::open(db)?),
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
        rows.collect::<Result<_, _>>()
    }

    /// The broadcast `id` of `room` and its items, read in one transaction
    /// so they agree; `None` when the room has no such broadcast.
    pub fn report_rows(
        &self,
        room: &RoomId,
        id: i64,
    ) -> Result<Option<(Broadcast, Vec<ItemRow>)>, StoreError> {
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        reader.conn.snapshot(|tx| report_rows(tx, room, id))
    }
}

fn report_rows(
    tx: &dyn Conn,
    room: &RoomId,
    id: i64,
) -> Result<Option<(Broadcast, Vec<ItemRow>)>, StoreError> {
    {
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
                    b.refunded, b.refund_reason, b.closed_at, b.points, s.game, s.tier, s.prize_id,
                    b.tip_level, b.tip_ms
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
                    tip: r.get::<_, Option<String>>(14)?.map(|level| TipRow {
                        level,
                        duration_ms: r.get::<_, i64>(15).unwrap_or(0) as u64,
                    }),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((broadcast, rows)))
    }
}

fn broadcast_of(r: &Row) -> Result<Broadcast, StoreError> {
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
    conn: rusqlite::Connection,
}

impl BulkBroadcasts {
    pub fn open(path: &std::path::Path) -> Result<Self, StoreError> {
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
        self.conn.transaction(|tx| {
        let id = tx.insert_returning_id(
            "INSERT INTO broadcasts (room, started_at, ended_at, start_seq) VALUES (?1, ?2, ?3, 0)
             RETURNING id",
            params![room.as_str(), started_at.0, ended_at.map(|e| e.0)],
        )?;
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
        Ok(id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;

    /// A database from before the broadcast tables gets them from its
    /// events and items: each start to its end, each item in the broadcast
    /// its intake fell in, its refund's reason.
    #[test]
    fn the_migration_fills_broadcasts_from_an_older_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrate_until(&conn, 0, 8).unwrap();
            conn.execute(
                "INSERT INTO commands (id, at, kind, body, reply) VALUES (1, 5, 'x', '{}', '{}')",
                [],
            )
            .unwrap();
            let events = [
                (1, 100, "broadcast_started", serde_json::json!({})),
                (
                    2,
                    200,
                    "item_queued",
                    serde_json::json!({"item": {"id": 7}}),
                ),
                (
                    3,
                    300,
                    "item_queued",
                    serde_json::json!({"item": {"id": 8}}),
                ),
                (
                    4,
                    400,
                    "item_refunded",
                    serde_json::json!({"item": 7, "reason": "dispute"}),
                ),
                (5, 900, "broadcast_ended", serde_json::json!({})),
                (6, 1000, "broadcast_started", serde_json::json!({})),
            ];
            for (seq, at, kind, body) in events {
                conn.execute(
                    "INSERT INTO events (room, seq, at, type, body, command_id) VALUES ('r1', ?1, ?2, ?3, ?4, 1)",
                    params![seq, at, kind, body.to_string()],
                )
                .unwrap();
            }
            for (id, state, settled, refunded) in [(7, "refunded", 0, 20), (8, "finished", 30, 0)] {
                let view = serde_json::json!({"source": "chip_menu", "action": {"title": format!("t{id}")}, "loyaltyPoints": 2});
                conn.execute(
                    "INSERT INTO items (id, room, user_id, state, token_cost, settled, refunded, view, updated_at)
                     VALUES (?1, 'r1', 'u1', ?2, ?3, ?4, ?5, ?6, 500)",
                    params![id, state, settled + refunded, settled, refunded, view.to_string()],
                )
                .unwrap();
            }
        }
        drop(schema::open(&path, crate::store::Synchronous::Full).unwrap());
        let db = BroadcastDb::open(&path.clone().into()).unwrap();
        let room = RoomId::new("r1");
        let listed = db.list(&room, None, 10).unwrap();
        let spans: Vec<(i64, i64, Option<i64>)> = listed
            .iter()
            .map(|b| (b.id, b.started_at.0, b.ended_at.map(|e| e.0)))
            .collect();
        assert_eq!(spans, [(2, 1000, None), (1, 100, Some(900))]);
        let (_, rows) = db.report_rows(&room, 1).unwrap().unwrap();
        type Fact<'a> = (u64, &'a str, Option<&'a str>, u64, Option<i64>);
        let facts: Vec<Fact> = rows
            .iter()
            .map(|r| {
                let reason = r.refund_reason.as_deref();
                (
                    r.item,
                    r.title.as_str(),
                    reason,
                    r.points,
                    r.closed_at.map(|c| c.0),
                )
            })
            .collect();
        assert_eq!(
            facts,
            [
                (7, "t7", Some("dispute"), 2, Some(500)),
                (8, "t8", None, 2, Some(500))
            ]
        );
        assert!(db.report_rows(&room, 2).unwrap().unwrap().1.is_empty());
        assert!(db.report_rows(&RoomId::new("r2"), 1).unwrap().is_none());
    }

    /// The report reads its broadcast's range of the primary key, and an
    /// intake finds the open broadcast by index: neither grows with the
    /// other broadcasts' rows.
    #[test]
    fn a_report_reads_only_its_broadcasts_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        let conn = schema::open(&path, crate::store::Synchronous::Full).unwrap();
        let mut stmt = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT b.item, s.game FROM broadcast_items b
                 LEFT JOIN game_spins s ON s.item = b.item WHERE b.broadcast = ?1",
            )
            .unwrap();
        let plan: Vec<String> = stmt
            .query_map([1], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("; ");
        assert!(
            plan.contains("SEARCH b USING PRIMARY KEY (broadcast=?)"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN"), "{plan}");
        // Each intake finds its room's open broadcast through the partial index.
        let open: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id FROM broadcasts WHERE room = ?1 AND ended_at IS NULL",
                ["r1"],
                |r| r.get(3),
            )
            .unwrap();
        assert!(open.contains("broadcasts_open"), "{open}");
    }
}
