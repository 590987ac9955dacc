//! A toy sub-effect of a queue item: when, how strong, how long, what shape.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::DomainError;
use super::pattern_ref::{Builtins, PatternRef};

/// When an effect fires, relative to the item's duration D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    Start,
    P25,
    P50,
    P75,
    End,
}

impl Timing {
    pub const ALL: [Timing; 5] = [
        Timing::Start,
        Timing::P25,
        Timing::P50,
        Timing::P75,
        Timing::End,
    ];

    /// Offset from the start of the item, in ms, for a duration of `d_ms`.
    pub fn offset_ms(self, d_ms: u64) -> u64 {
        match self {
            Timing::Start => 0,
            Timing::P25 => d_ms / 4,
            Timing::P50 => d_ms / 2,
            Timing::P75 => d_ms * 3 / 4,
            Timing::End => d_ms,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Timing::Start => "start",
            Timing::P25 => "25%",
            Timing::P50 => "50%",
            Timing::P75 => "75%",
            Timing::End => "end",
        }
    }
}

/// The shape of the vibration over the effect's duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    #[default]
    Constant,
    Pulse,
    Wave,
    Ramp,
}

impl Builtins for Pattern {
    const ALL: &'static [Pattern] = &[
        Pattern::Constant,
        Pattern::Pulse,
        Pattern::Wave,
        Pattern::Ramp,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Pattern::Constant => "constant",
            Pattern::Pulse => "pulse",
            Pattern::Wave => "wave",
            Pattern::Ramp => "ramp",
        }
    }
}

/// An effect's pattern: a built-in shape or a pattern the room imported.
pub type EffectPattern = PatternRef<Pattern>;

impl From<Pattern> for EffectPattern {
    fn from(shape: Pattern) -> Self {
        PatternRef::Builtin(shape)
    }
}

/// Lovense intensity scale.
pub const MAX_INTENSITY: u8 = 20;
/// Used when an effect gives no intensity.
pub const DEFAULT_INTENSITY: u8 = 10;
pub const MIN_EFFECT_MS: u64 = 100;
pub const MAX_EFFECT_MS: u64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ToyEffect {
    pub enabled: bool,
    pub timing: Timing,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intensity: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_vendor: Option<Arc<str>>,
    /// An extension to the contract (seed 002 menu items carry a pattern):
    /// a built-in shape's name or a pattern the room imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<EffectPattern>,
}

impl ToyEffect {
    pub fn intensity_or_default(&self) -> u8 {
        self.intensity.unwrap_or(DEFAULT_INTENSITY)
    }

    /// The built-in shape it plays without an imported pattern's steps
    /// (an imported one that cannot be had plays steady).
    pub fn shape(&self) -> Pattern {
        match &self.pattern {
            Some(PatternRef::Builtin(shape)) => *shape,
            _ => Pattern::Constant,
        }
    }

    /// The imported pattern it names, if any.
    pub fn imported_pattern(&self) -> Option<&str> {
        self.pattern.as_ref().and_then(|p| p.imported())
    }

    /// Whether the pattern it names is a built-in or among `known` (the
    /// room's imported patterns), at `{field}.pattern`.
    pub fn check_pattern(
        &self,
        field: &str,
        known: &std::collections::BTreeSet<String>,
    ) -> Result<(), DomainError> {
        match &self.pattern {
            Some(pattern) => pattern.check(&format!("{field}.pattern"), known),
            None => Ok(()),
        }
    }

    pub fn validate(&self, field: &str) -> Result<(), DomainError> {
        if let Some(level) = self.intensity
            && level > MAX_INTENSITY
        {
            return Err(DomainError::invalid(
                format!("{field}.intensity"),
                format!("{level} is outside 0..={MAX_INTENSITY} (the Lovense scale)"),
            ));
        }
        if let Some(ms) = self.duration_ms
            && !(MIN_EFFECT_MS..=MAX_EFFECT_MS).contains(&ms)
        {
            return Err(DomainError::invalid(
                format!("{field}.durationMs"),
                format!("{ms} is outside {MIN_EFFECT_MS}..={MAX_EFFECT_MS} ms"),
            ));
        }
        if let Some(vendor) = &self.device_vendor
            && !vendor.eq_ignore_ascii_case("lovense")
        {
            return Err(DomainError::invalid(
                format!("{field}.deviceVendor"),
                format!("{vendor:?} is not supported (only \"lovense\")"),
            ));
        }
        if let Some(name) = self.imported_pattern()
            && let Some(problem) = super::tips::pattern_name_problem(name)
        {
            return Err(DomainError::invalid(
                format!("{field}.pattern"),
                format!("{name:?} is neither a built-in shape nor a pattern name: it {problem}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_quarters_of_d() {
        let offsets: Vec<u64> = Timing::ALL.iter().map(|t| t.offset_ms(90_000)).collect();
        assert_eq!(offsets, [0, 22_500, 45_000, 67_500, 90_000]);
        let offsets: Vec<u64> = Timing::ALL.iter().map(|t| t.offset_ms(10_000)).collect();
        assert_eq!(offsets, [0, 2_500, 5_000, 7_500, 10_000]);
    }

    #[test]
    fn validation_names_the_field() {
        let mut effect = ToyEffect {
            enabled: true,
            timing: Timing::P50,
            intensity: Some(21),
            duration_ms: None,
            device_vendor: None,
            pattern: None,
        };
        let err = effect.validate("effects.toy").unwrap_err();
        assert_eq!(err.field(), Some("effects.toy.intensity"));
        effect.intensity = Some(20);
        effect.duration_ms = Some(50);
        let err = effect.validate("effects.toy").unwrap_err();
        assert_eq!(err.field(), Some("effects.toy.durationMs"));
        effect.duration_ms = Some(3000);
        effect.device_vendor = Some("acme".into());
        let err = effect.validate("effects.toy").unwrap_err();
        assert_eq!(err.field(), Some("effects.toy.deviceVendor"));
        effect.device_vendor = Some("Lovense".into());
        assert_eq!(effect.validate("effects.toy"), Ok(()));
    }
}
