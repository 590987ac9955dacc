//! The chip-menu editor (`m`): the performer's menus, their items, an item
//! form with inline validation, and version conflicts explained. Actions of
//! the keymap's menu sections and typed characters in, requests out; the
//! runtime sends the requests through `MenuClient` and hands the answers
//! back. Nothing here does IO.

use super::menu_form::cycle;
pub use super::menu_form::{Field, ItemForm};
use super::screen::{Action, Screen};
use crate::domain::toy_effect::ToyEffect;
use crate::menus::api::{SortKey, VersionConflict};
use crate::menus::model::{ItemSpec, MenuView, QueueMode, Visibility};
use crate::menus::pricing::price;

/// A change to send to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuRequest {
    List,
    UpdateMenu {
        menu: String,
        spec: Box<crate::menus::model::MenuSpec>,
    },
    AddItem {
        menu: String,
        version: u64,
        item: Box<ItemSpec>,
    },
    UpdateItem {
        menu: String,
        version: u64,
        item: Box<ItemSpec>,
    },
    DeleteItem {
        menu: String,
        version: u64,
        item: String,
    },
    Reorder {
        menu: String,
        version: u64,
        items: Vec<String>,
    },
    Sort {
        menu: String,
        version: u64,
        by: SortKey,
    },
}

impl MenuRequest {
    /// The same change based on another version (to re-apply it).
    fn rebased(&self, version: u64) -> MenuRequest {
        let mut request = self.clone();
        match &mut request {
            MenuRequest::UpdateMenu { spec, .. } => spec.version = Some(version),
            MenuRequest::AddItem { version: v, .. }
            | MenuRequest::UpdateItem { version: v, .. }
            | MenuRequest::DeleteItem { version: v, .. }
            | MenuRequest::Reorder { version: v, .. }
            | MenuRequest::Sort { version: v, .. } => *v = version,
            MenuRequest::List => {}
        }
        request
    }
}

/// What the editor asks of the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuEffect {
    Send(MenuRequest),
    /// Try an effect on the connected toy (or the virtual one).
    Preview(ToyEffect),
    /// Leave the editor, back to the queue.
    Close,
}

/// The answer to a request.
#[derive(Debug, Clone)]
pub enum MenuAnswer {
    Menus(Vec<MenuView>),
    Menu(Box<MenuView>),
    Conflict(Box<VersionConflict>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    /// The list of menus.
    Menus,
    /// One menu's items; its settings (multiplier, queue mode, visibility)
    /// are edited here as a draft saved with `w`.
    Items {
        draft: Option<Box<crate::menus::model::MenuSpec>>,
    },
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
    pub waiting: bool,
    pub message: Option<(bool, String)>,
    /// The last request, to re-apply after a conflict.
    last: Option<MenuRequest>,
}

impl Default for MenuEditor {
    fn default() -> Self {
        MenuEditor {
            menus: Vec::new(),
            menu: 0,
            item: 0,
            level: Level::Menus,
            waiting: true,
            message: None,
            last: None,
        }
    }
}

impl MenuEditor {
    /// A fresh editor and the request that loads it.
    pub fn open() -> (MenuEditor, MenuEffect) {
        (MenuEditor::default(), MenuEffect::Send(MenuRequest::List))
    }

    pub fn current(&self) -> Option<&MenuView> {
        self.menus.get(self.menu)
    }

    fn say(&mut self, error: bool, text: impl Into<String>) {
        self.message = Some((error, text.into()));
    }

    fn send(&mut self, request: MenuRequest) -> Vec<MenuEffect> {
        self.waiting = true;
        self.last = Some(request.clone());
        vec![MenuEffect::Send(request)]
    }

    /// The multiplier shown: the draft's when there is one.
    pub fn multiplier(&self) -> u16 {
        match &self.level {
            Level::Items { draft: Some(draft) } => draft.multiplier,
            _ => self.current().map_or(100, |m| m.multiplier),
        }
    }

    /// An item's price at the multiplier shown.
    pub fn price_of(&self, base: u64) -> u64 {
        price(base, self.multiplier())
    }

    pub fn on_answer(&mut self, answer: MenuAnswer) {
        self.waiting = false;
        match answer {
            MenuAnswer::Menus(menus) => {
                self.menus = menus;
                self.menu = self.menu.min(self.menus.len().saturating_sub(1));
                self.message = None;
            }
            MenuAnswer::Menu(view) => {
                let view = *view;
                let version = view.version;
                match self.menus.iter_mut().position(|m| m.id == view.id) {
                    Some(at) => self.menus[at] = view,
                    None => self.menus.push(view),
                }
                if matches!(
                    self.level,
                    Level::Form(_)
                        | Level::ConfirmDelete { .. }
                        | Level::Conflict { .. }
                        | Level::Items { draft: Some(_) }
                ) {
                    self.level = Level::Items { draft: None };
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
            Level::Items { .. } => Screen::MenuItems,
            Level::Form(_) => Screen::MenuForm,
            Level::ConfirmDelete { .. } => Screen::MenuDelete,
            Level::Conflict { .. } => Screen::MenuConflict,
        }
    }

    /// Whether a text field of the item form has the focus.
    pub fn typing(&self) -> bool {
        matches!(&self.level, Level::Form(form) if form.typing())
    }

    /// A character typed into the item form.
    pub fn type_char(&mut self, c: char) {
        if self.waiting {
            return;
        }
        if let Level::Form(form) = &mut self.level {
            form.type_char(c);
        }
    }

    /// An action of the section of `self.screen()`.
    pub fn on_action(&mut self, action: Action) -> Vec<MenuEffect> {
        let leaving = matches!(action, Action::Close | Action::Cancel);
        if self.waiting && !leaving {
            self.say(false, "waiting for the server…");
            return Vec::new();
        }
        self.message = None;
        let level = std::mem::replace(&mut self.level, Level::Menus);
        match level {
            Level::Menus => self.menus_action(action),
            Level::Items { draft } => self.items_action(action, draft),
            Level::Form(form) if action == Action::Preview => {
                // Try the effect being edited on the toy, without saving it.
                let effect = form.spec().ok().and_then(|spec| spec.toy);
                self.level = Level::Form(form);
                match effect {
                    Some(effect) => vec![MenuEffect::Preview(effect)],
                    None => {
                        self.say(
                            true,
                            "nothing to preview: turn the toy effect on and fix any problem first",
                        );
                        Vec::new()
                    }
                }
            }
            Level::Form(mut form) => match form.act(action) {
                None => {
                    self.level = Level::Form(form);
                    Vec::new()
                }
                Some(false) => {
                    self.level = Level::Items { draft: None };
                    Vec::new()
                }
                Some(true) => self.save_form(form),
            },
            Level::ConfirmDelete { item, title } => {
                self.level = Level::Items { draft: None };
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
            Level::Conflict { conflict, request } => match action {
                Action::Reload => {
                    // Reload: take the server's menu as it is now.
                    if let Some(current) = conflict.current.clone() {
                        self.on_answer(MenuAnswer::Menu(current.clone().into()));
                        self.say(false, "reloaded; your change was not applied");
                    } else {
                        self.level = Level::Menus;
                        return self.send(MenuRequest::List);
                    }
                    self.level = Level::Items { draft: None };
                    Vec::new()
                }
                Action::Reapply => {
                    let rebased = request.rebased(conflict.current_version);
                    self.level = Level::Items { draft: None };
                    self.send(rebased)
                }
                Action::Cancel => {
                    self.level = Level::Items { draft: None };
                    Vec::new()
                }
                _ => {
                    self.level = Level::Conflict { conflict, request };
                    Vec::new()
                }
            },
        }
    }

    fn menus_action(&mut self, action: Action) -> Vec<MenuEffect> {
        match action {
            Action::Close => return vec![MenuEffect::Close],
            Action::Up => self.menu = self.menu.saturating_sub(1),
            Action::Down => self.menu = (self.menu + 1).min(self.menus.len().saturating_sub(1)),
            Action::Open if !self.menus.is_empty() => {
                self.item = 0;
                self.level = Level::Items { draft: None };
            }
            _ => {}
        }
        Vec::new()
    }

    fn items_action(
        &mut self,
        action: Action,
        mut draft: Option<Box<crate::menus::model::MenuSpec>>,
    ) -> Vec<MenuEffect> {
        let Some(menu) = self.current().cloned() else {
            self.level = Level::Menus;
            return Vec::new();
        };
        let count = menu.items.len();
        let draft_mut = |draft: &mut Option<Box<crate::menus::model::MenuSpec>>| {
            draft
                .get_or_insert_with(|| Box::new(menu.to_spec()))
                .clone()
        };
        let mut effects = Vec::new();
        match action {
            Action::Close => {
                if draft.is_some() {
                    self.say(false, "settings not saved: w saves, esc again discards");
                    self.level = Level::Items { draft: None };
                    return Vec::new();
                }
                self.level = Level::Menus;
                return Vec::new();
            }
            Action::MoveUp | Action::MoveDown if count > 1 => {
                // Drag and drop: move the item one place, send the new order.
                let to = if action == Action::MoveUp {
                    self.item.checked_sub(1)
                } else {
                    Some(self.item + 1).filter(|i| *i < count)
                };
                if let Some(to) = to {
                    let mut ids: Vec<String> = menu.items.iter().map(|i| i.id.clone()).collect();
                    ids.swap(self.item, to);
                    self.item = to;
                    effects = self.send(MenuRequest::Reorder {
                        menu: menu.id.clone(),
                        version: menu.version,
                        items: ids,
                    });
                }
            }
            Action::Up => self.item = self.item.saturating_sub(1),
            Action::Down => self.item = (self.item + 1).min(count.saturating_sub(1)),
            Action::Edit if count > 0 => {
                self.level = Level::Form(Box::new(ItemForm::from_spec(
                    &menu.items[self.item].to_spec(),
                )));
                return Vec::new();
            }
            Action::Add => {
                self.level = Level::Form(Box::new(ItemForm::new_item()));
                return Vec::new();
            }
            Action::Delete if count > 0 => {
                let item = &menu.items[self.item];
                self.level = Level::ConfirmDelete {
                    item: item.id.clone(),
                    title: item.title.clone(),
                };
                return Vec::new();
            }
            Action::Hide if count > 0 => {
                let mut spec = menu.items[self.item].to_spec();
                spec.hidden = !spec.hidden;
                effects = self.send(MenuRequest::UpdateItem {
                    menu: menu.id.clone(),
                    version: menu.version,
                    item: Box::new(spec),
                });
            }
            Action::SortPrice | Action::SortTitle => {
                let by = if action == Action::SortPrice {
                    SortKey::Price
                } else {
                    SortKey::Title
                };
                effects = self.send(MenuRequest::Sort {
                    menu: menu.id.clone(),
                    version: menu.version,
                    by,
                });
            }
            Action::DiscountMore | Action::DiscountLess => {
                let mut spec = draft_mut(&mut draft);
                spec.multiplier = if action == Action::DiscountMore {
                    (spec.multiplier + 5).min(150)
                } else {
                    spec.multiplier.saturating_sub(5)
                };
                draft = Some(spec);
            }
            Action::QueueMode => {
                let mut spec = draft_mut(&mut draft);
                spec.queue_mode = if spec.queue_mode == QueueMode::On {
                    QueueMode::Off
                } else {
                    QueueMode::On
                };
                draft = Some(spec);
            }
            Action::Visibility => {
                let mut spec = draft_mut(&mut draft);
                spec.visibility = cycle(
                    &[
                        Visibility::Public,
                        Visibility::SubscribersOnly,
                        Visibility::Private,
                    ],
                    spec.visibility,
                    true,
                );
                draft = Some(spec);
            }
            Action::Save => match draft.take() {
                Some(spec) => {
                    effects = self.send(MenuRequest::UpdateMenu {
                        menu: menu.id.clone(),
                        spec,
                    })
                }
                None => self.say(false, "nothing to save"),
            },
            Action::Preview if count > 0 => match &menu.items[self.item].toy {
                Some(effect) => effects = vec![MenuEffect::Preview(effect.clone())],
                None => self.say(false, "this item has no toy effect"),
            },
            _ => {}
        }
        if !matches!(self.level, Level::Form(_) | Level::ConfirmDelete { .. }) {
            self.level = Level::Items { draft };
        }
        effects
    }

    fn save_form(&mut self, form: Box<ItemForm>) -> Vec<MenuEffect> {
        let Some(menu) = self.current().cloned() else {
            return Vec::new();
        };
        match form.spec() {
            Err(problem) => {
                let mut form = form;
                form.problem = Some(problem);
                self.level = Level::Form(form);
                Vec::new()
            }
            Ok(spec) => {
                let item = Box::new(spec);
                let request = if form.id.is_some() {
                    MenuRequest::UpdateItem {
                        menu: menu.id,
                        version: menu.version,
                        item,
                    }
                } else {
                    MenuRequest::AddItem {
                        menu: menu.id,
                        version: menu.version,
                        item,
                    }
                };
                self.level = Level::Form(form);
                self.send(request)
            }
        }
    }
}
