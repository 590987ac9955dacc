//! Chat and private messages the queue sends, as template keys plus typed
//! variables. The text comes from templates at the edge; nothing here is prose.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ids::ItemId;
use super::refund::RefundReason;

/// A template key. The queue's own keys are static text, so naming one in an
/// event costs no allocation; keys from payloads share their text.
#[derive(Clone)]
pub struct TemplateKey(KeyText);

#[derive(Clone)]
enum KeyText {
    Fixed(&'static str),
    Shared(Arc<str>),
}

impl TemplateKey {
    pub const fn fixed(key: &'static str) -> Self {
        TemplateKey(KeyText::Fixed(key))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            KeyText::Fixed(key) => key,
            KeyText::Shared(key) => key,
        }
    }
}

impl std::ops::Deref for TemplateKey {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<Arc<str>> for TemplateKey {
    fn from(key: Arc<str>) -> Self {
        TemplateKey(KeyText::Shared(key))
    }
}

impl PartialEq for TemplateKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TemplateKey {}

impl std::fmt::Debug for TemplateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for TemplateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TemplateKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TemplateKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Arc::<str>::deserialize(deserializer).map(TemplateKey::from)
    }
}

/// Template keys of the messages the queue itself sends.
pub mod keys {
    /// Private receipt for a queued item (always sent at intake).
    pub const QUEUE_RECEIPT: &str = "queue.receipt";
    /// Private receipt for an instant item, settled at once.
    pub const INSTANT_RECEIPT: &str = "instant.receipt";
    /// More than six items ahead at intake.
    pub const QUEUE_SIT_BACK: &str = "queue.sit_back";
    /// The item reached position 3.
    pub const QUEUE_SOON: &str = "queue.soon";
    /// The item was refunded.
    pub const QUEUE_REFUND: &str = "queue.refund";
    /// Public line when an item is refunded.
    pub const QUEUE_REFUND_PUBLIC: &str = "queue.refund.public";
    /// Public line for every tip (the tip endpoint's announcement).
    pub const TIP_RECEIVED: &str = "tip.received";
    /// Public line when a toy tip has to wait behind others (or a paused lane).
    pub const TIP_TOY_QUEUED: &str = "tip.toy.queued";
    /// Public line when the toy starts on a tip.
    pub const TIP_TOY_STARTED: &str = "tip.toy.started";
}

/// "Sit back" goes out when more than this many items are ahead at intake.
pub const SIT_BACK_AHEAD: u32 = 6;
/// "It won't be long" goes out when an item reaches this position.
pub const SOON_POSITION: u32 = 3;

/// Membership tier of a viewer (seed 002); it sets delivery priority.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Free,
    Basic,
    Premium,
    Vip,
}

impl Tier {
    /// Priority 1..=10, higher first.
    pub fn priority(self) -> u8 {
        match self {
            Tier::Vip => 10,
            Tier::Premium => 8,
            Tier::Basic => 5,
            Tier::Free => 3,
        }
    }

    /// How long the delivery service may hold the message.
    pub fn delivery_delay_ms(self) -> u64 {
        match self {
            Tier::Vip => 0,
            Tier::Premium => 1_000,
            Tier::Basic => 5_000,
            Tier::Free => 30_000,
        }
    }

    pub const ALL: [Tier; 4] = [Tier::Vip, Tier::Premium, Tier::Basic, Tier::Free];

    pub fn parse(text: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.label() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Basic => "basic",
            Tier::Premium => "premium",
            Tier::Vip => "vip",
        }
    }
}

/// Variables a template may use. Absent ones are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageVars {
    /// The buyer's display name, or their id when they gave none.
    pub user: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahead: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RefundReason>,
    /// How long a toy tip drives the toy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}
