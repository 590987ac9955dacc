//! A queue item: what was bought, its money state, and its audit record.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ids::{IdemKey, ItemId, PerformerId, RoomId, UserId};
use super::intake::{PaidAction, Source};
use super::messages::Tier;
use super::refund::RefundReason;
use super::time::Stamp;
use super::tips::TipToy;
use super::toy_effect::ToyEffect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Queued,
    InProgress,
    Finished,
    Refunded,
}

impl ItemState {
    pub fn is_closed(self) -> bool {
        matches!(self, ItemState::Finished | ItemState::Refunded)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Queued => "queued",
            ItemState::InProgress => "in_progress",
            ItemState::Finished => "finished",
            ItemState::Refunded => "refunded",
        }
    }
}

impl fmt::Display for ItemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who asked for a transition, for the audit record (ids only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Integration,
    Performer,
    Moderator,
    Viewer,
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Integration => "integration",
            Role::Performer => "performer",
            Role::Moderator => "moderator",
            Role::Viewer => "viewer",
            Role::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub role: Role,
    pub id: Arc<str>,
}

impl Actor {
    pub fn new(role: Role, id: impl Into<Arc<str>>) -> Self {
        Actor {
            role,
            id: id.into(),
        }
    }

    /// The engine itself (auto-refunds).
    pub fn system() -> Self {
        Actor::new(Role::System, "queue")
    }
}

/// What happened to an item, as stamped in its audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "transition", rename_all = "snake_case")]
pub enum Transition {
    Queued {
        position: u32,
    },
    /// An instant item: held and settled in the same moment.
    Settled {
        amount: u64,
    },
    Started,
    Finished {
        settled: u64,
    },
    Refunded {
        amount: u64,
        settled: u64,
        reason: RefundReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Arc<str>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Stamp,
    #[serde(flatten)]
    pub transition: Transition,
    pub by: Actor,
}

/// The part of an item that never changes after intake; shared with events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    pub id: ItemId,
    pub room: RoomId,
    pub source: Source,
    pub source_event_id: Arc<str>,
    pub performer_id: PerformerId,
    pub user_id: UserId,
    /// The name to show: the buyer's display name, or their id.
    pub user_name: Arc<str>,
    pub tier: Tier,
    pub action: PaidAction,
    pub token_cost: u64,
    /// D, fixed at intake: later config changes never touch it.
    pub duration_ms: u64,
    /// Enabled toy effects only.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub effects: Arc<[ToyEffect]>,
    pub private: bool,
    pub instant: bool,
    /// The server's intake stamp, the primary ordering key.
    pub stamp: Stamp,
    /// Intake sequence, the last tie-breaker.
    pub seq: u64,
    /// The client's own stamp, kept only as metadata.
    pub client_stamp: Arc<str>,
    pub loyalty_points: u64,
    /// Loyalty points paid for the item (it then costs 0 tokens).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub points_cost: u64,
    /// A toy tip's matched level, fixed at intake; such an item waits in
    /// the room's toy lane, not in its queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<Arc<TipToy>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub view: Arc<ItemView>,
    pub key: IdemKey,
    pub state: ItemState,
    pub started_at: Option<Stamp>,
    pub closed_at: Option<Stamp>,
    /// Tokens that went to the performer.
    pub settled: u64,
    /// Tokens that went back to the buyer.
    pub refunded: u64,
    pub refund_reason: Option<RefundReason>,
    pub audit: Vec<AuditEntry>,
    /// Position at intake; "it won't be long" is for items that came in behind 3.
    pub intake_position: u32,
    pub soon_sent: bool,
}

impl Item {
    pub fn id(&self) -> ItemId {
        self.view.id
    }
}

/// What the engine keeps of a closed item for the retention window: enough
/// to answer a late command or a retry about it and to recognise its source
/// event. The full record (view and audit) leaves the engine in the outcome
/// that closed the item and is kept by the store; after the window the
/// facts go too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedItem {
    pub id: ItemId,
    pub room: RoomId,
    pub user_id: UserId,
    pub source: Source,
    /// A source event is taken once: the engine recognises it for the
    /// window, the store after.
    pub source_event_id: Arc<str>,
    pub menu_item_id: Option<Arc<str>>,
    pub state: ItemState,
    pub stamp: Stamp,
    pub token_cost: u64,
    pub settled: u64,
    pub refunded: u64,
}

impl ClosedItem {
    pub fn of(item: &Item) -> Self {
        let view = &item.view;
        ClosedItem {
            id: view.id,
            room: view.room.clone(),
            user_id: view.user_id.clone(),
            source: view.source,
            source_event_id: view.source_event_id.clone(),
            menu_item_id: view.action.menu_item_id.clone(),
            state: item.state,
            stamp: view.stamp,
            token_cost: view.token_cost,
            settled: item.settled,
            refunded: item.refunded,
        }
    }
}

/// Every item the engine has seen: open ones whole, closed ones as facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemEntry {
    Open(Item),
    Closed(ClosedItem),
}

impl ItemEntry {
    /// The whole record, while the item is queued or in progress.
    pub fn open(&self) -> Option<&Item> {
        match self {
            ItemEntry::Open(item) => Some(item),
            ItemEntry::Closed(_) => None,
        }
    }

    pub fn id(&self) -> ItemId {
        match self {
            ItemEntry::Open(item) => item.id(),
            ItemEntry::Closed(closed) => closed.id,
        }
    }

    pub fn room(&self) -> &RoomId {
        match self {
            ItemEntry::Open(item) => &item.view.room,
            ItemEntry::Closed(closed) => &closed.room,
        }
    }

    pub fn user_id(&self) -> &UserId {
        match self {
            ItemEntry::Open(item) => &item.view.user_id,
            ItemEntry::Closed(closed) => &closed.user_id,
        }
    }

    pub fn source(&self) -> Source {
        match self {
            ItemEntry::Open(item) => item.view.source,
            ItemEntry::Closed(closed) => closed.source,
        }
    }

    pub fn source_event_id(&self) -> &str {
        match self {
            ItemEntry::Open(item) => &item.view.source_event_id,
            ItemEntry::Closed(closed) => &closed.source_event_id,
        }
    }

    pub fn menu_item_id(&self) -> Option<&str> {
        match self {
            ItemEntry::Open(item) => item.view.action.menu_item_id.as_deref(),
            ItemEntry::Closed(closed) => closed.menu_item_id.as_deref(),
        }
    }

    pub fn state(&self) -> ItemState {
        match self {
            ItemEntry::Open(item) => item.state,
            ItemEntry::Closed(closed) => closed.state,
        }
    }

    /// The server's intake stamp.
    pub fn stamp(&self) -> Stamp {
        match self {
            ItemEntry::Open(item) => item.view.stamp,
            ItemEntry::Closed(closed) => closed.stamp,
        }
    }

    pub fn token_cost(&self) -> u64 {
        match self {
            ItemEntry::Open(item) => item.view.token_cost,
            ItemEntry::Closed(closed) => closed.token_cost,
        }
    }

    /// Tokens that went to the performer.
    pub fn settled(&self) -> u64 {
        match self {
            ItemEntry::Open(item) => item.settled,
            ItemEntry::Closed(closed) => closed.settled,
        }
    }

    /// Tokens that went back to the buyer.
    pub fn refunded(&self) -> u64 {
        match self {
            ItemEntry::Open(item) => item.refunded,
            ItemEntry::Closed(closed) => closed.refunded,
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
