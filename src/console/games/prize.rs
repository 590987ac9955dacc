//! The game editor's prize form, checked as it changes by the server's own
//! rules ([`Game::new`]) on the whole configuration it would make, so a
//! problem shows beside its field before anything is sent.

pub use crate::console::editor::form::Problem;
use crate::console::editor::form::{Form, focused, form_fields};
use crate::console::editor::toy_fields::{ToyField, ToyFields, whole};
use crate::console::text_field::{Accept, TextField};
use crate::domain::toy_effect::ToyEffect;
use crate::games::{Game, GameConfig, PrizeSpec};

/// The most characters a field holds.
const FIELD_CHARS: usize = 500;

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
}

/// One prize as the performer types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrizeForm {
    /// Its place in the list; a new prize goes last.
    pub index: usize,
    pub new: bool,
    pub id: u32,
    pub title: TextField,
    pub description: TextField,
    pub rank: TextField,
    pub hidden: bool,
    pub duration_seconds: TextField,
    /// "10, 4" (tier 1 first), when the game gives explicit weights.
    pub weights: Option<TextField>,
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
            title: text(spec.title.clone()),
            description: text(spec.description.clone()),
            rank: number(spec.rank.to_string()),
            hidden: spec.hidden,
            duration_seconds: number(
                spec.duration_hint_ms
                    .map(|ms| (ms / 1000).to_string())
                    .unwrap_or_default(),
            ),
            weights: spec
                .weights
                .as_ref()
                .map(|w| weights(w.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))),
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
            title: text(String::new()),
            description: text(String::new()),
            rank: number("1".into()),
            hidden: false,
            duration_seconds: number(String::new()),
            weights: explicit.then(|| weights(vec!["1"; base.tiers.len()].join(", "))),
            toy: ToyFields::of(None),
            focus: 0,
            problem: None,
            base: base.clone(),
        };
        form.check();
        form
    }

    pub fn focused(&self) -> PrizeField {
        focused(self)
    }

    pub fn value(&self, field: PrizeField) -> String {
        match field {
            PrizeField::Hidden => if self.hidden { "yes" } else { "no" }.into(),
            PrizeField::Toy(toy) => self.toy.value(toy),
            text => self
                .text(text)
                .map(TextField::to_string)
                .unwrap_or_default(),
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

    /// What is wrong at `field`, if the current problem is there.
    pub fn problem_at(&self, field: PrizeField) -> Option<&str> {
        let (path, message) = self.problem.as_ref()?;
        let own = self.path(field);
        (*path == own || (field == PrizeField::Weights && path.starts_with(&own)))
            .then_some(message.as_str())
    }
}

impl Form for PrizeForm {
    type Field = PrizeField;

    fn fields(&self) -> Vec<PrizeField> {
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

    form_fields! {
        PrizeField, form, field;
        focus => focus;
        else => match field {
            PrizeField::Weights => form.weights.as_ref(),
            PrizeField::Toy(toy) => form.toy.text(toy),
            _ => None,
        },
        match field {
            PrizeField::Weights => form.weights.as_mut(),
            PrizeField::Toy(toy) => form.toy.text_mut(toy),
            _ => None,
        };
        PrizeField::Title => form.title,
        PrizeField::Description => form.description,
        PrizeField::Rank => form.rank,
        PrizeField::DurationSeconds => form.duration_seconds,
    }

    fn toggle(&mut self, field: PrizeField, forward: bool) {
        match field {
            PrizeField::Hidden => self.hidden = !self.hidden,
            PrizeField::Toy(toy) => self.toy.toggle(toy, forward),
            _ => {}
        }
    }

    fn check(&mut self) {
        self.problem = self.config().err();
    }
}

fn text(value: String) -> TextField {
    TextField::new(value, Accept::Text, FIELD_CHARS)
}

fn number(value: String) -> TextField {
    TextField::new(value, Accept::Digits, FIELD_CHARS)
}

fn weights(value: String) -> TextField {
    TextField::new(value, Accept::DigitList, FIELD_CHARS)
}
