//! The menu editor's lists: the menus, and one menu's items with its
//! settings (multiplier, queue mode, visibility) drafted and saved with `w`.

use super::editor::{Level, MenuEditor};
use super::form::ItemForm;
use super::request::{MenuEffect, MenuRequest};
use crate::console::editor::EditorEffect;
use crate::console::editor::rows;
use crate::console::editor::toy_fields::cycle;
use crate::console::screen::Action;
use crate::menus::api::SortKey;
use crate::menus::model::{QueueMode, Visibility};

impl MenuEditor {
    pub(super) fn menus_action(&mut self, action: Action) -> Vec<MenuEffect> {
        match action {
            Action::Close => return vec![EditorEffect::Close],
            Action::Up | Action::Down => {
                self.menu = rows::select(self.menu, action, self.menus.len())
            }
            Action::Open if !self.menus.is_empty() => {
                self.item = 0;
                self.level = Level::Items;
            }
            Action::Add => {
                let Some(template) = self.next_template() else {
                    self.say(false, "every shipped template is in the room already");
                    return Vec::new();
                };
                self.say(false, format!("adding the {} template…", template.name));
                return self.send(MenuRequest::Create {
                    spec: Box::new(template),
                });
            }
            _ => {}
        }
        Vec::new()
    }

    /// The first shipped template whose name no menu of the room has.
    pub(in crate::console) fn next_template(&self) -> Option<crate::menus::model::MenuSpec> {
        crate::menus::file::templates()
            .into_iter()
            .find(|t| !self.menus.iter().any(|m| m.name == t.name))
    }

    pub(super) fn items_action(&mut self, action: Action) -> Vec<MenuEffect> {
        let Some(menu) = self.current().cloned() else {
            self.level = Level::Menus;
            return Vec::new();
        };
        self.level = Level::Items;
        let count = menu.items.len();
        let (id, version) = (menu.id.clone(), menu.version);
        match action {
            Action::Close if self.draft.unsaved() => {
                self.draft.take();
                self.say(false, "settings not saved: w saves, esc again discards");
            }
            Action::Close => self.level = Level::Menus,
            Action::MoveUp | Action::MoveDown if count > 1 => {
                // Drag and drop: move the item one place, send the new order.
                let mut items: Vec<String> = menu.items.iter().map(|i| i.id.clone()).collect();
                if let Some(to) = rows::moved(&mut items, self.item, action) {
                    self.item = to;
                    return self.send(MenuRequest::Reorder {
                        menu: id,
                        version,
                        items,
                    });
                }
            }
            Action::Up | Action::Down => self.item = rows::select(self.item, action, count),
            Action::Edit if count > 0 => {
                let form = ItemForm::from_spec(&menu.items[self.item].to_spec());
                self.open_form(form);
            }
            Action::Add => self.open_form(ItemForm::new_item()),
            Action::Delete if count > 0 => {
                let item = &menu.items[self.item];
                self.draft.take();
                self.level = Level::ConfirmDelete {
                    item: item.id.clone(),
                    title: item.title.clone(),
                };
            }
            Action::Hide if count > 0 => {
                let mut spec = menu.items[self.item].to_spec();
                spec.hidden = !spec.hidden;
                let item = Box::new(spec);
                return self.send(MenuRequest::UpdateItem {
                    menu: id,
                    version,
                    item,
                });
            }
            Action::SortPrice | Action::SortTitle => {
                let by = if action == Action::SortPrice {
                    SortKey::Price
                } else {
                    SortKey::Title
                };
                return self.send(MenuRequest::Sort {
                    menu: id,
                    version,
                    by,
                });
            }
            Action::DiscountMore | Action::DiscountLess => self.change_settings(|spec| {
                spec.multiplier = if action == Action::DiscountMore {
                    (spec.multiplier + 5).min(150)
                } else {
                    spec.multiplier.saturating_sub(5)
                }
            }),
            Action::QueueMode => self.change_settings(|spec| {
                spec.queue_mode = if spec.queue_mode == QueueMode::On {
                    QueueMode::Off
                } else {
                    QueueMode::On
                }
            }),
            Action::Visibility => self.change_settings(|spec| {
                let all = [
                    Visibility::Public,
                    Visibility::SubscribersOnly,
                    Visibility::Private,
                ];
                spec.visibility = cycle(&all, spec.visibility, true);
            }),
            Action::Save => match self.draft.take() {
                Some(spec) => return self.send(MenuRequest::UpdateMenu { menu: id, spec }),
                None => self.say(false, "nothing to save"),
            },
            Action::Preview if count > 0 => match &menu.items[self.item].toy {
                Some(effect) => return vec![EditorEffect::Preview(effect.clone())],
                None => self.say(false, "this item has no toy effect"),
            },
            _ => {}
        }
        Vec::new()
    }

    /// A change to the open menu's settings, kept as the draft.
    fn change_settings(&mut self, change: impl FnOnce(&mut crate::menus::model::MenuSpec)) {
        if let Some(mut spec) = self.settings() {
            change(&mut spec);
            self.draft.change(spec);
        }
    }

    /// The item form opens; unsaved settings are dropped.
    fn open_form(&mut self, mut form: ItemForm) {
        form.toy.imported = self.patterns.clone();
        self.draft.take();
        self.level = Level::Form(Box::new(form));
    }

    pub(super) fn save_form(&mut self, mut form: Box<ItemForm>) -> Vec<MenuEffect> {
        let Some(menu) = self.current().cloned() else {
            return Vec::new();
        };
        match form.spec() {
            Err(problem) => {
                form.problem = Some(problem);
                self.level = Level::Form(form);
                Vec::new()
            }
            Ok(spec) => {
                let (menu, version, item) = (menu.id, menu.version, Box::new(spec));
                let request = if form.id.is_some() {
                    MenuRequest::UpdateItem {
                        menu,
                        version,
                        item,
                    }
                } else {
                    MenuRequest::AddItem {
                        menu,
                        version,
                        item,
                    }
                };
                self.level = Level::Form(form);
                self.send(request)
            }
        }
    }
}
