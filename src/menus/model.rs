//! What a chip menu is: the content a performer edits ([`MenuSpec`],
//! [`ItemSpec`]), the same shape in JSON (the API) and TOML (menu files),
//! and its strict validation. Every refusal names the field at fault with a
//! dotted path (`items[2].toy.intensity`).

use serde::{Deserialize, Serialize};

use crate::domain::UserId;
use crate::domain::intake::{MAX_DURATION_MS, MIN_DURATION_MS};
use crate::domain::toy_effect::ToyEffect;
use crate::protocol::ApiError;
use std::collections::BTreeSet;

use super::pricing::{MAX_MULTIPLIER, price};

pub use super::view::{MenuItemView, MenuView, StoredMenu};
pub use crate::scoped::fields::{
    check_id, check_text, from_json, from_json_plain, invalid, join, reject_computed,
};

pub const MAX_MENUS_PER_ROOM: usize = 20;
pub const MAX_ITEMS_PER_MENU: usize = 50;
pub const MAX_NAME_CHARS: usize = 60;
/// The queue's own limits on an action's title and description.
pub const MAX_TITLE_CHARS: usize = crate::domain::intake::MAX_TITLE_CHARS;
pub const MAX_DESCRIPTION_CHARS: usize = crate::domain::intake::MAX_DESCRIPTION_CHARS;
pub const MAX_CATEGORY_CHARS: usize = 40;
pub const MAX_BASE_TOKENS: u64 = 100_000;
pub const MAX_BONUS_POINTS: u64 = 100_000;
/// The most points an item may cost.
pub const MAX_POINTS_PRICE: u64 = 10_000_000;
pub const MAX_DAILY_LIMIT: u32 = 1_000;
pub const MAX_WHITELIST: usize = 1_000;

/// ON: a purchase is held in escrow as a queue item the performer performs;
/// OFF: an instant item, settled at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueMode {
    #[default]
    #[serde(alias = "ON")]
    On,
    #[serde(alias = "OFF")]
    Off,
}

impl QueueMode {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueMode::On => "on",
            QueueMode::Off => "off",
        }
    }
}

/// Who is offered a menu (while the performer is live).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Every viewer.
    #[default]
    Public,
    /// Viewers on the room's subscriber list.
    SubscribersOnly,
    /// Viewers on the menu's whitelist.
    Private,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::SubscribersOnly => "subscribers_only",
            Visibility::Private => "private",
        }
    }
}

/// A menu's colours, `#rgb` or `#rrggbb`.
pub type MenuTheme = crate::scoped::Theme;

/// One purchasable item of a menu, as the performer edits it.
///
/// Field order matters for TOML: plain values first, the `toy` table last.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemSpec {
    /// Assigned by the server (`m1-3`); absent for a new item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The price at a multiplier of 100 %.
    pub base_tokens: u64,
    /// Loyalty points credited to the buyer when the item settles.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bonus_points: u64,
    /// A price in loyalty points, beside the token price: a viewer may pay
    /// either (the menu's multiplier applies to tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_price: Option<u64>,
    /// Hidden items are kept but not offered.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Purchases of this item per viewer per UTC day; none: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_limit: Option<u32>,
    /// The queue item's duration D (the queue's default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hint_ms: Option<u64>,
    /// A toy sub-effect (timing, intensity, duration, pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toy: Option<ToyEffect>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn hundred() -> u16 {
    100
}

/// A menu as the performer edits it: the body of create and update, and
/// one `[[menus]]` of a menu file.
///
/// `id` and `version` say which menu and which version of it an edit is
/// based on; they are absent when a menu is created.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MenuSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub queue_mode: QueueMode,
    #[serde(default)]
    pub visibility: Visibility,
    /// Percent, 0..=150, applied to every item's base price.
    #[serde(default = "hundred")]
    pub multiplier: u16,
    /// Who sees a private menu (user ids). Kept when the menu is public, so
    /// switching back and forth loses nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub whitelist: Vec<UserId>,
    #[serde(default, skip_serializing_if = "MenuTheme::is_empty")]
    pub theme: MenuTheme,
    #[serde(default)]
    pub items: Vec<ItemSpec>,
}

impl ItemSpec {
    /// Like [`MenuSpec::check_patterns`], for one item at `prefix`.
    pub fn check_patterns(&self, prefix: &str, known: &BTreeSet<String>) -> Result<(), ApiError> {
        match &self.toy {
            Some(toy) => toy
                .check_pattern(&join(prefix, "toy"), known)
                .map_err(|e| ApiError::from(&e)),
            None => Ok(()),
        }
    }

    /// Check the item; `prefix` is its path (`items[2]`, or `item`).
    pub fn validate(&self, prefix: &str) -> Result<(), ApiError> {
        let at = |name: &str| join(prefix, name);
        if let Some(id) = &self.id {
            check_id(&at("id"), id)?;
        }
        check_text(&at("title"), &self.title, 1, MAX_TITLE_CHARS)?;
        check_text(
            &at("description"),
            &self.description,
            0,
            MAX_DESCRIPTION_CHARS,
        )?;
        if !(1..=MAX_BASE_TOKENS).contains(&self.base_tokens) {
            return Err(invalid(
                at("baseTokens"),
                format!(
                    "{} is outside 1..={MAX_BASE_TOKENS} tokens",
                    self.base_tokens
                ),
            ));
        }
        if self.bonus_points > MAX_BONUS_POINTS {
            return Err(invalid(
                at("bonusPoints"),
                format!(
                    "{} is outside 0..={MAX_BONUS_POINTS} points",
                    self.bonus_points
                ),
            ));
        }
        if let Some(points) = self.points_price
            && !(1..=MAX_POINTS_PRICE).contains(&points)
        {
            return Err(invalid(
                at("pointsPrice"),
                format!(
                    "{points} is outside 1..={MAX_POINTS_PRICE} points (leave it out for tokens only)"
                ),
            ));
        }
        if let Some(category) = &self.category {
            check_text(&at("category"), category, 1, MAX_CATEGORY_CHARS)?;
        }
        if let Some(limit) = self.daily_limit
            && !(1..=MAX_DAILY_LIMIT).contains(&limit)
        {
            return Err(invalid(
                at("dailyLimit"),
                format!(
                    "{limit} is outside 1..={MAX_DAILY_LIMIT} (leave it out for no limit, or hide the item)"
                ),
            ));
        }
        if let Some(ms) = self.duration_hint_ms
            && !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&ms)
        {
            return Err(invalid(
                at("durationHintMs"),
                format!("{ms} is outside {MIN_DURATION_MS}..={MAX_DURATION_MS} ms"),
            ));
        }
        if let Some(toy) = &self.toy {
            toy.validate(&at("toy")).map_err(|e| ApiError {
                code: e.code(),
                message: e.to_string(),
                field: e.field().map(str::to_string),
                leader: None,
            })?;
        }
        Ok(())
    }

    /// The price at `multiplier` percent.
    pub fn price(&self, multiplier: u16) -> u64 {
        price(self.base_tokens, multiplier)
    }
}

impl MenuSpec {
    /// Every pattern its items' toy effects name is a built-in or among
    /// `known` (the room's imported patterns); the refusal names the field.
    pub fn check_patterns(&self, known: &BTreeSet<String>) -> Result<(), ApiError> {
        for (i, item) in self.items.iter().enumerate() {
            item.check_patterns(&format!("items[{i}]"), known)?;
        }
        Ok(())
    }

    /// Check the whole menu: ranges, texts, colours, ids, limits.
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(id) = &self.id {
            check_id("id", id)?;
        }
        check_text("name", &self.name, 1, MAX_NAME_CHARS)?;
        check_text("description", &self.description, 0, MAX_DESCRIPTION_CHARS)?;
        if self.multiplier > MAX_MULTIPLIER {
            return Err(invalid(
                "multiplier",
                format!("{} % is outside 0..={MAX_MULTIPLIER} %", self.multiplier),
            ));
        }
        if self.whitelist.len() > MAX_WHITELIST {
            return Err(invalid(
                "whitelist",
                format!("at most {MAX_WHITELIST} users"),
            ));
        }
        for (i, user) in self.whitelist.iter().enumerate() {
            let field = format!("whitelist[{i}]");
            check_id(&field, user.as_str())?;
            if self.whitelist[..i].contains(user) {
                return Err(invalid(field, format!("`{user}` is listed twice")));
            }
        }
        if let Some((field, problem)) = self.theme.problem(true) {
            return Err(invalid(field, problem));
        }
        if self.items.len() > MAX_ITEMS_PER_MENU {
            return Err(invalid(
                "items",
                format!(
                    "{} items, at most {MAX_ITEMS_PER_MENU} per menu",
                    self.items.len()
                ),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            item.validate(&format!("items[{i}]"))?;
            if let Some(id) = &item.id
                && self.items[..i].iter().any(|o| o.id.as_ref() == Some(id))
            {
                return Err(invalid(
                    format!("items[{i}].id"),
                    format!("`{id}` appears twice"),
                ));
            }
        }
        Ok(())
    }

    /// The content alone, without the id and version an edit is based on.
    pub fn content(&self) -> MenuSpec {
        MenuSpec {
            id: None,
            version: None,
            ..self.clone()
        }
    }
}

impl crate::scoped::Hideable for ItemSpec {
    fn hidden(&self) -> bool {
        self.hidden
    }
}

impl crate::scoped::ScopedConfig for MenuSpec {
    fn check(&self) -> Result<(), ApiError> {
        self.validate()
    }

    fn changes(before: &Self, after: &Self) -> Vec<crate::scoped::Change> {
        super::diff::diff(before, after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;
    use serde_json::{Value, json};

    fn spec() -> Value {
        json!({
            "name": "Quick Fun",
            "queueMode": "off",
            "multiplier": 100,
            "theme": {"primary": "#ff3366"},
            "items": [
                {"title": "Wink", "baseTokens": 5},
                {"title": "Vibe", "baseTokens": 33,
                 "toy": {"enabled": true, "timing": "start", "intensity": 12, "durationMs": 3000, "pattern": "pulse"}}
            ]
        })
    }

    type Change = Box<dyn Fn(&mut Value)>;

    fn field_of(value: Value) -> String {
        let err = from_json::<MenuSpec>(value)
            .and_then(|s| s.validate().map(|()| s))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidField, "{err:?}");
        err.field.unwrap()
    }

    #[test]
    fn a_good_menu_parses_and_validates() {
        let menu: MenuSpec = from_json(spec()).unwrap();
        menu.validate().unwrap();
        assert_eq!(menu.queue_mode, QueueMode::Off);
        assert_eq!(menu.visibility, Visibility::Public);
        assert_eq!(menu.items[1].price(150), 50);
    }

    #[test]
    fn every_refusal_names_its_field() {
        let cases: Vec<(&str, Change)> = vec![
            ("name", Box::new(|v| v["name"] = json!("  "))),
            ("name", Box::new(|v| v["name"] = json!("x".repeat(61)))),
            ("multiplier", Box::new(|v| v["multiplier"] = json!(151))),
            ("multiplier", Box::new(|v| v["multiplier"] = json!(-1))),
            ("queueMode", Box::new(|v| v["queueMode"] = json!("maybe"))),
            (
                "visibility",
                Box::new(|v| v["visibility"] = json!("friends")),
            ),
            (
                "theme.primary",
                Box::new(|v| v["theme"]["primary"] = json!("red")),
            ),
            (
                "theme.glow",
                Box::new(|v| v["theme"]["glow"] = json!("#fff")),
            ),
            (
                "whitelist[1]",
                Box::new(|v| v["whitelist"] = json!(["u1", "u1"])),
            ),
            (
                "whitelist[0]",
                Box::new(|v| v["whitelist"] = json!(["has space"])),
            ),
            (
                "items[0].title",
                Box::new(|v| v["items"][0]["title"] = json!("")),
            ),
            (
                "items[0].baseTokens",
                Box::new(|v| v["items"][0]["baseTokens"] = json!(0)),
            ),
            (
                "items[0].baseTokens",
                Box::new(|v| v["items"][0]["baseTokens"] = json!(100_001)),
            ),
            (
                "items[0].baseTokens",
                Box::new(|v| {
                    v["items"][0].as_object_mut().unwrap().remove("baseTokens");
                }),
            ),
            (
                "items[0].dailyLimit",
                Box::new(|v| v["items"][0]["dailyLimit"] = json!(0)),
            ),
            (
                "items[0].durationHintMs",
                Box::new(|v| v["items"][0]["durationHintMs"] = json!(10)),
            ),
            (
                "items[0].category",
                Box::new(|v| v["items"][0]["category"] = json!("")),
            ),
            (
                "items[0].price",
                Box::new(|v| v["items"][0]["price"] = json!(5)),
            ),
            (
                "items[0].colour",
                Box::new(|v| v["items"][0]["colour"] = json!(5)),
            ),
            (
                "items[1].toy.intensity",
                Box::new(|v| v["items"][1]["toy"]["intensity"] = json!(21)),
            ),
            (
                "items[1].toy.durationMs",
                Box::new(|v| v["items"][1]["toy"]["durationMs"] = json!(60_001)),
            ),
            (
                "items[1].toy.pattern",
                Box::new(|v| v["items"][1]["toy"]["pattern"] = json!("Zig Zag")),
            ),
            (
                "items[1].toy.timing",
                Box::new(|v| v["items"][1]["toy"]["timing"] = json!("p60")),
            ),
            (
                "items[1].id",
                Box::new(|v| {
                    v["items"][0]["id"] = json!("m1-1");
                    v["items"][1]["id"] = json!("m1-1");
                }),
            ),
            (
                "items[0].title",
                Box::new(|v| v["items"][0]["title"] = json!("a\u{7}b")),
            ),
        ];
        for (field, change) in cases {
            let mut value = spec();
            change(&mut value);
            assert_eq!(field_of(value.clone()), field, "{value}");
        }
    }

    #[test]
    fn too_many_items_is_refused() {
        let mut value = spec();
        value["items"] = Value::Array(
            (0..=MAX_ITEMS_PER_MENU)
                .map(|i| json!({"title": format!("i{i}"), "baseTokens": 1}))
                .collect(),
        );
        assert_eq!(field_of(value), "items");
    }

    #[test]
    fn views_turn_back_into_specs() {
        let mut spec: MenuSpec = from_json(spec()).unwrap();
        for (i, item) in spec.items.iter_mut().enumerate() {
            item.id = Some(format!("m1-{}", i + 1));
        }
        let stored = StoredMenu {
            id: "m1".into(),
            room: "r1".into(),
            version: 4,
            next_item: 3,
            updated_at: crate::domain::Stamp(1),
            updated_by: "performer:abc".into(),
            spec: spec.clone(),
        };
        let back = stored.view().to_spec();
        assert_eq!(back.version, Some(4));
        assert_eq!(back.content(), spec);
    }
}
