//! Events: what the engine tells the world, numbered per room.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ids::{ItemId, PerformerId, RoomId, UserId};
use super::item::{ItemView, Role};
use super::messages::{MessageVars, TemplateKey, Tier};
use super::moderation::ModerationNote;
use super::refund::RefundReason;
use super::room::RoomSettings;
use super::time::Stamp;
use super::toy_effect::ToyEffect;

/// One event of a room's stream. `seq` counts from 1 per room without gaps,
/// so a client that saw `seq = n` can resume from exactly there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub room: RoomId,
    pub seq: u64,
    pub at: Stamp,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum EventKind {
    RoomCreated {
        performer: PerformerId,
    },
    /// `position` is where it landed (1-based, counting the item in progress).
    ItemQueued {
        item: Arc<ItemView>,
        position: u32,
    },
    /// A non-queued item, held and settled at once.
    InstantSettled {
        item: Arc<ItemView>,
    },
    ItemStarted {
        item: ItemId,
        started_at: Stamp,
        duration_ms: u64,
        #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
        effects: Arc<[ToyEffect]>,
    },
    ItemFinished {
        item: ItemId,
        settled: u64,
        points: u64,
    },
    ItemRefunded {
        item: ItemId,
        amount: u64,
        settled: u64,
        reason: RefundReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Arc<str>>,
        by: Role,
    },
    UserJoined {
        user: UserId,
        tier: Tier,
    },
    /// The user's waiting items are refunded at `refund_at` unless they return.
    UserLeft {
        user: UserId,
        refund_at: Stamp,
    },
    BroadcastStarted,
    /// Waiting items are refunded at `refund_at` unless the broadcast resumes.
    BroadcastEnded {
        refund_at: Stamp,
    },
    SettingsChanged {
        settings: RoomSettings,
    },
    /// A public chat line, from the template `key`.
    Announcement {
        key: TemplateKey,
        vars: MessageVars,
    },
    /// A private message to one user, from the template `key`.
    PrivateMessage {
        user: UserId,
        tier: Tier,
        priority: u8,
        delay_ms: u64,
        key: TemplateKey,
        vars: MessageVars,
    },
    /// A moderation action on this room (a ban, a pause, a switch).
    Moderation {
        moderation: ModerationNote,
    },
}

impl EventKind {
    /// The `type` tag, for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::RoomCreated { .. } => "room_created",
            EventKind::ItemQueued { .. } => "item_queued",
            EventKind::InstantSettled { .. } => "instant_settled",
            EventKind::ItemStarted { .. } => "item_started",
            EventKind::ItemFinished { .. } => "item_finished",
            EventKind::ItemRefunded { .. } => "item_refunded",
            EventKind::UserJoined { .. } => "user_joined",
            EventKind::UserLeft { .. } => "user_left",
            EventKind::BroadcastStarted => "broadcast_started",
            EventKind::BroadcastEnded { .. } => "broadcast_ended",
            EventKind::SettingsChanged { .. } => "settings_changed",
            EventKind::Announcement { .. } => "announcement",
            EventKind::PrivateMessage { .. } => "private_message",
            EventKind::Moderation { .. } => "moderation",
        }
    }
}
