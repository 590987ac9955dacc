//! The moderation log: rows written with the command that did the action
//! (see the writer), read here with filters, newest first.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::types::Value;

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
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(ModerationLog {
            reader: Mutex::new(Reader::open(path)?),
        })
    }

    /// The rows that match, newest first, each with its id.
    pub fn list(
        &self,
        filter: &ModerationFilter,
    ) -> Result<Vec<(i64, ModerationEntry)>, StoreError> {
        let mut sql = String::from("SELECT id, body FROM moderation_log WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let mut push = |sql: &mut String, clause: &str, value: Value| {
            args.push(value);
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        };
        if let Some(scope) = &filter.scope {
            // json_each keeps the statement one text however many rooms.
            let rooms: Vec<&str> = scope.iter().map(RoomId::as_str).collect();
            push(
                &mut sql,
                "room IN (SELECT value FROM json_each(",
                Value::Text(serde_json::to_string(&rooms)?),
            );
            sql.push_str("))");
        }
        if let Some(room) = &filter.room {
            push(&mut sql, "room =", Value::Text(room.as_str().into()));
        }
        if let Some(action) = filter.action {
            push(&mut sql, "action =", Value::Text(action.as_str().into()));
        }
        if let Some(target) = &filter.target {
            push(&mut sql, "target =", Value::Text(target.clone()));
        }
        if let Some(actor) = &filter.actor {
            push(&mut sql, "actor_token =", Value::Text(actor.clone()));
        }
        if let Some(since) = filter.since {
            push(&mut sql, "at >=", Value::Integer(since.0));
        }
        if let Some(until) = filter.until {
            push(&mut sql, "at <", Value::Integer(until.0));
        }
        if let Some(before) = filter.before {
            push(&mut sql, "id <", Value::Integer(before));
        }
        args.push(Value::Integer(filter.limit as i64));
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ?{}", args.len()));

        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut stmt = reader.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            out.push((id, serde_json::from_str(&body)?));
        }
        Ok(out)
    }
}
