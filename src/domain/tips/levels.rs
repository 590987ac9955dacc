//! A room's tip levels: token ranges that map a tip to what the toy does,
//! and specials for exact amounts. Checked as a whole, every refusal naming
//! the field at fault (`levels[2].max`, `specials[0].durationS.max`).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::error::DomainError;
use crate::domain::pattern_ref::Builtins;
use crate::domain::toy_effect::MAX_INTENSITY;

/// The longest a tip may drive the toy, in seconds.
pub const MAX_TIP_SECONDS: u32 = 600;
/// The most levels and specials a room may have (each).
pub const MAX_TIP_ENTRIES: usize = 100;
const MAX_LABEL_CHARS: usize = 40;

/// How strong: one level for every output, or one per output (an output
/// left out stays still).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Intensity {
    All(u8),
    PerOutput(OutputLevels),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputLevels {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vibrate: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pump: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thrust: Option<u8>,
}

impl Intensity {
    /// The strongest output's level, for boards and announcements.
    pub fn peak(&self) -> u8 {
        match self {
            Intensity::All(level) => *level,
            Intensity::PerOutput(o) => [o.vibrate, o.rotate, o.pump, o.thrust]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(0),
        }
    }

    fn check(&self, field: &str) -> Result<(), DomainError> {
        let outputs = match self {
            Intensity::All(level) => vec![(field.to_string(), Some(*level))],
            Intensity::PerOutput(o) => vec![
                (format!("{field}.vibrate"), o.vibrate),
                (format!("{field}.rotate"), o.rotate),
                (format!("{field}.pump"), o.pump),
                (format!("{field}.thrust"), o.thrust),
            ],
        };
        if outputs.iter().all(|(_, level)| level.is_none()) {
            return Err(DomainError::invalid(field, "names no output"));
        }
        for (name, level) in outputs {
            if let Some(level) = level
                && level > MAX_INTENSITY
            {
                return Err(DomainError::invalid(
                    name,
                    format!("{level} is outside 0..={MAX_INTENSITY}"),
                ));
            }
        }
        Ok(())
    }
}

/// A built-in pattern every toy tool knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinPattern {
    Pulse,
    Wave,
    Fireworks,
    Earthquake,
}

impl Builtins for BuiltinPattern {
    const ALL: &'static [BuiltinPattern] = &BuiltinPattern::ALL;

    fn as_str(self) -> &'static str {
        BuiltinPattern::as_str(self)
    }
}

impl BuiltinPattern {
    pub const ALL: [BuiltinPattern; 4] = [
        BuiltinPattern::Pulse,
        BuiltinPattern::Wave,
        BuiltinPattern::Fireworks,
        BuiltinPattern::Earthquake,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinPattern::Pulse => "pulse",
            BuiltinPattern::Wave => "wave",
            BuiltinPattern::Fireworks => "fireworks",
            BuiltinPattern::Earthquake => "earthquake",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// A tip's pattern: a built-in preset or an imported pattern.
pub type PatternRef = crate::domain::pattern_ref::PatternRef<BuiltinPattern>;

/// One rung of the ladder: tips of `min..=max` tokens (no `max`: and up).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TipLevel {
    /// The strength word shown to viewers ("low", "max").
    pub label: Arc<str>,
    pub min: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    pub intensity: Intensity,
    pub duration_s: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<PatternRef>,
}

impl TipLevel {
    pub fn contains(&self, amount: u64) -> bool {
        amount >= self.min && self.max.is_none_or(|max| amount <= max)
    }
}

/// What an exact amount does instead of its range.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum SpecialAction {
    /// A fixed pattern at a fixed strength for a fixed time.
    Preset {
        pattern: PatternRef,
        intensity: Intensity,
        duration_s: u32,
    },
    /// One of the room's levels, drawn at intake.
    RandomLevel {},
    /// A fixed strength for a time drawn at intake from `min_s..=max_s`.
    RandomDuration {
        intensity: Intensity,
        min_s: u32,
        max_s: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern: Option<PatternRef>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TipSpecial {
    pub amount: u64,
    pub label: Arc<str>,
    pub action: SpecialAction,
}

/// A room's whole tip configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TipLevels {
    #[serde(default)]
    pub levels: Vec<TipLevel>,
    #[serde(default)]
    pub specials: Vec<TipSpecial>,
}

fn check_label(field: &str, label: &str) -> Result<(), DomainError> {
    let chars = label.trim().chars().count();
    if chars == 0 {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if chars > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {MAX_LABEL_CHARS} printable characters"),
        ));
    }
    Ok(())
}

fn check_seconds(field: &str, seconds: u32) -> Result<(), DomainError> {
    if !(1..=MAX_TIP_SECONDS).contains(&seconds) {
        return Err(DomainError::invalid(
            field,
            format!("{seconds} s is outside 1..={MAX_TIP_SECONDS}"),
        ));
    }
    Ok(())
}

fn check_amount(field: &str, amount: u64, max_amount: u64) -> Result<(), DomainError> {
    if amount == 0 {
        return Err(DomainError::invalid(field, "must be at least 1"));
    }
    if amount > max_amount {
        return Err(DomainError::invalid(
            field,
            format!("{amount} is beyond the room's amount limit of {max_amount}"),
        ));
    }
    Ok(())
}

impl TipLevels {
    /// Check every rule. `max_amount` is the most one tip may be (the
    /// room's `max_token_cost`); `patterns` the names of imported patterns.
    pub fn validate(
        &self,
        max_amount: u64,
        patterns: &BTreeSet<String>,
    ) -> Result<(), DomainError> {
        if self.levels.len() > MAX_TIP_ENTRIES {
            return Err(DomainError::invalid(
                "levels",
                format!("at most {MAX_TIP_ENTRIES}"),
            ));
        }
        if self.specials.len() > MAX_TIP_ENTRIES {
            return Err(DomainError::invalid(
                "specials",
                format!("at most {MAX_TIP_ENTRIES}"),
            ));
        }
        for (i, level) in self.levels.iter().enumerate() {
            let at = format!("levels[{i}]");
            check_label(&format!("{at}.label"), &level.label)?;
            check_amount(&format!("{at}.min"), level.min, max_amount)?;
            if let Some(max) = level.max {
                check_amount(&format!("{at}.max"), max, max_amount)?;
                if max < level.min {
                    return Err(DomainError::invalid(
                        format!("{at}.max"),
                        format!("the range {}..={max} is empty", level.min),
                    ));
                }
            }
            level.intensity.check(&format!("{at}.intensity"))?;
            check_seconds(&format!("{at}.durationS"), level.duration_s)?;
            if let Some(pattern) = &level.pattern {
                pattern.check(&format!("{at}.pattern"), patterns)?;
            }
        }
        self.check_overlaps()?;
        let mut amounts = BTreeSet::new();
        for (i, special) in self.specials.iter().enumerate() {
            let at = format!("specials[{i}]");
            check_amount(&format!("{at}.amount"), special.amount, max_amount)?;
            if !amounts.insert(special.amount) {
                return Err(DomainError::invalid(
                    format!("{at}.amount"),
                    format!("{} is already another special's amount", special.amount),
                ));
            }
            check_label(&format!("{at}.label"), &special.label)?;
            match &special.action {
                SpecialAction::Preset {
                    pattern,
                    intensity,
                    duration_s,
                } => {
                    pattern.check(&format!("{at}.action.pattern"), patterns)?;
                    intensity.check(&format!("{at}.action.intensity"))?;
                    check_seconds(&format!("{at}.action.durationS"), *duration_s)?;
                }
                SpecialAction::RandomLevel {} => {
                    if self.levels.is_empty() {
                        return Err(DomainError::invalid(
                            format!("{at}.action.kind"),
                            "random_level needs at least one level",
                        ));
                    }
                }
                SpecialAction::RandomDuration {
                    intensity,
                    min_s,
                    max_s,
                    pattern,
                } => {
                    intensity.check(&format!("{at}.action.intensity"))?;
                    check_seconds(&format!("{at}.action.minS"), *min_s)?;
                    check_seconds(&format!("{at}.action.maxS"), *max_s)?;
                    if max_s < min_s {
                        return Err(DomainError::invalid(
                            format!("{at}.action.maxS"),
                            format!("the range {min_s}..={max_s} s is empty"),
                        ));
                    }
                    if let Some(pattern) = pattern {
                        pattern.check(&format!("{at}.action.pattern"), patterns)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Ranges never overlap: sorted by `min`, each must end before the next
    /// begins, and only the last may be open-ended.
    fn check_overlaps(&self) -> Result<(), DomainError> {
        let mut order: Vec<usize> = (0..self.levels.len()).collect();
        order.sort_by_key(|&i| self.levels[i].min);
        for pair in order.windows(2) {
            let (a, b) = (&self.levels[pair[0]], &self.levels[pair[1]]);
            let overlaps = a.max.is_none_or(|max| max >= b.min);
            if overlaps {
                let shown = |l: &TipLevel| match l.max {
                    Some(max) => format!("{}..={max}", l.min),
                    None => format!("{}+", l.min),
                };
                return Err(DomainError::invalid(
                    format!("levels[{}].min", pair[1]),
                    format!(
                        "the range {} overlaps levels[{}] ({})",
                        shown(b),
                        pair[0],
                        shown(a)
                    ),
                ));
            }
        }
        Ok(())
    }
}
