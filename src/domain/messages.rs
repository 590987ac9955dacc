//! Chat and private messages the queue sends, as template keys plus typed
//! variables. The text comes from templates at the edge; nothing here is prose.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ids::ItemId;
use super::refund::RefundReason;

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
    /// Public line when the performer starts an item.
    pub const QUEUE_STARTED: &str = "queue.started";
}

/// "Sit back" goes out when more than this many items are ahead at intake.
pub const SIT_BACK_AHEAD: u32 = 6;
/// "It won't be long" goes out when an item reaches this position.
pub const SOON_POSITION: u32 = 3;

/// Membership tier of a viewer (seed 002); it sets delivery priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize)]
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
}
