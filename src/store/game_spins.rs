//! Spin records listed for audits: a room's game (optionally one server
//! seed's spins) or one viewer's, in spin order and by pages, and the
//! viewer's nonces summed up per server seed.

use super::sql::{Conn, ConnExt, Dialect, params};

use super::StoreError;
use super::games::{GameDb, record_of, spin_columns};
use crate::games::SpinRecord;

/// Whose spins a page lists.
#[derive(Debug, Clone, Copy)]
pub enum SpinScope<'a> {
    /// A room's game, all its spins or those under one commitment.
    Room {
        room: &'a str,
        game: &'a str,
        commitment: Option<&'a str>,
    },
    /// One viewer's, in every room and game.
    Viewer(&'a str),
}

/// One page: each spin with its cursor (the queue item), and whether
/// more follow.
#[derive(Debug, Clone, Default)]
pub struct SpinRows {
    pub spins: Vec<(u64, SpinRecord)>,
    pub more: bool,
}

/// A viewer's spins under one server seed of one room's game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceRow {
    pub room: String,
    pub game: String,
    pub commitment: String,
    pub spins: u64,
    /// How many different nonces: below `spins` means a nonce repeats.
    pub distinct_nonces: u64,
    pub first_nonce: u64,
    pub last_nonce: u64,
    /// Every client seed used, in no particular order.
    pub client_seeds: Vec<String>,
    pub first_at: i64,
    pub last_at: i64,
}

fn room_page(dialect: Dialect) -> String {
    format!(
        "SELECT item, {} FROM game_spins{}
        WHERE room = ?1 AND game = ?2 AND (CAST(?3 AS TEXT) IS NULL OR commitment = ?3) AND item > ?4
        ORDER BY item LIMIT ?5",
        spin_columns!(),
        dialect.indexed_by("game_spins_room")
    )
}

fn viewer_page(dialect: Dialect) -> String {
    format!(
        "SELECT item, {} FROM game_spins{}
        WHERE user_id = ?1 AND item > ?2 ORDER BY item LIMIT ?3",
        spin_columns!(),
        dialect.indexed_by("game_spins_user")
    )
}

fn sequences(dialect: Dialect) -> String {
    format!(
        "SELECT room, game, commitment, count(*), count(DISTINCT nonce),
            min(nonce), max(nonce), {}, min(at), max(at)
        FROM game_spins{}
        WHERE user_id = ?1
        GROUP BY room, game, commitment
        ORDER BY min(item)",
        dialect.distinct_list("client_seed"),
        dialect.indexed_by("game_spins_user")
    )
}

impl GameDb {
    /// Up to `limit` spins after the cursor `after` (0 for the first page).
    pub fn spin_page(
        &self,
        scope: SpinScope<'_>,
        after: u64,
        limit: u32,
    ) -> Result<SpinRows, StoreError> {
        let reader = self.reader.lock();
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let fetch = i64::from(limit) + 1;
        let mut stmt;
        let mut rows = match scope {
            SpinScope::Room {
                room,
                game,
                commitment,
            } => {
                stmt = reader
                    .conn
                    .prepare_cached(&room_page(reader.conn.dialect()))?;
                stmt.query(params![room, game, commitment, after, fetch])?
            }
            SpinScope::Viewer(user) => {
                stmt = reader
                    .conn
                    .prepare_cached(&viewer_page(reader.conn.dialect()))?;
                stmt.query(params![user, after, fetch])?
            }
        };
        let mut page = SpinRows::default();
        while let Some(row) = rows.next()? {
            if page.spins.len() == limit as usize {
                page.more = true;
                break;
            }
            let item: i64 = row.get(0)?;
            let record = record_of(row, 1)?;
            page.spins.push((item as u64, record));
        }
        Ok(page)
    }

    /// The viewer's spins per server seed, in the order each seed was first used.
    pub fn sequences(&self, user: &str) -> Result<Vec<SequenceRow>, StoreError> {
        let reader = self.reader.lock();
        let mut stmt = reader
            .conn
            .prepare_cached(&sequences(reader.conn.dialect()))?;
        let rows = stmt
            .query_map(params![user], |r| {
                let seeds: String = r.get(7)?;
                Ok(SequenceRow {
                    room: r.get(0)?,
                    game: r.get(1)?,
                    commitment: r.get(2)?,
                    spins: r.get::<_, i64>(3)? as u64,
                    distinct_nonces: r.get::<_, i64>(4)? as u64,
                    first_nonce: r.get::<_, i64>(5)? as u64,
                    last_nonce: r.get::<_, i64>(6)? as u64,
                    client_seeds: seeds.split(',').map(str::to_string).collect(),
                    first_at: r.get(8)?,
                    last_at: r.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::{self, Synchronous};
    use super::super::writer::Writer;
    use super::*;

    /// Spins stored before the listings existed (schema 8's table, before
    /// the indexes) are listed with their stamps once the database
    /// migrates, by page, by seed and by viewer.
    #[test]
    fn spins_stored_before_the_listings_are_listed_after_the_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrate_until(&conn, 0, 8).unwrap();
            conn.execute(
                "INSERT INTO commands (id, at, kind, body, reply) VALUES (1, 5, 'intake', '{}', '{}')",
                [],
            )
            .unwrap();
            let spins = [
                (3, "u1", "c1", 0, 100),
                (4, "u2", "c1", 0, 110),
                (6, "u1", "c1", 1, 120),
                (9, "u1", "c2", 0, 130),
            ];
            for (item, user, commitment, nonce, at) in spins {
                conn.execute(
                    "INSERT INTO game_spins (item, spin_id, room, game, user_id, commitment, nonce,
                         at, command_id, tier, cost, client_seed, config_version, config_hash,
                         total, words, value, prize_id, prize_rank)
                     VALUES (?1, ?2, 'r1', 'spin_wheel', ?3, ?4, ?5, ?6, 1, 1, 5, 'seed', 1, 'h',
                         10, '[{\"cursor\":0,\"index\":0,\"value\":5}]', 5, 2, 3)",
                    params![item, format!("wheel-{item}"), user, commitment, nonce, at],
                )
                .unwrap();
            }
        }
        let conn = schema::open(&path, Synchronous::Full).unwrap();
        let mut writer = Writer::spawn(Box::new(conn), None, 8).unwrap();
        let db = GameDb::open(&path.clone().into(), writer.handle().unwrap()).unwrap();
        let room = |commitment| SpinScope::Room {
            room: "r1",
            game: "spin_wheel",
            commitment,
        };
        let listed = |rows: SpinRows| -> (Vec<(u64, i64)>, bool) {
            let spins = rows.spins.iter().map(|(c, r)| (*c, r.spun_at.0)).collect();
            (spins, rows.more)
        };
        let first = db.spin_page(room(None), 0, 2).unwrap();
        assert_eq!(listed(first), (vec![(3, 100), (4, 110)], true));
        let second = db.spin_page(room(None), 4, 2).unwrap();
        assert_eq!(listed(second), (vec![(6, 120), (9, 130)], false));
        let seed = db.spin_page(room(Some("c2")), 0, 10).unwrap();
        assert_eq!(listed(seed), (vec![(9, 130)], false));
        let mine = db.spin_page(SpinScope::Viewer("u1"), 0, 10).unwrap();
        assert_eq!(listed(mine).0, vec![(3, 100), (6, 120), (9, 130)]);
        let sequences = db.sequences("u1").unwrap();
        assert_eq!(
            sequences
                .iter()
                .map(|s| (s.commitment.as_str(), s.spins, s.last_nonce, s.first_at))
                .collect::<Vec<_>>(),
            vec![("c1", 2, 1, 100), ("c2", 1, 0, 130)]
        );
        assert_eq!(sequences[0].client_seeds, ["seed"]);
        writer.close();
    }
}
