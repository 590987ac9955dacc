//! The loyalty points endpoints' bodies: earn events, balances, history
//! pages, allowances, awards, adjustments and locks.

use serde::{Deserialize, Serialize};

use crate::domain::points::{
    AdjustReason, Adjustment, AwardRoom, LockKind, LockReason, PointsEntry, PointsLock,
};
use crate::domain::{PerformerId, RoomId, UserId};

/// `POST /api/v1/points/earn`: an earn event of the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EarnRequest {
    pub user: UserId,
    pub amount: u64,
    /// The platform's id of the event: it enters once.
    pub source_event_id: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
}

/// `GET /api/v1/points/balance/{user}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsBalance {
    pub user: UserId,
    pub balance: u64,
    /// Locks in force now.
    pub locks: Vec<PointsLock>,
}

/// One line of points history with its id (for `before`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsRow {
    pub id: i64,
    #[serde(flatten)]
    pub entry: PointsEntry,
}

/// `GET /api/v1/points/transactions` (and a room's awards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsPage {
    /// Newest first.
    pub entries: Vec<PointsRow>,
    /// Pass as `before` for the next (older) page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// `POST /api/v1/points/allowances`: an admin grants a performer points
/// to award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantRequest {
    pub performer: PerformerId,
    pub amount: u64,
}

/// `POST /api/v1/rooms/{room}/points/awards`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwardRequest {
    pub user: UserId,
    pub amount: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `GET /api/v1/rooms/{room}/points/awards/{user}/left`: what the limits
/// still allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwardLeft {
    pub user: UserId,
    /// The viewer's points now.
    pub balance: u64,
    #[serde(flatten)]
    pub left: AwardRoom,
    /// The most one award may be now.
    pub most: u64,
}

/// `POST /api/v1/points/adjustments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdjustRequest {
    pub user: UserId,
    /// Signed: below zero takes points away.
    pub amount: i64,
    pub reason: AdjustReason,
    pub ticket: String,
}

/// `GET /api/v1/points/adjustments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentList {
    /// Oldest first.
    pub adjustments: Vec<Adjustment>,
}

/// `POST /api/v1/points/locks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockRequest {
    pub user: UserId,
    pub lock: LockKind,
    pub reason: LockReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How long the lock lasts; for ever (until unlocked) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<u64>,
}
