//! Matching a tip's amount against a room's tip levels, at intake: specials
//! first, then the ranges; an amount that matches nothing is a plain tip.
//! What matched is fixed in the item, so a later change of the levels never
//! alters a tip already taken.

use std::hash::BuildHasher;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::levels::{Intensity, PatternRef, SpecialAction, TipLevel, TipLevels};

/// Which entry of the configuration a toy tip matched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Matched {
    /// `levels[index]` by its range.
    Level { index: u32 },
    /// The special for this exact amount; `level` when it drew one.
    Special {
        amount: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<u32>,
    },
}

/// What the toy does for one tip, fixed at intake.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TipToy {
    pub matched: Matched,
    /// The strength word or the special's name.
    pub label: Arc<str>,
    pub intensity: Intensity,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<PatternRef>,
}

/// The outcome of matching one amount: exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipMatch {
    Toy(TipToy),
    /// Nothing matched: settled at once, with its announcement.
    Plain,
}

/// The inputs a random special draws from, all known to the server at
/// intake, so the same tip always draws the same (and the command log holds
/// the result anyway).
pub fn tip_draw(room: &str, user: &str, source_event_id: &str, amount: u64) -> u64 {
    foldhash::quality::FixedState::with_seed(0x7469_7073_6472_6177).hash_one((
        room,
        user,
        source_event_id,
        amount,
    ))
}

fn level_toy(level: &TipLevel, matched: Matched) -> TipToy {
    TipToy {
        matched,
        label: level.label.clone(),
        intensity: level.intensity,
        duration_ms: u64::from(level.duration_s) * 1000,
        pattern: level.pattern.clone(),
    }
}

impl TipLevels {
    /// Match `amount`; `draw` picks for random specials (see [`tip_draw`]).
    /// Assumes a validated configuration but never panics on any.
    pub fn match_amount(&self, amount: u64, draw: u64) -> TipMatch {
        if let Some(special) = self.specials.iter().find(|s| s.amount == amount) {
            let label = special.label.clone();
            let toy = match &special.action {
                SpecialAction::Preset {
                    pattern,
                    intensity,
                    duration_s,
                } => Some(TipToy {
                    matched: Matched::Special {
                        amount,
                        level: None,
                    },
                    label,
                    intensity: *intensity,
                    duration_ms: u64::from(*duration_s) * 1000,
                    pattern: Some(pattern.clone()),
                }),
                SpecialAction::RandomLevel {} if self.levels.is_empty() => None,
                SpecialAction::RandomLevel {} => {
                    let index = (draw % self.levels.len() as u64) as usize;
                    let matched = Matched::Special {
                        amount,
                        level: Some(index as u32),
                    };
                    let mut toy = level_toy(&self.levels[index], matched);
                    toy.label = format!("{label}: {}", toy.label).into();
                    Some(toy)
                }
                SpecialAction::RandomDuration {
                    intensity,
                    min_s,
                    max_s,
                    pattern,
                } => {
                    let (low, high) = (*min_s.min(max_s), *min_s.max(max_s));
                    let span = u64::from(high - low) + 1;
                    let seconds = u64::from(low) + draw % span;
                    Some(TipToy {
                        matched: Matched::Special {
                            amount,
                            level: None,
                        },
                        label,
                        intensity: *intensity,
                        duration_ms: seconds * 1000,
                        pattern: pattern.clone(),
                    })
                }
            };
            if let Some(toy) = toy {
                return TipMatch::Toy(toy);
            }
        }
        match self.levels.iter().position(|l| l.contains(amount)) {
            Some(index) => TipMatch::Toy(level_toy(
                &self.levels[index],
                Matched::Level {
                    index: index as u32,
                },
            )),
            None => TipMatch::Plain,
        }
    }
}
