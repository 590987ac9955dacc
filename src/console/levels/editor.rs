//! The tip-levels editor (`L`): the room's levels (token ranges) and
//! specials (exact amounts) edited as a draft, each entry in a form checked
//! as it is typed by the domain's own validation, tried on the toy by
//! hand, saved whole with `w` as the next version (a conflict explained);
//! a room without levels starts from a shipped template. Actions of the
//! keymap's level sections and text edits in, requests out; the runtime
//! sends the requests through the REST client. Nothing here does IO. The
//! list, the form, the session, the draft and the conflict are the editor
//! kit's; the levels' columns, fields and rules are here, in `entry` and in
//! `form`.

use super::entry::{Entry, Limits};
use super::form::{LevelForm, pattern_set};
use super::request::{LevelAnswer, LevelEffect, LevelRequest};
use crate::console::editor::EditorEffect;
use crate::console::editor::draft::Draft;
use crate::console::editor::form::{self, Outcome};
use crate::console::editor::session::Session;
use crate::console::screen::{Action, Screen};
use crate::console::text_field::TextEdit;
use crate::domain::tips::TipLevels;
use crate::protocol::TipLevelsView;
use crate::scoped::tip_levels::TipLevelsConflict;

/// The amount limit used until the server has said the room's own.
const ANY_AMOUNT: u64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The levels, then the specials.
    List,
    Form(Box<LevelForm>),
    ConfirmDelete {
        entry: Entry,
        index: usize,
        title: String,
    },
    Conflict(Box<TipLevelsConflict>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelEditor {
    /// The levels as the server has them; None while loading.
    pub view: Option<Box<TipLevelsView>>,
    /// Unsaved changes (the whole configuration, based on `view`'s version).
    pub draft: Draft<TipLevels>,
    /// The shipped template last put in the draft (`t` takes the next).
    pub template: Option<usize>,
    /// The selected row: the levels first, then the specials.
    pub selected: usize,
    pub step: Step,
    pub session: Session,
    /// A save is on its way (its answer says "saved").
    saving: bool,
    /// Opened from the lane screen: closing goes back there.
    pub from_lane: bool,
}

impl LevelEditor {
    /// A fresh editor and the request that loads it.
    pub fn open() -> (LevelEditor, LevelEffect) {
        let editor = LevelEditor {
            view: None,
            draft: Draft::default(),
            template: None,
            selected: 0,
            step: Step::List,
            session: Session::loading(),
            saving: false,
            from_lane: false,
        };
        (editor, EditorEffect::Send(LevelRequest::Load))
    }

    /// The configuration shown: the draft's when there is one.
    pub fn config(&self) -> Option<&TipLevels> {
        self.draft.shown(self.view.as_ref().map(|v| &v.levels))
    }

    pub fn version(&self) -> u64 {
        self.view.as_ref().map_or(0, |v| v.version)
    }

    /// What entries are checked against.
    pub fn limits(&self) -> Limits {
        Limits {
            max_amount: self
                .view
                .as_ref()
                .and_then(|v| v.max_amount)
                .unwrap_or(ANY_AMOUNT),
            patterns: self
                .view
                .as_ref()
                .map(|v| pattern_set(&v.patterns))
                .unwrap_or_default(),
        }
    }

    /// The entry of row `row`: a level, or a special after the levels.
    pub fn entry_at(&self, row: usize) -> Option<(Entry, usize)> {
        let config = self.config()?;
        let levels = config.levels.len();
        if row < levels {
            Some((Entry::Level, row))
        } else if row < levels + config.specials.len() {
            Some((Entry::Special, row - levels))
        } else {
            None
        }
    }

    pub fn rows(&self) -> usize {
        self.config()
            .map_or(0, |c| c.levels.len() + c.specials.len())
    }

    /// The row of entry `index` of `entry`.
    pub(super) fn row_of(&self, entry: Entry, index: usize) -> usize {
        match entry {
            Entry::Level => index,
            Entry::Special => self.config().map_or(0, |c| c.levels.len()) + index,
        }
    }

    pub(super) fn say(&mut self, error: bool, text: impl Into<String>) {
        self.session.say(error, text);
    }

    pub(super) fn send(&mut self, request: LevelRequest) -> Vec<LevelEffect> {
        self.session.waiting = true;
        self.saving = matches!(request, LevelRequest::Save { .. });
        vec![EditorEffect::Send(request)]
    }

    /// A change: it becomes the draft.
    pub(super) fn change(&mut self, config: TipLevels) {
        self.draft.change(config);
        self.selected = self.selected.min(self.rows().saturating_sub(1));
    }

    pub fn on_answer(&mut self, answer: LevelAnswer) {
        self.session.waiting = false;
        let saving = std::mem::take(&mut self.saving);
        match answer {
            LevelAnswer::Loaded(view) => {
                self.draft.take();
                self.view = Some(view);
                self.template = None;
                self.step = Step::List;
                self.selected = self.selected.min(self.rows().saturating_sub(1));
                let version = self.version();
                self.session.message = if saving {
                    Some((
                        false,
                        format!("saved: version {version}, for the tips from now on"),
                    ))
                } else if self.rows() == 0 {
                    Some((
                        false,
                        "no tip levels yet: t puts a shipped template in, w saves it".into(),
                    ))
                } else {
                    None
                };
            }
            LevelAnswer::Conflict(conflict) => self.step = Step::Conflict(conflict),
            LevelAnswer::Failed { message, field } => self.session.refused(message, field),
        }
    }

    /// Which of the editor's screens has the keys.
    pub fn screen(&self) -> Screen {
        match self.step {
            Step::List => Screen::Levels,
            Step::Form(_) => Screen::LevelForm,
            Step::ConfirmDelete { .. } => Screen::LevelDelete,
            Step::Conflict(_) => Screen::LevelConflict,
        }
    }

    /// Whether a text field of the form has the focus.
    pub fn typing(&self) -> bool {
        matches!(&self.step, Step::Form(form) if form.typing())
    }

    /// A typed character, an editing key or a paste into the form.
    pub fn edit(&mut self, edit: TextEdit) {
        if !self.session.admit_edit(edit) {
            return;
        }
        if let Step::Form(form) = &mut self.step {
            form::edit(form.as_mut(), edit);
        }
    }

    /// An action of the section of `self.screen()`.
    pub fn on_action(&mut self, action: Action) -> Vec<LevelEffect> {
        if !self.session.admit(action) {
            return Vec::new();
        }
        match std::mem::replace(&mut self.step, Step::List) {
            Step::List => self.list_action(action),
            Step::Form(form) if action == Action::Preview => {
                // Try the entry being edited, unsaved.
                let effect = form
                    .config()
                    .ok()
                    .and_then(|c| super::entry::try_effect(&c, form.entry, form.index));
                self.step = Step::Form(form);
                self.preview(effect)
            }
            Step::Form(mut form) => {
                match form::act(form.as_mut(), action) {
                    Outcome::Editing => self.step = Step::Form(form),
                    Outcome::Drop => {}
                    Outcome::Keep => match form.config() {
                        Ok(config) => {
                            let row = self.row_of(form.entry, form.index);
                            self.change(config);
                            self.selected = row;
                            self.say(false, "changed: w saves the levels");
                        }
                        Err(problem) => {
                            form.problem = Some(problem);
                            self.step = Step::Form(form);
                        }
                    },
                }
                Vec::new()
            }
            Step::ConfirmDelete {
                entry,
                index,
                title,
            } => {
                match (action, self.config().cloned()) {
                    (Action::Confirm, Some(mut config)) => {
                        match entry {
                            Entry::Level => drop(config.levels.remove(index)),
                            Entry::Special => drop(config.specials.remove(index)),
                        }
                        self.change(config);
                        self.say(false, format!("deleted {title:?} (w saves)"));
                    }
                    _ => self.say(false, format!("kept {title:?}")),
                }
                Vec::new()
            }
            Step::Conflict(conflict) => self.conflict_action(action, conflict),
        }
    }

    pub(super) fn preview(
        &mut self,
        effect: Option<crate::domain::toy_effect::ToyEffect>,
    ) -> Vec<LevelEffect> {
        match effect {
            Some(effect) => vec![EditorEffect::Preview(effect)],
            None => {
                self.say(
                    true,
                    "nothing to try: a random level draws one of the levels (try those), \
                     and a form with a problem cannot play",
                );
                Vec::new()
            }
        }
    }
}
