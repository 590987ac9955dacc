//! Private messages as viewers and operators see them: the inbox stream's
//! frames, the pull and read bodies, the performer's reply, the history
//! and the delivery figures.

use super::*;

/// One private message in a viewer's inbox (or a history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxMessage {
    pub id: u64,
    /// Its place in the viewer's inbox (absent while pending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    pub room: RoomId,
    pub viewer: UserId,
    pub tier: Tier,
    /// `queue`, `instant`, a game's, `reply`...
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<String>,
    pub text: String,
    pub status: String,
    pub created_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub attempts: u32,
}

/// Frames of a viewer's inbox stream (`GET /api/v1/me/inbox/ws`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboxFrame {
    /// First frame: whose inbox, the epoch to resume in, the highest
    /// inbox number so far.
    Hello {
        viewer: UserId,
        epoch: String,
        seq: u64,
    },
    Message {
        message: Box<InboxMessage>,
    },
    /// After a resume: the replay is done, live messages follow.
    Resumed {
        from: u64,
        to: u64,
    },
    Error {
        error: ApiError,
    },
}

/// What a viewer sends on their inbox stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum InboxClientFrame {
    Read { ids: Vec<u64> },
    Ping,
}

/// `GET /api/v1/me/messages`: the inbox after `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxPage {
    pub viewer: UserId,
    pub messages: Vec<InboxMessage>,
    /// The highest inbox number returned (or `after` when none).
    pub seq: u64,
}

/// `POST /api/v1/me/messages/read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkRead {
    pub ids: Vec<u64>,
}

/// The ids that changed to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkedRead {
    pub read: Vec<u64>,
}

/// Where a reply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReplyVisibility {
    /// To one viewer's inbox, delivered by their tier.
    #[default]
    Private,
    /// A public micro response in the room's chat.
    Public,
}

/// `POST /api/v1/rooms/{room}/replies`: a template by mood and key, or
/// free text; to a queue item's viewer or a viewer of the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewer: Option<UserId>,
    #[serde(default)]
    pub visibility: ReplyVisibility,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<String>,
    /// A template's key under its mood (`thanks`, `welcome`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The reply as taken: a private message's row, or the public line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplySent {
    pub visibility: ReplyVisibility,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<InboxMessage>,
    /// The room event of a public reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageHistory {
    pub messages: Vec<InboxMessage>,
}

/// One tier's delivery delays: how late after the tier's time messages
/// reached the viewer (ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TierDelay {
    pub tier: Tier,
    pub delivered: u64,
    pub median_ms: Option<u64>,
    pub p99_ms: Option<u64>,
}

/// `GET /api/v1/messages/figures`: delivery figures for operators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryFigures {
    pub total: u64,
    pub by_tier: std::collections::BTreeMap<String, u64>,
    pub by_status: std::collections::BTreeMap<String, u64>,
    pub by_mood: std::collections::BTreeMap<String, u64>,
    /// Delivered or read, over everything that is not pending or sent, in
    /// percent; absent while nothing has finished.
    pub success_rate_percent: Option<f64>,
    pub delays: Vec<TierDelay>,
}

/// A private message's new status, as the room's performer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStatusNote {
    pub room: RoomId,
    pub id: u64,
    pub viewer: UserId,
    pub tier: Tier,
    pub status: String,
    pub at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub attempts: u32,
}

/// `GET /api/v1/rooms/{room}/replies/templates?item=N` (or `viewer=U`):
/// every reply template by mood, rendered in the target viewer's tier
/// wording, for the console's preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyCatalog {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewer: Option<UserId>,
    pub tier: Tier,
    pub moods: Vec<ReplyMood>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyMood {
    pub mood: String,
    pub templates: Vec<ReplyChoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyChoice {
    pub key: String,
    pub text: String,
}
