//! The tip-levels editor's list: levels and specials selected, moved
//! within their own list, edited, added, deleted and tried on the toy in
//! the draft; a shipped template taken in; saving the draft, and a
//! conflict's way out.

use super::editor::{LevelEditor, Step};
use super::entry::{Entry, try_effect};
use super::form::LevelForm;
use super::request::{LevelAnswer, LevelEffect, LevelRequest};
use crate::console::editor::EditorEffect;
use crate::console::editor::conflict::Choice;
use crate::console::editor::rows;
use crate::console::screen::Action;
use crate::domain::tips::MAX_TIP_ENTRIES;
use crate::scoped::tip_levels::{TipLevelsConflict, templates};

impl LevelEditor {
    /// Leaving (esc, or reload) with unsaved changes warns once.
    fn may_leave(&mut self) -> bool {
        self.draft.may_leave_or_warn(&mut self.session)
    }

    pub(super) fn list_action(&mut self, action: Action) -> Vec<LevelEffect> {
        let Some(config) = self.config().cloned() else {
            // Still loading: only leaving.
            return match action {
                Action::Close => vec![EditorEffect::Close],
                _ => Vec::new(),
            };
        };
        let selected = self.entry_at(self.selected);
        match action {
            Action::Close if self.may_leave() => return vec![EditorEffect::Close],
            Action::Reload if self.may_leave() => return self.send(LevelRequest::Load),
            Action::Up | Action::Down => {
                self.selected = rows::select(self.selected, action, self.rows());
            }
            Action::MoveUp | Action::MoveDown => {
                // Within its own list: matching never depends on the order.
                let Some((entry, index)) = selected else {
                    return Vec::new();
                };
                let mut config = config;
                let to = match entry {
                    Entry::Level => rows::moved(&mut config.levels, index, action),
                    Entry::Special => rows::moved(&mut config.specials, index, action),
                };
                if let Some(to) = to {
                    self.change(config);
                    self.selected = self.row_of(entry, to);
                }
            }
            Action::Edit => {
                if let Some((entry, index)) = selected {
                    self.open_form(entry, Some(index));
                }
            }
            Action::Add => self.add(Entry::Level),
            Action::AddSpecial => self.add(Entry::Special),
            Action::Delete => {
                if let Some((entry, index)) = selected {
                    let title = match entry {
                        Entry::Level => config.levels[index].label.to_string(),
                        Entry::Special => config.specials[index].label.to_string(),
                    };
                    self.step = Step::ConfirmDelete {
                        entry,
                        index,
                        title,
                    };
                }
            }
            Action::Preview => match selected {
                Some((entry, index)) => return self.preview(try_effect(&config, entry, index)),
                None => self.say(true, "nothing to try: add a level first"),
            },
            Action::Template => self.next_template(),
            Action::Save => return self.save(),
            _ => {}
        }
        Vec::new()
    }

    fn open_form(&mut self, entry: Entry, index: Option<usize>) {
        if let Some(config) = self.config() {
            let form = LevelForm::open(config, entry, index, self.limits());
            self.step = Step::Form(Box::new(form));
        }
    }

    fn add(&mut self, entry: Entry) {
        let count = self.config().map_or(0, |c| entry.count(c));
        if count >= MAX_TIP_ENTRIES {
            let what = entry.list();
            self.say(true, format!("at most {MAX_TIP_ENTRIES} {what}"));
            return;
        }
        self.open_form(entry, None);
    }

    /// The next shipped template becomes the draft (w saves it).
    fn next_template(&mut self) {
        let shipped = templates();
        if shipped.is_empty() {
            return;
        }
        let next = self.template.map_or(0, |t| (t + 1) % shipped.len());
        let template = &shipped[next];
        self.change(template.config.clone());
        self.template = Some(next);
        self.selected = 0;
        let names: Vec<&str> = shipped.iter().map(|t| t.name.as_str()).collect();
        self.say(
            false,
            format!(
                "template {} ({}): w saves it, t the next one",
                template.name,
                names.join(", ")
            ),
        );
    }

    fn save(&mut self) -> Vec<LevelEffect> {
        let Some(draft) = self.draft.get().cloned() else {
            self.say(false, "nothing to save");
            return Vec::new();
        };
        if let Err((field, problem)) = self.limits().check(&draft) {
            self.say(true, format!("not saved: {field}: {problem}"));
            return Vec::new();
        }
        let base = self.version();
        self.send(LevelRequest::Save {
            levels: Box::new(draft),
            base,
        })
    }

    pub(super) fn conflict_action(
        &mut self,
        action: Action,
        conflict: Box<TipLevelsConflict>,
    ) -> Vec<LevelEffect> {
        match Choice::of(action) {
            Choice::Reload => {
                // Theirs as it is now; the change is dropped.
                self.on_answer(LevelAnswer::Loaded(Box::new(conflict.current)));
                self.say(false, "reloaded; your change was not applied");
                Vec::new()
            }
            Choice::Reapply => {
                // Mine, saved over theirs: based on their version.
                self.view = Some(Box::new(conflict.current));
                self.save()
            }
            Choice::Cancel => Vec::new(),
            Choice::Undecided => {
                self.step = Step::Conflict(conflict);
                Vec::new()
            }
        }
    }
}
