//! Spin records listed for audits: a room's game (optionally one server
//! seed's spins) or one viewer's, in spin order and by pages, and the
//! viewer's nonces summed up per server seed.

use rusqlite::params;

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

const ROOM_PAGE: &str = concat!(
    "SELECT item, ",
    spin_columns!(),
    " FROM game_spins INDEXED BY game_spins_room
    WHERE room = ?1 AND game = ?2 AND (?3 IS NULL OR commitment = ?3) AND item > ?4
    ORDER BY item LIMIT ?5"
);

const VIEWER_PAGE: &str = concat!(
    "SELECT item, ",
    spin_columns!(),
    " FROM game_spins INDEXED BY game_spins_user
    WHERE user_id = ?1 AND item > ?2 ORDER BY item LIMIT ?3"
);

const SEQUENCES: &str = "SELECT room, game, commitment, count(*), count(DISTINCT nonce),
        min(nonce), max(nonce), group_concat(DISTINCT client_seed), min(at), max(at)
    FROM game_spins INDEXED BY game_spins_user
    WHERE user_id = ?1
    GROUP BY room, game, commitment
    ORDER BY min(item)";

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
                stmt = reader.conn.prepare_cached(ROOM_PAGE)?;
                stmt.query(params![room, game, commitment, after, fetch])?
            }
            SpinScope::Viewer(user) => {
                stmt = reader.conn.prepare_cached(VIEWER_PAGE)?;
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
        let mut stmt = reader.conn.prepare_cached(SEQUENCES)?;
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
