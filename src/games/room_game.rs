//! One room's game as the server holds it: every configuration version
//! (receipts name theirs), the seeds, the viewers' cooldowns and client
//! seeds. Pure: stamps and seeds are passed in.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::time::Stamp;
use crate::domain::{RoomId, UserId};

use super::api::{Fairness, GameVersionInfo, GameView};
use super::cooldown::CooldownBook;
use super::fairness::{ClientSeed, SCHEME};
use super::game::Game;
use super::listing::{CommitmentRecord, HistoryPage, PublishedConfig, configs_in_force};
use super::odds::odds_table;
use super::record::SpinRecord;
use super::seeds::SeedState;
use crate::scoped::{Stamped, Versions};

/// A saved configuration version.
pub type Version = Stamped<Arc<Game>>;

#[derive(Debug, Clone)]
pub struct RoomGame {
    versions: Versions<Arc<Game>>,
    pub seeds: SeedState,
    pub cooldowns: CooldownBook,
    client_seeds: HashMap<UserId, ClientSeed>,
    /// A rotation is being written: spins wait for the new seed, so none
    /// is stamped after the old seed's reveal.
    pub rotating: bool,
}

impl RoomGame {
    /// A game's first version, with its first seed committed.
    pub fn new(first: Version, seeds: SeedState) -> RoomGame {
        RoomGame {
            versions: Versions::new(first.value.config().version, first),
            seeds,
            cooldowns: CooldownBook::default(),
            client_seeds: HashMap::new(),
            rotating: false,
        }
    }

    /// Add a version (it becomes the current one if it is the newest).
    pub fn add_version(&mut self, version: Version) {
        self.versions.add(version.value.config().version, version);
    }

    pub fn current(&self) -> &Version {
        self.versions.current()
    }

    pub fn game(&self) -> &Arc<Game> {
        &self.current().value
    }

    pub fn version(&self, version: u64) -> Option<&Version> {
        self.versions.get(version)
    }

    /// The versions saved after `after`, oldest first.
    pub fn history_after(&self, after: u64) -> Vec<GameVersionInfo> {
        self.versions
            .after(after)
            .map(|(v, version)| GameVersionInfo {
                version: v,
                at: version.at,
                changed_by: version.by.clone(),
            })
            .collect()
    }

    pub fn client_seed(&self, user: &UserId) -> Option<&ClientSeed> {
        self.client_seeds.get(user)
    }

    pub fn set_client_seed(&mut self, user: UserId, seed: ClientSeed) {
        self.client_seeds.insert(user, seed);
    }

    /// Record an accepted spin: its cooldown starts, its nonce is used (if
    /// its seed is still the current one) and its client seed is the
    /// viewer's from now on.
    pub fn accepted(&mut self, user: &UserId, record: &SpinRecord, at: Stamp) {
        self.cooldowns.accepted(user, at);
        if self.seeds.commitment() == record.commitment
            && self.seeds.next_nonce(user) == record.nonce
        {
            self.seeds.take_nonce(user);
        }
        if let Ok(seed) = ClientSeed::new(&record.client_seed) {
            self.client_seeds.insert(user.clone(), seed);
        }
    }

    pub fn view(&self, room: &RoomId) -> GameView {
        let current = self.current();
        let game = &current.value;
        GameView {
            room: room.clone(),
            game: game.kind(),
            version: game.config().version,
            updated_at: current.at,
            updated_by: current.by.clone(),
            available: game.is_available(),
            cooldown_secs: game.cooldown_secs(),
            config_hash: game.config_hash().to_string(),
            commitment: self.seeds.commitment(),
            config: game.config().clone(),
            odds: odds_table(game),
        }
    }

    /// The public page: the current commitment and configuration, every
    /// revealed seed, and `limit` entries of the history after `after`.
    pub fn fairness(&self, room: &RoomId, after: u64, limit: usize) -> Fairness {
        let current = self.current();
        let game = &current.value;
        let HistoryPage { history, next } = self.history(after, limit);
        Fairness {
            scheme: SCHEME.into(),
            room: room.clone(),
            game: game.kind(),
            commitment: self.seeds.commitment(),
            committed_at: self.seeds.committed_at(),
            config_version: game.config().version,
            config_hash: game.config_hash().to_string(),
            config_published_at: current.at,
            canonical_config: game.canonical_text().to_string(),
            revealed: self.seeds.revealed().to_vec(),
            history,
            next,
        }
    }

    /// Every configuration version's hash and stamp, oldest first.
    pub fn published_configs(&self) -> Vec<PublishedConfig> {
        self.versions
            .after(0)
            .map(|(version, saved)| PublishedConfig {
                version,
                config_hash: saved.value.config_hash().to_string(),
                published_at: saved.at,
            })
            .collect()
    }

    /// Every commitment, oldest first (the current one last), from the
    /// `after`-th on, at most `limit`.
    pub fn history(&self, after: u64, limit: usize) -> HistoryPage {
        let configs = self.published_configs();
        let revealed = self.seeds.revealed();
        let count = revealed.len() + 1;
        let start = usize::try_from(after).unwrap_or(usize::MAX).min(count);
        let end = start.saturating_add(limit).min(count);
        let history = (start..end)
            .map(|at| match revealed.get(at) {
                Some(seed) => CommitmentRecord {
                    commitment: seed.commitment.clone(),
                    committed_at: seed.committed_at,
                    revealed_at: Some(seed.revealed_at),
                    server_seed: Some(seed.server_seed.clone()),
                    configs: configs_in_force(&configs, seed.committed_at, Some(seed.revealed_at)),
                },
                None => CommitmentRecord {
                    commitment: self.seeds.commitment(),
                    committed_at: self.seeds.committed_at(),
                    revealed_at: None,
                    server_seed: None,
                    configs: configs_in_force(&configs, self.seeds.committed_at(), None),
                },
            })
            .collect();
        HistoryPage {
            history,
            next: (end < count).then_some(end as u64),
        }
    }

    /// A spin's receipt from its record: the canonical text of the version
    /// it used, and the seed if it has been revealed.
    pub fn receipt(&self, record: &SpinRecord) -> Option<super::Receipt> {
        let version = self.version(record.config_version)?;
        let title = version
            .value
            .prize(record.prize_id)
            .map(|(_, p)| p.title.as_str())
            .unwrap_or_default();
        let seed = self
            .seeds
            .find_revealed(&record.commitment)
            .map(|r| r.server_seed.clone());
        Some(record.receipt(version.value.canonical_text(), title, seed))
    }
}
