//! A validated game: its configuration, weight table, canonical form and
//! config hash, and the draw itself.

use std::sync::Arc;

use crate::domain::RoomId;

use super::canonical::{CanonicalConfig, CanonicalPrize};
use super::config::{GameConfig, GameKind, PrizeSpec};
use super::error::ConfigError;
use super::fairness::{ClientSeed, Roll, SCHEME, ServerSeed, roll};
use super::receipt::{Receipt, ReceiptDraw, ReceiptPrize};
use super::validate::{cooldown_secs, validate};
use super::weights::WeightTable;

#[derive(Debug, Clone)]
pub struct Game {
    config: GameConfig,
    weights: WeightTable,
    cooldown_secs: u32,
    canonical: CanonicalConfig,
    canonical_text: Arc<str>,
    config_hash: Arc<str>,
}

/// Why a game cannot draw.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("the {game} has {visible} visible prizes; it needs {min} to take spins")]
    Unavailable {
        game: GameKind,
        visible: usize,
        min: usize,
    },
    #[error("tier {tier} does not exist; the {game} has tiers 1..={tiers}")]
    NoSuchTier {
        game: GameKind,
        tier: u8,
        tiers: usize,
    },
}

/// One spin's outcome with everything its receipt needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub game: GameKind,
    /// From 1.
    pub tier: u8,
    pub cost: u64,
    pub client_seed: ClientSeed,
    pub nonce: u64,
    pub commitment: String,
    pub config_hash: Arc<str>,
    /// The visible prizes' total weight at the tier.
    pub total: u32,
    pub roll: Roll,
    pub prize: DrawnPrize,
}

/// The prize a draw found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnPrize {
    pub id: u32,
    pub title: String,
    pub rank: u8,
    /// Where it sits in the configuration's prize list.
    pub index: usize,
}

impl Game {
    /// Validate a configuration into a game that can draw.
    pub fn new(config: GameConfig) -> Result<Game, ConfigError> {
        let weights = validate(&config)?;
        let cooldown_secs = cooldown_secs(&config)?;
        let canonical = canonical(&config, &weights);
        let canonical_text: Arc<str> = canonical.to_text().into();
        let config_hash = canonical.hash().into();
        Ok(Game {
            config,
            weights,
            cooldown_secs,
            canonical,
            canonical_text,
            config_hash,
        })
    }

    pub fn from_toml(text: &str) -> Result<Game, ConfigError> {
        Game::new(GameConfig::from_toml(text)?)
    }

    pub fn from_json(text: &str) -> Result<Game, ConfigError> {
        Game::new(GameConfig::from_json(text)?)
    }

    pub fn kind(&self) -> GameKind {
        self.config.game
    }

    pub fn config(&self) -> &GameConfig {
        &self.config
    }

    pub fn weights(&self) -> &WeightTable {
        &self.weights
    }

    pub fn tier_count(&self) -> usize {
        self.config.tiers.len()
    }

    /// The cost of `tier` (from 1).
    pub fn tier_cost(&self, tier: u8) -> Option<u64> {
        let index = usize::from(tier).checked_sub(1)?;
        self.config.tiers.get(index).map(|t| t.cost)
    }

    pub fn cooldown_secs(&self) -> u32 {
        self.cooldown_secs
    }

    pub fn visible_count(&self) -> usize {
        crate::scoped::visible(&self.config.prizes).count()
    }

    /// Enough visible prizes to take spins.
    pub fn is_available(&self) -> bool {
        self.visible_count() >= self.kind().min_visible()
    }

    pub fn canonical(&self) -> &CanonicalConfig {
        &self.canonical
    }

    /// The exact bytes the config hash covers.
    pub fn canonical_text(&self) -> &Arc<str> {
        &self.canonical_text
    }

    /// SHA-256 of the canonical text, lowercase hex.
    pub fn config_hash(&self) -> &Arc<str> {
        &self.config_hash
    }

    pub fn prize(&self, id: u32) -> Option<(usize, &PrizeSpec)> {
        self.config
            .prizes
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == id)
    }

    /// Draw a prize at `tier` for a viewer's client seed and nonce.
    pub fn draw(
        &self,
        seed: &ServerSeed,
        tier: u8,
        client_seed: &ClientSeed,
        nonce: u64,
    ) -> Result<Draw, DrawError> {
        let game = self.kind();
        if !self.is_available() {
            return Err(DrawError::Unavailable {
                game,
                visible: self.visible_count(),
                min: game.min_visible(),
            });
        }
        let cost = self.tier_cost(tier).ok_or(DrawError::NoSuchTier {
            game,
            tier,
            tiers: self.tier_count(),
        })?;
        let tier_index = usize::from(tier);
        // Validation caps every weight, so a total fits in a u32 many times over.
        let total = u32::try_from(self.canonical.total(tier_index)).unwrap_or(u32::MAX);
        let roll = roll(seed, client_seed, nonce, total);
        let found = self
            .canonical
            .find(tier_index, u64::from(roll.value))
            .expect("a roll below the total lands on a visible prize");
        let (index, spec) = self
            .prize(found.prize.id)
            .expect("canonical ids are the config's");
        Ok(Draw {
            game,
            tier,
            cost,
            client_seed: client_seed.clone(),
            nonce,
            commitment: seed.commitment(),
            config_hash: self.config_hash.clone(),
            total,
            roll,
            prize: DrawnPrize {
                id: spec.id,
                title: spec.title.clone(),
                rank: spec.rank,
                index,
            },
        })
    }
}

impl Draw {
    /// The spin's receipt: everything needed to check it but the seed.
    pub fn receipt(&self, game: &Game, room: &RoomId, spin_id: &str) -> Receipt {
        Receipt {
            scheme: SCHEME.into(),
            game: self.game,
            room: room.to_string(),
            spin_id: spin_id.to_string(),
            spun_at: None,
            tier: self.tier,
            cost: self.cost,
            client_seed: self.client_seed.as_str().to_string(),
            nonce: self.nonce,
            server_seed_commitment: self.commitment.clone(),
            server_seed: None,
            config_hash: self.config_hash.to_string(),
            config_version: Some(game.config().version),
            canonical_config: game.canonical_text.to_string(),
            draw: ReceiptDraw {
                total: self.total,
                words: self.roll.words.clone(),
                value: self.roll.value,
            },
            prize: ReceiptPrize {
                id: self.prize.id,
                title: self.prize.title.clone(),
                rank: self.prize.rank,
            },
        }
    }
}

/// The canonical form of a validated configuration.
fn canonical(config: &GameConfig, weights: &WeightTable) -> CanonicalConfig {
    let mut prizes: Vec<CanonicalPrize> = config
        .prizes
        .iter()
        .enumerate()
        .map(|(i, p)| CanonicalPrize {
            id: p.id,
            title: p.title.clone(),
            rank: p.rank,
            hidden: p.hidden,
            weights: (1..=weights.tiers())
                .map(|t| weights.weight(t, i))
                .collect(),
        })
        .collect();
    prizes.sort_by_key(|p| p.id);
    CanonicalConfig {
        scheme: SCHEME.into(),
        game: config.game,
        version: config.version,
        tiers: config.tiers.iter().map(|t| t.cost).collect(),
        prizes,
    }
}
