//! Loyalty points beside tokens: what a points entry records, the locks on
//! a user's points, operators' adjustments and the limits on performers'
//! awards. The rules that move points are the engine's (`engine::points`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ids::{IdemKey, ItemId, PerformerId, RoomId, UserId};
use super::item::Actor;
use super::time::Stamp;

/// What a points entry was, for history filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsKind {
    /// A settled menu item's bonus points, or an earn event of the platform.
    Earn,
    /// An admin's grant to a performer's award allowance.
    Grant,
    /// A performer's gift to a viewer from their allowance.
    Award,
    /// An operator's correction, up or down.
    Adjust,
    /// Points paid for an item, held until it finishes or is refunded.
    Hold,
    /// Held points burned to the sink when the item finished.
    Redeem,
    /// Held points given back when the item was refunded.
    Refund,
}

impl PointsKind {
    pub const ALL: [PointsKind; 7] = [
        PointsKind::Earn,
        PointsKind::Grant,
        PointsKind::Award,
        PointsKind::Adjust,
        PointsKind::Hold,
        PointsKind::Redeem,
        PointsKind::Refund,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointsKind::Earn => "earn",
            PointsKind::Grant => "grant",
            PointsKind::Award => "award",
            PointsKind::Adjust => "adjust",
            PointsKind::Hold => "hold",
            PointsKind::Redeem => "redeem",
            PointsKind::Refund => "refund",
        }
    }

    pub fn parse(text: &str) -> Option<PointsKind> {
        PointsKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One append-only line of points history, as the store keeps it beside
/// the postings: whose points, how many (signed, from that account's side),
/// why, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsEntry {
    pub kind: PointsKind,
    /// The viewer whose points moved (none for a grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// The performer whose allowance moved (a grant or an award).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<PerformerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    /// Signed: what the viewer's (or, for a grant, the allowance's)
    /// balance changed by.
    pub amount: i64,
    /// Where it came from: `menu_item`, `platform`, `award`, `operator`...
    pub source: Arc<str>,
    /// Why: the earn event's reason, an adjustment's reason code, a note.
    pub reason: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_event: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<IdemKey>,
    pub by: Actor,
    pub at: Stamp,
}

/// What a lock on a user's points refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockKind {
    /// No redeeming.
    Redeem,
    /// No receiving performers' awards.
    Award,
    /// Nothing: no earning, redeeming or awards (operators' adjustments
    /// still apply).
    Full,
}

impl LockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LockKind::Redeem => "redeem",
            LockKind::Award => "award",
            LockKind::Full => "full",
        }
    }

    /// Whether this lock refuses `action`.
    pub fn refuses(self, action: LockKind) -> bool {
        self == LockKind::Full || self == action
    }
}

/// Why a lock was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    Fraud,
    Chargeback,
    Abuse,
    Investigation,
    UserRequest,
}

impl LockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LockReason::Fraud => "fraud",
            LockReason::Chargeback => "chargeback",
            LockReason::Abuse => "abuse",
            LockReason::Investigation => "investigation",
            LockReason::UserRequest => "user_request",
        }
    }
}

/// A lock on one user's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsLock {
    pub user: UserId,
    pub kind: LockKind,
    pub reason: LockReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Arc<str>>,
    /// When it lapses by itself; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Stamp>,
    pub at: Stamp,
    pub by: Actor,
}

impl PointsLock {
    pub fn active_at(&self, now: Stamp) -> bool {
        self.expires_at.is_none_or(|end| now < end)
    }
}

/// The fixed list of reasons an operator may correct a balance for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustReason {
    Goodwill,
    ServiceCredit,
    MissingEarn,
    Correction,
    Fraud,
}

impl AdjustReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustReason::Goodwill => "goodwill",
            AdjustReason::ServiceCredit => "service_credit",
            AdjustReason::MissingEarn => "missing_earn",
            AdjustReason::Correction => "correction",
            AdjustReason::Fraud => "fraud",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentState {
    /// Above the threshold: waits for a second admin; nothing has moved.
    Pending,
    Applied,
    Rejected,
}

/// An operator's correction of one user's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Adjustment {
    pub id: u64,
    pub user: UserId,
    /// Signed: added to (or, below zero, taken from) the balance.
    pub amount: i64,
    pub reason: AdjustReason,
    pub ticket: Arc<str>,
    pub state: AdjustmentState,
    pub at: Stamp,
    pub by: Actor,
    /// The second admin who approved or rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Stamp>,
}

/// The limits on a performer's awards, refused by name when reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwardLimits {
    /// The most one viewer may receive from a performer in one broadcast.
    pub per_viewer: u64,
    /// The most a performer may award in one broadcast.
    pub per_broadcast: u64,
    /// The most a performer may award in the last hour.
    pub per_hour: u64,
    /// The most a performer may award in one UTC day.
    pub per_day: u64,
    /// At most this many awards to one viewer within `velocity_window_secs`.
    pub velocity_count: u32,
    pub velocity_window_secs: u64,
}

impl Default for AwardLimits {
    fn default() -> Self {
        AwardLimits {
            per_viewer: 500,
            per_broadcast: 5_000,
            per_hour: 2_000,
            per_day: 10_000,
            velocity_count: 3,
            velocity_window_secs: 60,
        }
    }
}

/// Which award limit refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardLimit {
    PerViewer,
    PerBroadcast,
    PerHour,
    PerDay,
    Velocity,
}

impl AwardLimit {
    pub fn as_str(self) -> &'static str {
        match self {
            AwardLimit::PerViewer => "per_viewer",
            AwardLimit::PerBroadcast => "per_broadcast",
            AwardLimit::PerHour => "per_hour",
            AwardLimit::PerDay => "per_day",
            AwardLimit::Velocity => "velocity",
        }
    }
}

/// What the limits still allow a performer to award one viewer now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwardRoom {
    pub per_viewer: u64,
    pub per_broadcast: u64,
    pub per_hour: u64,
    pub per_day: u64,
    /// Awards to this viewer still allowed in the velocity window.
    pub velocity: u32,
    /// The performer's allowance.
    pub allowance: u64,
}

impl AwardRoom {
    /// The most one award may be now.
    pub fn most(&self) -> u64 {
        if self.velocity == 0 {
            return 0;
        }
        [
            self.per_viewer,
            self.per_broadcast,
            self.per_hour,
            self.per_day,
            self.allowance,
        ]
        .into_iter()
        .min()
        .unwrap_or(0)
    }
}

/// Engine-wide points settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PointsConfig {
    pub awards: AwardLimits,
    /// An adjustment of more than this many points (either way) waits for
    /// a second admin's approval.
    pub approval_threshold: u64,
}

impl Default for PointsConfig {
    fn default() -> Self {
        PointsConfig {
            awards: AwardLimits::default(),
            approval_threshold: 1_000,
        }
    }
}
