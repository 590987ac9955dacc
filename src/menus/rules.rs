//! The purchase rules, checked against the engine's state in the same turn
//! of the core loop as the intake they lead to (`CoreHandle::execute_checked`),
//! and the canonical payload a purchase becomes.
//!
//! Order of the checks: a retry of an accepted purchase gets its original
//! answer (whatever changed since); then the room must exist and be live,
//! the menu exist and be offered to this viewer, be the version the viewer
//! saw (when they say), the item exist and not be hidden, cost more than 0,
//! and be under its daily limit. The balance is the engine's check.

use crate::protocol::ErrorCode;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::domain::intake::ActionType;
use crate::domain::time::DAY_US;
use crate::domain::{
    Checked, Engine, IdemKey, IntakeMode, Item, ItemEntry, ItemState, Reply, RoomId, Source, Stamp,
    UserId,
};
use crate::protocol::ApiError;
use crate::scoped::intake::{IntakeDraft, Turn, intake_request, open_turn};

use super::api::{Offer, OfferedItem, OfferedMenu, PurchaseReceipt};
use super::model::{QueueMode, StoredMenu, Visibility};
use crate::scoped::Hideable;

/// The public announcement of every purchase (config/templates.toml).
pub const ANNOUNCE_KEY: &str = "menu.purchase";
/// The same announcement for an item paid in points (it names no tokens).
pub const REDEEM_ANNOUNCE_KEY: &str = "menu.redeem";

/// The start of the UTC day `at` falls in.
pub fn day_start(at: Stamp) -> Stamp {
    at.day_start()
}

/// How many times `user` bought menu item `item` in `room` on the UTC day
/// starting at `start`, by the queue's own counts (intake stamps). A
/// purchase refunded in full does not count; one that was performed, even
/// partly refunded, does.
pub fn purchases_on_day(
    engine: &Engine,
    room: &RoomId,
    user: &UserId,
    item: &str,
    start: Stamp,
) -> u32 {
    engine.purchases_on_day(room, user, item, start)
}

fn error(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

/// `menu.<menu>.v<version>.<digest of room, user and key>`: unique per
/// purchase, and it records which menu version the price came from.
pub fn source_event_id(
    menu: &str,
    version: u64,
    room: &RoomId,
    user: &UserId,
    key: &IdemKey,
) -> String {
    let digest = Sha256::digest(format!("{room}\n{user}\n{key}").as_bytes());
    format!("menu.{menu}.v{version}.{}", &hex::encode(digest)[..16])
}

fn parse_source_event(id: &str) -> Option<(String, u64)> {
    let mut parts = id.split('.');
    let (Some("menu"), Some(menu), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some((menu.to_string(), version.strip_prefix('v')?.parse().ok()?))
}

/// The reply the engine gave when it took `item` in.
/// The receipt of a purchase, from its queue item.
pub fn receipt(item: &Item, reply: Reply) -> PurchaseReceipt {
    let view = &item.view;
    let (menu, menu_version) = parse_source_event(&view.source_event_id).unwrap_or_default();
    PurchaseReceipt {
        room: view.room.clone(),
        menu,
        menu_version,
        item: view
            .action
            .menu_item_id
            .as_deref()
            .unwrap_or("")
            .to_string(),
        title: view.action.title.to_string(),
        price: view.token_cost,
        points_price: view.points_cost,
        bonus_points: view.loyalty_points,
        mode: if view.instant {
            IntakeMode::Instant
        } else {
            IntakeMode::Queued
        },
        queue_item: view.id,
        position: match reply {
            Reply::Queued { position, .. } => Some(position),
            _ => None,
        },
        state: item.state,
        points_credited: item.state == ItemState::Finished,
        source_event_id: view.source_event_id.to_string(),
        reply,
    }
}

/// A viewer's purchase, with what the handler knew when it came in.
pub struct Purchase {
    pub room: RoomId,
    pub user: UserId,
    pub key: IdemKey,
    pub menu_id: String,
    pub item_id: String,
    /// The menu's current version (none: no such menu).
    pub menu: Option<Arc<StoredMenu>>,
    pub subscriber: bool,
    /// The version the viewer saw, when they said.
    pub seen_version: Option<u64>,
    pub display_name: Option<String>,
    /// Paid in points rather than tokens.
    pub pay_with: super::api::PayWith,
}

impl Purchase {
    /// Run every check against `engine` at `now` and build the intake.
    pub fn prepare(self, engine: &Engine, now: Stamp) -> Result<Checked, ApiError> {
        let turn = open_turn(
            engine,
            now,
            &self.key,
            &self.room,
            "menus are offered and sold only during a broadcast",
            |item| self.same(item),
        )?;
        let (at, room) = match turn {
            Turn::Retry(reply) => return Ok(Checked::Answer(reply)),
            Turn::Fresh { at, room } => (at, room),
        };
        let menu = self.menu.as_ref().ok_or_else(|| {
            error(
                ErrorCode::UnknownMenu,
                format!("room `{}` has no menu `{}`", self.room, self.menu_id),
            )
        })?;
        if !menu.visible_to(&self.user, self.subscriber) {
            let why = match menu.spec.visibility {
                Visibility::SubscribersOnly => "is for the room's subscribers only",
                _ => "is private: only users on its whitelist may buy from it",
            };
            return Err(error(
                ErrorCode::MenuRestricted,
                format!("menu `{}` {why}", menu.id),
            ));
        }
        if let Some(seen) = self.seen_version
            && seen != menu.version
        {
            return Err(ApiError {
                code: ErrorCode::VersionConflict,
                message: format!(
                    "menu `{}` changed since version {seen} (now {}); show the viewer the current prices first",
                    menu.id, menu.version
                ),
                field: Some("menuVersion".into()),
                leader: None,
            });
        }
        let item = menu
            .item(&self.item_id)
            .filter(|i| !i.hidden())
            .ok_or_else(|| {
                error(
                    ErrorCode::UnknownMenuItem,
                    format!("menu `{}` offers no item `{}`", menu.id, self.item_id),
                )
            })?;
        let in_points = self.pay_with == super::api::PayWith::Points;
        let points_price = match (in_points, item.points_price) {
            (false, _) => 0,
            (true, Some(points)) => points,
            (true, None) => {
                return Err(ApiError::invalid(
                    "payWith",
                    format!("{:?} has no points price: pay with tokens", item.title),
                ));
            }
        };
        let price = if in_points {
            0
        } else {
            item.price(menu.spec.multiplier)
        };
        if price == 0 && !in_points {
            return Err(error(
                ErrorCode::ZeroPrice,
                format!(
                    "{:?} costs 0 tokens at the menu's {} % multiplier; the queue takes only paid purchases",
                    item.title, menu.spec.multiplier
                ),
            ));
        }
        if let Some(limit) = item.daily_limit {
            let start = day_start(at);
            let bought = purchases_on_day(engine, &self.room, &self.user, &self.item_id, start);
            if bought >= limit {
                return Err(error(
                    ErrorCode::DailyLimitReached,
                    format!(
                        "{:?} may be bought {limit} time(s) per day; you have bought it {bought} time(s) today (UTC); the limit resets at {}",
                        item.title,
                        Stamp(start.0 + DAY_US)
                    ),
                ));
            }
        }
        let source_event_id =
            source_event_id(&menu.id, menu.version, &self.room, &self.user, &self.key);
        let payload = IntakeDraft {
            source: Source::ChipMenu,
            source_event_id: &source_event_id,
            key: &self.key,
            performer: &room.performer,
            user: &self.user,
            cost: price,
            action_type: ActionType::PerformanceAction,
            title: &item.title,
            description: &item.description,
            menu_item_id: Some(&self.item_id),
            rank: None,
            duration_hint_ms: item.duration_hint_ms,
            at,
            announce_key: if in_points {
                REDEEM_ANNOUNCE_KEY
            } else {
                ANNOUNCE_KEY
            },
            display_name: self.display_name.as_deref(),
            bet_tier: None,
            toy: item.toy.as_ref(),
            paid_in_points: in_points,
        }
        .payload(&room)?;
        let mode = match menu.spec.queue_mode {
            QueueMode::On => IntakeMode::Queued,
            QueueMode::Off => IntakeMode::Instant,
        };
        Ok(Checked::Execute(intake_request(
            self.key,
            self.room,
            mode,
            payload,
            // No bonus points for points spent: they would pay for themselves.
            if in_points { 0 } else { item.bonus_points },
            points_price,
        )))
    }

    /// Whether `item` is what this purchase made (a retry with its key).
    fn same(&self, item: &ItemEntry) -> bool {
        item.source() == Source::ChipMenu
            && *item.room() == self.room
            && *item.user_id() == self.user
            && item.menu_item_id() == Some(self.item_id.as_str())
    }
}

/// What `user` (none: an anonymous preview) is offered in `room` now.
pub fn offer(
    engine: &Engine,
    now: Stamp,
    room: &RoomId,
    user: Option<&UserId>,
    subscriber: bool,
    menus: &[Arc<StoredMenu>],
) -> Option<Offer> {
    let view = engine.room_info(room)?;
    let mut offer = Offer {
        room: room.clone(),
        live: view.live,
        user: user.cloned(),
        menus: Vec::new(),
    };
    if !view.live {
        return Some(offer);
    }
    let start = day_start(now.max(engine.clock()));
    for menu in menus {
        let visible = match user {
            Some(user) => menu.visible_to(user, subscriber),
            None => menu.spec.visibility == Visibility::Public,
        };
        if !visible {
            continue;
        }
        let spec = &menu.spec;
        let items = spec
            .items
            .iter()
            .filter(|i| !i.hidden() && i.price(spec.multiplier) > 0)
            .map(|i| {
                let id = i.id.clone().unwrap_or_default();
                let remaining_today = match (i.daily_limit, user) {
                    (Some(limit), Some(user)) => {
                        Some(limit.saturating_sub(purchases_on_day(engine, room, user, &id, start)))
                    }
                    (Some(limit), None) => Some(limit),
                    _ => None,
                };
                OfferedItem {
                    id,
                    title: i.title.clone(),
                    description: i.description.clone(),
                    category: i.category.clone(),
                    base_tokens: i.base_tokens,
                    price: i.price(spec.multiplier),
                    bonus_points: i.bonus_points,
                    points_price: i.points_price,
                    duration_hint_ms: i.duration_hint_ms,
                    toy: i.toy.clone().filter(|t| t.enabled),
                    daily_limit: i.daily_limit,
                    remaining_today,
                }
            })
            .collect();
        offer.menus.push(OfferedMenu {
            id: menu.id.clone(),
            version: menu.version,
            name: spec.name.clone(),
            description: spec.description.clone(),
            queue_mode: spec.queue_mode,
            visibility: spec.visibility,
            multiplier: spec.multiplier,
            theme: spec.theme.clone(),
            items,
        });
    }
    Some(offer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_days_start_at_midnight() {
        // 2026-11-21T23:59:59.999999Z and the next microsecond.
        let last = Stamp(1_795_305_599_999_999);
        assert_eq!(day_start(last).to_string(), "2026-11-21T00:00:00.000000Z");
        let next = Stamp(last.0 + 1);
        assert_eq!(day_start(next).to_string(), "2026-11-22T00:00:00.000000Z");
        assert_eq!(day_start(next), next);
        assert_eq!(day_start(Stamp(-1)).0, -DAY_US);
    }

    #[test]
    fn source_event_ids_carry_the_menu_version() {
        let id = source_event_id("m3", 12, &"r1".into(), &"u1".into(), &IdemKey::new("k"));
        assert!(id.starts_with("menu.m3.v12."), "{id}");
        assert_eq!(crate::domain::ids::id_problem(&id), None);
        assert_eq!(parse_source_event(&id), Some(("m3".into(), 12)));
        let other = source_event_id("m3", 12, &"r1".into(), &"u2".into(), &IdemKey::new("k"));
        assert_ne!(id, other, "two users' keys never collide");
    }
}
