//! Loyalty points history: rows written with the command that moved the
//! points (see the writer), read here with filters, newest first. A page
//! walks the index of one viewer's (or one performer's) rows by id, so it
//! costs the same however long their history is.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::types::Value;

use super::{Reader, StoreError};
use crate::domain::points::{PointsEntry, PointsKind};
use crate::domain::{PerformerId, RoomId, Stamp, UserId};

/// Which rows to list. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct PointsFilter {
    pub user: Option<UserId>,
    /// A performer's grants and awards.
    pub performer: Option<PerformerId>,
    pub kind: Option<PointsKind>,
    pub room: Option<RoomId>,
    pub since: Option<Stamp>,
    pub until: Option<Stamp>,
    /// Rows older than this id (for paging back).
    pub before: Option<i64>,
    pub limit: usize,
}

pub struct PointsHistory {
    reader: Mutex<Reader>,
}

impl PointsHistory {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(PointsHistory {
            reader: Mutex::new(Reader::open(path)?),
        })
    }

    /// The rows that match, newest first, each with its id.
    pub fn list(&self, filter: &PointsFilter) -> Result<Vec<(i64, PointsEntry)>, StoreError> {
        let mut sql = String::from("SELECT id, body FROM points_entries WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let mut push = |sql: &mut String, clause: &str, value: Value| {
            args.push(value);
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        };
        if let Some(user) = &filter.user {
            push(&mut sql, "user_id =", Value::Text(user.as_str().into()));
        }
        if let Some(performer) = &filter.performer {
            push(
                &mut sql,
                "performer =",
                Value::Text(performer.as_str().into()),
            );
        }
        if let Some(kind) = filter.kind {
            push(&mut sql, "kind =", Value::Text(kind.as_str().into()));
        }
        if let Some(room) = &filter.room {
            push(&mut sql, "room =", Value::Text(room.as_str().into()));
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
        let mut stmt = reader.conn.prepare_cached(&sql)?;
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
