//! The chip-menu editor's item form: every field as the performer types
//! it, checked against the server's own rules as it changes, so the
//! problem shows beside its field before anything is sent. The editing
//! itself is the editor kit's ([`crate::console::editor::form`]).

use crate::console::editor::form::{Form, Problem, focused, form_fields};
use crate::console::editor::toy_fields::{ToyField, ToyFields, whole};
use crate::console::text_field::{Accept, TextField};
use crate::menus::model::ItemSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Description,
    BaseTokens,
    BonusPoints,
    PointsPrice,
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

/// The most characters a field holds.
const FIELD_CHARS: usize = 200;

impl Field {
    pub const ALL: [Field; 14] = [
        Field::Title,
        Field::Description,
        Field::BaseTokens,
        Field::BonusPoints,
        Field::PointsPrice,
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

    /// The toy effect's own fields.
    fn toy(self) -> Option<ToyField> {
        Some(match self {
            Field::Toy => ToyField::On,
            Field::ToyTiming => ToyField::Timing,
            Field::ToyIntensity => ToyField::Intensity,
            Field::ToyDurationMs => ToyField::DurationMs,
            Field::ToyPattern => ToyField::Pattern,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::BaseTokens => "base tokens",
            Field::BonusPoints => "bonus points",
            Field::PointsPrice => "points price",
            Field::Category => "category",
            Field::DailyLimit => "daily limit",
            Field::DurationSeconds => "duration (s)",
            Field::Hidden => "hidden",
            toy => toy.toy().map_or("", ToyField::label),
        }
    }

    /// The server's name for the field, to match its errors.
    fn path(self) -> String {
        let own = match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::BaseTokens => "baseTokens",
            Field::BonusPoints => "bonusPoints",
            Field::PointsPrice => "pointsPrice",
            Field::Category => "category",
            Field::DailyLimit => "dailyLimit",
            Field::DurationSeconds => "durationHintMs",
            Field::Hidden => "hidden",
            toy => toy.toy().map_or("", ToyField::path),
        };
        format!("item.{own}")
    }
}

/// The item form: every field as the performer types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemForm {
    pub id: Option<String>,
    pub title: TextField,
    pub description: TextField,
    pub base_tokens: TextField,
    pub bonus_points: TextField,
    /// Empty: the item is sold for tokens only.
    pub points_price: TextField,
    pub category: TextField,
    pub daily_limit: TextField,
    pub duration_seconds: TextField,
    pub hidden: bool,
    pub toy: ToyFields,
    pub focus: usize,
    /// The first problem, with the field it names (inline validation).
    pub problem: Option<Problem>,
}

impl ItemForm {
    pub fn new_item() -> Self {
        ItemForm::from_spec(&ItemSpec {
            id: None,
            title: String::new(),
            description: String::new(),
            base_tokens: 10,
            bonus_points: 0,
            points_price: None,
            hidden: false,
            category: None,
            daily_limit: None,
            duration_hint_ms: None,
            toy: None,
        })
    }

    pub fn from_spec(spec: &ItemSpec) -> Self {
        let text = |value: String| TextField::new(value, Accept::Text, FIELD_CHARS);
        let number = |value: Option<u64>| {
            TextField::new(
                value.map(|n| n.to_string()).unwrap_or_default(),
                Accept::Digits,
                FIELD_CHARS,
            )
        };
        let mut form = ItemForm {
            id: spec.id.clone(),
            title: text(spec.title.clone()),
            description: text(spec.description.clone()),
            base_tokens: number(Some(spec.base_tokens)),
            bonus_points: number(Some(spec.bonus_points)),
            points_price: number(spec.points_price),
            category: text(spec.category.clone().unwrap_or_default()),
            daily_limit: number(spec.daily_limit.map(u64::from)),
            duration_seconds: number(spec.duration_hint_ms.map(|ms| ms / 1000)),
            hidden: spec.hidden,
            toy: ToyFields::of(spec.toy.as_ref()),
            focus: 0,
            problem: None,
        };
        form.check();
        form
    }

    pub fn focused(&self) -> Field {
        focused(self)
    }

    /// Whether the focused field takes typed characters.
    pub fn typing(&self) -> bool {
        crate::console::editor::form::typing(self)
    }

    pub fn value(&self, field: Field) -> String {
        match (field, field.toy(), self.text(field)) {
            (_, _, Some(text)) => text.to_string(),
            (Field::Hidden, _, _) => if self.hidden { "yes" } else { "no" }.into(),
            (_, Some(toy), _) => self.toy.value(toy),
            _ => String::new(),
        }
    }

    /// The item as the server takes it, or the first problem and its field.
    pub fn spec(&self) -> Result<ItemSpec, Problem> {
        let number = |field: Field, text: &str| whole(text).map_err(|e| (field.path(), e));
        let toy = self.toy.effect().map_err(|(toy, e)| {
            let field = Field::ALL.into_iter().find(|f| f.toy() == Some(toy));
            (field.map(Field::path).unwrap_or_default(), e)
        })?;
        let spec = ItemSpec {
            id: self.id.clone(),
            title: self.title.to_string(),
            description: self.description.to_string(),
            base_tokens: number(Field::BaseTokens, &self.base_tokens)?.unwrap_or(0),
            bonus_points: number(Field::BonusPoints, &self.bonus_points)?.unwrap_or(0),
            points_price: number(Field::PointsPrice, &self.points_price)?,
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

    /// Which field the current problem is about, if any.
    pub fn problem_at(&self, field: Field) -> Option<&str> {
        let (path, message) = self.problem.as_ref()?;
        (*path == field.path()
            || (field == Field::DurationSeconds && path.ends_with("durationHintMs")))
        .then_some(message.as_str())
    }
}

impl Form for ItemForm {
    type Field = Field;

    /// The fields shown: the toy's details only when it has one.
    fn fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| f.toy().is_none_or(|toy| self.toy.shown().contains(&toy)))
            .collect()
    }

    form_fields! {
        Field, form, field;
        focus => focus;
        else => form.toy.text(field.toy()?), form.toy.text_mut(field.toy()?);
        Field::Title => form.title,
        Field::Description => form.description,
        Field::BaseTokens => form.base_tokens,
        Field::BonusPoints => form.bonus_points,
        Field::PointsPrice => form.points_price,
        Field::Category => form.category,
        Field::DailyLimit => form.daily_limit,
        Field::DurationSeconds => form.duration_seconds,
    }

    fn toggle(&mut self, field: Field, forward: bool) {
        match (field, field.toy()) {
            (Field::Hidden, _) => self.hidden = !self.hidden,
            (_, Some(toy)) => self.toy.toggle(toy, forward),
            _ => {}
        }
    }

    fn check(&mut self) {
        self.problem = self.spec().err();
    }
}
