//! The moderation log: rows written with the command that did the action
//! (see the writer), read here with filters, newest first.

use std::sync::Mutex;

use super::sql::Value;

use super::filtered::Filtered;
use super::{Reader, StoreError};
use crate::domain::{ModerationAction, ModerationEntry, RoomId, Stamp};

/// Which rows to list. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct ModerationFilter {
    /// Only these rooms (a moderator's scope); platform-wide rows (no room)
    /// are left out. None: every row.
    pub scope: Option<Vec<RoomId>>,
    pub room: Option<RoomId>,
    pub action: Option<ModerationAction>,
    /// The viewer or switch acted on.
    pub target: Option<String>,
    /// The acting token's id.
    pub actor: Option<String>,
    pub since: Option<Stamp>,
    pub until: Option<Stamp>,
    /// Rows older than this id (for paging back).
    pub before: Option<i64>,
    pub limit: usize,
}

pub struct ModerationLog {
    reader: Mutex<Reader>,
}

impl ModerationLog {
    pub fn open(db: &super::Database) -> Result<Self, StoreError> {
        Ok(ModerationLog {
            reader: Mutex::new(Reader::open(db)?),
        })
    }

    /// The rows that match, newest first, each with its id.
    pub fn list(
        &self,
        filter: &ModerationFilter,
    ) -> Result<Vec<(i64, ModerationEntry)>, StoreError> {
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut query = Filtered::from("moderation_log");
        if let Some(scope) = &filter.scope {
            // A JSON array keeps the statement one text however many rooms.
            let rooms: Vec<&str> = scope.iter().map(RoomId::as_str).collect();
            let rooms = Value::Text(serde_json::to_string(&rooms)?.into());
            let (open, close) = reader.conn.dialect().json_array_values();
            query.and_wrapped(&format!("room IN ({open}"), rooms, &format!("{close})"));
        }
        query.and_text("room", filter.room.as_ref().map(RoomId::as_str));
        query.and_text("action", filter.action.map(ModerationAction::as_str));
        query.and_text("target", filter.target.as_deref());
        query.and_text("actor_token", filter.actor.as_deref());
        query.window(filter.since, filter.until, filter.before);
        query.rows(&*reader.conn, filter.limit)
    }
}
