//! Every room's games, in memory, kept on disk through the store: each
//! configuration version and seed is on disk before it is used, and a
//! spin's record is written in the commit of its intake. Rebuilt at start,
//! nonces and cooldowns included.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::domain::time::{Clock, Stamp};
use crate::domain::{RoomId, UserId};
use crate::games::api::Rotated;
use crate::games::room_game::{RoomGame, Version};
use crate::games::{ClientSeed, Game, GameKind, Receipt, RevealedSeed, SeedState, ServerSeed};
use crate::games::{GameConfig, SpinRecord};
use crate::scoped::{Stale, check_base};
use crate::store::{ClientSeedRow, GameDb, GameRows, GameVersionRow, SeedRow, StoreError};

type Key = (RoomId, GameKind);

/// How many recent spin records are kept in memory for quick receipts;
/// older ones are read from the store.
const RECENT_SPINS: usize = 65_536;

#[derive(Default)]
struct Recent {
    order: VecDeque<String>,
    records: HashMap<String, Arc<SpinRecord>>,
}

pub struct GameBook {
    db: GameDb,
    clock: Clock,
    games: Mutex<HashMap<Key, RoomGame>>,
    recent: Mutex<Recent>,
    /// Saves and rotations one at a time, each on disk before it applies.
    edits: tokio::sync::Mutex<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl GameBook {
    pub fn open(db: GameDb, clock: Clock) -> Result<GameBook, StoreError> {
        let rows = db.load()?;
        let games = rebuild(rows)?;
        Ok(GameBook {
            db,
            clock,
            games: Mutex::new(games),
            recent: Mutex::new(Recent::default()),
            edits: tokio::sync::Mutex::new(()),
        })
    }

    /// The games' tables, for listings.
    pub fn db(&self) -> &GameDb {
        &self.db
    }

    /// Read (or change, on the core's turn) one room's game.
    pub fn with<R>(
        &self,
        room: &RoomId,
        game: GameKind,
        f: impl FnOnce(Option<&mut RoomGame>) -> R,
    ) -> R {
        let mut games = lock(&self.games);
        f(games.get_mut(&(room.clone(), game)))
    }

    /// The games a room has configured.
    pub fn kinds(&self, room: &RoomId) -> Vec<GameKind> {
        let games = lock(&self.games);
        GameKind::ALL
            .into_iter()
            .filter(|k| games.contains_key(&(room.clone(), *k)))
            .collect()
    }

    /// Record an accepted spin (called on the core's turn).
    pub fn accepted(&self, user: &UserId, record: Arc<SpinRecord>, at: Stamp) {
        let room = RoomId::new(record.room.as_str());
        self.with(&room, record.game, |game| {
            if let Some(game) = game {
                game.accepted(user, &record, at);
            }
        });
        let mut recent = lock(&self.recent);
        if recent.order.len() >= RECENT_SPINS
            && let Some(old) = recent.order.pop_front()
        {
            recent.records.remove(&old);
        }
        recent.order.push_back(record.spin_id.clone());
        recent.records.insert(record.spin_id.clone(), record);
    }

    /// A spin's record: recent ones from memory, older ones from disk.
    pub fn record(&self, spin_id: &str) -> Result<Option<Arc<SpinRecord>>, StoreError> {
        if let Some(found) = lock(&self.recent).records.get(spin_id) {
            return Ok(Some(found.clone()));
        }
        Ok(self.db.spin(spin_id)?.map(Arc::new))
    }

    /// A recent spin's receipt, from memory only (`None`: ask [`Self::receipt`]).
    pub fn recent_receipt(&self, spin_id: &str) -> Option<Receipt> {
        let record = lock(&self.recent).records.get(spin_id)?.clone();
        let room = RoomId::new(record.room.as_str());
        self.with(&room, record.game, |game| game?.receipt(&record))
    }

    /// A spin's receipt, with the seed if it has been revealed.
    pub fn receipt(&self, spin_id: &str) -> Result<Option<Receipt>, StoreError> {
        let Some(record) = self.record(spin_id)? else {
            return Ok(None);
        };
        let room = RoomId::new(record.room.as_str());
        Ok(self.with(&room, record.game, |game| game?.receipt(&record)))
    }

    /// Save a validated configuration as version `base + 1`, committing a
    /// first seed if the game is new; [`Stale`] when `base` is not the
    /// current version.
    pub async fn save(
        self: &Arc<Self>,
        room: &RoomId,
        mut config: GameConfig,
        base: u64,
        by: &str,
    ) -> Result<Result<(), Stale>, StoreError> {
        let _one = self.edits.lock().await;
        let kind = config.game;
        let current = self.with(room, kind, |g| g.map_or(0, |g| g.game().config().version));
        if let Err(stale) = check_base(current, base) {
            return Ok(Err(stale));
        }
        config.version = base + 1;
        let game = Game::new(config.clone()).map_err(|e| StoreError::Mismatch(e.to_string()))?;
        let at = self.clock.now();
        let row = GameVersionRow {
            room: room.to_string(),
            game: kind.as_str().into(),
            version: base + 1,
            at: at.0,
            changed_by: by.to_string(),
            body: serde_json::to_string(&config)?,
        };
        let first_seed = (base == 0).then(ServerSeed::random);
        let book = self.clone();
        let seed_row = first_seed
            .as_ref()
            .map(|seed| seed_row(room, kind, seed, at));
        tokio::task::spawn_blocking(move || {
            if let Some(seed) = seed_row {
                book.db.commit_seed(seed)?;
            }
            book.db.insert_version(row)
        })
        .await
        .map_err(|e| StoreError::Sqlite(e.to_string()))??;
        let version = Version {
            value: Arc::new(game),
            at,
            by: by.to_string(),
        };
        let mut games = lock(&self.games);
        match (games.get_mut(&(room.clone(), kind)), first_seed) {
            (Some(existing), _) => existing.add_version(version),
            (None, Some(seed)) => {
                games.insert(
                    (room.clone(), kind),
                    RoomGame::new(version, SeedState::commit(seed, at)),
                );
            }
            (None, None) => {}
        }
        Ok(Ok(()))
    }

    /// Reveal the game's seed and commit a new one; `None` if the room has
    /// no such game.
    pub async fn rotate(
        self: &Arc<Self>,
        room: &RoomId,
        kind: GameKind,
    ) -> Result<Option<Rotated>, StoreError> {
        let _one = self.edits.lock().await;
        if self.with(room, kind, |g| g.is_none()) {
            return Ok(None);
        }
        // Spins wait from before the reveal's stamp until the new seed draws.
        self.with(room, kind, |g| g.map(|g| g.rotating = true));
        let next = ServerSeed::random();
        let at = self.clock.now();
        let row = seed_row(room, kind, &next, at);
        let book = self.clone();
        let written = tokio::task::spawn_blocking(move || book.db.commit_seed(row))
            .await
            .map_err(|e| StoreError::Sqlite(e.to_string()))
            .and_then(|written| written);
        let commitment = next.commitment();
        let revealed = self.with(room, kind, |g| {
            g.and_then(|g| {
                g.rotating = false;
                written.is_ok().then(|| g.seeds.rotate(next, at).clone())
            })
        });
        written?;
        Ok(revealed.map(|revealed| Rotated {
            room: room.clone(),
            game: kind,
            revealed,
            commitment,
            committed_at: at,
        }))
    }

    /// At the end of a broadcast every game of the room rotates its seed.
    pub async fn broadcast_ended(self: &Arc<Self>, room: &RoomId) {
        for kind in self.kinds(room) {
            match self.rotate(room, kind).await {
                Ok(_) => tracing::info!(%room, game = %kind, "seed rotated at broadcast end"),
                Err(err) => {
                    tracing::error!(%room, game = %kind, error = %err, "seed rotation failed")
                }
            }
        }
    }

    /// Keep a viewer's chosen client seed; `false` if the room has no such game.
    pub async fn set_client_seed(
        self: &Arc<Self>,
        room: &RoomId,
        kind: GameKind,
        user: &UserId,
        seed: ClientSeed,
    ) -> Result<bool, StoreError> {
        if self.with(room, kind, |g| g.is_none()) {
            return Ok(false);
        }
        let row = ClientSeedRow {
            room: room.to_string(),
            game: kind.as_str().into(),
            user: user.to_string(),
            client_seed: seed.as_str().to_string(),
            at: self.clock.now().0,
        };
        let book = self.clone();
        tokio::task::spawn_blocking(move || book.db.set_client_seed(row))
            .await
            .map_err(|e| StoreError::Sqlite(e.to_string()))??;
        self.with(room, kind, |g| {
            if let Some(g) = g {
                g.set_client_seed(user.clone(), seed);
            }
        });
        Ok(true)
    }
}

fn seed_row(room: &RoomId, kind: GameKind, seed: &ServerSeed, at: Stamp) -> SeedRow {
    SeedRow {
        room: room.to_string(),
        game: kind.as_str().into(),
        commitment: seed.commitment(),
        seed: seed.to_hex(),
        committed_at: at.0,
        revealed_at: None,
    }
}

fn bad(what: impl std::fmt::Display) -> StoreError {
    StoreError::Mismatch(format!("the games' tables: {what}"))
}

/// The games as the tables have them: versions, seeds (the unrevealed one
/// current), each viewer's nonce under it, last spin and client seed.
fn rebuild(rows: GameRows) -> Result<HashMap<Key, RoomGame>, StoreError> {
    let key = |room: &str, game: &str| -> Result<Key, StoreError> {
        let kind =
            GameKind::from_name(game).ok_or_else(|| bad(format!("unknown game {game:?}")))?;
        Ok((RoomId::new(room), kind))
    };
    let mut versions: HashMap<Key, Vec<Version>> = HashMap::new();
    for row in rows.versions {
        let game = Game::from_json(&row.body).map_err(|e| {
            bad(format!(
                "{} {} version {}: {e}",
                row.room, row.game, row.version
            ))
        })?;
        versions
            .entry(key(&row.room, &row.game)?)
            .or_default()
            .push(Version {
                value: Arc::new(game),
                at: Stamp(row.at),
                by: row.changed_by,
            });
    }
    let mut revealed: HashMap<Key, Vec<RevealedSeed>> = HashMap::new();
    let mut current: HashMap<Key, (ServerSeed, Stamp)> = HashMap::new();
    for row in rows.seeds {
        let k = key(&row.room, &row.game)?;
        let seed = ServerSeed::from_hex(&row.seed).map_err(bad)?;
        match row.revealed_at {
            Some(at) => revealed.entry(k).or_default().push(RevealedSeed {
                commitment: row.commitment,
                server_seed: row.seed,
                committed_at: Stamp(row.committed_at),
                revealed_at: Stamp(at),
            }),
            None => {
                current.insert(k, (seed, Stamp(row.committed_at)));
            }
        }
    }
    let mut nonces: HashMap<Key, Vec<(UserId, u64)>> = HashMap::new();
    let mut last: HashMap<Key, Vec<(UserId, Stamp)>> = HashMap::new();
    for row in rows.nonces {
        let k = key(&row.room, &row.game)?;
        let user = UserId::new(row.user.as_str());
        if current
            .get(&k)
            .is_some_and(|(s, _)| s.commitment() == row.commitment)
        {
            nonces
                .entry(k.clone())
                .or_default()
                .push((user.clone(), row.max_nonce + 1));
        }
        last.entry(k).or_default().push((user, Stamp(row.last_at)));
    }
    // The later of a viewer's chosen seed and their last spin's seed.
    let mut client: HashMap<Key, HashMap<UserId, (i64, String)>> = HashMap::new();
    for row in rows.last_spin_seeds.into_iter().chain(rows.client_seeds) {
        let seeds = client.entry(key(&row.room, &row.game)?).or_default();
        let entry = seeds
            .entry(UserId::new(row.user.as_str()))
            .or_insert((row.at, row.client_seed.clone()));
        if row.at >= entry.0 {
            *entry = (row.at, row.client_seed);
        }
    }
    let mut games = HashMap::new();
    for (k, list) in versions {
        let Some((seed, committed_at)) = current.remove(&k) else {
            return Err(bad(format!("{} {} has no current seed", k.0, k.1)));
        };
        let mut list = list.into_iter();
        let Some(first) = list.next() else { continue };
        let seeds = SeedState::restore(
            seed,
            committed_at,
            revealed.remove(&k).unwrap_or_default(),
            nonces.remove(&k).unwrap_or_default(),
        );
        let mut game = RoomGame::new(first, seeds);
        for version in list {
            game.add_version(version);
        }
        for (user, at) in last.remove(&k).unwrap_or_default() {
            game.cooldowns.accepted(&user, at);
        }
        for (user, (_, text)) in client.remove(&k).unwrap_or_default() {
            if let Ok(seed) = ClientSeed::new(&text) {
                game.set_client_seed(user, seed);
            }
        }
        games.insert(k, game);
    }
    Ok(games)
}
