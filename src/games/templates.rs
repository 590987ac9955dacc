//! The shipped configurations (`config/games/`), for onboarding: a
//! performer starts from one and edits it.

use super::api::GameTemplate;
use super::config::{GameConfig, GameKind};
use crate::scoped::templates::shipped;

const FILES: [(&str, &str); 4] = [
    (
        "slot_classic",
        include_str!("../../config/games/slot_classic.toml"),
    ),
    (
        "slot_lucky_four",
        include_str!("../../config/games/slot_lucky_four.toml"),
    ),
    (
        "wheel_party",
        include_str!("../../config/games/wheel_party.toml"),
    ),
    (
        "wheel_quick_six",
        include_str!("../../config/games/wheel_quick_six.toml"),
    ),
];

/// Every shipped template that parses (a test checks that all do).
pub fn templates() -> Vec<GameTemplate> {
    shipped(&FILES, |text| GameConfig::from_toml(text).ok())
}

/// The first shipped template of a game (the demo's choice).
pub fn default_for(game: GameKind) -> Option<GameConfig> {
    templates()
        .into_iter()
        .find(|t| t.config.game == game)
        .map(|t| t.config)
}
