//! What the delivery service shows: a message as its viewer sees it (from
//! a stored row, or from a held letter and its text), its inbox frame, and
//! a status change as the room's performer sees it.

use axum::extract::ws::Utf8Bytes;

use super::templates::Templates;
use crate::domain::messages::MessageVars;
use crate::domain::outbox::Letter;
use crate::domain::{RoomId, Stamp, UserId};
use crate::protocol::{InboxFrame, InboxMessage, MessageStatusNote};
use crate::store::MessageRow;

/// The text and origin of a held message, for its frame.
pub(super) struct Body {
    pub room: RoomId,
    pub kind: String,
    pub key: Option<String>,
    pub mood: Option<String>,
    pub text: String,
}

impl Body {
    /// The message as it is sent: the letter's state with this text.
    pub fn message(&self, letter: &Letter) -> InboxMessage {
        InboxMessage {
            id: letter.id.0,
            seq: letter.seq,
            room: self.room.clone(),
            viewer: letter.viewer.clone(),
            tier: letter.tier,
            kind: self.kind.clone(),
            key: self.key.clone(),
            mood: self.mood.clone(),
            text: self.text.clone(),
            status: letter.status.as_str().into(),
            created_at: letter.created_at,
            sent_at: letter.sent_at,
            delivered_at: letter.delivered_at,
            read_at: letter.read_at,
            failed_at: letter.failed_at,
            reason: letter.reason.map(|r| r.as_str().into()),
            attempts: letter.attempts,
        }
    }
}

/// A letter's latest change, for the room's watchers.
pub fn status_note(l: &Letter) -> MessageStatusNote {
    MessageStatusNote {
        room: l.room.clone(),
        id: l.id.0,
        viewer: l.viewer.clone(),
        tier: l.tier,
        status: l.status.as_str().into(),
        at: [l.read_at, l.failed_at, l.delivered_at, l.sent_at]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(l.created_at),
        reason: l.reason.map(|r| r.as_str().into()),
        attempts: l.attempts,
    }
}

/// A message as a viewer sees it.
pub fn inbox_message(row: &MessageRow, templates: &Templates) -> InboxMessage {
    InboxMessage {
        id: row.id,
        seq: row.seq,
        room: RoomId::new(row.room.as_str()),
        viewer: UserId::new(row.viewer.as_str()),
        tier: row.tier(),
        kind: row.kind.clone(),
        key: row.key.clone(),
        mood: row.mood.clone(),
        text: text_of(row, templates),
        status: row.status.clone(),
        created_at: Stamp(row.created_at),
        sent_at: row.sent_at.map(Stamp),
        delivered_at: row.delivered_at.map(Stamp),
        read_at: row.read_at.map(Stamp),
        failed_at: row.failed_at.map(Stamp),
        reason: row.reason.clone(),
        attempts: row.attempts,
    }
}

/// A reply keeps its text; the queue's messages are rendered from their
/// template and variables.
pub(super) fn text_of(row: &MessageRow, templates: &Templates) -> String {
    if let Some(text) = &row.text {
        return text.clone();
    }
    let vars: MessageVars = row
        .vars
        .as_deref()
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    let key = row.key.as_deref().unwrap_or_default();
    templates
        .render_private(key, &vars)
        .unwrap_or_else(|| key.to_string())
}

pub(super) fn frame(frame: &InboxFrame) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(frame).unwrap_or_default())
}
