//! What a performer configures for a game: price tiers, prizes, optional
//! explicit weights, theme and cooldown. The same shape in TOML (template
//! files) and JSON (the API); [`super::Game::new`] validates it.

use serde::{Deserialize, Serialize};

use crate::domain::toy_effect::ToyEffect;

use super::error::ConfigError;
use crate::protocol::ApiError;

/// The two games; the names are the queue's `source` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GameKind {
    SlotMachine,
    SpinWheel,
}

impl GameKind {
    pub const ALL: [GameKind; 2] = [GameKind::SlotMachine, GameKind::SpinWheel];

    pub fn as_str(self) -> &'static str {
        match self {
            GameKind::SlotMachine => "slot_machine",
            GameKind::SpinWheel => "spin_wheel",
        }
    }

    /// The game named `name` as [`Self::as_str`] spells it.
    pub fn from_name(name: &str) -> Option<GameKind> {
        GameKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How many prizes (wheel: segments) a configuration may hold; a game
    /// with fewer visible prizes than the minimum refuses spins.
    pub fn prize_range(self) -> std::ops::RangeInclusive<usize> {
        match self {
            GameKind::SlotMachine => 4..=10,
            GameKind::SpinWheel => 4..=12,
        }
    }

    pub fn min_visible(self) -> usize {
        *self.prize_range().start()
    }

    /// The chat template keys of a spin: started, then winner.
    pub fn chat_keys(self) -> (&'static str, &'static str) {
        let started = match self {
            GameKind::SlotMachine => "slot.spin.started",
            GameKind::SpinWheel => "wheel.spin.started",
        };
        let winner = self.source().winner_announcement().unwrap_or_default();
        (started, winner)
    }

    /// The queue's source for this game's spins.
    pub fn source(self) -> crate::domain::Source {
        match self {
            GameKind::SlotMachine => crate::domain::Source::SlotMachine,
            GameKind::SpinWheel => crate::domain::Source::SpinWheel,
        }
    }
}

impl std::fmt::Display for GameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A game's configuration as the performer edits it. Field order matters
/// for TOML: plain values first, arrays of tables last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GameConfig {
    pub game: GameKind,
    /// Counts the performer's saves; part of the committed configuration.
    #[serde(default)]
    pub version: u64,
    /// Wheel: seconds between a viewer's accepted spins (default 60,
    /// 0..=3600). Slot: fixed at 120; absent or 120.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_secs: Option<u32>,
    #[serde(default, skip_serializing_if = "GameTheme::is_empty")]
    pub theme: GameTheme,
    /// 1..=3 spin prices, cheapest first; tier numbers count from 1.
    pub tiers: Vec<TierSpec>,
    /// In display order; the draw uses prize-id order.
    pub prizes: Vec<PrizeSpec>,
}

/// One spin price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TierSpec {
    /// Tokens a spin at this tier costs.
    pub cost: u64,
}

/// One prize (a wheel's segment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrizeSpec {
    /// Unique in the game, 1..=999; fixes the prize's place in the draw.
    pub id: u32,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// 1 (lowest) ..= 10 (highest).
    pub rank: u8,
    /// Hidden prizes are kept but never come out.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    /// The queue item's duration D (the queue's default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hint_ms: Option<u64>,
    /// Explicit weights, one per tier. Either every prize gives them or none
    /// does; without them the weights are derived from the ranks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toy: Option<ToyEffect>,
}

/// Skin colours, each `#rrggbb`.
pub type GameTheme = crate::scoped::Theme;

fn is_false(b: &bool) -> bool {
    !*b
}

impl GameConfig {
    /// Read a configuration from JSON; a shape error names the field.
    pub fn from_json(text: &str) -> Result<GameConfig, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError::new("config", e.to_string()))?;
        Self::from_value(value)
    }

    /// Read a configuration from TOML (a template file); a shape error names
    /// the field the same way as for JSON.
    pub fn from_toml(text: &str) -> Result<GameConfig, ConfigError> {
        let value: toml::Value = toml::from_str(text)
            .map_err(|e| ConfigError::new("config", e.to_string().trim_end()))?;
        let json =
            serde_json::to_value(value).map_err(|e| ConfigError::new("config", e.to_string()))?;
        Self::from_value(json)
    }

    pub fn from_value(value: serde_json::Value) -> Result<GameConfig, ConfigError> {
        crate::domain::json::from_value(&value).map_err(|e| ConfigError::from_domain(e, "config"))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot write: {e}\n"))
    }
}

impl crate::scoped::Hideable for PrizeSpec {
    fn hidden(&self) -> bool {
        self.hidden
    }
}

impl GameConfig {
    /// Every pattern its prizes' toy effects name is a built-in or among
    /// `known` (the room's imported patterns); the refusal names the field.
    pub fn check_patterns(
        &self,
        known: &std::collections::BTreeSet<String>,
    ) -> Result<(), ApiError> {
        for (i, prize) in self.prizes.iter().enumerate() {
            if let Some(toy) = &prize.toy {
                toy.check_pattern(&format!("prizes[{i}].toy"), known)
                    .map_err(|e| ApiError::from(&e))?;
            }
        }
        Ok(())
    }
}

impl crate::scoped::ScopedConfig for GameConfig {
    fn parse(value: serde_json::Value) -> Result<Self, ApiError> {
        GameConfig::from_value(value).map_err(ApiError::from)
    }

    /// Everything [`super::Game::new`] checks: tiers, prizes, weights,
    /// theme, cooldown.
    fn check(&self) -> Result<(), ApiError> {
        super::Game::new(self.clone())
            .map(drop)
            .map_err(ApiError::from)
    }

    /// Every differing field but the version number itself.
    fn changes(before: &Self, after: &Self) -> Vec<crate::scoped::Change> {
        let content = |c: &GameConfig| GameConfig {
            version: 0,
            ..c.clone()
        };
        crate::scoped::changes::json_changes(&content(before), &content(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoped::ScopedConfig;

    #[test]
    fn a_conflict_names_what_changed_but_not_the_version_number() {
        let before = crate::games::templates::default_for(GameKind::SlotMachine).unwrap();
        let mut after = before.clone();
        after.version += 1;
        after.tiers[0].cost += 1;
        after.prizes[1].hidden = true;
        let summaries: Vec<String> = GameConfig::changes(&before, &after)
            .into_iter()
            .map(|c| c.summary)
            .collect();
        let cost = before.tiers[0].cost;
        assert_eq!(
            summaries,
            [
                "prizes[1].hidden: none -> true".to_string(),
                format!("tiers[0].cost: {cost} -> {}", cost + 1),
            ]
        );
    }
}
