//! A form's toy-effect fields as the performer types them: on or off,
//! timing, intensity, duration and pattern, turned into the effect the
//! server takes.

use std::sync::Arc;

use crate::console::text_field::{Accept, TextField};
use crate::domain::pattern_ref::{Builtins, PatternRef};
use crate::domain::toy_effect::{EffectPattern, MAX_INTENSITY, Pattern, Timing, ToyEffect};

/// The most digits a number of the effect holds.
const NUMBER_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToyField {
    On,
    Timing,
    Intensity,
    DurationMs,
    Pattern,
}

impl ToyField {
    pub const ALL: [ToyField; 5] = [
        ToyField::On,
        ToyField::Timing,
        ToyField::Intensity,
        ToyField::DurationMs,
        ToyField::Pattern,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ToyField::On => "toy effect",
            ToyField::Timing => "  timing",
            ToyField::Intensity => "  intensity",
            ToyField::DurationMs => "  duration (ms)",
            ToyField::Pattern => "  pattern",
        }
    }

    /// The effect's own part of the server's field path.
    pub fn path(self) -> &'static str {
        match self {
            ToyField::On => "toy",
            ToyField::Timing => "toy.timing",
            ToyField::Intensity => "toy.intensity",
            ToyField::DurationMs => "toy.durationMs",
            ToyField::Pattern => "toy.pattern",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyFields {
    pub on: bool,
    pub timing: Timing,
    pub intensity: TextField,
    pub duration_ms: TextField,
    pub pattern: EffectPattern,
    /// The room's imported patterns, offered after the built-in shapes.
    pub imported: Arc<[Arc<str>]>,
}

impl ToyFields {
    pub fn of(effect: Option<&ToyEffect>) -> ToyFields {
        ToyFields {
            on: effect.is_some_and(|t| t.enabled),
            timing: effect.map_or(Timing::Start, |t| t.timing),
            intensity: TextField::new(
                effect.map_or("10".into(), |t| t.intensity_or_default().to_string()),
                Accept::Digits,
                NUMBER_CHARS,
            ),
            duration_ms: TextField::new(
                effect
                    .and_then(|t| t.duration_ms)
                    .map(|ms| ms.to_string())
                    .unwrap_or_default(),
                Accept::Digits,
                NUMBER_CHARS,
            ),
            pattern: effect
                .and_then(|t| t.pattern.clone())
                .unwrap_or(PatternRef::Builtin(Pattern::Constant)),
            imported: Arc::from([]),
        }
    }

    /// Offer the room's imported patterns too.
    pub fn with_imported(mut self, names: Arc<[Arc<str>]>) -> ToyFields {
        self.imported = names;
        self
    }

    /// Every pattern the field cycles through: the built-in shapes, the
    /// room's imported patterns, and the one chosen if it is neither.
    fn pattern_choices(&self) -> Vec<EffectPattern> {
        let mut all: Vec<EffectPattern> = Pattern::ALL
            .iter()
            .map(|p| PatternRef::Builtin(*p))
            .chain(self.imported.iter().map(|n| PatternRef::Named(n.clone())))
            .collect();
        if !all.contains(&self.pattern) {
            all.push(self.pattern.clone());
        }
        all
    }

    /// The fields shown: the details only while the effect is on.
    pub fn shown(&self) -> &'static [ToyField] {
        if self.on {
            &ToyField::ALL
        } else {
            &ToyField::ALL[..1]
        }
    }

    pub fn value(&self, field: ToyField) -> String {
        match field {
            ToyField::On => if self.on { "yes" } else { "no" }.into(),
            ToyField::Timing => self.timing.label().into(),
            ToyField::Intensity => self.intensity.to_string(),
            ToyField::DurationMs => self.duration_ms.to_string(),
            ToyField::Pattern => match &self.pattern {
                PatternRef::Builtin(shape) => shape.as_str().into(),
                PatternRef::Named(name) => format!("{name} (imported)"),
            },
        }
    }

    pub fn text(&self, field: ToyField) -> Option<&TextField> {
        match field {
            ToyField::Intensity => Some(&self.intensity),
            ToyField::DurationMs => Some(&self.duration_ms),
            _ => None,
        }
    }

    pub fn text_mut(&mut self, field: ToyField) -> Option<&mut TextField> {
        match field {
            ToyField::Intensity => Some(&mut self.intensity),
            ToyField::DurationMs => Some(&mut self.duration_ms),
            _ => None,
        }
    }

    /// Space and the arrows on a choice.
    pub fn toggle(&mut self, field: ToyField, forward: bool) {
        match field {
            ToyField::On => self.on = !self.on,
            ToyField::Timing => self.timing = cycle(&Timing::ALL, self.timing, forward),
            ToyField::Pattern => {
                let all = self.pattern_choices();
                let at = all.iter().position(|p| *p == self.pattern).unwrap_or(0);
                let next = if forward { at + 1 } else { at + all.len() - 1 };
                self.pattern = all[next % all.len()].clone();
            }
            _ => {}
        }
    }

    /// The effect, or the field at fault and why.
    pub fn effect(&self) -> Result<Option<ToyEffect>, (ToyField, String)> {
        if !self.on {
            return Ok(None);
        }
        let intensity = whole(&self.intensity)
            .map_err(|e| (ToyField::Intensity, e))?
            .unwrap_or(10);
        if intensity > u64::from(MAX_INTENSITY) {
            return Err((
                ToyField::Intensity,
                format!("{intensity} is outside 0..={MAX_INTENSITY}"),
            ));
        }
        Ok(Some(ToyEffect {
            enabled: true,
            timing: self.timing,
            intensity: Some(intensity as u8),
            duration_ms: whole(&self.duration_ms).map_err(|e| (ToyField::DurationMs, e))?,
            device_vendor: Some("lovense".into()),
            pattern: Some(self.pattern.clone()),
        }))
    }
}

/// A typed whole number; empty is none.
pub fn whole(text: &str) -> Result<Option<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{text:?} is not a whole number"))
}

pub fn cycle<T: Copy + PartialEq>(all: &[T], now: T, forward: bool) -> T {
    let at = all.iter().position(|x| *x == now).unwrap_or(0);
    let next = if forward {
        (at + 1) % all.len()
    } else {
        (at + all.len() - 1) % all.len()
    };
    all[next]
}
