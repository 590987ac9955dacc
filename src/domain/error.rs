//! Every way the engine can refuse a command. Each error has a stable code
//! (the wire protocol and the console use it) and, where one field is at
//! fault, the path of that field.

use serde::Serialize;

use super::ids::{IdemKey, ItemId, RoomId, UserId};
use super::item::ItemState;
use super::moderation::Switch;
use super::points::{AdjustmentState, AwardLimit, LockKind, LockReason};
use super::time::Stamp;
use crate::error_code::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DomainError {
    #[error("invalid field `{field}`: {reason}")]
    InvalidField { field: String, reason: String },

    #[error("forbidden field `{field}`: {reason}")]
    ForbiddenField { field: String, reason: String },

    #[error("idempotency key `{key}` was already used for a different request")]
    IdempotencyConflict { key: IdemKey },

    #[error("source event `{source_event_id}` was already taken into the queue")]
    DuplicateSourceEvent { source_event_id: String },

    #[error("room `{room}` does not exist")]
    UnknownRoom { room: RoomId },

    #[error("room `{room}` already exists")]
    RoomExists { room: RoomId },

    #[error("item {item} does not exist in this room")]
    UnknownItem { item: ItemId },

    #[error("the performer is not live in room `{room}`")]
    NotLive { room: RoomId },

    #[error("the performer is already live in room `{room}`")]
    AlreadyLive { room: RoomId },

    #[error("user `{user}` has {available} tokens, {needed} are needed")]
    InsufficientFunds {
        user: UserId,
        needed: u64,
        available: u64,
    },

    #[error("item {item} is not at the head of the queue (the head is {head:?})")]
    NotHead { item: ItemId, head: Option<ItemId> },

    #[error("the queue is empty")]
    QueueEmpty,

    #[error("item {item} is already in progress; finish or refund it first")]
    Busy { item: ItemId },

    #[error("no item is in progress")]
    NothingInProgress,

    #[error("item {item} is not the item in progress")]
    NotInProgress { item: ItemId },

    #[error("item {item} is already {state}")]
    ItemClosed { item: ItemId, state: ItemState },

    #[error("user `{user}` is not in room `{room}`")]
    NotInRoom { room: RoomId, user: UserId },

    #[error(
        "the amount would take the ledger past its limit: at most {} tokens, and as many points, may exist in all",
        super::ledger::MAX_SUPPLY
    )]
    Overflow,

    /// The body as a whole is not what the endpoint takes (not JSON, not an
    /// object, …), or the field at fault cannot be told.
    #[error("{reason}")]
    InvalidBody { reason: String },

    #[error("the queue's records could not be read; try again")]
    Unavailable,

    #[error("user `{user}` is banned from room `{room}`{}", until.map(|t| format!(" until {t}")).unwrap_or_default())]
    Banned {
        room: RoomId,
        user: UserId,
        until: Option<Stamp>,
    },

    #[error("room `{room}` is paused: it takes no new items for now")]
    Paused { room: RoomId },

    #[error("the kill switch `{switch}` is on: the platform takes no new {switch} for now")]
    KillSwitch { switch: Switch },

    #[error("user `{user}` is not banned from the rooms named")]
    NotBanned { user: UserId },

    #[error("room `{room}` is already paused")]
    AlreadyPaused { room: RoomId },

    #[error("room `{room}` is not paused")]
    NotPaused { room: RoomId },

    #[error("the toy lane of room `{room}` is paused")]
    LanePaused { room: RoomId },

    #[error("the toy lane of room `{room}` is not paused")]
    LaneNotPaused { room: RoomId },

    #[error("item {item} is not a tip in the toy lane")]
    NotInLane { item: ItemId },

    #[error("`{account}` has {available} points, {needed} are needed")]
    InsufficientPoints {
        account: String,
        needed: u64,
        available: u64,
    },

    #[error("the points of `{user}` are locked: a {} lock, reason {}{}", lock.as_str(), reason.as_str(), until.map(|t| format!(" until {t}")).unwrap_or_default())]
    PointsLocked {
        user: UserId,
        lock: LockKind,
        reason: LockReason,
        until: Option<Stamp>,
    },

    #[error("the award limit {} leaves {left} points", limit.as_str())]
    AwardLimit { limit: AwardLimit, left: u64 },

    #[error("adjustment {adjustment} does not exist")]
    UnknownAdjustment { adjustment: u64 },

    #[error("adjustment {adjustment} is already {state:?}")]
    AdjustmentDecided {
        adjustment: u64,
        state: AdjustmentState,
    },

    #[error(
        "adjustment {adjustment} needs a second admin: the one who asked for it cannot approve it"
    )]
    SelfApproval { adjustment: u64 },

    #[error("the points of `{user}` have no {} lock", lock.as_str())]
    NotLocked { user: UserId, lock: LockKind },
}

impl DomainError {
    /// The stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::InvalidField { .. } => ErrorCode::InvalidField,
            DomainError::ForbiddenField { .. } => ErrorCode::ForbiddenField,
            DomainError::IdempotencyConflict { .. } => ErrorCode::IdempotencyConflict,
            DomainError::DuplicateSourceEvent { .. } => ErrorCode::DuplicateSourceEvent,
            DomainError::UnknownRoom { .. } => ErrorCode::UnknownRoom,
            DomainError::RoomExists { .. } => ErrorCode::RoomExists,
            DomainError::UnknownItem { .. } => ErrorCode::UnknownItem,
            DomainError::NotLive { .. } => ErrorCode::NotLive,
            DomainError::AlreadyLive { .. } => ErrorCode::AlreadyLive,
            DomainError::InsufficientFunds { .. } => ErrorCode::InsufficientFunds,
            DomainError::NotHead { .. } => ErrorCode::NotHead,
            DomainError::QueueEmpty => ErrorCode::QueueEmpty,
            DomainError::Busy { .. } => ErrorCode::Busy,
            DomainError::NothingInProgress => ErrorCode::NothingInProgress,
            DomainError::NotInProgress { .. } => ErrorCode::NotInProgress,
            DomainError::ItemClosed { .. } => ErrorCode::ItemClosed,
            DomainError::NotInRoom { .. } => ErrorCode::NotInRoom,
            DomainError::Overflow => ErrorCode::Overflow,
            DomainError::InvalidBody { .. } => ErrorCode::InvalidField,
            DomainError::Unavailable => ErrorCode::Unavailable,
            DomainError::Banned { .. } => ErrorCode::Banned,
            DomainError::Paused { .. } => ErrorCode::Paused,
            DomainError::KillSwitch { switch } => kill_switch_code(*switch),
            DomainError::NotBanned { .. } => ErrorCode::NotBanned,
            DomainError::AlreadyPaused { .. } => ErrorCode::AlreadyPaused,
            DomainError::NotPaused { .. } => ErrorCode::NotPaused,
            DomainError::LanePaused { .. } => ErrorCode::LanePaused,
            DomainError::LaneNotPaused { .. } => ErrorCode::LaneNotPaused,
            DomainError::NotInLane { .. } => ErrorCode::NotInLane,
            DomainError::InsufficientPoints { .. } => ErrorCode::InsufficientPoints,
            DomainError::PointsLocked { .. } => ErrorCode::PointsLocked,
            DomainError::AwardLimit { .. } => ErrorCode::AwardLimit,
            DomainError::UnknownAdjustment { .. } => ErrorCode::UnknownAdjustment,
            DomainError::AdjustmentDecided { .. } => ErrorCode::AdjustmentDecided,
            DomainError::SelfApproval { .. } => ErrorCode::SelfApproval,
            DomainError::NotLocked { .. } => ErrorCode::NotLocked,
        }
    }

    /// The payload field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::InvalidField { field, .. } | DomainError::ForbiddenField { field, .. } => {
                Some(field)
            }
            DomainError::IdempotencyConflict { .. } => Some("idempotencyKey"),
            DomainError::DuplicateSourceEvent { .. } => Some("sourceEventId"),
            DomainError::InsufficientFunds { .. } => Some("tokenCost"),
            DomainError::InsufficientPoints { .. } | DomainError::AwardLimit { .. } => {
                Some("amount")
            }
            _ => None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn forbidden(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::ForbiddenField {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Each kill switch refuses with its own code, so a client can tell which.
pub fn kill_switch_code(switch: Switch) -> ErrorCode {
    match switch {
        Switch::Intakes => ErrorCode::KillSwitchIntakes,
        Switch::Purchases => ErrorCode::KillSwitchPurchases,
        Switch::Rooms => ErrorCode::KillSwitchRooms,
        Switch::Tokens => ErrorCode::KillSwitchTokens,
    }
}
