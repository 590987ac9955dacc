//! The form of one tip level or special, checked as it changes by the
//! domain's own validation of the whole configuration it would make, so a
//! problem (an overlapping or empty range, an intensity beyond 0-20, a
//! duration of 0 or beyond the limit, an unknown pattern, an amount beyond
//! the room's limit) shows beside its field before anything is sent. The
//! editing itself is the editor kit's.

use std::collections::BTreeSet;

use super::entry::{Entry, Limits, SpecialKind};
use crate::console::editor::form::{Form, Problem, focused, form_fields};
use crate::console::editor::toy_fields::cycle;
use crate::console::text_field::{Accept, TextField};
use crate::domain::tips::{Intensity, OutputLevels, TipLevels};

/// The most characters a field holds.
const FIELD_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelField {
    Amount,
    Label,
    Min,
    Max,
    Kind,
    /// One intensity for every output, or one per output.
    Outputs,
    Intensity,
    Vibrate,
    Rotate,
    Pump,
    Thrust,
    DurationS,
    MinS,
    MaxS,
    Pattern,
}

impl LevelField {
    pub fn label(self) -> &'static str {
        match self {
            LevelField::Amount => "exact amount",
            LevelField::Label => "label",
            LevelField::Min => "from (tokens)",
            LevelField::Max => "to (empty: and up)",
            LevelField::Kind => "does",
            LevelField::Outputs => "outputs",
            LevelField::Intensity => "  intensity 0-20",
            LevelField::Vibrate => "  vibrate",
            LevelField::Rotate => "  rotate",
            LevelField::Pump => "  pump",
            LevelField::Thrust => "  thrust",
            LevelField::DurationS => "duration (s)",
            LevelField::MinS => "shortest (s)",
            LevelField::MaxS => "longest (s)",
            LevelField::Pattern => "pattern",
        }
    }

    /// The field's part of the domain's path (after `levels[i].` or
    /// `specials[i].`).
    fn suffix(self, entry: Entry) -> &'static str {
        let special = entry == Entry::Special;
        match self {
            LevelField::Amount => "amount",
            LevelField::Label => "label",
            LevelField::Min => "min",
            LevelField::Max => "max",
            LevelField::Kind => "action.kind",
            LevelField::Outputs | LevelField::Intensity if special => "action.intensity",
            LevelField::Outputs | LevelField::Intensity => "intensity",
            LevelField::Vibrate if special => "action.intensity.vibrate",
            LevelField::Vibrate => "intensity.vibrate",
            LevelField::Rotate if special => "action.intensity.rotate",
            LevelField::Rotate => "intensity.rotate",
            LevelField::Pump if special => "action.intensity.pump",
            LevelField::Pump => "intensity.pump",
            LevelField::Thrust if special => "action.intensity.thrust",
            LevelField::Thrust => "intensity.thrust",
            LevelField::DurationS if special => "action.durationS",
            LevelField::DurationS => "durationS",
            LevelField::MinS => "action.minS",
            LevelField::MaxS => "action.maxS",
            LevelField::Pattern if special => "action.pattern",
            LevelField::Pattern => "pattern",
        }
    }
}

const OUTPUTS: [LevelField; 4] = [
    LevelField::Vibrate,
    LevelField::Rotate,
    LevelField::Pump,
    LevelField::Thrust,
];

/// One level or special as the performer types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelForm {
    pub entry: Entry,
    /// Its place in its list; a new one goes last.
    pub index: usize,
    pub new: bool,
    pub amount: TextField,
    pub label: TextField,
    pub min: TextField,
    pub max: TextField,
    pub kind: SpecialKind,
    pub per_output: bool,
    pub intensity: TextField,
    /// Vibrate, rotate, pump, thrust; empty leaves the output still.
    pub outputs: [TextField; 4],
    pub duration_s: TextField,
    pub min_s: TextField,
    pub max_s: TextField,
    pub pattern: TextField,
    pub focus: usize,
    pub problem: Option<Problem>,
    /// The configuration the entry goes into, and what it is checked against.
    base: TipLevels,
    limits: Limits,
}

impl LevelForm {
    /// Entry `index` of `base` (`None`: a new one after the last).
    pub fn open(base: &TipLevels, entry: Entry, index: Option<usize>, limits: Limits) -> Self {
        let fields = entry.fields_of(base, index);
        let (per_output, intensity, outputs) = match fields.intensity {
            Intensity::All(level) => (false, level.to_string(), [None; 4]),
            Intensity::PerOutput(o) => {
                (true, String::new(), [o.vibrate, o.rotate, o.pump, o.thrust])
            }
        };
        let count = entry.count(base);
        let mut form = LevelForm {
            entry,
            index: index.unwrap_or(count),
            new: index.is_none(),
            amount: number(fields.amount),
            label: TextField::new(fields.label, Accept::Text, FIELD_CHARS),
            min: number(fields.min),
            max: number(fields.max),
            kind: fields.kind,
            per_output,
            intensity: digits(intensity),
            outputs: outputs.map(|l| digits(l.map(|l| l.to_string()).unwrap_or_default())),
            duration_s: number(fields.duration_s),
            min_s: number(fields.min_s),
            max_s: number(fields.max_s),
            pattern: TextField::new(fields.pattern, Accept::Text, FIELD_CHARS),
            focus: 0,
            problem: None,
            base: base.clone(),
            limits,
        };
        form.check();
        form
    }

    pub fn focused(&self) -> LevelField {
        focused(self)
    }

    pub fn typing(&self) -> bool {
        crate::console::editor::form::typing(self)
    }

    pub fn value(&self, field: LevelField) -> String {
        match field {
            LevelField::Kind => self.kind.as_str().into(),
            LevelField::Outputs if self.per_output => "one per output".into(),
            LevelField::Outputs => "all the same".into(),
            text => self
                .text(text)
                .map(TextField::to_string)
                .unwrap_or_default(),
        }
    }

    fn path(&self, field: LevelField) -> String {
        format!(
            "{}[{}].{}",
            self.entry.list(),
            self.index,
            field.suffix(self.entry)
        )
    }

    /// What is wrong at `field`, if the current problem is there.
    pub fn problem_at(&self, field: LevelField) -> Option<&str> {
        let (path, message) = self.problem.as_ref()?;
        let shown = match field {
            LevelField::Outputs => self.per_output,
            LevelField::Intensity => !self.per_output,
            _ => true,
        };
        (shown && *path == self.path(field)).then_some(message.as_str())
    }

    fn number(&self, field: LevelField, text: &str) -> Result<Option<u64>, Problem> {
        crate::console::editor::toy_fields::whole(text).map_err(|e| (self.path(field), e))
    }

    /// A duration in seconds; beyond the limit is said as the domain says it.
    fn seconds(&self, field: LevelField, text: &str) -> Result<u32, Problem> {
        let seconds = self.number(field, text)?.unwrap_or(0);
        u32::try_from(seconds).map_err(|_| {
            let most = crate::domain::tips::MAX_TIP_SECONDS;
            (
                self.path(field),
                format!("{seconds} s is outside 1..={most}"),
            )
        })
    }

    fn level(&self, field: LevelField, text: &str) -> Result<Option<u8>, Problem> {
        let Some(level) = self.number(field, text)? else {
            return Ok(None);
        };
        u8::try_from(level).map(Some).map_err(|_| {
            let most = crate::domain::toy_effect::MAX_INTENSITY;
            (self.path(field), format!("{level} is outside 0..={most}"))
        })
    }

    fn intensity(&self) -> Result<Intensity, Problem> {
        if !self.per_output {
            return match self.level(LevelField::Intensity, &self.intensity)? {
                Some(level) => Ok(Intensity::All(level)),
                None => Err((
                    self.path(LevelField::Intensity),
                    "must be a level 0..=20".into(),
                )),
            };
        }
        let mut levels = [None; 4];
        for (i, field) in OUTPUTS.into_iter().enumerate() {
            levels[i] = self.level(field, &self.outputs[i])?;
        }
        let [vibrate, rotate, pump, thrust] = levels;
        Ok(Intensity::PerOutput(OutputLevels {
            vibrate,
            rotate,
            pump,
            thrust,
        }))
    }

    /// The whole configuration with this entry in it, or the first problem
    /// and the field it names.
    pub fn config(&self) -> Result<TipLevels, Problem> {
        let typed = super::entry::Typed {
            amount: self.number(LevelField::Amount, &self.amount)?.unwrap_or(0),
            label: self.label.trim().to_string(),
            min: self.number(LevelField::Min, &self.min)?.unwrap_or(0),
            max: self.number(LevelField::Max, &self.max)?,
            kind: self.kind,
            intensity: match (self.entry, self.kind) {
                (Entry::Special, SpecialKind::RandomLevel) => Intensity::All(0),
                _ => self.intensity()?,
            },
            duration_s: self.seconds(LevelField::DurationS, &self.duration_s)?,
            min_s: self.seconds(LevelField::MinS, &self.min_s)?,
            max_s: self.seconds(LevelField::MaxS, &self.max_s)?,
            pattern: Some(self.pattern.trim().to_string()).filter(|p| !p.is_empty()),
        };
        let mut config = self.base.clone();
        self.entry
            .place(&mut config, self.index, self.new, typed)
            .map_err(|(suffix, problem)| {
                (
                    format!("{}[{}].{suffix}", self.entry.list(), self.index),
                    problem,
                )
            })?;
        self.limits.check(&config)?;
        Ok(config)
    }
}

impl LevelForm {
    /// One level for all outputs or one per output; the level typed so far
    /// carries over (to vibrate, or from the strongest output).
    fn switch_outputs(&mut self) {
        self.per_output = !self.per_output;
        if self.per_output && self.outputs.iter().all(|o| o.trim().is_empty()) {
            self.outputs[0] = digits(self.intensity.trim().to_string());
        } else if !self.per_output && self.intensity.trim().is_empty() {
            let strongest = self
                .outputs
                .iter()
                .filter_map(|o| o.trim().parse::<u64>().ok())
                .max();
            self.intensity = digits(strongest.map(|l| l.to_string()).unwrap_or_default());
        }
    }
}

impl Form for LevelForm {
    type Field = LevelField;

    fn fields(&self) -> Vec<LevelField> {
        use LevelField as F;
        let intensity = if self.per_output {
            [&[F::Outputs][..], &OUTPUTS].concat()
        } else {
            vec![F::Outputs, F::Intensity]
        };
        match (self.entry, self.kind) {
            (Entry::Level, _) => [
                &[F::Label, F::Min, F::Max][..],
                &intensity,
                &[F::DurationS, F::Pattern],
            ]
            .concat(),
            (Entry::Special, SpecialKind::Preset) => [
                &[F::Amount, F::Label, F::Kind, F::Pattern][..],
                &intensity,
                &[F::DurationS],
            ]
            .concat(),
            (Entry::Special, SpecialKind::RandomLevel) => vec![F::Amount, F::Label, F::Kind],
            (Entry::Special, SpecialKind::RandomDuration) => [
                &[F::Amount, F::Label, F::Kind][..],
                &intensity,
                &[F::MinS, F::MaxS, F::Pattern],
            ]
            .concat(),
        }
    }

    form_fields! {
        LevelField, form, field;
        focus => focus;
        else => match field {
            LevelField::Vibrate => Some(&form.outputs[0]),
            LevelField::Rotate => Some(&form.outputs[1]),
            LevelField::Pump => Some(&form.outputs[2]),
            LevelField::Thrust => Some(&form.outputs[3]),
            _ => None,
        },
        match field {
            LevelField::Vibrate => Some(&mut form.outputs[0]),
            LevelField::Rotate => Some(&mut form.outputs[1]),
            LevelField::Pump => Some(&mut form.outputs[2]),
            LevelField::Thrust => Some(&mut form.outputs[3]),
            _ => None,
        };
        LevelField::Amount => form.amount,
        LevelField::Label => form.label,
        LevelField::Min => form.min,
        LevelField::Max => form.max,
        LevelField::Intensity => form.intensity,
        LevelField::DurationS => form.duration_s,
        LevelField::MinS => form.min_s,
        LevelField::MaxS => form.max_s,
        LevelField::Pattern => form.pattern,
    }

    fn toggle(&mut self, field: LevelField, forward: bool) {
        match field {
            LevelField::Kind => self.kind = cycle(&SpecialKind::ALL, self.kind, forward),
            LevelField::Outputs => self.switch_outputs(),
            _ => {}
        }
    }

    fn check(&mut self) {
        self.problem = self.config().err();
    }
}

fn number(value: Option<u64>) -> TextField {
    digits(value.map(|n| n.to_string()).unwrap_or_default())
}

fn digits(value: String) -> TextField {
    TextField::new(value, Accept::Digits, FIELD_CHARS)
}

/// The imported pattern names a room's levels may use, as a set.
pub fn pattern_set(names: &[String]) -> BTreeSet<String> {
    names.iter().cloned().collect()
}
