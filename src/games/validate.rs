//! The rules a game configuration must meet before it can take a spin.
//! Each refusal names the field (`prizes[2].weights[1]`).

use crate::domain::intake::{MAX_DURATION_MS, MIN_DURATION_MS, check_text};

use super::config::{GameConfig, GameKind, GameTheme, PrizeSpec};
use super::cooldown::{DEFAULT_WHEEL_COOLDOWN_SECS, MAX_WHEEL_COOLDOWN_SECS, SLOT_COOLDOWN_SECS};
use super::error::ConfigError;
use super::weights::{MAX_RANK, MAX_WEIGHT, MIN_RANK, WeightTable};

pub const MAX_TIERS: usize = 3;
pub const MAX_TIER_COST: u64 = 100_000;
pub const MAX_PRIZE_ID: u32 = 999;
pub const MAX_TITLE_CHARS: usize = crate::domain::intake::MAX_TITLE_CHARS;
pub const MAX_DESCRIPTION_CHARS: usize = crate::domain::intake::MAX_DESCRIPTION_CHARS;

/// Check everything and return the weight table the draw will use.
pub fn validate(config: &GameConfig) -> Result<WeightTable, ConfigError> {
    check_tiers(config)?;
    cooldown_secs(config)?;
    check_theme(&config.theme)?;
    check_prizes(config.game, &config.prizes)?;
    let table = weight_table(config)?;
    let ranks: Vec<u8> = config.prizes.iter().map(|p| p.rank).collect();
    let visible: Vec<bool> = config.prizes.iter().map(|p| !p.hidden).collect();
    // A game below its visible minimum takes no spins; the rise is checked
    // once it can.
    if visible.iter().filter(|v| **v).count() >= config.game.min_visible() {
        table.check_rising(&ranks, &visible)?;
    }
    Ok(table)
}

/// The cooldown the configuration asks for, or why it cannot have it.
pub fn cooldown_secs(config: &GameConfig) -> Result<u32, ConfigError> {
    match (config.game, config.cooldown_secs) {
        (GameKind::SlotMachine, None) => Ok(SLOT_COOLDOWN_SECS),
        (GameKind::SlotMachine, Some(s)) if s == SLOT_COOLDOWN_SECS => Ok(s),
        (GameKind::SlotMachine, Some(s)) => Err(ConfigError::new(
            "cooldownSecs",
            format!("{s}: the slot machine's cooldown is fixed at {SLOT_COOLDOWN_SECS} s"),
        )),
        (GameKind::SpinWheel, None) => Ok(DEFAULT_WHEEL_COOLDOWN_SECS),
        (GameKind::SpinWheel, Some(s)) if s <= MAX_WHEEL_COOLDOWN_SECS => Ok(s),
        (GameKind::SpinWheel, Some(s)) => Err(ConfigError::new(
            "cooldownSecs",
            format!("{s} is outside 0..={MAX_WHEEL_COOLDOWN_SECS} s"),
        )),
    }
}

fn check_tiers(config: &GameConfig) -> Result<(), ConfigError> {
    let count = config.tiers.len();
    if !(1..=MAX_TIERS).contains(&count) {
        return Err(ConfigError::new(
            "tiers",
            format!("a game has 1..={MAX_TIERS} price tiers; got {count}"),
        ));
    }
    for (i, tier) in config.tiers.iter().enumerate() {
        let field = format!("tiers[{i}].cost");
        if !(1..=MAX_TIER_COST).contains(&tier.cost) {
            return Err(ConfigError::new(
                field,
                format!("{} is outside 1..={MAX_TIER_COST} tokens", tier.cost),
            ));
        }
        if let Some(prev) = i.checked_sub(1).map(|p| config.tiers[p].cost)
            && tier.cost <= prev
        {
            return Err(ConfigError::new(
                field,
                format!(
                    "{} must be more than tier {i}'s cost of {prev}: costs rise with the tier",
                    tier.cost
                ),
            ));
        }
    }
    Ok(())
}

fn check_theme(theme: &GameTheme) -> Result<(), ConfigError> {
    match theme.problem(false) {
        Some((field, problem)) => Err(ConfigError::new(field, problem)),
        None => Ok(()),
    }
}

fn check_prizes(kind: GameKind, prizes: &[PrizeSpec]) -> Result<(), ConfigError> {
    let range = kind.prize_range();
    if !range.contains(&prizes.len()) {
        let what = match kind {
            GameKind::SlotMachine => "a slot machine has 4..=10 prizes",
            GameKind::SpinWheel => "a spin wheel has 4..=12 segments",
        };
        return Err(ConfigError::new(
            "prizes",
            format!("{what}; got {}", prizes.len()),
        ));
    }
    for (i, prize) in prizes.iter().enumerate() {
        let at = |name: &str| format!("prizes[{i}].{name}");
        if !(1..=MAX_PRIZE_ID).contains(&prize.id) {
            return Err(ConfigError::new(
                at("id"),
                format!("{} is outside 1..={MAX_PRIZE_ID}", prize.id),
            ));
        }
        if let Some(first) = prizes[..i].iter().position(|p| p.id == prize.id) {
            return Err(ConfigError::new(
                at("id"),
                format!("{} is already the id of prizes[{first}]", prize.id),
            ));
        }
        let domain = |e| ConfigError::from_domain(e, &at("title"));
        check_text(&at("title"), &prize.title, 1, MAX_TITLE_CHARS).map_err(domain)?;
        check_text(
            &at("description"),
            &prize.description,
            0,
            MAX_DESCRIPTION_CHARS,
        )
        .map_err(domain)?;
        if !(MIN_RANK..=MAX_RANK).contains(&prize.rank) {
            return Err(ConfigError::new(
                at("rank"),
                format!(
                    "{} is outside {MIN_RANK}..={MAX_RANK} ({MAX_RANK} is the highest)",
                    prize.rank
                ),
            ));
        }
        if let Some(ms) = prize.duration_hint_ms
            && !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&ms)
        {
            return Err(ConfigError::new(
                at("durationHintMs"),
                format!("{ms} is outside {MIN_DURATION_MS}..={MAX_DURATION_MS} ms"),
            ));
        }
        if let Some(toy) = &prize.toy {
            toy.validate(&at("toy"))
                .map_err(|e| ConfigError::from_domain(e, &at("toy")))?;
        }
    }
    Ok(())
}

/// Explicit weights when every prize gives them, derived when none does.
fn weight_table(config: &GameConfig) -> Result<WeightTable, ConfigError> {
    let tiers = config.tiers.len();
    let given = config.prizes.iter().filter(|p| p.weights.is_some()).count();
    if given == 0 {
        let ranks: Vec<u8> = config.prizes.iter().map(|p| p.rank).collect();
        return Ok(WeightTable::derived(&ranks, tiers));
    }
    let mut rows = vec![Vec::with_capacity(config.prizes.len()); tiers];
    for (i, prize) in config.prizes.iter().enumerate() {
        let field = format!("prizes[{i}].weights");
        let Some(weights) = &prize.weights else {
            return Err(ConfigError::new(
                field,
                "missing: either every prize gives weights or none does (then they are derived from the ranks)",
            ));
        };
        if weights.len() != tiers {
            return Err(ConfigError::new(
                field,
                format!(
                    "{} weights for {tiers} tiers: give one per tier",
                    weights.len()
                ),
            ));
        }
        for (t, &w) in weights.iter().enumerate() {
            if !(1..=MAX_WEIGHT).contains(&w) {
                return Err(ConfigError::new(
                    format!("{field}[{t}]"),
                    format!("{w}: a weight is a whole number in 1..={MAX_WEIGHT}"),
                ));
            }
            // In range, so it fits.
            rows[t].push(w as u32);
        }
    }
    Ok(WeightTable::from_rows(rows))
}
