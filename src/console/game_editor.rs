//! The game editor (`g`): the room's slot machine and spin wheel, one at a
//! time. Prizes, tiers, cooldown and theme are edited as a draft whose odds
//! show live (the server's own rules compute them), saved whole with `w`;
//! the seed is rotated after a confirmation; a version conflict is
//! explained. Actions of the keymap's game sections and typed characters
//! in, requests out; the runtime sends the requests through the REST client
//! and hands the answers back. Nothing here does IO.

use super::game_form::{PrizeForm, Problem, SettingsForm, check};
use super::screen::{Action, Screen};
use crate::domain::toy_effect::ToyEffect;
use crate::games::api::{GameConflict, GameView, Rotated};
use crate::games::{GameConfig, GameKind, TierOdds, odds_table};

/// A request to send to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GameRequest {
    Load(GameKind),
    /// Save a configuration; its `version` is the one it is based on.
    Save(Box<GameConfig>),
    Rotate(GameKind),
}

/// The answer to a request.
#[derive(Debug, Clone)]
pub enum GameAnswer {
    Loaded(Box<GameView>),
    /// The room has no such game yet.
    Missing(GameKind),
    Rotated(Box<Rotated>),
    Conflict(Box<GameConflict>),
    /// Refused or not sent: the server's message, and the field it names.
    Failed {
        message: String,
        field: Option<String>,
    },
}

/// What the editor asks of the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GameEffect {
    Send(GameRequest),
    /// Try a prize's toy effect on the toy.
    Preview(ToyEffect),
    /// Leave the editor, back to the queue.
    Close,
}

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
    pub draft: Option<Box<GameConfig>>,
    /// Where a new game's draft comes from.
    pub template: Option<String>,
    /// The odds of the configuration shown, or why it cannot draw.
    pub odds: Result<Vec<TierOdds>, Problem>,
    pub prize: usize,
    pub level: Level,
    pub waiting: bool,
    pub message: Option<(bool, String)>,
    /// Leaving with unsaved changes was warned about once.
    warned: bool,
}

impl GameEditor {
    /// An editor on the slot machine and the request that loads it.
    pub fn open() -> (GameEditor, GameEffect) {
        GameEditor::on(GameKind::SlotMachine)
    }

    fn on(game: GameKind) -> (GameEditor, GameEffect) {
        let editor = GameEditor {
            game,
            view: None,
            draft: None,
            template: None,
            odds: Ok(Vec::new()),
            prize: 0,
            level: Level::Game,
            waiting: true,
            message: None,
            warned: false,
        };
        (editor, GameEffect::Send(GameRequest::Load(game)))
    }

    /// The configuration shown: the draft's when there is one.
    pub fn config(&self) -> Option<&GameConfig> {
        self.draft
            .as_deref()
            .or(self.view.as_ref().map(|v| &v.config))
    }

    pub fn unsaved(&self) -> bool {
        self.draft.is_some()
    }

    fn say(&mut self, error: bool, text: impl Into<String>) {
        self.message = Some((error, text.into()));
    }

    fn send(&mut self, request: GameRequest) -> Vec<GameEffect> {
        self.waiting = true;
        vec![GameEffect::Send(request)]
    }

    /// A change to the configuration: it becomes the draft, and the odds
    /// follow it.
    fn change(&mut self, config: GameConfig) {
        self.draft = Some(Box::new(config));
        self.warned = false;
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
        self.waiting = false;
        match answer {
            GameAnswer::Loaded(view) => {
                let saved = self.draft.is_some();
                self.view = Some(view);
                self.draft = None;
                self.template = None;
                self.level = Level::Game;
                self.refresh();
                let version = self.view.as_ref().map_or(0, |v| v.version);
                self.message = saved.then(|| (false, format!("saved: version {version}")));
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
            GameAnswer::Failed { message, field } => {
                let text = match field {
                    Some(field) if !message.contains(&field) => format!("{field}: {message}"),
                    _ => message,
                };
                self.say(true, text);
            }
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
            Level::Prize(form) => form.typing(),
            Level::Settings(form) => form.typing(),
            _ => false,
        }
    }

    pub fn type_char(&mut self, c: char) {
        match &mut self.level {
            Level::Prize(form) => form.type_char(c),
            Level::Settings(form) => form.type_char(c),
            _ => {}
        }
    }

    /// An action of the section of `self.screen()`.
    pub fn on_action(&mut self, action: Action) -> Vec<GameEffect> {
        let leaving = matches!(action, Action::Close | Action::Cancel);
        if self.waiting && !leaving {
            self.say(false, "waiting for the server…");
            return Vec::new();
        }
        self.message = None;
        match std::mem::replace(&mut self.level, Level::Game) {
            Level::Game => self.game_action(action),
            Level::Prize(form) if action == Action::Preview => {
                let effect = form.spec().ok().and_then(|spec| spec.toy);
                self.level = Level::Prize(form);
                self.preview(effect)
            }
            Level::Prize(mut form) => {
                match form.act(action) {
                    None => self.level = Level::Prize(form),
                    Some(false) => {}
                    Some(true) => self.keep(form.config(), Level::Prize(form)),
                }
                Vec::new()
            }
            Level::Settings(mut form) => {
                match form.act(action) {
                    None => self.level = Level::Settings(form),
                    Some(false) => {}
                    Some(true) => self.keep(form.config(), Level::Settings(form)),
                }
                Vec::new()
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

    fn preview(&mut self, effect: Option<ToyEffect>) -> Vec<GameEffect> {
        match effect {
            Some(effect) => vec![GameEffect::Preview(effect)],
            None => {
                self.say(true, "nothing to preview: this prize has no toy effect");
                Vec::new()
            }
        }
    }

    /// Leaving (esc, or the other game) with unsaved changes warns once.
    fn may_leave(&mut self) -> bool {
        if self.draft.is_some() && !self.warned {
            self.warned = true;
            self.say(
                false,
                "not saved: w saves; the same key again drops the changes",
            );
            return false;
        }
        true
    }

    fn game_action(&mut self, action: Action) -> Vec<GameEffect> {
        let Some(config) = self.config().cloned() else {
            return match action {
                Action::Close => vec![GameEffect::Close],
                Action::OtherGame | Action::Reload => self.switch(action),
                _ => Vec::new(),
            };
        };
        let count = config.prizes.len();
        match action {
            Action::Close if self.may_leave() => return vec![GameEffect::Close],
            Action::OtherGame | Action::Reload if self.may_leave() => {
                return self.switch(action);
            }
            Action::Up => self.prize = self.prize.saturating_sub(1),
            Action::Down => self.prize = (self.prize + 1).min(count.saturating_sub(1)),
            Action::MoveUp | Action::MoveDown if count > 1 => {
                // The list order is for display: odds and hash stay.
                let to = if action == Action::MoveUp {
                    self.prize.checked_sub(1)
                } else {
                    Some(self.prize + 1).filter(|i| *i < count)
                };
                if let Some(to) = to {
                    let mut config = config;
                    config.prizes.swap(self.prize, to);
                    self.prize = to;
                    self.change(config);
                }
            }
            Action::Edit if count > 0 => {
                self.level = Level::Prize(Box::new(PrizeForm::edit(&config, self.prize)));
            }
            Action::Add => {
                let most = *config.game.prize_range().end();
                if count >= most {
                    self.say(
                        true,
                        format!("the {} holds at most {most} prizes", title(config.game)),
                    );
                } else {
                    self.level = Level::Prize(Box::new(PrizeForm::add(&config)));
                }
            }
            Action::Delete if count > 0 => {
                self.level = Level::ConfirmDelete {
                    index: self.prize,
                    title: config.prizes[self.prize].title.clone(),
                };
            }
            Action::Hide if count > 0 => {
                let mut config = config;
                let prize = &mut config.prizes[self.prize];
                prize.hidden = !prize.hidden;
                self.change(config);
            }
            Action::Settings => {
                self.level = Level::Settings(Box::new(SettingsForm::of(&config)));
            }
            Action::Preview if count > 0 => {
                return self.preview(config.prizes[self.prize].toy.clone());
            }
            Action::Save => return self.save(),
            Action::RotateSeed => match &self.view {
                Some(_) => self.level = Level::ConfirmRotate,
                None => self.say(true, "save the game first: it has no seed yet"),
            },
            _ => {}
        }
        Vec::new()
    }

    /// Load the other game, or this one again.
    fn switch(&mut self, action: Action) -> Vec<GameEffect> {
        let game = match (action, self.game) {
            (Action::OtherGame, GameKind::SlotMachine) => GameKind::SpinWheel,
            (Action::OtherGame, GameKind::SpinWheel) => GameKind::SlotMachine,
            _ => self.game,
        };
        let (editor, effect) = GameEditor::on(game);
        *self = editor;
        vec![effect]
    }

    fn save(&mut self) -> Vec<GameEffect> {
        let Some(draft) = self.draft.clone() else {
            self.say(false, "nothing to save");
            return Vec::new();
        };
        if let Err((field, problem)) = check(&draft) {
            self.say(true, format!("not saved: {field}: {problem}"));
            return Vec::new();
        }
        self.send(GameRequest::Save(draft))
    }

    fn conflict_action(&mut self, action: Action, conflict: Box<GameConflict>) -> Vec<GameEffect> {
        match action {
            Action::Reload => {
                // Theirs as it is now; the change is dropped.
                self.draft = None;
                match conflict.current {
                    Some(current) => {
                        self.on_answer(GameAnswer::Loaded(current));
                        self.say(false, "reloaded; your change was not applied");
                        Vec::new()
                    }
                    None => self.send(GameRequest::Load(self.game)),
                }
            }
            Action::Reapply => match self.draft.as_mut() {
                Some(draft) => {
                    // Mine, saved over theirs: based on their version.
                    draft.version = conflict.current_version;
                    if let Some(current) = conflict.current {
                        self.view = Some(current);
                    }
                    self.save()
                }
                None => Vec::new(),
            },
            Action::Cancel => Vec::new(),
            _ => {
                self.level = Level::Conflict(conflict);
                Vec::new()
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
