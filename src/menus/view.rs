//! A menu as the server keeps it ([`StoredMenu`]: the content with ids,
//! version and who changed it last) and as clients see it ([`MenuView`]:
//! every item with its price at the menu's multiplier).

use serde::{Deserialize, Serialize};

use super::model::{ItemSpec, MenuSpec, MenuTheme, QueueMode, Visibility};
use crate::domain::toy_effect::ToyEffect;
use crate::domain::{RoomId, UserId};

/// A menu as the server keeps it: the content with every item's id
/// assigned, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoredMenu {
    pub id: String,
    pub room: RoomId,
    pub version: u64,
    /// The number the next new item gets (`m1-<n>`); never reused.
    pub next_item: u32,
    pub updated_at: crate::domain::Stamp,
    /// Role and token id of whoever made this version (never a name).
    pub updated_by: String,
    /// The content; `id` and `version` are not kept in it.
    pub spec: MenuSpec,
}

impl StoredMenu {
    pub fn item(&self, id: &str) -> Option<&ItemSpec> {
        self.spec.items.iter().find(|i| i.id.as_deref() == Some(id))
    }

    /// Whether `user` is offered this menu.
    pub fn visible_to(&self, user: &UserId, subscriber: bool) -> bool {
        match self.spec.visibility {
            Visibility::Public => true,
            Visibility::SubscribersOnly => subscriber,
            Visibility::Private => self.spec.whitelist.contains(user),
        }
    }

    pub fn view(&self) -> MenuView {
        let spec = &self.spec;
        MenuView {
            id: self.id.clone(),
            room: self.room.clone(),
            version: self.version,
            updated_at: self.updated_at,
            updated_by: self.updated_by.clone(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            queue_mode: spec.queue_mode,
            visibility: spec.visibility,
            multiplier: spec.multiplier,
            whitelist: spec.whitelist.clone(),
            theme: spec.theme.clone(),
            items: spec
                .items
                .iter()
                .map(|item| MenuItemView::from_spec(item, spec.multiplier))
                .collect(),
        }
    }
}

/// A menu as the performer's API shows it: everything, with each item's
/// price at the menu's multiplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuView {
    pub id: String,
    pub room: RoomId,
    pub version: u64,
    pub updated_at: crate::domain::Stamp,
    pub updated_by: String,
    pub name: String,
    pub description: String,
    pub queue_mode: QueueMode,
    pub visibility: Visibility,
    pub multiplier: u16,
    #[serde(default)]
    pub whitelist: Vec<UserId>,
    #[serde(default)]
    pub theme: MenuTheme,
    pub items: Vec<MenuItemView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuItemView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub base_tokens: u64,
    /// round-half-up(baseTokens * multiplier / 100): what a purchase costs now.
    pub price: u64,
    pub bonus_points: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_price: Option<u64>,
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hint_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toy: Option<ToyEffect>,
}

impl MenuItemView {
    /// An item as shown, priced at `multiplier` percent.
    pub fn from_spec(item: &ItemSpec, multiplier: u16) -> MenuItemView {
        MenuItemView {
            id: item.id.clone().unwrap_or_default(),
            title: item.title.clone(),
            description: item.description.clone(),
            base_tokens: item.base_tokens,
            price: item.price(multiplier),
            bonus_points: item.bonus_points,
            points_price: item.points_price,
            hidden: item.hidden,
            category: item.category.clone(),
            daily_limit: item.daily_limit,
            duration_hint_ms: item.duration_hint_ms,
            toy: item.toy.clone(),
        }
    }

    /// The editable part, to send back in an edit.
    pub fn to_spec(&self) -> ItemSpec {
        ItemSpec {
            id: Some(self.id.clone()),
            title: self.title.clone(),
            description: self.description.clone(),
            base_tokens: self.base_tokens,
            bonus_points: self.bonus_points,
            points_price: self.points_price,
            hidden: self.hidden,
            category: self.category.clone(),
            daily_limit: self.daily_limit,
            duration_hint_ms: self.duration_hint_ms,
            toy: self.toy.clone(),
        }
    }
}

impl MenuView {
    /// The editable part with the id and version it is based on: change it
    /// and send it back with `PUT`.
    pub fn to_spec(&self) -> MenuSpec {
        MenuSpec {
            id: Some(self.id.clone()),
            version: Some(self.version),
            name: self.name.clone(),
            description: self.description.clone(),
            queue_mode: self.queue_mode,
            visibility: self.visibility,
            multiplier: self.multiplier,
            whitelist: self.whitelist.clone(),
            theme: self.theme.clone(),
            items: self.items.iter().map(MenuItemView::to_spec).collect(),
        }
    }
}
