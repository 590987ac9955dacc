//! The game's settings form: price tiers, the wheel's cooldown, theme
//! colours, checked as they change by the server's own rules on the whole
//! configuration they would make.

use super::prize::{Problem, check};
use crate::console::editor::form::{Form, focused, form_fields};
use crate::console::editor::toy_fields::whole;
use crate::console::text_field::{Accept, TextField};
use crate::games::{GameConfig, GameKind, GameTheme, TierSpec};

/// The most characters a setting holds.
const FIELD_CHARS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsField {
    /// A spin price, tier 1..=3 (from 0 here).
    Tier(usize),
    /// The wheel's only.
    Cooldown,
    /// primary, secondary, background, text.
    Colour(usize),
}

const COLOURS: [&str; 4] = ["primary", "secondary", "background", "text"];

impl SettingsField {
    pub fn label(self) -> String {
        match self {
            SettingsField::Tier(i) => format!("tier {} cost", i + 1),
            SettingsField::Cooldown => "cooldown (s)".into(),
            SettingsField::Colour(i) => format!("{} colour", COLOURS[i]),
        }
    }

    fn path(self) -> String {
        match self {
            SettingsField::Tier(i) => format!("tiers[{i}].cost"),
            SettingsField::Cooldown => "cooldownSecs".into(),
            SettingsField::Colour(i) => format!("theme.{}", COLOURS[i]),
        }
    }
}

/// The game's settings as the performer types them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsForm {
    /// Up to three prices; an empty one removes its tier.
    pub tiers: [TextField; 3],
    pub cooldown: TextField,
    /// `#rrggbb` each; empty for none.
    pub colours: [TextField; 4],
    pub focus: usize,
    pub problem: Option<Problem>,
    base: GameConfig,
}

impl SettingsForm {
    pub fn of(base: &GameConfig) -> SettingsForm {
        let tier = |i: usize| base.tiers.get(i).map(|t| t.cost.to_string());
        let colour = |i: usize| base.theme.colours()[i].1.unwrap_or_default().to_string();
        let mut form = SettingsForm {
            tiers: [0, 1, 2].map(|i| number(tier(i).unwrap_or_default())),
            cooldown: number(
                base.cooldown_secs
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ),
            colours: [0, 1, 2, 3]
                .map(|i| TextField::new(colour(i), Accept::HexColour, FIELD_CHARS)),
            focus: 0,
            problem: None,
            base: base.clone(),
        };
        form.check();
        form
    }

    pub fn focused(&self) -> SettingsField {
        focused(self)
    }

    pub fn value(&self, field: SettingsField) -> &str {
        self.text(field).map_or("", TextField::value)
    }

    /// The whole configuration with these settings, checked.
    pub fn config(&self) -> Result<GameConfig, Problem> {
        let mut config = self.base.clone();
        config.tiers = Vec::new();
        for (i, text) in self.tiers.iter().enumerate() {
            let field = SettingsField::Tier(i);
            if let Some(cost) = whole(text).map_err(|e| (field.path(), e))? {
                config.tiers.push(TierSpec { cost });
            }
        }
        if config.game == GameKind::SpinWheel {
            config.cooldown_secs = whole(&self.cooldown)
                .map_err(|e| (SettingsField::Cooldown.path(), e))?
                .map(|s| u32::try_from(s).unwrap_or(u32::MAX));
        }
        let colour = |i: usize| {
            let text = self.colours[i].trim();
            (!text.is_empty()).then(|| text.to_string())
        };
        config.theme = GameTheme {
            primary: colour(0),
            secondary: colour(1),
            background: colour(2),
            text: colour(3),
        };
        check(&config)?;
        Ok(config)
    }

    pub fn problem_at(&self, field: SettingsField) -> Option<&str> {
        let (path, message) = self.problem.as_ref()?;
        let at = match field {
            // "tiers" as a whole (none left, too many) shows at the first.
            SettingsField::Tier(0) => *path == field.path() || path == "tiers",
            _ => *path == field.path(),
        };
        at.then_some(message.as_str())
    }
}

impl Form for SettingsForm {
    type Field = SettingsField;

    fn fields(&self) -> Vec<SettingsField> {
        let mut fields: Vec<SettingsField> = (0..3).map(SettingsField::Tier).collect();
        if self.base.game == GameKind::SpinWheel {
            fields.push(SettingsField::Cooldown);
        }
        fields.extend((0..4).map(SettingsField::Colour));
        fields
    }

    // Every settings field takes typed characters.
    form_fields! {
        SettingsField, form, field;
        focus => focus;
        else => None, None;
        SettingsField::Tier(i) => form.tiers[i],
        SettingsField::Cooldown => form.cooldown,
        SettingsField::Colour(i) => form.colours[i],
    }

    fn toggle(&mut self, _field: SettingsField, _forward: bool) {}

    fn check(&mut self) {
        self.problem = self.config().err();
    }
}

fn number(value: String) -> TextField {
    TextField::new(value, Accept::Digits, FIELD_CHARS)
}
