//! Rebuilding the engine from disk: replay the command log, then check that
//! what the replay produced agrees with what was stored (postings, events)
//! and that every invariant holds. Any disagreement is an error, never a reset.

use std::collections::BTreeMap;

use super::StoreError;
use super::sql::{Conn, ConnExt, params};
use crate::domain::{Engine, EngineConfig, Request, RoomId, Stamp};

/// Commands read per query while replaying: memory stays bounded however
/// long the log is.
const PAGE: i64 = 5_000;

pub(crate) fn rebuild(conn: &dyn Conn, config: EngineConfig) -> Result<Engine, StoreError> {
    let mut engine = Engine::new(config);
    let mut backfill = RecordBackfill::start(conn)?;
    let mut last = 0i64;
    loop {
        let page = conn.query_values(
            "SELECT id, at, body, reply FROM commands WHERE id > ?1 ORDER BY id LIMIT ?2",
            &params![last, PAGE],
        )?;
        let Some(end) = page.last() else { break };
        last = end.get(0)?;
        for row in &page {
            replay(&mut engine, backfill.as_mut(), row)?;
        }
    }
    if let Some(backfill) = backfill {
        backfill.finish()?;
    }
    verify_events(conn, &engine)?;
    verify_postings(conn, &engine)?;
    engine.check_invariants()?;
    Ok(engine)
}

fn replay(
    engine: &mut Engine,
    backfill: Option<&mut RecordBackfill<'_>>,
    row: &super::sql::Row,
) -> Result<(), StoreError> {
    {
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
        if let Some(backfill) = backfill {
            backfill.keep(&outcome.closed)?;
        }
        let reply = serde_json::to_string(&outcome.reply)?;
        if reply != stored_reply {
            return Err(replay_error(format!(
                "replayed reply {reply} differs from stored {stored_reply}"
            )));
        }
    }
    Ok(())
}

/// Closed items of a database older than schema 4 have no stored record:
/// the replay produces them again, and they are written in one transaction.
struct RecordBackfill<'c> {
    tx: &'c dyn Conn,
}

impl<'c> RecordBackfill<'c> {
    fn start(conn: &'c dyn Conn) -> Result<Option<Self>, StoreError> {
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
        conn.batch("BEGIN")?;
        Ok(Some(RecordBackfill { tx: conn }))
    }

    fn keep(&mut self, closed: &[crate::domain::Item]) -> Result<(), StoreError> {
        let mut update = self
            .tx
            .prepare_cached("UPDATE items SET record = ?2 WHERE id = ?1 AND record IS NULL")?;
        for item in closed {
            update.execute(params![item.id().0 as i64, serde_json::to_string(item)?])?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(), StoreError> {
        self.tx.batch("COMMIT")
    }
}

/// Every room's stored events run 1..=last without gaps, and last is where
/// the replayed engine stands.
fn verify_events(conn: &dyn Conn, engine: &Engine) -> Result<(), StoreError> {
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
fn verify_postings(conn: &dyn Conn, engine: &Engine) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(
        "SELECT account, CAST(SUM(amount) AS BIGINT) FROM postings GROUP BY account
         HAVING SUM(amount) <> 0",
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
