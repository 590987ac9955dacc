//! The game editor's list: the prizes of the game shown, moved, edited,
//! added, hidden and deleted in the draft; the settings, the seed, the
//! other game; saving the draft, and a conflict's way out.

use super::editor::{GameEditor, Level, title};
use super::prize::{PrizeForm, check};
use super::request::{GameAnswer, GameEffect, GameRequest};
use super::settings::SettingsForm;
use crate::console::editor::EditorEffect;
use crate::console::editor::conflict::Choice;
use crate::console::editor::rows;
use crate::console::screen::Action;
use crate::domain::toy_effect::ToyEffect;
use crate::games::GameKind;
use crate::games::api::GameConflict;

impl GameEditor {
    pub(super) fn preview(&mut self, effect: Option<ToyEffect>) -> Vec<GameEffect> {
        match effect {
            Some(effect) => vec![EditorEffect::Preview(effect)],
            None => {
                self.say(true, "nothing to preview: this prize has no toy effect");
                Vec::new()
            }
        }
    }

    /// Leaving (esc, or the other game) with unsaved changes warns once.
    fn may_leave(&mut self) -> bool {
        self.draft.may_leave_or_warn(&mut self.session)
    }

    pub(super) fn game_action(&mut self, action: Action) -> Vec<GameEffect> {
        let Some(config) = self.config().cloned() else {
            return match action {
                Action::Close => vec![EditorEffect::Close],
                Action::OtherGame | Action::Reload => self.switch(action),
                _ => Vec::new(),
            };
        };
        let count = config.prizes.len();
        match action {
            Action::Close if self.may_leave() => return vec![EditorEffect::Close],
            Action::OtherGame | Action::Reload if self.may_leave() => {
                return self.switch(action);
            }
            Action::Up | Action::Down => self.prize = rows::select(self.prize, action, count),
            Action::MoveUp | Action::MoveDown if count > 1 => {
                // The list order is for display: odds and hash stay.
                let mut config = config;
                if let Some(to) = rows::moved(&mut config.prizes, self.prize, action) {
                    self.prize = to;
                    self.change(config);
                }
            }
            Action::Edit if count > 0 => {
                let mut form = PrizeForm::edit(&config, self.prize);
                form.toy.imported = self.patterns.clone();
                self.level = Level::Prize(Box::new(form));
            }
            Action::Add => {
                let most = *config.game.prize_range().end();
                if count >= most {
                    self.say(
                        true,
                        format!("the {} holds at most {most} prizes", title(config.game)),
                    );
                } else {
                    let mut form = PrizeForm::add(&config);
                    form.toy.imported = self.patterns.clone();
                    self.level = Level::Prize(Box::new(form));
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
        let Some(draft) = self.draft.get().cloned() else {
            self.say(false, "nothing to save");
            return Vec::new();
        };
        if let Err((field, problem)) = check(&draft) {
            self.say(true, format!("not saved: {field}: {problem}"));
            return Vec::new();
        }
        self.send(GameRequest::Save(Box::new(draft)))
    }

    pub(super) fn conflict_action(
        &mut self,
        action: Action,
        conflict: Box<GameConflict>,
    ) -> Vec<GameEffect> {
        match Choice::of(action) {
            Choice::Reload => {
                // Theirs as it is now; the change is dropped.
                self.draft.take();
                match conflict.current {
                    Some(current) => {
                        self.on_answer(GameAnswer::Loaded(current));
                        self.say(false, "reloaded; your change was not applied");
                        Vec::new()
                    }
                    None => self.send(GameRequest::Load(self.game)),
                }
            }
            Choice::Reapply => match self.draft.get_mut() {
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
            Choice::Cancel => Vec::new(),
            Choice::Undecided => {
                self.level = Level::Conflict(conflict);
                Vec::new()
            }
        }
    }
}
