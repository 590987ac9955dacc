//! The game editor (`g`): the room's slot machine and spin wheel, one at a
//! time. Prizes, tiers, cooldown and theme are edited as a draft whose odds
//! show live (the server's own rules compute them), saved whole with `w`;
//! the seed is rotated after a confirmation; a version conflict is
//! explained. Actions of the keymap's game sections and text edits in,
//! requests out; the runtime sends the requests through the REST client
//! and hands the answers back. Nothing here does IO. The list, the forms,
//! the session, the draft and the conflict are the editor kit's; the
//! games' columns, fields and rules are here and in `prizes`.

use std::sync::Arc;

use super::prize::{PrizeForm, Problem, check};
use super::request::{GameAnswer, GameEffect, GameRequest};
use super::settings::SettingsForm;
use crate::console::editor::EditorEffect;
use crate::console::editor::draft::Draft;
use crate::console::editor::form::{self, Form, Outcome};
use crate::console::editor::session::Session;
use crate::console::screen::{Action, Screen};
use crate::console::text_field::TextEdit;
use crate::games::api::{GameConflict, GameView, Rotated};
use crate::games::{GameConfig, GameKind, TierOdds, odds_table};

#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    /// The game: prizes with their odds at every tier, settings, seed.
    Game,
    Prize(Box<PrizeForm>),
    Settings(Box<SettingsForm>),
    ConfirmDelete {
        index: usize,
        title: String,
    },
    ConfirmRotate,
    /// The seed a rotation revealed.
    Revealed(Box<Rotated>),
    Conflict(Box<GameConflict>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GameEditor {
    pub game: GameKind,
    /// The game as the server has it; None while loading or when the room
    /// has none yet.
    pub view: Option<Box<GameView>>,
    /// Unsaved changes (a whole configuration, based on `view`'s version).
    pub draft: Draft<GameConfig>,
    /// Where a new game's draft comes from.
    pub template: Option<String>,
    /// The odds of the configuration shown, or why it cannot draw.
    pub odds: Result<Vec<TierOdds>, Problem>,
    pub prize: usize,
    pub level: Level,
    pub session: Session,
    /// The room's imported patterns, offered in the prizes' toy effects.
    pub patterns: Arc<[Arc<str>]>,
}

impl GameEditor {
    /// An editor on the slot machine and the request that loads it.
    pub fn open() -> (GameEditor, GameEffect) {
        GameEditor::on(GameKind::SlotMachine)
    }

    pub(super) fn on(game: GameKind) -> (GameEditor, GameEffect) {
        let editor = GameEditor {
            game,
            view: None,
            draft: Draft::default(),
            template: None,
            odds: Ok(Vec::new()),
            prize: 0,
            level: Level::Game,
            session: Session::loading(),
            patterns: Arc::from([]),
        };
        (editor, EditorEffect::Send(GameRequest::Load(game)))
    }

    /// The configuration shown: the draft's when there is one.
    pub fn config(&self) -> Option<&GameConfig> {
        self.draft.shown(self.view.as_ref().map(|v| &v.config))
    }

    pub fn unsaved(&self) -> bool {
        self.draft.unsaved()
    }

    pub(super) fn say(&mut self, error: bool, text: impl Into<String>) {
        self.session.say(error, text);
    }

    pub(super) fn send(&mut self, request: GameRequest) -> Vec<GameEffect> {
        self.session.waiting = true;
        vec![EditorEffect::Send(request)]
    }

    /// A change to the configuration: it becomes the draft, and the odds
    /// follow it.
    pub(super) fn change(&mut self, config: GameConfig) {
        self.draft.change(config);
        self.refresh();
    }

    fn refresh(&mut self) {
        self.odds = match self.config() {
            Some(config) => check(config).map(|game| odds_table(&game)),
            None => Ok(Vec::new()),
        };
        let count = self.config().map_or(0, |c| c.prizes.len());
        self.prize = self.prize.min(count.saturating_sub(1));
    }

    pub fn on_answer(&mut self, answer: GameAnswer) {
        // The pattern names come beside another answer, not as one.
        self.session.waiting &= matches!(answer, GameAnswer::Patterns(_));
        match answer {
            GameAnswer::Patterns(names) => self.patterns = names,
            GameAnswer::Loaded(view) => {
                let saved = self.draft.take().is_some();
                self.view = Some(view);
                self.template = None;
                self.level = Level::Game;
                self.refresh();
                let version = self.view.as_ref().map_or(0, |v| v.version);
                self.session.message = saved.then(|| (false, format!("saved: version {version}")));
            }
            GameAnswer::Missing(game) => {
                // A first configuration starts from the shipped template.
                self.view = None;
                let template = crate::games::templates::templates()
                    .into_iter()
                    .find(|t| t.config.game == game);
                self.template = template.as_ref().map(|t| t.name.clone());
                match template {
                    Some(t) => {
                        let mut config = t.config;
                        config.version = 0;
                        self.change(config);
                        self.say(
                            false,
                            format!(
                                "the room has no {} yet: this is the {} template, w saves it",
                                title(game),
                                t.name
                            ),
                        );
                    }
                    None => self.say(true, format!("the room has no {}", title(game))),
                }
            }
            GameAnswer::Rotated(rotated) => {
                if let Some(view) = self.view.as_mut() {
                    view.commitment = rotated.commitment.clone();
                }
                self.level = Level::Revealed(rotated);
            }
            GameAnswer::Conflict(conflict) => self.level = Level::Conflict(conflict),
            GameAnswer::Failed { message, field } => self.session.refused(message, field),
        }
    }

    /// Which of the editor's screens has the keys.
    pub fn screen(&self) -> Screen {
        match self.level {
            Level::Game => Screen::Games,
            Level::Prize(_) => Screen::PrizeForm,
            Level::Settings(_) => Screen::GameSettings,
            Level::ConfirmDelete { .. } => Screen::PrizeDelete,
            Level::ConfirmRotate => Screen::SeedRotate,
            Level::Revealed(_) => Screen::SeedRevealed,
            Level::Conflict(_) => Screen::GameConflict,
        }
    }

    /// Whether a text field of a form has the focus.
    pub fn typing(&self) -> bool {
        match &self.level {
            Level::Prize(form) => form::typing(form.as_ref()),
            Level::Settings(form) => form::typing(form.as_ref()),
            _ => false,
        }
    }

    /// A typed character, an editing key or a paste into the form.
    pub fn edit(&mut self, edit: TextEdit) {
        if !self.session.admit_edit(edit) {
            return;
        }
        match &mut self.level {
            Level::Prize(form) => form::edit(form.as_mut(), edit),
            Level::Settings(form) => form::edit(form.as_mut(), edit),
            _ => {}
        }
    }

    /// An action of the section of `self.screen()`.
    pub fn on_action(&mut self, action: Action) -> Vec<GameEffect> {
        if !self.session.admit(action) {
            return Vec::new();
        }
        match std::mem::replace(&mut self.level, Level::Game) {
            Level::Game => self.game_action(action),
            Level::Prize(form) if action == Action::Preview => {
                let effect = form.spec().ok().and_then(|spec| spec.toy);
                self.level = Level::Prize(form);
                self.preview(effect)
            }
            Level::Prize(form) => self.form_action(form, action, Level::Prize, PrizeForm::config),
            Level::Settings(form) => {
                self.form_action(form, action, Level::Settings, SettingsForm::config)
            }
            Level::ConfirmDelete { index, title } => {
                match (action, self.config().cloned()) {
                    (Action::Confirm, Some(mut config)) => {
                        config.prizes.remove(index);
                        self.change(config);
                        self.say(false, format!("deleted {title:?} (w saves)"));
                    }
                    _ => self.say(false, format!("kept {title:?}")),
                }
                Vec::new()
            }
            Level::ConfirmRotate => match action {
                Action::Confirm => self.send(GameRequest::Rotate(self.game)),
                _ => Vec::new(),
            },
            Level::Revealed(rotated) => {
                if action != Action::Close {
                    self.level = Level::Revealed(rotated);
                }
                Vec::new()
            }
            Level::Conflict(conflict) => self.conflict_action(action, conflict),
        }
    }

    /// An action of a form: kept, its configuration becomes the draft;
    /// dropped, back to the game.
    fn form_action<F: Form>(
        &mut self,
        mut form: Box<F>,
        action: Action,
        level: fn(Box<F>) -> Level,
        config: fn(&F) -> Result<GameConfig, Problem>,
    ) -> Vec<GameEffect> {
        match form::act(form.as_mut(), action) {
            Outcome::Editing => self.level = level(form),
            Outcome::Drop => {}
            Outcome::Keep => {
                let config = config(&form);
                self.keep(config, level(form));
            }
        }
        Vec::new()
    }

    /// A form's configuration becomes the draft, or the form stays open
    /// with its problem.
    fn keep(&mut self, config: Result<GameConfig, Problem>, form: Level) {
        match config {
            Ok(config) => {
                self.change(config);
                self.say(false, "changed: w saves the game");
            }
            Err(problem) => {
                self.level = form;
                self.say(true, format!("{}: {}", problem.0, problem.1));
            }
        }
    }
}

/// How the editor names a game.
pub fn title(game: GameKind) -> &'static str {
    match game {
        GameKind::SlotMachine => "slot machine",
        GameKind::SpinWheel => "spin wheel",
    }
}
