//! One private message as the delivery service tracks it: its status and
//! the stamps of each change.

use serde::{Deserialize, Serialize};

use crate::domain::ids::{RoomId, UserId};
use crate::domain::messages::Tier;
use crate::domain::time::Stamp;

/// A private message's id: the store's row id, so it is unique for good.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct MessageId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for its tier's time, or for a retry.
    Pending,
    /// Handed to the viewer's stream; numbered in their inbox.
    Sent,
    /// Written to the viewer's socket, or fetched.
    Delivered,
    /// Marked read by the viewer.
    Read,
    /// Given up; `reason` says why.
    Failed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pending,
        Status::Sent,
        Status::Delivered,
        Status::Read,
        Status::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sent => "sent",
            Status::Delivered => "delivered",
            Status::Read => "read",
            Status::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Why a message failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// Not delivered within the retention period (the viewer never came).
    RetentionExpired,
    /// The viewer was banned from the message's room before delivery.
    Banned,
}

impl FailReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::RetentionExpired => "retention_expired",
            FailReason::Banned => "banned",
        }
    }

    pub fn parse(text: &str) -> Option<FailReason> {
        [FailReason::RetentionExpired, FailReason::Banned]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// Why the last attempt did not deliver (kept with the retry).
pub mod attempt_errors {
    /// The viewer had no stream open at the message's time.
    pub const NO_STREAM: &str = "no_stream";
    /// The viewer's stream closed before the message was written.
    pub const STREAM_CLOSED: &str = "stream_closed";
}

/// What a new message needs to enter the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    pub id: MessageId,
    pub viewer: UserId,
    pub room: RoomId,
    pub tier: Tier,
    pub created_at: Stamp,
}

/// A message with its delivery state: what the outbox holds and what each
/// change hands back to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub id: MessageId,
    pub viewer: UserId,
    pub room: RoomId,
    pub tier: Tier,
    pub priority: u8,
    pub created_at: Stamp,
    /// Its tier's time: creation plus the tier's delay.
    pub due_at: Stamp,
    pub status: Status,
    /// Its place in the viewer's inbox, from 1, given when first sent.
    pub seq: Option<u64>,
    pub attempts: u32,
    /// When the next attempt is made (while pending).
    pub next_at: Stamp,
    pub sent_at: Option<Stamp>,
    pub delivered_at: Option<Stamp>,
    pub read_at: Option<Stamp>,
    pub failed_at: Option<Stamp>,
    pub reason: Option<FailReason>,
    pub last_error: Option<&'static str>,
}

impl Letter {
    pub fn is_final(&self) -> bool {
        matches!(
            self.status,
            Status::Delivered | Status::Read | Status::Failed
        )
    }
}
