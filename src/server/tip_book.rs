//! Every room's tip levels by version, in memory for the intake's match
//! and on disk through the store: a version is on disk before it is
//! current, and all versions are read back at start (the conflict answer
//! names the changes since any of them).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::domain::tips::TipLevels;
use crate::domain::{RoomId, Stamp};
use crate::protocol::TipLevelsView;
use crate::scoped::conflict::changes_since;
use crate::scoped::{Change, Stale, Stamped, Versions, check_base};
use crate::store::{StoreError, TipLevelsDb, TipLevelsVersionRow};

/// Why a save did not become the next version.
#[derive(Debug)]
pub enum SaveRefused {
    Stale(Stale, Vec<Change>),
    Store(StoreError),
}

/// Every room's tip levels by version. Version 0 is "no levels": every
/// tip is plain.
pub struct TipBook {
    db: Arc<TipLevelsDb>,
    rooms: RwLock<HashMap<RoomId, Versions<Arc<TipLevels>>>>,
    /// Saves one at a time, each on disk before it applies.
    edits: tokio::sync::Mutex<()>,
}

impl TipBook {
    pub fn open(db: TipLevelsDb) -> Result<TipBook, StoreError> {
        let mut rooms: HashMap<RoomId, Versions<Arc<TipLevels>>> = HashMap::new();
        for row in db.versions()? {
            let levels: TipLevels = serde_json::from_str(&row.body).map_err(|e| {
                StoreError::Mismatch(format!(
                    "tip levels of room {} version {}: {e}",
                    row.room, row.version
                ))
            })?;
            let saved = Stamped {
                value: Arc::new(levels),
                at: Stamp(row.at),
                by: row.changed_by,
            };
            let room = RoomId::new(row.room.as_str());
            match rooms.get_mut(&room) {
                Some(versions) => versions.add(row.version, saved),
                None => {
                    rooms.insert(room, Versions::new(row.version, saved));
                }
            }
        }
        Ok(TipBook {
            db: Arc::new(db),
            rooms: RwLock::new(rooms),
            edits: tokio::sync::Mutex::new(()),
        })
    }

    /// The levels future tips are matched against.
    pub fn current(&self, room: &RoomId) -> Arc<TipLevels> {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(room)
            .map(|v| v.current().value.clone())
            .unwrap_or_default()
    }

    pub fn view(&self, room: &RoomId) -> TipLevelsView {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        match rooms.get(room) {
            Some(versions) => {
                let current = versions.current();
                TipLevelsView {
                    room: room.clone(),
                    version: versions.current_version(),
                    saved_at: Some(current.at),
                    changed_by: Some(current.by.clone()),
                    levels: (*current.value).clone(),
                    max_amount: None,
                    patterns: Vec::new(),
                }
            }
            None => TipLevelsView {
                room: room.clone(),
                version: 0,
                saved_at: None,
                changed_by: None,
                levels: TipLevels::default(),
                max_amount: None,
                patterns: Vec::new(),
            },
        }
    }

    fn current_version(&self, room: &RoomId) -> u64 {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        rooms.get(room).map_or(0, |v| v.current_version())
    }

    /// What changed since `base`, for the conflict answer.
    fn stale(&self, room: &RoomId, stale: Stale) -> SaveRefused {
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        let versions = rooms.get(room);
        let base_levels = versions
            .and_then(|v| v.get(stale.yours))
            .map(|s| (*s.value).clone())
            .or_else(|| (stale.yours == 0).then(TipLevels::default));
        let now = versions
            .map(|v| (*v.current().value).clone())
            .unwrap_or_default();
        SaveRefused::Stale(stale, changes_since(stale, base_levels.as_ref(), &now))
    }

    /// Save `levels` as the version after `base` (on disk first), or say
    /// why not.
    pub async fn save(
        &self,
        room: &RoomId,
        levels: TipLevels,
        base: u64,
        at: Stamp,
        by: String,
    ) -> Result<u64, SaveRefused> {
        let _one = self.edits.lock().await;
        if let Err(stale) = check_base(self.current_version(room), base) {
            return Err(self.stale(room, stale));
        }
        let version = base + 1;
        let body =
            serde_json::to_string(&levels).map_err(|e| SaveRefused::Store(StoreError::from(e)))?;
        let row = TipLevelsVersionRow {
            room: room.to_string(),
            version,
            at: at.0,
            changed_by: by.clone(),
            body,
        };
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || db.insert_version(row))
            .await
            .map_err(|e| SaveRefused::Store(StoreError::Sqlite(e.to_string())))?
            .map_err(SaveRefused::Store)?;
        let saved = Stamped {
            value: Arc::new(levels),
            at,
            by,
        };
        let mut rooms = self.rooms.write().unwrap_or_else(|e| e.into_inner());
        match rooms.get_mut(room) {
            Some(versions) => versions.add(version, saved),
            None => {
                rooms.insert(room.clone(), Versions::new(version, saved));
            }
        }
        Ok(version)
    }
}
