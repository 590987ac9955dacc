//! Loyalty points history: rows written with the command that moved the
//! points (see the writer), read here with filters, newest first. A page
//! walks the index of one viewer's (or one performer's) rows by id, so it
//! costs the same however long their history is.

use std::sync::Mutex;

use super::filtered::Filtered;
use super::sql::ConnExt;
use super::{Reader, StoreError};
use crate::domain::points::{PointsEntry, PointsKind};
use crate::domain::{PerformerId, Reply, RoomId, Stamp, UserId};

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
    pub fn open(db: &super::Database) -> Result<Self, StoreError> {
        Ok(PointsHistory {
            reader: Mutex::new(Reader::open(db)?),
        })
    }

    /// The reply an earn event of the platform got, if `source_event` was
    /// ever taken in (the engine knows only the retention window's).
    pub fn earned_reply(&self, source_event: &str) -> Result<Option<Reply>, StoreError> {
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut stmt = reader.conn.prepare_cached(
            "SELECT c.reply FROM points_entries p JOIN commands c ON c.id = p.command_id
             WHERE p.source_event = ?1 AND p.kind = 'earn' AND c.kind = 'points_earn' LIMIT 1",
        )?;
        let mut rows = stmt.query(super::sql::params![source_event])?;
        match rows.next()? {
            Some(row) => Ok(Some(serde_json::from_str(&row.get::<_, String>(0)?)?)),
            None => Ok(None),
        }
    }

    /// The rows that match, newest first, each with its id.
    pub fn list(&self, filter: &PointsFilter) -> Result<Vec<(i64, PointsEntry)>, StoreError> {
        let mut query = Filtered::from("points_entries");
        query.and_text("user_id", filter.user.as_ref().map(UserId::as_str));
        query.and_text(
            "performer",
            filter.performer.as_ref().map(PerformerId::as_str),
        );
        query.and_text("kind", filter.kind.map(PointsKind::as_str));
        query.and_text("room", filter.room.as_ref().map(RoomId::as_str));
        query.window(filter.since, filter.until, filter.before);
        let reader = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        query.rows(&reader.conn, filter.limit)
    }
}
