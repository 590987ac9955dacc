//! Rebuilding the engine from disk: replay the command log, then check that
//! what the replay produced agrees with what was stored (postings, events)
//! and that every invariant holds. Any disagreement is an error, never a reset.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::StoreError;
use crate::domain::{Engine, EngineConfig, Request, RoomId, Stamp};

pub(crate) fn rebuild(conn: &Connection, config: EngineConfig) -> Result<Engine, StoreError> {
    let mut engine = Engine::new(config);
    let mut backfill = RecordBackfill::start(conn)?;
    let mut stmt = conn.prepare("SELECT id, at, body, reply FROM commands ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let at: i64 = row.get(1)?;
        let body: String = row.get(2)?;
        let stored_reply: String = row.get(3)?;
        let replay_error = |detail: String| StoreError::Replay {
            command_id: id,
            detail,
        };
        let request: Request = serde_json::from_str(&body)
            .map_err(|e| replay_error(format!("unreadable command: {e}")))?;
        let outcome = engine
            .execute(Stamp(at), &request)
            .map_err(|e| replay_error(format!("refused on replay: {e}")))?;
        if outcome.replayed {
            return Err(replay_error("a retry was stored as a new command".into()));
        }
        if let Some(backfill) = backfill.as_mut() {
            backfill.keep(&outcome.closed)?;
        }
        let reply = serde_json::to_string(&outcome.reply)?;
        if reply != stored_reply {
            return Err(replay_error(format!(
                "replayed reply {reply} differs from stored {stored_reply}"
            )));
        }
    }
    drop(rows);
    drop(stmt);
    if let Some(backfill) = backfill {
        backfill.finish()?;
    }
    verify_events(conn, &engine)?;
    verify_postings(conn, &engine)?;
    engine.check_invariants()?;
    Ok(engine)
}

/// Closed items of a database older than schema 4 have no stored record:
/// the replay produces them again, and they are written in one transaction.
struct RecordBackfill<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl<'c> RecordBackfill<'c> {
    fn start(conn: &'c Connection) -> Result<Option<Self>, StoreError> {
        let missing: i64 = conn.query_row(
            "SELECT count(*) FROM items WHERE record IS NULL AND state IN ('finished', 'refunded')",
            [],
            |r| r.get(0),
        )?;
        if missing == 0 {
            return Ok(None);
        }
        tracing::info!(
            missing,
            "writing the records of items closed before schema 4"
        );
        Ok(Some(RecordBackfill {
            tx: conn.unchecked_transaction()?,
        }))
    }

    fn keep(&mut self, closed: &[crate::domain::Item]) -> Result<(), StoreError> {
        let mut update = self
            .tx
            .prepare_cached("UPDATE items SET record = ?2 WHERE id = ?1 AND record IS NULL")?;
        for item in closed {
            update.execute(rusqlite::params![
                item.id().0 as i64,
                serde_json::to_string(item)?
            ])?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(), StoreError> {
        Ok(self.tx.commit()?)
    }
}

/// Every room's stored events run 1..=last without gaps, and last is where
/// the replayed engine stands.
fn verify_events(conn: &Connection, engine: &Engine) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT room, MAX(seq), COUNT(*) FROM events GROUP BY room")?;
    let stored: BTreeMap<String, (i64, i64)> = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    for room in engine.room_ids() {
        let expected = engine.room_view(room).map_or(0, |v| v.last_seq) as i64;
        let (max, count) = stored.get(room.as_str()).copied().unwrap_or((0, 0));
        if max != expected || count != expected {
            return Err(StoreError::Mismatch(format!(
                "room {room}: events 1..={max} ({count} stored), replay reached {expected}"
            )));
        }
    }
    for room in stored.keys() {
        if engine.room_view(&RoomId::new(room.as_str())).is_none() {
            return Err(StoreError::Mismatch(format!(
                "events for unknown room {room}"
            )));
        }
    }
    Ok(())
}

/// The stored postings add up to the replayed ledger, account by account.
fn verify_postings(conn: &Connection, engine: &Engine) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT account, SUM(amount) FROM postings GROUP BY account HAVING SUM(amount) != 0",
    )?;
    let mut stored: Vec<(String, i128)> = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, i128::from(r.get::<_, i64>(1)?)))
        })?
        .collect::<Result<_, _>>()?;
    let mut replayed = engine.ledger().token_balances();
    replayed.retain(|(_, v)| *v != 0);
    stored.sort();
    if stored != replayed {
        let first_difference = stored
            .iter()
            .zip(replayed.iter())
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("stored {a:?}, replayed {b:?}"))
            .unwrap_or_else(|| {
                format!(
                    "{} stored accounts, {} replayed",
                    stored.len(),
                    replayed.len()
                )
            });
        return Err(StoreError::Mismatch(format!(
            "ledger disagrees with postings: {first_difference}"
        )));
    }
    Ok(())
}
