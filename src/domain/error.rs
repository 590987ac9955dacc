//! Every way the engine can refuse a command. Each error has a stable code
//! (the wire protocol and the console use it) and, where one field is at
//! fault, the path of that field.

use serde::Serialize;

use super::ids::{IdemKey, ItemId, RoomId, UserId};
use super::item::ItemState;

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

    #[error("the queue's records could not be read; try again")]
    Unavailable,
}

impl DomainError {
    /// Every code [`DomainError::code`] can return.
    pub const CODES: &'static [&'static str] = &[
        "invalid_field",
        "forbidden_field",
        "idempotency_conflict",
        "duplicate_source_event",
        "unknown_room",
        "room_exists",
        "unknown_item",
        "not_live",
        "already_live",
        "insufficient_funds",
        "not_head",
        "queue_empty",
        "busy",
        "nothing_in_progress",
        "not_in_progress",
        "item_closed",
        "not_in_room",
        "overflow",
        "unavailable",
    ];

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::InvalidField { .. } => "invalid_field",
            DomainError::ForbiddenField { .. } => "forbidden_field",
            DomainError::IdempotencyConflict { .. } => "idempotency_conflict",
            DomainError::DuplicateSourceEvent { .. } => "duplicate_source_event",
            DomainError::UnknownRoom { .. } => "unknown_room",
            DomainError::RoomExists { .. } => "room_exists",
            DomainError::UnknownItem { .. } => "unknown_item",
            DomainError::NotLive { .. } => "not_live",
            DomainError::AlreadyLive { .. } => "already_live",
            DomainError::InsufficientFunds { .. } => "insufficient_funds",
            DomainError::NotHead { .. } => "not_head",
            DomainError::QueueEmpty => "queue_empty",
            DomainError::Busy { .. } => "busy",
            DomainError::NothingInProgress => "nothing_in_progress",
            DomainError::NotInProgress { .. } => "not_in_progress",
            DomainError::ItemClosed { .. } => "item_closed",
            DomainError::NotInRoom { .. } => "not_in_room",
            DomainError::Overflow => "overflow",
            DomainError::Unavailable => "unavailable",
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
