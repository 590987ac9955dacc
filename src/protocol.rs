//! The wire protocol between `cuedeck serve` and its clients: WebSocket
//! frames (JSON text) and the bodies of the HTTP API. Types only, no logic;
//! `docs/PROTOCOL.md` documents every one and a test parses its examples.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::error_code::ErrorCode;

mod messages;
mod moderation;
mod points;
mod tips;
pub use messages::*;
pub use moderation::*;
pub use points::*;
pub use tips::*;

use crate::domain::{
    Ban, BanReason, ItemId, ItemView, ModerationEntry, RefundReason, Reply, RoomId, RoomTotals,
    Stamp, Switch, Tier, UserId,
};

/// Bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// Close codes the server uses (WebSocket close frame), so a client knows
/// whether and how to come back.
pub mod close {
    /// The client fell too far behind; resume from the last seq you saw.
    pub const SLOW_CONSUMER: u16 = 4008;
    /// Nothing heard from the client for the heartbeat timeout.
    pub const IDLE: u16 = 4000;
    /// A frame was too large, or the client kept sending garbage.
    pub const POLICY: u16 = 1008;
    /// The server is shutting down; reconnect later.
    pub const GOING_AWAY: u16 = 1001;
}

/// Where a client left a room's stream: the epoch of the history it saw and
/// the last seq it applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    pub epoch: String,
    pub seq: u64,
}

/// A performer's (or moderator's) command, as sent over the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum RoomCommand {
    /// Start the head item; `item` must be the head when given.
    Start {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
    },
    /// Finish the item in progress; `item` must be it when given.
    Finish {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
    },
    /// Refund `amount` tokens (all when absent) of a waiting or running item.
    Refund {
        item: ItemId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<u64>,
        reason: RefundReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Run the toy lane's head tip; `item` must be the head when given.
    LaneTake {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
    },
    /// The running tip's toy run ended: settle it.
    LaneDone {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
    },
    /// Refund one tip of the lane in full.
    LaneSkip {
        item: ItemId,
    },
    /// Refund every tip of the lane (reason goodwill).
    LaneClear,
    /// Stop taking tips; a running one goes back to the head.
    LanePause,
    LaneResume,
    /// Give the running tip back (its run was cut): it waits at the head
    /// with what is left of it. `ranMs`: how long the console's toy ran it
    /// (a server that was away cannot tell when the run stopped).
    LaneRelease {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<ItemId>,
        #[serde(default, rename = "ranMs", skip_serializing_if = "Option::is_none")]
        ran_ms: Option<u64>,
    },
}

impl RoomCommand {
    /// The item the command names, if any.
    pub fn item(&self) -> Option<ItemId> {
        match self {
            RoomCommand::Start { item }
            | RoomCommand::Finish { item }
            | RoomCommand::LaneTake { item }
            | RoomCommand::LaneDone { item }
            | RoomCommand::LaneRelease { item, .. } => *item,
            RoomCommand::Refund { item, .. } | RoomCommand::LaneSkip { item } => Some(*item),
            RoomCommand::LaneClear | RoomCommand::LanePause | RoomCommand::LaneResume => None,
        }
    }

    /// A word for logs and notices.
    pub fn verb(&self) -> &'static str {
        match self {
            RoomCommand::Start { .. } => "start",
            RoomCommand::Finish { .. } => "finish",
            RoomCommand::Refund { .. } => "refund",
            RoomCommand::LaneTake { .. } => "lane_take",
            RoomCommand::LaneDone { .. } => "lane_done",
            RoomCommand::LaneSkip { .. } => "lane_skip",
            RoomCommand::LaneClear => "lane_clear",
            RoomCommand::LanePause => "lane_pause",
            RoomCommand::LaneResume => "lane_resume",
            RoomCommand::LaneRelease { .. } => "lane_release",
        }
    }

    /// The engine command it asks for, by `by`.
    pub fn into_command(self, room: RoomId, by: crate::domain::Actor) -> crate::domain::Command {
        use crate::domain::Command;
        match self {
            RoomCommand::Start { item } => Command::Start { room, item, by },
            RoomCommand::Finish { item } => Command::Finish { room, item, by },
            RoomCommand::Refund {
                item,
                amount,
                reason,
                note,
            } => Command::Refund {
                room,
                item,
                amount,
                reason,
                note: note.map(Into::into),
                by,
            },
            RoomCommand::LaneTake { item } => Command::LaneTake { room, item, by },
            RoomCommand::LaneDone { item } => Command::LaneDone { room, item, by },
            RoomCommand::LaneSkip { item } => Command::LaneSkip { room, item, by },
            RoomCommand::LaneClear => Command::LaneClear { room, by },
            RoomCommand::LanePause => Command::LanePause { room, by },
            RoomCommand::LaneResume => Command::LaneResume { room, by },
            RoomCommand::LaneRelease { item, ran_ms } => Command::LaneRelease {
                room,
                item,
                by,
                ran_ms,
            },
        }
    }
}

/// Frames a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Watch a room: replay from `resume` when given, else a snapshot.
    Subscribe {
        room: RoomId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<ResumePoint>,
    },
    /// A command on the subscribed room. `idempotency_key` is one per
    /// intended action: resending it never acts twice.
    Command {
        #[serde(rename = "requestId")]
        request_id: String,
        #[serde(rename = "idempotencyKey")]
        idempotency_key: String,
        room: RoomId,
        command: RoomCommand,
    },
    /// Measure round trip and clock offset; `t` is echoed back.
    Ping { t: i64 },
}

/// An error as the API reports it, over HTTP and in frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On `not_leader`: the base URL of the node that leads, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            leader: None,
        }
    }

    /// `not_leader`: this node is a standby; `leader` is who serves.
    pub fn not_leader(leader: Option<String>) -> Self {
        let message = match &leader {
            Some(url) => format!("this node is a standby; the leader is {url}"),
            None => {
                "this node is a standby and no leader holds the lease yet; retry shortly".into()
            }
        };
        ApiError {
            code: ErrorCode::NotLeader,
            message,
            field: None,
            leader,
        }
    }

    /// An error that names the field at fault.
    pub fn with_field(
        code: ErrorCode,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: Some(field.into()),
            leader: None,
        }
    }

    /// `invalid_field` naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::with_field(ErrorCode::InvalidField, field, message)
    }
}

impl From<&crate::domain::DomainError> for ApiError {
    fn from(err: &crate::domain::DomainError) -> Self {
        ApiError {
            code: err.code(),
            message: err.to_string(),
            field: err.field().map(str::to_string),
            leader: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The item on stage and when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningItem {
    pub item: Arc<ItemView>,
    pub started_at: Stamp,
}

/// A room's whole state at `seq`: what a client starts from when it cannot
/// resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomSnapshot {
    pub room: RoomId,
    pub performer: String,
    pub live: bool,
    pub epoch: String,
    /// The seq of the last event this state includes.
    pub seq: u64,
    pub in_progress: Option<RunningItem>,
    /// Waiting items, next first.
    pub waiting: Vec<Arc<ItemView>>,
    pub totals: RoomTotals,
    /// The room's intake is paused by a moderator or its performer.
    #[serde(default)]
    pub paused: bool,
    /// The toy lane: toy tips beside the queue.
    #[serde(default)]
    pub lane: LaneSnapshot,
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame on every connection.
    Hello {
        protocol: u32,
        #[serde(rename = "serverTime")]
        server_time: Stamp,
        epoch: String,
        role: String,
        #[serde(rename = "heartbeatMs")]
        heartbeat_ms: u64,
    },
    /// The room's state; live events with a greater seq follow.
    Snapshot { snapshot: Box<RoomSnapshot> },
    /// The replay after a resume is complete; live events follow.
    Resumed { room: RoomId, from: u64, to: u64 },
    /// One event of a room's stream (see `domain::Event`), with `text`
    /// rendered from the template for announcements and private messages.
    Event { event: serde_json::Value },
    /// The answer to a command.
    Ack {
        #[serde(rename = "requestId")]
        request_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<Reply>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ApiError>,
    },
    Pong {
        t: i64,
        #[serde(rename = "serverTime")]
        server_time: Stamp,
    },
    /// A frame the server could not take; the connection stays open.
    Error { error: ApiError },
    /// A private message of the room changed status (to the room's
    /// watchers; not numbered, not replayed: the history has them all).
    MessageStatus { status: MessageStatusNote },
}

// ---- HTTP bodies ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    pub room: RoomId,
    pub performer: String,
}

/// Who a new token is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// admin | integration | performer | moderator | viewer
    pub role: String,
    /// The performer's room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// The moderator's rooms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<RoomId>,
    /// The viewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// When the token stops working; never when absent.
    #[serde(default, rename = "expiresAt", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Stamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCreated {
    /// Shown once; the server keeps only its hash.
    pub token: String,
    pub role: String,
    /// The token's id (the start of its hash): what lists and revocation name.
    #[serde(default)]
    pub id: String,
}

/// One stored token as an admin sees it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<RoomId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    pub created_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Stamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mint {
    pub amount: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub user: UserId,
    pub tokens: u64,
    pub points: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    #[serde(default)]
    pub tier: Tier,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub protocol: u32,
    pub epoch: String,
    /// `leader` or `standby` (absent from servers without standbys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The base URL of the node that leads, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
}
