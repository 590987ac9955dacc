//! The canonical Queue Intake payload of the integration contract, and its
//! strict validation. Every refusal names the field at fault.
//!
//! Parsing happens in three steps so that errors are precise: the raw JSON is
//! scanned for forbidden keys and values (PII, settlement directives), then
//! deserialized into typed structs that reject unknown fields, then checked
//! for ranges and formats by [`IntakePayload::validate`].

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::error::DomainError;
use super::field_checks::{check_id, truncate};
pub use super::field_checks::{check_key, check_template_key, check_text};
use super::ids::{IdemKey, PerformerId, UserId};
use super::pii::{forbidden_key, pii_in_value};
use super::toy_effect::ToyEffect;

/// Which feature produced the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    ChipMenu,
    SlotMachine,
    SpinWheel,
    Admin,
    System,
    /// A viewer's tip (an addition to the contract's sources).
    Tip,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::ChipMenu => "chip_menu",
            Source::SlotMachine => "slot_machine",
            Source::SpinWheel => "spin_wheel",
            Source::Admin => "admin",
            Source::System => "system",
            Source::Tip => "tip",
        }
    }

    /// A game's spin is announced twice: its start (the payload's public
    /// key) and then its winner, with this key.
    pub fn winner_announcement(self) -> Option<&'static str> {
        match self {
            Source::SlotMachine => Some("slot.spin.winner"),
            Source::SpinWheel => Some("wheel.spin.winner"),
            _ => None,
        }
    }

    /// Only the platform itself may queue an item that costs nothing.
    pub fn may_be_free(self) -> bool {
        matches!(self, Source::Admin | Source::System)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionType {
    PerformanceAction,
    ToyActivation,
    PrivateRequest,
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UiSurface {
    Desktop,
    Mobile,
    Tablet,
}

/// What the performer is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaidAction {
    pub action_type: ActionType,
    pub title: Arc<str>,
    pub description: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu_item_id: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hint_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Chat {
    pub public_announce_template_key: Arc<str>,
    #[serde(default)]
    pub private_user_message_template_keys: Vec<Arc<str>>,
}

/// Non-PII context. `additional` is free-form but scanned for PII.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_display_name: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer_username: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bet_tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_session_id: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_surface: Option<UiSurface>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<Map<String, Value>>,
}

impl Hash for Metadata {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.user_display_name.hash(state);
        self.performer_username.hash(state);
        self.bet_tier.hash(state);
        self.client_session_id.hash(state);
        self.ui_surface.hash(state);
        // serde_json's map is ordered by key, so its text is canonical.
        self.additional
            .as_ref()
            .map(|m| Value::Object(m.clone()).to_string())
            .hash(state);
    }
}

impl Eq for Metadata {}

/// Sub-effects of an item. `toy` takes one effect (as in the contract) or a
/// list of them (one per timing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Effects {
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub toy: Vec<ToyEffect>,
    /// Reserved by the contract for effects defined in later versions:
    /// refused when present at all, even empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Vec<Value>>,
}

impl Hash for Effects {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.toy.hash(state);
        for value in self.other.iter().flatten() {
            value.to_string().hash(state);
        }
    }
}

impl Eq for Effects {}

fn one_or_many<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<ToyEffect>, D::Error> {
    let value = Value::deserialize(de)?;
    let parsed = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(_) => serde_path_to_error::deserialize::<_, Vec<ToyEffect>>(value),
        other => serde_path_to_error::deserialize::<_, ToyEffect>(other).map(|e| vec![e]),
    };
    parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            serde::de::Error::custom(inner)
        } else {
            serde::de::Error::custom(format!("{path}: {inner}"))
        }
    })
}

/// The canonical payload every queue-producing feature sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IntakePayload {
    pub source: Source,
    pub source_event_id: Arc<str>,
    pub idempotency_key: IdemKey,
    pub performer_id: PerformerId,
    pub user_id: UserId,
    pub token_cost: u64,
    pub action: PaidAction,
    pub created_at_high_precision: Arc<str>,
    pub chat: Chat,
    pub metadata: Metadata,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effects: Option<Effects>,
}

/// Bounds that depend on configuration rather than on the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeLimits {
    /// The most one item may cost; anything above is taken for a bug.
    pub max_token_cost: u64,
    /// The item is paid in loyalty points: it costs 0 tokens.
    pub paid_in_points: bool,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        IntakeLimits {
            max_token_cost: 1_000_000,
            paid_in_points: false,
        }
    }
}

pub const MAX_TITLE_CHARS: usize = 80;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
pub const MIN_DURATION_MS: u64 = 1_000;
pub const MAX_DURATION_MS: u64 = 3_600_000;
pub const MAX_PRIVATE_TEMPLATE_KEYS: usize = 8;
pub const MAX_ADDITIONAL_BYTES: usize = 4096;

impl IntakePayload {
    /// Parse and validate a payload from JSON bytes.
    pub fn from_json(body: &[u8], limits: &IntakeLimits) -> Result<Self, DomainError> {
        Self::from_value(super::json::parse_value(body)?, limits)
    }

    /// Validate a payload already parsed as JSON.
    pub fn from_value(value: Value, limits: &IntakeLimits) -> Result<Self, DomainError> {
        if !value.is_object() {
            return Err(DomainError::InvalidBody {
                reason: "the body must be a JSON object".into(),
            });
        }
        scan_forbidden(&value, &mut String::new(), false)?;
        let payload: IntakePayload = super::json::from_value(&value)?;
        payload.validate(limits)?;
        Ok(payload)
    }

    pub fn is_private_request(&self) -> bool {
        self.action.action_type == ActionType::PrivateRequest
    }

    /// Enabled toy effects, in the order given.
    pub fn toy_effects(&self) -> impl Iterator<Item = &ToyEffect> {
        self.effects
            .iter()
            .flat_map(|e| e.toy.iter())
            .filter(|t| t.enabled)
    }

    /// Range and format checks; the engine runs these on every intake, so a
    /// payload built in code is held to the same rules as one from the wire.
    pub fn validate(&self, limits: &IntakeLimits) -> Result<(), DomainError> {
        check_id("sourceEventId", &self.source_event_id)?;
        check_key("idempotencyKey", self.idempotency_key.as_str())?;
        check_id("performerId", self.performer_id.as_str())?;
        check_id("userId", self.user_id.as_str())?;

        if limits.paid_in_points && self.token_cost != 0 {
            return Err(DomainError::invalid(
                "tokenCost",
                "must be 0 for an item paid in points",
            ));
        }
        if self.token_cost == 0 && !self.source.may_be_free() && !limits.paid_in_points {
            return Err(DomainError::invalid(
                "tokenCost",
                "must be at least 1 (only admin and system items may be free)",
            ));
        }
        if self.token_cost > limits.max_token_cost {
            return Err(DomainError::invalid(
                "tokenCost",
                format!(
                    "{} exceeds the limit of {} tokens per item",
                    self.token_cost, limits.max_token_cost
                ),
            ));
        }

        check_text("action.title", &self.action.title, 1, MAX_TITLE_CHARS)?;
        check_text(
            "action.description",
            &self.action.description,
            0,
            MAX_DESCRIPTION_CHARS,
        )?;
        if let Some(id) = &self.action.menu_item_id {
            check_id("action.menuItemId", id)?;
        }
        if let Some(rank) = self.action.rank
            && !(1..=10).contains(&rank)
        {
            return Err(DomainError::invalid(
                "action.rank",
                format!("{rank} is outside 1..=10"),
            ));
        }
        if let Some(ms) = self.action.duration_hint_ms
            && !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&ms)
        {
            return Err(DomainError::invalid(
                "action.durationHintMs",
                format!("{ms} is outside {MIN_DURATION_MS}..={MAX_DURATION_MS} ms"),
            ));
        }

        if chrono::DateTime::parse_from_rfc3339(&self.created_at_high_precision).is_err() {
            return Err(DomainError::invalid(
                "createdAtHighPrecision",
                format!(
                    "{:?} is not an ISO 8601 timestamp with a zone",
                    truncate(&self.created_at_high_precision)
                ),
            ));
        }

        check_template_key(
            "chat.publicAnnounceTemplateKey",
            &self.chat.public_announce_template_key,
        )?;
        if self.chat.private_user_message_template_keys.len() > MAX_PRIVATE_TEMPLATE_KEYS {
            return Err(DomainError::invalid(
                "chat.privateUserMessageTemplateKeys",
                format!("at most {MAX_PRIVATE_TEMPLATE_KEYS} keys"),
            ));
        }
        for (i, key) in self
            .chat
            .private_user_message_template_keys
            .iter()
            .enumerate()
        {
            check_template_key(&format!("chat.privateUserMessageTemplateKeys[{i}]"), key)?;
        }

        self.validate_metadata()?;
        self.validate_effects()
    }

    fn validate_metadata(&self) -> Result<(), DomainError> {
        let m = &self.metadata;
        for (field, text) in [
            ("metadata.userDisplayName", &m.user_display_name),
            ("metadata.performerUsername", &m.performer_username),
        ] {
            if let Some(text) = text {
                check_text(field, text, 1, MAX_DISPLAY_NAME_CHARS)?;
                if let Some(kind) = pii_in_value(text) {
                    return Err(DomainError::forbidden(field, format!("looks like {kind}")));
                }
            }
        }
        if let Some(tier) = m.bet_tier
            && !(1..=3).contains(&tier)
        {
            return Err(DomainError::invalid(
                "metadata.betTier",
                format!("{tier} is outside 1..=3"),
            ));
        }
        if let Some(id) = &m.client_session_id {
            check_id("metadata.clientSessionId", id)?;
        }
        if let Some(additional) = &m.additional {
            // Measured and scanned where it is: no copy of the map.
            if json_len(additional) > MAX_ADDITIONAL_BYTES {
                return Err(DomainError::invalid(
                    "metadata.additional",
                    format!("must be at most {MAX_ADDITIONAL_BYTES} bytes of JSON"),
                ));
            }
            let mut path = String::from("metadata.additional");
            scan_map(additional, &mut path, true)?;
        }
        Ok(())
    }

    fn validate_effects(&self) -> Result<(), DomainError> {
        let Some(effects) = &self.effects else {
            return Ok(());
        };
        if effects.other.is_some() {
            return Err(DomainError::invalid(
                "effects.other",
                "no other effects are defined in this version of the contract",
            ));
        }
        if effects.toy.len() > 5 {
            return Err(DomainError::invalid(
                "effects.toy",
                "at most 5 toy effects, one per timing",
            ));
        }
        for (i, effect) in effects.toy.iter().enumerate() {
            let field = if effects.toy.len() == 1 {
                "effects.toy".to_string()
            } else {
                format!("effects.toy[{i}]")
            };
            effect.validate(&field)?;
            if effects.toy[..i]
                .iter()
                .any(|e| e.enabled && effect.enabled && e.timing == effect.timing)
            {
                return Err(DomainError::invalid(
                    format!("{field}.timing"),
                    format!("two effects at {:?}", effect.timing),
                ));
            }
        }
        Ok(())
    }
}

/// Walk a JSON value and refuse PII keys, settlement directives and (inside
/// metadata) values that look like PII.
/// The length of `map` as compact JSON, counted without building it.
fn json_len(map: &Map<String, Value>) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Strings, numbers and maps only: writing to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, map);
    count.0
}

fn scan_map(
    map: &Map<String, Value>,
    path: &mut String,
    in_metadata: bool,
) -> Result<(), DomainError> {
    for (key, child) in map {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        if let Some(reason) = forbidden_key(key) {
            return Err(DomainError::forbidden(path.clone(), reason));
        }
        let child_in_metadata = in_metadata || (len == 0 && key == "metadata");
        scan_forbidden(child, path, child_in_metadata)?;
        path.truncate(len);
    }
    Ok(())
}

fn scan_forbidden(value: &Value, path: &mut String, in_metadata: bool) -> Result<(), DomainError> {
    match value {
        Value::Object(map) => scan_map(map, path, in_metadata)?,
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                let _ = std::fmt::Write::write_fmt(path, format_args!("[{i}]"));
                scan_forbidden(child, path, in_metadata)?;
                path.truncate(len);
            }
        }
        Value::String(text) if in_metadata => {
            if let Some(kind) = pii_in_value(text) {
                return Err(DomainError::forbidden(
                    path.clone(),
                    format!("looks like {kind}"),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
