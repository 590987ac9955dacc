//! The game editor's two forms: one prize, and the game's settings (price
//! tiers, the wheel's cooldown, theme colours). Each is checked as it
//! changes by the server's own rules ([`Game::new`]) on the whole
//! configuration it would make, so a problem shows beside its field before
//! anything is sent.

use super::screen::Action;
use super::toy_fields::{ToyField, ToyFields, whole};
use crate::domain::toy_effect::ToyEffect;
use crate::games::{Game, GameConfig, GameKind, GameTheme, PrizeSpec, TierSpec};

/// A field's path as the server names it, and what is wrong there.
pub type Problem = (String, String);

/// The configuration checked as the server would check it.
pub fn check(config: &GameConfig) -> Result<Game, Problem> {
    Game::new(config.clone()).map_err(|e| (e.field, e.problem))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrizeField {
    Title,
    Description,
    Rank,
    Hidden,
    DurationSeconds,
    /// Only in a game with explicit weights.
    Weights,
    Toy(ToyField),
}

impl PrizeField {
    pub fn label(self) -> &'static str {
        match self {
            PrizeField::Title => "title",
            PrizeField::Description => "description",
            PrizeField::Rank => "rank (1-10)",
            PrizeField::Hidden => "hidden",
            PrizeField::DurationSeconds => "duration (s)",
            PrizeField::Weights => "weights",
            PrizeField::Toy(toy) => toy.label(),
        }
    }

    /// The field's part of the server's path (`prizes[2].` + this).
    fn suffix(self) -> &'static str {
        match self {
            PrizeField::Title => "title",
            PrizeField::Description => "description",
            PrizeField::Rank => "rank",
            PrizeField::Hidden => "hidden",
            PrizeField::DurationSeconds => "durationHintMs",
            PrizeField::Weights => "weights",
            PrizeField::Toy(toy) => toy.path(),
        }
    }

    fn is_text(self) -> bool {
        matches!(self, PrizeField::Title | PrizeField::Description)
    }

    fn is_number(self) -> bool {
        match self {
            PrizeField::Rank | PrizeField::DurationSeconds => true,
            PrizeField::Toy(toy) => toy.is_number(),
            _ => false,
        }
    }
}

/// One prize as the performer types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrizeForm {
    /// Its place in the list; a new prize goes last.
    pub index: usize,
    pub new: bool,
    pub id: u32,
    pub title: String,
    pub description: String,
    pub rank: String,
    pub hidden: bool,
    pub duration_seconds: String,
    /// "10, 4" (tier 1 first), when the game gives explicit weights.
    pub weights: Option<String>,
    pub toy: ToyFields,
    pub focus: usize,
    pub problem: Option<Problem>,
    /// The configuration the prize goes into.
    base: GameConfig,
}

impl PrizeForm {
    /// Edit prize `index` of `base`.
    pub fn edit(base: &GameConfig, index: usize) -> PrizeForm {
        let spec = &base.prizes[index];
        let mut form = PrizeForm {
            index,
            new: false,
            id: spec.id,
            title: spec.title.clone(),
            description: spec.description.clone(),
            rank: spec.rank.to_string(),
            hidden: spec.hidden,
            duration_seconds: spec
                .duration_hint_ms
                .map(|ms| (ms / 1000).to_string())
                .unwrap_or_default(),
            weights: spec
                .weights
                .as_ref()
                .map(|w| w.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
            toy: ToyFields::of(spec.toy.as_ref()),
            focus: 0,
            problem: None,
            base: base.clone(),
        };
        form.check();
        form
    }

    /// A new prize after the last, with the next free id.
    pub fn add(base: &GameConfig) -> PrizeForm {
        let explicit = base.prizes.iter().any(|p| p.weights.is_some());
        let mut form = PrizeForm {
            index: base.prizes.len(),
            new: true,
            id: base.prizes.iter().map(|p| p.id).max().unwrap_or(0) + 1,
            title: String::new(),
            description: String::new(),
            rank: "1".into(),
            hidden: false,
            duration_seconds: String::new(),
            weights: explicit.then(|| vec!["1"; base.tiers.len()].join(", ")),
            toy: ToyFields::of(None),
            focus: 0,
            problem: None,
            base: base.clone(),
        };
        form.check();
        form
    }

    pub fn fields(&self) -> Vec<PrizeField> {
        let mut fields = vec![
            PrizeField::Title,
            PrizeField::Description,
            PrizeField::Rank,
            PrizeField::Hidden,
            PrizeField::DurationSeconds,
        ];
        if self.weights.is_some() {
            fields.push(PrizeField::Weights);
        }
        fields.extend(self.toy.shown().iter().map(|t| PrizeField::Toy(*t)));
        fields
    }

    pub fn focused(&self) -> PrizeField {
        let fields = self.fields();
        fields[self.focus.min(fields.len() - 1)]
    }

    pub fn value(&self, field: PrizeField) -> String {
        match field {
            PrizeField::Title => self.title.clone(),
            PrizeField::Description => self.description.clone(),
            PrizeField::Rank => self.rank.clone(),
            PrizeField::Hidden => if self.hidden { "yes" } else { "no" }.into(),
            PrizeField::DurationSeconds => self.duration_seconds.clone(),
            PrizeField::Weights => self.weights.clone().unwrap_or_default(),
            PrizeField::Toy(toy) => self.toy.value(toy),
        }
    }

    fn text_mut(&mut self, field: PrizeField) -> Option<&mut String> {
        match field {
            PrizeField::Title => Some(&mut self.title),
            PrizeField::Description => Some(&mut self.description),
            PrizeField::Rank => Some(&mut self.rank),
            PrizeField::DurationSeconds => Some(&mut self.duration_seconds),
            PrizeField::Weights => self.weights.as_mut(),
            PrizeField::Toy(toy) => self.toy.text_mut(toy),
            PrizeField::Hidden => None,
        }
    }

    fn path(&self, field: PrizeField) -> String {
        format!("prizes[{}].{}", self.index, field.suffix())
    }

    /// The prize as the server takes it, or the field at fault.
    pub fn spec(&self) -> Result<PrizeSpec, Problem> {
        let number = |field: PrizeField, text: &str| whole(text).map_err(|e| (self.path(field), e));
        let rank = number(PrizeField::Rank, &self.rank)?.unwrap_or(0);
        let weights = match &self.weights {
            None => None,
            Some(text) => Some(
                text.split(',')
                    .map(|w| w.trim().parse::<i64>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        (
                            self.path(PrizeField::Weights),
                            format!("{text:?}: whole numbers, one per tier, like 10, 4"),
                        )
                    })?,
            ),
        };
        let toy: Option<ToyEffect> = self
            .toy
            .effect()
            .map_err(|(field, e)| (self.path(PrizeField::Toy(field)), e))?;
        Ok(PrizeSpec {
            id: self.id,
            title: self.title.trim().to_string(),
            description: self.description.trim().to_string(),
            rank: u8::try_from(rank).unwrap_or(u8::MAX),
            hidden: self.hidden,
            duration_hint_ms: number(PrizeField::DurationSeconds, &self.duration_seconds)?
                .map(|s| s.saturating_mul(1000)),
            weights,
            toy,
        })
    }

    /// The whole configuration with this prize in it, checked.
    pub fn config(&self) -> Result<GameConfig, Problem> {
        let spec = self.spec()?;
        let mut config = self.base.clone();
        if self.new {
            config.prizes.push(spec);
        } else {
            config.prizes[self.index] = spec;
        }
        check(&config)?;
        Ok(config)
    }

    fn check(&mut self) {
        self.problem = self.config().err();
    }

    /// What is wrong at `field`, if the current problem is there.
    pub fn problem_at(&self, field: PrizeField) -> Option<&str> {
        let (path, message) = self.problem.as_ref()?;
        let own = self.path(field);
        (*path == own || (field == PrizeField::Weights && path.starts_with(&own)))
            .then_some(message.as_str())
    }

    pub fn typing(&self) -> bool {
        let field = self.focused();
        field.is_text() || field.is_number() || field == PrizeField::Weights
    }

    pub fn type_char(&mut self, c: char) {
        let field = self.focused();
        let accepts = match field {
            PrizeField::Weights => c.is_ascii_digit() || c == ',' || c == ' ',
            f if f.is_number() => c.is_ascii_digit(),
            f => f.is_text(),
        };
        if accepts
            && let Some(text) = self.text_mut(field)
            && text.chars().count() < 500
        {
            text.push(c);
        }
        self.check();
    }

    /// An action on the form; `Some(true)` to keep it, `Some(false)` to drop it.
    pub(super) fn act(&mut self, action: Action) -> Option<bool> {
        let count = self.fields().len();
        let field = self.focused();
        match action {
            Action::Cancel => return Some(false),
            Action::Save => return Some(true),
            Action::NextField => self.focus = (self.focus + 1) % count,
            Action::PrevField => self.focus = (self.focus + count - 1) % count,
            Action::Toggle | Action::ToggleBack => match field {
                PrizeField::Hidden => self.hidden = !self.hidden,
                PrizeField::Toy(toy) => self.toy.toggle(toy, action == Action::Toggle),
                _ => {}
            },
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
    pub tiers: [String; 3],
    pub cooldown: String,
    /// `#rrggbb` each; empty for none.
    pub colours: [String; 4],
    pub focus: usize,
    pub problem: Option<Problem>,
    base: GameConfig,
}

impl SettingsForm {
    pub fn of(base: &GameConfig) -> SettingsForm {
        let tier = |i: usize| base.tiers.get(i).map(|t| t.cost.to_string());
        let colour = |i: usize| base.theme.colours()[i].1.unwrap_or_default().to_string();
        let mut form = SettingsForm {
            tiers: [0, 1, 2].map(|i| tier(i).unwrap_or_default()),
            cooldown: base
                .cooldown_secs
                .map(|s| s.to_string())
                .unwrap_or_default(),
            colours: [0, 1, 2, 3].map(colour),
            focus: 0,
            problem: None,
            base: base.clone(),
        };
        form.check();
        form
    }

    pub fn fields(&self) -> Vec<SettingsField> {
        let mut fields: Vec<SettingsField> = (0..3).map(SettingsField::Tier).collect();
        if self.base.game == GameKind::SpinWheel {
            fields.push(SettingsField::Cooldown);
        }
        fields.extend((0..4).map(SettingsField::Colour));
        fields
    }

    pub fn focused(&self) -> SettingsField {
        let fields = self.fields();
        fields[self.focus.min(fields.len() - 1)]
    }

    pub fn value(&self, field: SettingsField) -> &str {
        match field {
            SettingsField::Tier(i) => &self.tiers[i],
            SettingsField::Cooldown => &self.cooldown,
            SettingsField::Colour(i) => &self.colours[i],
        }
    }

    fn text_mut(&mut self, field: SettingsField) -> &mut String {
        match field {
            SettingsField::Tier(i) => &mut self.tiers[i],
            SettingsField::Cooldown => &mut self.cooldown,
            SettingsField::Colour(i) => &mut self.colours[i],
        }
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

    fn check(&mut self) {
        self.problem = self.config().err();
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

    /// Every settings field takes typed characters.
    pub fn typing(&self) -> bool {
        true
    }

    pub fn type_char(&mut self, c: char) {
        let field = self.focused();
        let accepts = match field {
            SettingsField::Colour(_) => c.is_ascii_hexdigit() || c == '#',
            _ => c.is_ascii_digit(),
        };
        let text = self.text_mut(field);
        if accepts && text.chars().count() < 12 {
            text.push(c);
        }
        self.check();
    }

    pub(super) fn act(&mut self, action: Action) -> Option<bool> {
        let count = self.fields().len();
        match action {
            Action::Cancel => return Some(false),
            Action::Save => return Some(true),
            Action::NextField => self.focus = (self.focus + 1) % count,
            Action::PrevField => self.focus = (self.focus + count - 1) % count,
            Action::Erase => {
                let field = self.focused();
                self.text_mut(field).pop();
            }
            _ => {}
        }
        self.check();
        None
    }
}
