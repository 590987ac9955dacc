//! The editor's rows: a level (a token range) or a special (an exact
//! amount), where each lives in the configuration, what a new one starts
//! as, what the performer typed put back in place, the checks against the
//! room's limits, and the toy effect that tries one by hand.

use std::collections::BTreeSet;

use crate::console::editor::form::Problem;
use crate::domain::error::DomainError;
use crate::domain::tips::{
    BuiltinPattern, Intensity, PatternRef, SpecialAction, TipLevel, TipLevels, TipSpecial,
};
use crate::domain::toy_effect::{Pattern, Timing, ToyEffect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Level,
    Special,
}

impl Entry {
    /// Its list's name in the domain's paths.
    pub fn list(self) -> &'static str {
        match self {
            Entry::Level => "levels",
            Entry::Special => "specials",
        }
    }

    pub fn count(self, config: &TipLevels) -> usize {
        match self {
            Entry::Level => config.levels.len(),
            Entry::Special => config.specials.len(),
        }
    }

    /// Entry `index` as the form shows it; `None`: a new one.
    pub(super) fn fields_of(self, config: &TipLevels, index: Option<usize>) -> Fields {
        let mut fields = Fields::new(config);
        match (self, index) {
            (Entry::Level, Some(i)) => {
                let level = &config.levels[i];
                fields.label = level.label.to_string();
                fields.min = Some(level.min);
                fields.max = level.max;
                fields.intensity = level.intensity;
                fields.duration_s = Some(level.duration_s.into());
                fields.pattern = level
                    .pattern
                    .as_ref()
                    .map(|p| p.name().into())
                    .unwrap_or_default();
            }
            (Entry::Special, Some(i)) => {
                let special = &config.specials[i];
                fields.amount = Some(special.amount);
                fields.label = special.label.to_string();
                fields.kind = SpecialKind::of(&special.action);
                match &special.action {
                    SpecialAction::Preset {
                        pattern,
                        intensity,
                        duration_s,
                    } => {
                        fields.pattern = pattern.name().into();
                        fields.intensity = *intensity;
                        fields.duration_s = Some((*duration_s).into());
                    }
                    SpecialAction::RandomLevel {} => fields.pattern.clear(),
                    SpecialAction::RandomDuration {
                        intensity,
                        min_s,
                        max_s,
                        pattern,
                    } => {
                        fields.intensity = *intensity;
                        fields.min_s = Some((*min_s).into());
                        fields.max_s = Some((*max_s).into());
                        fields.pattern = pattern
                            .as_ref()
                            .map(|p| p.name().into())
                            .unwrap_or_default();
                    }
                }
            }
            (Entry::Level, None) => fields.pattern.clear(),
            (Entry::Special, None) => {}
        }
        fields
    }

    /// What was typed, as entry `index` of `config` (pushed when new); a
    /// preset without a pattern names its field (after the list's prefix).
    pub(super) fn place(
        self,
        config: &mut TipLevels,
        index: usize,
        new: bool,
        typed: Typed,
    ) -> Result<(), (String, String)> {
        let pattern = typed.pattern.map(PatternRef::from);
        let label = typed.label.as_str().into();
        match self {
            Entry::Level => put(
                &mut config.levels,
                index,
                new,
                TipLevel {
                    label,
                    min: typed.min,
                    max: typed.max,
                    intensity: typed.intensity,
                    duration_s: typed.duration_s,
                    pattern,
                },
            ),
            Entry::Special => {
                let action = match typed.kind {
                    SpecialKind::Preset => SpecialAction::Preset {
                        pattern: pattern.ok_or_else(|| {
                            (
                                "action.pattern".to_string(),
                                "a preset plays a pattern: pulse, wave, fireworks, \
                                 earthquake or an imported one"
                                    .to_string(),
                            )
                        })?,
                        intensity: typed.intensity,
                        duration_s: typed.duration_s,
                    },
                    SpecialKind::RandomLevel => SpecialAction::RandomLevel {},
                    SpecialKind::RandomDuration => SpecialAction::RandomDuration {
                        intensity: typed.intensity,
                        min_s: typed.min_s,
                        max_s: typed.max_s,
                        pattern,
                    },
                };
                let special = TipSpecial {
                    amount: typed.amount,
                    label,
                    action,
                };
                put(&mut config.specials, index, new, special)
            }
        }
        Ok(())
    }
}

fn put<T>(list: &mut Vec<T>, index: usize, new: bool, value: T) {
    match list.get_mut(index) {
        Some(slot) if !new => *slot = value,
        _ => list.push(value),
    }
}

/// What a special does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialKind {
    Preset,
    RandomLevel,
    RandomDuration,
}

impl SpecialKind {
    pub const ALL: [SpecialKind; 3] = [
        SpecialKind::Preset,
        SpecialKind::RandomLevel,
        SpecialKind::RandomDuration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SpecialKind::Preset => "preset",
            SpecialKind::RandomLevel => "random_level",
            SpecialKind::RandomDuration => "random_duration",
        }
    }

    fn of(action: &SpecialAction) -> SpecialKind {
        match action {
            SpecialAction::Preset { .. } => SpecialKind::Preset,
            SpecialAction::RandomLevel {} => SpecialKind::RandomLevel,
            SpecialAction::RandomDuration { .. } => SpecialKind::RandomDuration,
        }
    }
}

/// An entry's fields as a form opens them.
pub(super) struct Fields {
    pub amount: Option<u64>,
    pub label: String,
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub kind: SpecialKind,
    pub intensity: Intensity,
    pub duration_s: Option<u64>,
    pub min_s: Option<u64>,
    pub max_s: Option<u64>,
    pub pattern: String,
}

impl Fields {
    /// A new entry: a level starts after the last range, a special as a
    /// pulse preset.
    fn new(config: &TipLevels) -> Fields {
        let after = config
            .levels
            .iter()
            .map(|l| l.max.unwrap_or(l.min))
            .max()
            .map_or(1, |end| end.saturating_add(1));
        Fields {
            amount: None,
            label: String::new(),
            min: Some(after),
            max: None,
            kind: SpecialKind::Preset,
            intensity: Intensity::All(10),
            duration_s: Some(5),
            min_s: Some(3),
            max_s: Some(20),
            pattern: BuiltinPattern::Pulse.as_str().into(),
        }
    }
}

/// What the performer typed, read as numbers.
pub(super) struct Typed {
    pub amount: u64,
    pub label: String,
    pub min: u64,
    pub max: Option<u64>,
    pub kind: SpecialKind,
    pub intensity: Intensity,
    pub duration_s: u32,
    pub min_s: u32,
    pub max_s: u32,
    pub pattern: Option<String>,
}

/// What a configuration is checked against: the room's amount limit and
/// its imported patterns (both from the server's view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_amount: u64,
    pub patterns: BTreeSet<String>,
}

impl Limits {
    /// The domain's own validation, its refusal as a field and a problem.
    pub fn check(&self, config: &TipLevels) -> Result<(), Problem> {
        config
            .validate(self.max_amount, &self.patterns)
            .map_err(|e| match e {
                DomainError::InvalidField { field, reason } => (field, reason),
                other => (String::new(), other.to_string()),
            })
    }
}

/// The toy effect that tries an entry by hand: its strongest output for
/// its duration, in the nearest of the effect's shapes (a preset the toy
/// stores plays as a pulse, an imported pattern steady). A random level
/// has nothing of its own to try.
pub fn try_effect(config: &TipLevels, entry: Entry, index: usize) -> Option<ToyEffect> {
    let (intensity, seconds, pattern) = match entry {
        Entry::Level => {
            let level = config.levels.get(index)?;
            (level.intensity, level.duration_s, level.pattern.as_ref())
        }
        Entry::Special => match &config.specials.get(index)?.action {
            SpecialAction::Preset {
                pattern,
                intensity,
                duration_s,
            } => (*intensity, *duration_s, Some(pattern)),
            SpecialAction::RandomLevel {} => return None,
            SpecialAction::RandomDuration {
                intensity,
                min_s,
                pattern,
                ..
            } => (*intensity, *min_s, pattern.as_ref()),
        },
    };
    let shape = match pattern {
        Some(PatternRef::Builtin(BuiltinPattern::Wave)) => Pattern::Wave,
        Some(PatternRef::Builtin(_)) => Pattern::Pulse,
        Some(PatternRef::Named(_)) | None => Pattern::Constant,
    };
    Some(ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(intensity.peak()),
        duration_ms: Some(u64::from(seconds) * 1000),
        device_vendor: None,
        pattern: Some(shape.into()),
    })
}
