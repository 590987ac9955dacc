//! The games' tables: configuration versions, server seeds, viewers'
//! client seeds, and spin records. A spin record is written by the command
//! writer in the commit of the spin's intake ([`insert_spin`]); the rest go
//! through the one writer as jobs of their own.

use super::sql::{Conn, ConnExt, Dialect, Row, params};

use super::StoreError;
use super::read::SharedReader;
use super::writer::WriteHandle;
use crate::domain::{Command, Outcome, Request};
use crate::games::{GameKind, SpinRecord};

/// One stored configuration version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameVersionRow {
    pub room: String,
    pub game: String,
    pub version: u64,
    pub at: i64,
    pub changed_by: String,
    /// The configuration as JSON.
    pub body: String,
}

/// A server seed: secret (but stored) until `revealed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRow {
    pub room: String,
    pub game: String,
    pub commitment: String,
    pub seed: String,
    pub committed_at: i64,
    pub revealed_at: Option<i64>,
}

/// A viewer's client seed, and when they set it (or last spun with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSeedRow {
    pub room: String,
    pub game: String,
    pub user: String,
    pub client_seed: String,
    pub at: i64,
}

/// The spins of one viewer under one seed: the highest nonce used and the
/// last spin's stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceRow {
    pub room: String,
    pub game: String,
    pub user: String,
    pub commitment: String,
    pub max_nonce: u64,
    pub last_at: i64,
}

/// Everything the games keep, for a start.
#[derive(Debug, Clone, Default)]
pub struct GameRows {
    pub versions: Vec<GameVersionRow>,
    pub seeds: Vec<SeedRow>,
    /// Set explicitly by the viewer.
    pub client_seeds: Vec<ClientSeedRow>,
    /// The client seed of each viewer's last spin.
    pub last_spin_seeds: Vec<ClientSeedRow>,
    pub nonces: Vec<NonceRow>,
}

/// A spin by its id, found through its item (whose source event it is).
/// The columns [`record_of`] reads, in its order.
macro_rules! spin_columns {
    () => {
        "spin_id, room, game, tier, cost, client_seed, nonce, commitment, config_version,
         config_hash, total, words, value, prize_id, prize_rank, at"
    };
}
pub(super) use spin_columns;

/// A spin by its id, found through its item's source event (indexed).
fn spin_by_id(dialect: Dialect) -> String {
    format!(
        "SELECT {} FROM game_spins
        WHERE item IN (SELECT id FROM items WHERE {} = ?1
                       AND {} IN ('slot_machine', 'spin_wheel'))
          AND spin_id = ?1",
        spin_columns!(),
        dialect.json_text("view", "sourceEventId"),
        dialect.json_text("view", "source"),
    )
}

pub struct GameDb {
    writer: WriteHandle,
    pub(super) reader: SharedReader,
}

impl GameDb {
    pub fn open(db: &super::Database, writer: WriteHandle) -> Result<Self, StoreError> {
        Ok(GameDb {
            writer,
            reader: SharedReader::open(db)?,
        })
    }

    pub fn load(&self) -> Result<GameRows, StoreError> {
        let reader = self.reader.lock();
        let conn = &reader.conn;
        let client_seed = |r: &Row| {
            Ok(ClientSeedRow {
                room: r.get(0)?,
                game: r.get(1)?,
                user: r.get(2)?,
                client_seed: r.get(3)?,
                at: r.get(4)?,
            })
        };
        Ok(GameRows {
            versions: all(
                conn,
                "SELECT room, game, version, at, changed_by, body FROM game_versions
                 ORDER BY room, game, version",
                |r| {
                    Ok(GameVersionRow {
                        room: r.get(0)?,
                        game: r.get(1)?,
                        version: r.get::<_, i64>(2)? as u64,
                        at: r.get(3)?,
                        changed_by: r.get(4)?,
                        body: r.get(5)?,
                    })
                },
            )?,
            seeds: all(
                conn,
                "SELECT room, game, commitment, seed, committed_at, revealed_at FROM game_seeds
                 ORDER BY room, game, committed_at, revealed_at IS NULL",
                |r| {
                    Ok(SeedRow {
                        room: r.get(0)?,
                        game: r.get(1)?,
                        commitment: r.get(2)?,
                        seed: r.get(3)?,
                        committed_at: r.get(4)?,
                        revealed_at: r.get(5)?,
                    })
                },
            )?,
            client_seeds: all(
                conn,
                "SELECT room, game, user_id, client_seed, at FROM game_client_seeds",
                client_seed,
            )?,
            // Each viewer's latest spin per game (items grow with time).
            last_spin_seeds: all(
                conn,
                "SELECT room, game, user_id, client_seed, at FROM game_spins AS s
                 WHERE item = (SELECT MAX(item) FROM game_spins AS t
                               WHERE t.room = s.room AND t.game = s.game AND t.user_id = s.user_id)",
                client_seed,
            )?,
            nonces: all(
                conn,
                "SELECT room, game, user_id, commitment, MAX(nonce), MAX(at) FROM game_spins
                 GROUP BY room, game, user_id, commitment",
                |r| {
                    Ok(NonceRow {
                        room: r.get(0)?,
                        game: r.get(1)?,
                        user: r.get(2)?,
                        commitment: r.get(3)?,
                        max_nonce: r.get::<_, i64>(4)? as u64,
                        last_at: r.get(5)?,
                    })
                },
            )?,
        })
    }

    /// A spin's record by its id.
    pub fn spin(&self, spin_id: &str) -> Result<Option<SpinRecord>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader
            .conn
            .prepare_cached(&spin_by_id(reader.conn.dialect()))?;
        let mut rows = stmt.query(params![spin_id])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        Ok(Some(record_of(row, 0)?))
    }

    /// Append a configuration version; returns once it is on disk.
    pub fn insert_version(&self, row: GameVersionRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT INTO game_versions (room, game, version, at, changed_by, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    row.room,
                    row.game,
                    row.version as i64,
                    row.at,
                    row.changed_by,
                    row.body
                ],
            )?;
            Ok(())
        })
    }

    /// Commit to a new seed, revealing the current one (if any) at the same
    /// stamp, in one transaction.
    pub fn commit_seed(&self, seed: SeedRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "UPDATE game_seeds SET revealed_at = ?3
                 WHERE room = ?1 AND game = ?2 AND revealed_at IS NULL",
                params![seed.room, seed.game, seed.committed_at],
            )?;
            tx.execute(
                "INSERT INTO game_seeds (room, game, commitment, seed, committed_at, revealed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
                params![
                    seed.room,
                    seed.game,
                    seed.commitment,
                    seed.seed,
                    seed.committed_at
                ],
            )?;
            Ok(())
        })
    }

    pub fn set_client_seed(&self, row: ClientSeedRow) -> Result<(), StoreError> {
        self.writer.write(move |tx| {
            tx.execute(
                "INSERT INTO game_client_seeds (room, game, user_id, client_seed, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (room, game, user_id)
                 DO UPDATE SET client_seed = excluded.client_seed, at = excluded.at",
                params![row.room, row.game, row.user, row.client_seed, row.at],
            )?;
            Ok(())
        })
    }
}

/// The spin record of a row holding [`spin_columns`] from column `from` on.
pub(super) fn record_of(row: &Row, from: usize) -> Result<SpinRecord, StoreError> {
    let spin_id: String = row.get(from)?;
    let game: String = row.get(from + 2)?;
    let words: String = row.get(from + 11)?;
    Ok(SpinRecord {
        game: GameKind::from_name(&game)
            .ok_or_else(|| StoreError::Mismatch(format!("spin {spin_id}: game {game:?}")))?,
        room: row.get(from + 1)?,
        tier: row.get(from + 3)?,
        cost: row.get::<_, i64>(from + 4)? as u64,
        client_seed: row.get(from + 5)?,
        nonce: row.get::<_, i64>(from + 6)? as u64,
        commitment: row.get(from + 7)?,
        config_version: row.get::<_, i64>(from + 8)? as u64,
        config_hash: row.get(from + 9)?,
        total: row.get(from + 10)?,
        words: serde_json::from_str(&words)?,
        value: row.get(from + 12)?,
        prize_id: row.get(from + 13)?,
        prize_rank: row.get(from + 14)?,
        spun_at: crate::domain::time::Stamp(row.get(from + 15)?),
        spin_id,
    })
}

/// Every row `sql` selects, each read by `row`.
fn all<T>(
    conn: &dyn Conn,
    sql: &str,
    row: impl FnMut(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Insert a spin's record, kept in the commit of its intake `request`,
/// under the queue item the intake made.
pub(crate) fn insert_spin(
    tx: &dyn Conn,
    record: &SpinRecord,
    request: &Request,
    outcome: &Outcome,
    command_id: i64,
) -> Result<(), StoreError> {
    let (Command::Intake { payload, .. }, Some(item)) = (&request.command, outcome.reply.item())
    else {
        return Err(StoreError::Mismatch(format!(
            "spin {} came with a {} command that made no queue item",
            record.spin_id,
            request.command.name()
        )));
    };
    let at = outcome.at.0;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO game_spins (item, spin_id, room, game, user_id, commitment, nonce, at,
             command_id, tier, cost, client_seed, config_version, config_hash, total, words,
             value, prize_id, prize_rank)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?;
    stmt.execute(params![
        item.0 as i64,
        record.spin_id,
        record.room,
        record.game.as_str(),
        payload.user_id.as_str(),
        record.commitment,
        record.nonce as i64,
        at,
        command_id,
        record.tier,
        record.cost as i64,
        record.client_seed,
        record.config_version as i64,
        record.config_hash,
        record.total,
        serde_json::to_string(&record.words)?,
        record.value,
        record.prize_id,
        record.prize_rank,
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::schema::{self, Synchronous};
    use super::super::writer::Writer;
    use super::*;
    use crate::games::fairness::Word;

    fn record() -> SpinRecord {
        SpinRecord {
            spin_id: "wheel-0123456789abcdef0123".into(),
            spun_at: crate::domain::time::Stamp(5),
            game: GameKind::SpinWheel,
            room: "r1".into(),
            tier: 2,
            cost: 20,
            client_seed: "mine".into(),
            nonce: 3,
            commitment: "c".repeat(64),
            config_version: 4,
            config_hash: "h".repeat(64),
            total: 193,
            words: vec![
                Word {
                    cursor: 0,
                    index: 0,
                    value: u32::MAX,
                },
                Word {
                    cursor: 0,
                    index: 1,
                    value: 1_030_319_273,
                },
            ],
            value: 160,
            prize_id: 2,
            prize_rank: 3,
        }
    }

    /// A spin stored by schema 7 (a JSON record beside copies of its
    /// fields) reads back whole after the step to columns, and the start's
    /// queries (nonces, last client seed) still see it.
    #[test]
    fn a_spin_kept_as_json_is_read_back_whole_after_the_move_to_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let spin = record();
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrate_until(&conn, 0, 7).unwrap();
            conn.execute(
                "INSERT INTO commands (id, at, kind, body, reply) VALUES (1, 5, 'intake', '{}', '{}')",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO items (id, room, user_id, state, token_cost, view, updated_at)
                 VALUES (7, 'r1', 'u1', 'queued', 20, ?1, 5)",
                [
                    serde_json::json!({"sourceEventId": spin.spin_id, "source": "spin_wheel"})
                        .to_string(),
                ],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO game_spins (spin_id, room, game, user_id, commitment, nonce, at, record, command_id)
                 VALUES (?1, 'r1', 'spin_wheel', 'u1', ?2, 3, 5, ?3, 1)",
                params![
                    spin.spin_id,
                    spin.commitment,
                    serde_json::to_string(&spin).unwrap()
                ],
            )
            .unwrap();
        }
        let conn = schema::open(&path, Synchronous::Full).unwrap();
        let mut writer = Writer::spawn(Box::new(conn), None, 8).unwrap();
        let db = GameDb::open(&path.clone().into(), writer.handle().unwrap()).unwrap();
        assert_eq!(db.spin(&spin.spin_id).unwrap(), Some(spin.clone()));
        assert_eq!(db.spin("wheel-none").unwrap(), None);
        let plan: Vec<String> = {
            let reader = db.reader.lock();
            let mut stmt = reader
                .conn
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN {}",
                    spin_by_id(Dialect::Sqlite)
                ))
                .unwrap();
            stmt.query_map(params!["x"], |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let plan = plan.join("; ");
        assert!(plan.contains("items_source_event"), "{plan}");
        assert!(plan.contains("INTEGER PRIMARY KEY"), "{plan}");
        let rows = db.load().unwrap();
        assert_eq!(
            rows.nonces,
            vec![NonceRow {
                room: "r1".into(),
                game: "spin_wheel".into(),
                user: "u1".into(),
                commitment: spin.commitment.clone(),
                max_nonce: 3,
                last_at: 5,
            }]
        );
        assert_eq!(rows.last_spin_seeds[0].client_seed, "mine");
        writer.close();
    }
}
