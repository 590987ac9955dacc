//! One room's queue state and its settings.

use serde::{Deserialize, Serialize};

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use super::error::DomainError;
use super::ids::{ItemId, PerformerId, RoomId, UserId};
use super::intake::{MAX_DURATION_MS, MIN_DURATION_MS};
use super::lane::{LaneView, TipLane};
use super::messages::Tier;
use super::queue::WaitingLine;
use super::time::Stamp;
use super::timer::DEFAULT_DURATION_MS;

/// Per-room configuration. Changes apply to future items and future grace
/// periods only; items already queued keep the D they were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoomSettings {
    /// D for items that give no duration hint.
    pub default_duration_ms: u64,
    /// How long a user who left may take to return before their waiting
    /// items are refunded.
    pub leave_grace_ms: u64,
    /// How long after the broadcast ends waiting items are refunded.
    pub offline_grace_ms: u64,
    /// The most one item may cost.
    pub max_token_cost: u64,
}

impl Default for RoomSettings {
    fn default() -> Self {
        RoomSettings {
            default_duration_ms: DEFAULT_DURATION_MS,
            leave_grace_ms: 60_000,
            offline_grace_ms: 300_000,
            max_token_cost: 1_000_000,
        }
    }
}

const DAY_MS: u64 = 24 * 3600 * 1000;

impl RoomSettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        if !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&self.default_duration_ms) {
            return Err(DomainError::invalid(
                "default_duration_ms",
                format!("must be within {MIN_DURATION_MS}..={MAX_DURATION_MS}"),
            ));
        }
        for (field, value) in [
            ("leave_grace_ms", self.leave_grace_ms),
            ("offline_grace_ms", self.offline_grace_ms),
        ] {
            if value > DAY_MS {
                return Err(DomainError::invalid(field, "must be at most one day"));
            }
        }
        if !(1..=1_000_000_000).contains(&self.max_token_cost) {
            return Err(DomainError::invalid(
                "max_token_cost",
                "must be within 1..=1000000000",
            ));
        }
        Ok(())
    }
}

/// Money and counts of one room since it was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoomTotals {
    /// Tokens in escrow for this room's open items now.
    pub escrow: u64,
    /// Tokens settled to the performer.
    pub earned: u64,
    /// Tokens refunded to viewers.
    pub refunded: u64,
    /// Items finished (instant items included).
    pub done: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// The one shared copy of the user's id in this room.
    pub id: UserId,
    pub tier: Tier,
    /// Set while the user is away: when their waiting items get refunded.
    pub refund_at: Option<Stamp>,
}

#[derive(Debug, Clone)]
pub(crate) struct Room {
    pub id: RoomId,
    pub performer: PerformerId,
    pub live: bool,
    pub settings: RoomSettings,
    pub in_progress: Option<ItemId>,
    pub waiting: WaitingLine,
    /// The seq the next event of this room gets.
    pub next_event_seq: u64,
    pub members: HashMap<UserId, Member>,
    /// Set while the broadcast is off: when waiting items get refunded.
    pub offline_refund_at: Option<Stamp>,
    pub totals: RoomTotals,
    /// Toy tips, beside the queue: neither blocks the other.
    pub lane: TipLane,
}

impl Member {
    pub fn new(id: UserId) -> Self {
        Member {
            id,
            tier: Tier::default(),
            refund_at: None,
        }
    }
}

impl Room {
    pub fn new(id: RoomId, performer: PerformerId, settings: RoomSettings) -> Self {
        Room {
            id,
            performer,
            live: false,
            settings,
            in_progress: None,
            waiting: WaitingLine::default(),
            next_event_seq: 1,
            members: HashMap::default(),
            offline_refund_at: None,
            totals: RoomTotals::default(),
            lane: TipLane::default(),
        }
    }

    /// 1-based position of the waiting item at `index`.
    pub fn position_of_index(&self, index: usize) -> u32 {
        (index + 1 + usize::from(self.in_progress.is_some())) as u32
    }
}

/// What a check needs of a room: who performs, whether live, its
/// settings; without copying its queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    pub performer: PerformerId,
    pub live: bool,
    pub settings: RoomSettings,
}

/// A read-only view of a room for callers outside the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomView {
    pub id: RoomId,
    pub performer: PerformerId,
    pub live: bool,
    pub settings: RoomSettings,
    pub in_progress: Option<ItemId>,
    /// Waiting items, head first.
    pub waiting: Vec<ItemId>,
    /// The seq of the last event emitted (0 before any).
    pub last_seq: u64,
    pub totals: RoomTotals,
    pub lane: LaneView,
}
