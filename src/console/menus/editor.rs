//! The chip-menu editor (`m`): the performer's menus, their items, an item
//! form with inline validation, and version conflicts explained. Actions of
//! the keymap's menu sections and text edits in, requests out; the runtime
//! sends the requests through `MenuClient` and hands the answers back.
//! Nothing here does IO. The list, the form, the session, the draft and
//! the conflict are the editor kit's; the menus' columns, fields and rules
//! are here and in `items`.

use std::sync::Arc;

use super::form::ItemForm;
use super::request::{MenuAnswer, MenuEffect, MenuRequest};
use crate::console::editor::EditorEffect;
use crate::console::editor::conflict::Choice;
use crate::console::editor::draft::Draft;
use crate::console::editor::form::{self, Outcome};
use crate::console::editor::session::Session;
use crate::console::screen::{Action, Screen};
use crate::console::text_field::TextEdit;
use crate::menus::api::VersionConflict;
use crate::menus::model::{MenuSpec, MenuView};
use crate::menus::pricing::price;

#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    /// The list of menus.
    Menus,
    /// One menu's items; its settings (multiplier, queue mode, visibility)
    /// are edited here as a draft saved with `w`.
    Items,
    Form(Box<ItemForm>),
    ConfirmDelete {
        item: String,
        title: String,
    },
    /// A save hit a newer version: what changed, and the request to re-apply.
    Conflict {
        conflict: Box<VersionConflict>,
        request: MenuRequest,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MenuEditor {
    pub menus: Vec<MenuView>,
    pub menu: usize,
    pub item: usize,
    pub level: Level,
    pub session: Session,
    /// The open menu's settings as changed and not yet saved.
    pub draft: Draft<MenuSpec>,
    /// The last request, to re-apply after a conflict.
    last: Option<MenuRequest>,
    /// The room's imported patterns, offered in the items' toy effects.
    pub patterns: Arc<[Arc<str>]>,
}

impl Default for MenuEditor {
    fn default() -> Self {
        MenuEditor {
            menus: Vec::new(),
            menu: 0,
            item: 0,
            level: Level::Menus,
            session: Session::loading(),
            draft: Draft::default(),
            patterns: Arc::from([]),
            last: None,
        }
    }
}

impl MenuEditor {
    /// A fresh editor and the request that loads it.
    pub fn open() -> (MenuEditor, MenuEffect) {
        (MenuEditor::default(), EditorEffect::Send(MenuRequest::List))
    }

    pub fn current(&self) -> Option<&MenuView> {
        self.menus.get(self.menu)
    }

    pub(super) fn say(&mut self, error: bool, text: impl Into<String>) {
        self.session.say(error, text);
    }

    pub(super) fn send(&mut self, request: MenuRequest) -> Vec<MenuEffect> {
        self.session.waiting = true;
        self.last = Some(request.clone());
        vec![EditorEffect::Send(request)]
    }

    /// The menu's settings shown: the draft's when there is one.
    pub fn settings(&self) -> Option<MenuSpec> {
        match self.draft.get() {
            Some(draft) => Some(draft.clone()),
            None => self.current().map(MenuView::to_spec),
        }
    }

    /// The multiplier shown: the draft's when there is one.
    pub fn multiplier(&self) -> u16 {
        match self.draft.get() {
            Some(draft) => draft.multiplier,
            None => self.current().map_or(100, |m| m.multiplier),
        }
    }

    /// An item's price at the multiplier shown.
    pub fn price_of(&self, base: u64) -> u64 {
        price(base, self.multiplier())
    }

    pub fn on_answer(&mut self, answer: MenuAnswer) {
        // The pattern names come beside another answer, not as one.
        self.session.waiting &= matches!(answer, MenuAnswer::Patterns(_));
        match answer {
            MenuAnswer::Patterns(names) => self.patterns = names,
            MenuAnswer::Menus(menus) => {
                self.menus = menus;
                self.menu = self.menu.min(self.menus.len().saturating_sub(1));
                self.session.message = None;
            }
            MenuAnswer::Menu(view) => {
                let view = *view;
                let version = view.version;
                match self.menus.iter_mut().position(|m| m.id == view.id) {
                    Some(at) => self.menus[at] = view,
                    None => self.menus.push(view),
                }
                if self.level != Level::Menus {
                    self.level = Level::Items;
                    self.draft.take();
                }
                self.say(false, format!("saved: version {version}"));
            }
            MenuAnswer::Conflict(conflict) => {
                let request = self.last.clone().unwrap_or(MenuRequest::List);
                self.level = Level::Conflict { conflict, request };
            }
            MenuAnswer::Failed(message) => self.say(true, message),
        }
    }

    /// Which of the editor's screens has the keys.
    pub fn screen(&self) -> Screen {
        match self.level {
            Level::Menus => Screen::Menus,
            Level::Items => Screen::MenuItems,
            Level::Form(_) => Screen::MenuForm,
            Level::ConfirmDelete { .. } => Screen::MenuDelete,
            Level::Conflict { .. } => Screen::MenuConflict,
        }
    }

    /// Whether a text field of the item form has the focus.
    pub fn typing(&self) -> bool {
        matches!(&self.level, Level::Form(form) if form.typing())
    }

    /// A typed character, an editing key or a paste into the item form.
    pub fn edit(&mut self, edit: TextEdit) {
        if !self.session.admit_edit(edit) {
            return;
        }
        if let Level::Form(form) = &mut self.level {
            form::edit(form.as_mut(), edit);
        }
    }

    /// An action of the section of `self.screen()`.
    pub fn on_action(&mut self, action: Action) -> Vec<MenuEffect> {
        if !self.session.admit(action) {
            return Vec::new();
        }
        match std::mem::replace(&mut self.level, Level::Menus) {
            Level::Menus => self.menus_action(action),
            Level::Items => self.items_action(action),
            Level::Form(form) if action == Action::Preview => {
                // Try the effect being edited on the toy, without saving it.
                let effect = form.spec().ok().and_then(|spec| spec.toy);
                self.level = Level::Form(form);
                match effect {
                    Some(effect) => vec![EditorEffect::Preview(effect)],
                    None => {
                        self.say(
                            true,
                            "nothing to preview: turn the toy effect on and fix any problem first",
                        );
                        Vec::new()
                    }
                }
            }
            Level::Form(mut form) => match form::act(form.as_mut(), action) {
                Outcome::Editing => {
                    self.level = Level::Form(form);
                    Vec::new()
                }
                Outcome::Drop => {
                    self.level = Level::Items;
                    Vec::new()
                }
                Outcome::Keep => self.save_form(form),
            },
            Level::ConfirmDelete { item, title } => {
                self.level = Level::Items;
                match (action, self.current()) {
                    (Action::Confirm, Some(menu)) => {
                        let request = MenuRequest::DeleteItem {
                            menu: menu.id.clone(),
                            version: menu.version,
                            item,
                        };
                        self.send(request)
                    }
                    _ => {
                        self.say(false, format!("kept {title}"));
                        Vec::new()
                    }
                }
            }
            Level::Conflict { conflict, request } => {
                self.conflict_action(action, conflict, request)
            }
        }
    }

    fn conflict_action(
        &mut self,
        action: Action,
        conflict: Box<VersionConflict>,
        request: MenuRequest,
    ) -> Vec<MenuEffect> {
        match Choice::of(action) {
            Choice::Reload => {
                // Reload: take the server's menu as it is now.
                let Some(current) = conflict.current.clone() else {
                    self.level = Level::Menus;
                    return self.send(MenuRequest::List);
                };
                self.on_answer(MenuAnswer::Menu(current.into()));
                self.say(false, "reloaded; your change was not applied");
                self.level = Level::Items;
                Vec::new()
            }
            Choice::Reapply => {
                let rebased = request.rebased(conflict.current_version);
                self.level = Level::Items;
                self.send(rebased)
            }
            Choice::Cancel => {
                self.level = Level::Items;
                Vec::new()
            }
            Choice::Undecided => {
                self.level = Level::Conflict { conflict, request };
                Vec::new()
            }
        }
    }
}
