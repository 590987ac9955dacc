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
use super::tips::TipToy;
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
    /// A toy tip joined the room's lane at `position` (1 is the running one).
    TipQueued {
        item: Arc<ItemView>,
        position: u32,
    },
    /// The lane's head runs now, for `remainingMs` (its level's duration,
    /// or what was left of a cut run).
    LaneStarted {
        item: ItemId,
        started_at: Stamp,
        remaining_ms: u64,
        tip: Arc<TipToy>,
    },
    /// The running tip's toy run ended and its tokens settled.
    LaneSettled {
        item: ItemId,
        settled: u64,
    },
    /// The running tip went back to the head of the lane.
    LaneReturned {
        item: ItemId,
        remaining_ms: u64,
        why: LaneCut,
    },
    /// Every tip of the lane was refunded (each has its `item_refunded`).
    LaneCleared {
        refunded: u32,
        by: Role,
    },
    LanePaused {
        by: Role,
    },
    LaneResumed {
        by: Role,
    },
    /// The console running a tip went away; the tip goes back to the head
    /// at `returnsAt` unless a console reports it first.
    LaneConsoleGone {
        item: ItemId,
        returns_at: Stamp,
    },
    /// A moderation action on this room (a ban, a pause, a switch).
    Moderation {
        moderation: ModerationNote,
    },
    /// The performer's public micro response (text already escaped).
    PublicReply {
        text: Arc<str>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mood: Option<Arc<str>>,
        by: Role,
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
            EventKind::TipQueued { .. } => "tip_queued",
            EventKind::LaneStarted { .. } => "lane_started",
            EventKind::LaneSettled { .. } => "lane_settled",
            EventKind::LaneReturned { .. } => "lane_returned",
            EventKind::LaneCleared { .. } => "lane_cleared",
            EventKind::LanePaused { .. } => "lane_paused",
            EventKind::LaneResumed { .. } => "lane_resumed",
            EventKind::LaneConsoleGone { .. } => "lane_console_gone",
            EventKind::PublicReply { .. } => "public_reply",
        }
    }
}

/// Why a running tip went back to the head of the lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneCut {
    /// The lane was paused (the stop key, the lane screen).
    Paused,
    /// The console gave it back (a lost toy, a restart).
    Released,
    /// Its console was gone past the grace period.
    ConsoleGone,
}
