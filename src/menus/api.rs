//! The bodies of the chip-menu API (docs/PROTOCOL.md, "Chip menus"). Types
//! only; the handlers are in `server/menus_http.rs`.

use serde::{Deserialize, Serialize};

use crate::domain::toy_effect::ToyEffect;
use crate::domain::{IntakeMode, ItemId, ItemState, Reply, RoomId, Stamp, UserId};
use crate::protocol::{ApiError, ErrorCode};

use super::diff::Change;
use super::model::{ItemSpec, MenuTheme, MenuView, QueueMode, Visibility};

/// `GET /api/v1/rooms/{room}/menus`: every menu of the room, hidden items
/// included, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuList {
    pub room: RoomId,
    pub menus: Vec<MenuView>,
}

/// The answer to `DELETE .../menus/{menu}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuDeleted {
    pub room: RoomId,
    pub menu: String,
    /// The version the deletion was recorded as.
    pub version: u64,
    pub deleted: bool,
}

/// `POST .../menus/{menu}/items`: add an item at `position` (the end when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddItem {
    pub version: u64,
    pub item: ItemSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// `PUT .../menus/{menu}/items/{item}`: replace one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateItem {
    pub version: u64,
    pub item: ItemSpec,
}

/// `POST .../menus/{menu}/reorder`: every item id, in the new order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reorder {
    pub version: u64,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Cheapest first (ties: title, then id).
    Price,
    /// A to Z, ignoring case (ties: price, then id).
    Title,
}

/// `POST .../menus/{menu}/sort`: auto-sort the items once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sort {
    pub version: u64,
    pub by: SortKey,
    #[serde(default)]
    pub descending: bool,
}

/// One version of a menu in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub version: u64,
    pub at: Stamp,
    /// Role and token id (`performer:1a2b3c4d`), never a name.
    pub by: String,
    /// create, update, add_item, update_item, delete_item, reorder, sort, delete.
    pub change: String,
}

/// The `409 version_conflict` body: the usual error fields, and what
/// changed between the version the edit was based on and the current one,
/// so the console can explain it and offer to reload or re-apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionConflict {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub menu: String,
    /// The version the edit was based on.
    pub your_version: u64,
    pub current_version: u64,
    /// From your version to the current one, field by field.
    pub changes: Vec<Change>,
    /// The versions made since yours: who and what kind of change.
    pub history: Vec<VersionInfo>,
    /// The menu as it is now (absent when it has been deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<MenuView>,
}

impl VersionConflict {
    pub fn error(&self) -> ApiError {
        ApiError {
            code: self.code,
            message: self.message.clone(),
            field: self.field.clone(),
            leader: None,
        }
    }
}

/// `GET /api/v1/rooms/{room}/offer`: what a viewer is offered now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub room: RoomId,
    /// Menus are offered only while the performer is live; `menus` is
    /// empty otherwise.
    pub live: bool,
    pub user: Option<UserId>,
    pub menus: Vec<OfferedMenu>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferedMenu {
    pub id: String,
    pub version: u64,
    pub name: String,
    pub description: String,
    pub queue_mode: QueueMode,
    pub visibility: Visibility,
    pub multiplier: u16,
    #[serde(default)]
    pub theme: MenuTheme,
    pub items: Vec<OfferedItem>,
}

/// An item on offer: never a hidden one, never one that costs 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferedItem {
    pub id: String,
    pub title: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub base_tokens: u64,
    /// What a purchase costs now.
    pub price: u64,
    pub bonus_points: u64,
    /// What a purchase paid in points costs (`payWith` `points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_price: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hint_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toy: Option<ToyEffect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_limit: Option<u32>,
    /// Purchases left today (UTC) for this viewer, when there is a limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_today: Option<u32>,
}

/// `POST .../menus/{menu}/items/{item}/purchase`. Never a price: the
/// server computes it. `menuVersion`, when given, is the version the viewer
/// saw; if the menu changed since, the purchase is refused with
/// `version_conflict` rather than charged at a price they did not see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PurchaseBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu_version: Option<u64>,
    /// The name announced in chat (checked for personal data); the user id
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `tokens` (the default) or `points`, for an item with a points price.
    #[serde(default, skip_serializing_if = "PayWith::is_tokens")]
    pub pay_with: PayWith,
}

/// What a purchase is paid in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayWith {
    #[default]
    Tokens,
    Points,
}

impl PayWith {
    pub fn is_tokens(&self) -> bool {
        *self == PayWith::Tokens
    }
}

/// The answer to a purchase (and to its retries, with the same key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseReceipt {
    pub room: RoomId,
    pub menu: String,
    /// The menu version the price and the effect were taken from.
    pub menu_version: u64,
    /// The menu item.
    pub item: String,
    pub title: String,
    /// What was charged in tokens (0 when paid in points).
    pub price: u64,
    /// What was charged in points.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub points_price: u64,
    pub bonus_points: u64,
    /// `queued` (queue mode ON) or `instant` (OFF, settled at once).
    pub mode: IntakeMode,
    /// The queue item.
    pub queue_item: ItemId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// The queue item's state now.
    pub state: ItemState,
    /// Whether the bonus points have been credited (on settle).
    pub points_credited: bool,
    pub source_event_id: String,
    /// The queue's own reply.
    pub reply: Reply,
}

/// `GET /api/v1/rooms/{room}/subscribers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriberList {
    pub room: RoomId,
    pub users: Vec<UserId>,
}

/// The answer to `PUT`/`DELETE .../subscribers/{user}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub room: RoomId,
    pub user: UserId,
    pub subscriber: bool,
}

/// `GET /api/v1/menu-templates`: the shipped templates (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Templates {
    pub templates: Vec<super::model::MenuSpec>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
