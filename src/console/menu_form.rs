//! The chip-menu editor's item form: every field as the performer types
//! it, checked against the server's own rules as it changes, so the
//! problem shows beside its field before anything is sent.

use super::screen::Action;
use crate::domain::toy_effect::{MAX_INTENSITY, Pattern, Timing, ToyEffect};
use crate::menus::model::ItemSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    BaseTokens,
    BonusPoints,
    Category,
    DailyLimit,
    DurationSeconds,
    Hidden,
    Toy,
    ToyTiming,
    ToyIntensity,
    ToyDurationMs,
    ToyPattern,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Title,
        Field::Description,
        Field::BaseTokens,
        Field::BonusPoints,
        Field::Category,
        Field::DailyLimit,
        Field::DurationSeconds,
        Field::Hidden,
        Field::Toy,
        Field::ToyTiming,
        Field::ToyIntensity,
        Field::ToyDurationMs,
        Field::ToyPattern,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::BaseTokens => "base tokens",
            Field::BonusPoints => "bonus points",
            Field::Category => "category",
            Field::DailyLimit => "daily limit",
            Field::DurationSeconds => "duration (s)",
            Field::Hidden => "hidden",
            Field::Toy => "toy effect",
            Field::ToyTiming => "  timing",
            Field::ToyIntensity => "  intensity",
            Field::ToyDurationMs => "  duration (ms)",
            Field::ToyPattern => "  pattern",
        }
    }

    /// The server's name for the field, to match its errors.
    fn path(self) -> &'static str {
        match self {
            Field::Title => "item.title",
            Field::Description => "item.description",
            Field::BaseTokens => "item.baseTokens",
            Field::BonusPoints => "item.bonusPoints",
            Field::Category => "item.category",
            Field::DailyLimit => "item.dailyLimit",
            Field::DurationSeconds => "item.durationHintMs",
            Field::Hidden => "item.hidden",
            Field::Toy => "item.toy",
            Field::ToyTiming => "item.toy.timing",
            Field::ToyIntensity => "item.toy.intensity",
            Field::ToyDurationMs => "item.toy.durationMs",
            Field::ToyPattern => "item.toy.pattern",
        }
    }

    fn is_text(self) -> bool {
        matches!(self, Field::Title | Field::Description | Field::Category)
    }

    fn is_number(self) -> bool {
        matches!(
            self,
            Field::BaseTokens
                | Field::BonusPoints
                | Field::DailyLimit
                | Field::DurationSeconds
                | Field::ToyIntensity
                | Field::ToyDurationMs
        )
    }
}

/// The item form: every field as the performer types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemForm {
    pub id: Option<String>,
    pub title: String,
    pub description: String,
    pub base_tokens: String,
    pub bonus_points: String,
    pub category: String,
    pub daily_limit: String,
    pub duration_seconds: String,
    pub hidden: bool,
    pub toy: bool,
    pub timing: Timing,
    pub intensity: String,
    pub toy_duration_ms: String,
    pub pattern: Pattern,
    pub focus: usize,
    /// The first problem, with the field it names (inline validation).
    pub problem: Option<(String, String)>,
}

const TIMINGS: [Timing; 5] = Timing::ALL;
const PATTERNS: [Pattern; 4] = [
    Pattern::Constant,
    Pattern::Pulse,
    Pattern::Wave,
    Pattern::Ramp,
];

pub(super) use super::toy_fields::cycle;

impl ItemForm {
    pub fn new_item() -> Self {
        ItemForm::from_spec(&ItemSpec {
            id: None,
            title: String::new(),
            description: String::new(),
            base_tokens: 10,
            bonus_points: 0,
            hidden: false,
            category: None,
            daily_limit: None,
            duration_hint_ms: None,
            toy: None,
        })
    }

    pub fn from_spec(spec: &ItemSpec) -> Self {
        let toy = spec.toy.clone();
        let mut form = ItemForm {
            id: spec.id.clone(),
            title: spec.title.clone(),
            description: spec.description.clone(),
            base_tokens: spec.base_tokens.to_string(),
            bonus_points: spec.bonus_points.to_string(),
            category: spec.category.clone().unwrap_or_default(),
            daily_limit: spec.daily_limit.map(|n| n.to_string()).unwrap_or_default(),
            duration_seconds: spec
                .duration_hint_ms
                .map(|ms| (ms / 1000).to_string())
                .unwrap_or_default(),
            hidden: spec.hidden,
            toy: toy.as_ref().is_some_and(|t| t.enabled),
            timing: toy.as_ref().map_or(Timing::Start, |t| t.timing),
            intensity: toy
                .as_ref()
                .map_or("10".into(), |t| t.intensity_or_default().to_string()),
            toy_duration_ms: toy
                .as_ref()
                .and_then(|t| t.duration_ms)
                .map(|ms| ms.to_string())
                .unwrap_or_default(),
            pattern: toy.as_ref().and_then(|t| t.pattern).unwrap_or_default(),
            focus: 0,
            problem: None,
        };
        form.check();
        form
    }

    /// The fields shown: the toy's details only when it has one.
    pub fn fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| {
                self.toy
                    || !matches!(
                        f,
                        Field::ToyTiming
                            | Field::ToyIntensity
                            | Field::ToyDurationMs
                            | Field::ToyPattern
                    )
            })
            .collect()
    }

    pub fn focused(&self) -> Field {
        let fields = self.fields();
        fields[self.focus.min(fields.len() - 1)]
    }

    pub fn value(&self, field: Field) -> String {
        match field {
            Field::Title => self.title.clone(),
            Field::Description => self.description.clone(),
            Field::BaseTokens => self.base_tokens.clone(),
            Field::BonusPoints => self.bonus_points.clone(),
            Field::Category => self.category.clone(),
            Field::DailyLimit => self.daily_limit.clone(),
            Field::DurationSeconds => self.duration_seconds.clone(),
            Field::Hidden => if self.hidden { "yes" } else { "no" }.into(),
            Field::Toy => if self.toy { "yes" } else { "no" }.into(),
            Field::ToyTiming => self.timing.label().into(),
            Field::ToyIntensity => self.intensity.clone(),
            Field::ToyDurationMs => self.toy_duration_ms.clone(),
            Field::ToyPattern => format!("{:?}", self.pattern).to_lowercase(),
        }
    }

    fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::Title => &mut self.title,
            Field::Description => &mut self.description,
            Field::BaseTokens => &mut self.base_tokens,
            Field::BonusPoints => &mut self.bonus_points,
            Field::Category => &mut self.category,
            Field::DailyLimit => &mut self.daily_limit,
            Field::DurationSeconds => &mut self.duration_seconds,
            Field::ToyIntensity => &mut self.intensity,
            Field::ToyDurationMs => &mut self.toy_duration_ms,
            _ => return None,
        })
    }

    /// The item as the server takes it, or the first problem and its field.
    pub fn spec(&self) -> Result<ItemSpec, (String, String)> {
        let number = |field: Field, text: &str| -> Result<Option<u64>, (String, String)> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            text.trim().parse().map(Some).map_err(|_| {
                (
                    field.path().to_string(),
                    format!("{:?} is not a whole number", text),
                )
            })
        };
        let toy = if self.toy {
            let intensity = number(Field::ToyIntensity, &self.intensity)?.unwrap_or(10);
            if intensity > u64::from(MAX_INTENSITY) {
                return Err((
                    Field::ToyIntensity.path().into(),
                    format!("{intensity} is outside 0..={MAX_INTENSITY}"),
                ));
            }
            Some(ToyEffect {
                enabled: true,
                timing: self.timing,
                intensity: Some(intensity as u8),
                duration_ms: number(Field::ToyDurationMs, &self.toy_duration_ms)?,
                device_vendor: Some("lovense".into()),
                pattern: Some(self.pattern),
            })
        } else {
            None
        };
        let spec = ItemSpec {
            id: self.id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            base_tokens: number(Field::BaseTokens, &self.base_tokens)?.unwrap_or(0),
            bonus_points: number(Field::BonusPoints, &self.bonus_points)?.unwrap_or(0),
            hidden: self.hidden,
            category: Some(self.category.trim().to_string()).filter(|c| !c.is_empty()),
            daily_limit: number(Field::DailyLimit, &self.daily_limit)?
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            duration_hint_ms: number(Field::DurationSeconds, &self.duration_seconds)?
                .map(|s| s.saturating_mul(1000)),
            toy,
        };
        // The server's own rules, so the message matches what it would say.
        spec.validate("item").map_err(|e| {
            // "invalid field `x`: reason" -> "reason": the form shows the field.
            let reason = match e.message.split_once("`: ") {
                Some((_, reason)) => reason.to_string(),
                None => e.message,
            };
            (e.field.unwrap_or_default(), reason)
        })?;
        Ok(spec)
    }

    fn check(&mut self) {
        self.problem = self.spec().err();
    }

    /// Which field the current problem is about, if any.
    pub fn problem_at(&self, field: Field) -> Option<&str> {
        let (path, message) = self.problem.as_ref()?;
        (path == field.path()
            || (field == Field::DurationSeconds && path.ends_with("durationHintMs")))
        .then_some(message.as_str())
    }

    /// Whether the focused field takes typed characters.
    pub fn typing(&self) -> bool {
        let field = self.focused();
        field.is_text() || field.is_number()
    }

    /// A character typed into the focused field (digits only in numbers).
    pub fn type_char(&mut self, c: char) {
        let field = self.focused();
        let accepts = if field.is_number() {
            c.is_ascii_digit()
        } else {
            field.is_text()
        };
        if accepts
            && let Some(text) = self.text_mut(field)
            && text.chars().count() < 200
        {
            text.push(c);
        }
        self.check();
    }

    /// An action on the form; `Some(true)` to save, `Some(false)` to cancel.
    pub(super) fn act(&mut self, action: Action) -> Option<bool> {
        let fields = self.fields();
        let field = self.focused();
        match action {
            Action::Cancel => return Some(false),
            Action::Save => return Some(true),
            Action::NextField => self.focus = (self.focus + 1) % fields.len(),
            Action::PrevField => self.focus = (self.focus + fields.len() - 1) % fields.len(),
            Action::Toggle | Action::ToggleBack => {
                let forward = action == Action::Toggle;
                match field {
                    Field::Hidden => self.hidden = !self.hidden,
                    Field::Toy => self.toy = !self.toy,
                    Field::ToyTiming => self.timing = cycle(&TIMINGS, self.timing, forward),
                    Field::ToyPattern => self.pattern = cycle(&PATTERNS, self.pattern, forward),
                    _ => {}
                }
            }
            Action::Erase => {
                if let Some(text) = self.text_mut(field) {
                    text.pop();
                }
            }
            _ => {}
        }
        self.check();
        None
    }
}
