//! The menu store: every version of every menu in SQLite (append-only, in
//! the server's database, migration 3), the current ones in memory.
//!
//! Every edit names the version it is based on. An edit against an older
//! version is refused with a [`VersionConflict`] that says what changed
//! since; an edit that changes nothing makes no new version. Edits are
//! serialized by the store's edit lock, so "check the version, write the
//! next one" is atomic; the rows go through the database's one writer.
//! Menus hold no money.

use crate::protocol::ErrorCode;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use super::api::{VersionConflict, VersionInfo};
use super::edit::{Edit, MenuError, internal, unknown_menu};
use super::model::{MAX_MENUS_PER_ROOM, MenuSpec, StoredMenu, invalid};
use crate::domain::time::Clock;
use crate::domain::{RoomId, UserId};
use crate::scoped::conflict::{changes_since, message};
use crate::scoped::{Stale, check_base};
use crate::store::{MenuDb, MenuVersionRow};

#[derive(Debug, Clone, Default)]
struct RoomMenus {
    /// Current menus, in the order they were created.
    menus: Vec<Arc<StoredMenu>>,
    /// The number the next menu gets (`m<n>`); never reused.
    next_no: u32,
    subscribers: BTreeSet<UserId>,
}

pub struct MenuStore {
    db: MenuDb,
    /// Held from an edit's version check to its cache update, so two edits
    /// of one menu cannot both pass the check.
    edits: Mutex<()>,
    cache: RwLock<HashMap<RoomId, RoomMenus>>,
    clock: Clock,
}

fn menu_no(id: &str) -> u32 {
    id.strip_prefix('m')
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

impl MenuStore {
    /// Load the current menus from `db` (the store created and migrated
    /// the tables).
    pub fn open(db: MenuDb, clock: Clock) -> Result<Self, MenuError> {
        let mut rooms: HashMap<RoomId, RoomMenus> = HashMap::new();
        let mut latest: HashMap<(String, String), Option<String>> = HashMap::new();
        for row in db.versions().map_err(internal)? {
            let entry = rooms.entry(RoomId::new(row.room.as_str())).or_default();
            entry.next_no = entry.next_no.max(menu_no(&row.menu) + 1);
            latest.insert((row.room, row.menu), row.body);
        }
        let mut current: Vec<StoredMenu> = Vec::new();
        for ((room, menu), body) in latest {
            if let Some(body) = body {
                let stored: StoredMenu = serde_json::from_str(&body).map_err(|e| {
                    internal(format!("menu {menu} of room {room} is unreadable: {e}"))
                })?;
                current.push(stored);
            }
        }
        current.sort_by_key(|m| menu_no(&m.id));
        for menu in current {
            rooms
                .entry(menu.room.clone())
                .or_default()
                .menus
                .push(Arc::new(menu));
        }
        for (room, user) in db.subscribers().map_err(internal)? {
            rooms
                .entry(RoomId::new(room.as_str()))
                .or_default()
                .subscribers
                .insert(UserId::new(user.as_str()));
        }
        Ok(MenuStore {
            db,
            edits: Mutex::new(()),
            cache: RwLock::new(rooms),
            clock,
        })
    }

    fn read<R>(&self, room: &RoomId, f: impl FnOnce(Option<&RoomMenus>) -> R) -> R {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        f(cache.get(room))
    }

    /// The room's current menus, in order.
    pub fn list(&self, room: &RoomId) -> Vec<Arc<StoredMenu>> {
        self.read(room, |r| r.map(|r| r.menus.clone()).unwrap_or_default())
    }

    pub fn get(&self, room: &RoomId, menu: &str) -> Option<Arc<StoredMenu>> {
        self.read(room, |r| {
            r.and_then(|r| r.menus.iter().find(|m| m.id == menu).cloned())
        })
    }

    pub fn is_subscriber(&self, room: &RoomId, user: &UserId) -> bool {
        self.read(room, |r| r.is_some_and(|r| r.subscribers.contains(user)))
    }

    pub fn subscribers(&self, room: &RoomId) -> Vec<UserId> {
        self.read(room, |r| {
            r.map(|r| r.subscribers.iter().cloned().collect())
                .unwrap_or_default()
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.edits.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn unique_name(
        &self,
        room: &RoomId,
        name: &str,
        except: Option<&str>,
    ) -> Result<(), MenuError> {
        let taken = self.list(room).iter().any(|m| {
            Some(m.id.as_str()) != except
                && m.spec.name.trim().to_lowercase() == name.trim().to_lowercase()
        });
        if taken {
            return Err(invalid(
                "name",
                format!("room `{room}` already has a menu named {:?}", name.trim()),
            )
            .into());
        }
        Ok(())
    }

    fn record(
        &self,
        menu: &StoredMenu,
        change: &str,
        body: Option<&StoredMenu>,
    ) -> Result<(), MenuError> {
        let body = body
            .map(serde_json::to_string)
            .transpose()
            .map_err(internal)?;
        self.db
            .insert_version(MenuVersionRow {
                room: menu.room.to_string(),
                menu: menu.id.clone(),
                version: menu.version,
                at: menu.updated_at.0,
                changed_by: menu.updated_by.clone(),
                change_kind: change.to_string(),
                body,
            })
            .map_err(internal)
    }

    /// Create a menu from `spec` (no id, no version, no item ids).
    pub fn create(
        &self,
        room: &RoomId,
        spec: MenuSpec,
        by: &str,
    ) -> Result<Arc<StoredMenu>, MenuError> {
        if spec.id.is_some() {
            return Err(invalid("id", "a new menu gets its id from the server").into());
        }
        if spec.version.is_some() {
            return Err(invalid("version", "a new menu has no version yet; leave it out").into());
        }
        if let Some(i) = spec.items.iter().position(|i| i.id.is_some()) {
            return Err(invalid(
                format!("items[{i}].id"),
                "a new menu's items get their ids from the server",
            )
            .into());
        }
        spec.validate()?;
        let _edit = self.lock();
        let (count, no) = self.read(room, |r| {
            r.map_or((0, 1), |r| (r.menus.len(), r.next_no.max(1)))
        });
        if count >= MAX_MENUS_PER_ROOM {
            return Err(invalid(
                "body",
                format!("room `{room}` has {count} menus, the most it may have"),
            )
            .into());
        }
        self.unique_name(room, &spec.name, None)?;
        let id = format!("m{no}");
        let mut spec = spec;
        for (k, item) in spec.items.iter_mut().enumerate() {
            item.id = Some(format!("{id}-{}", k + 1));
        }
        let menu = StoredMenu {
            next_item: spec.items.len() as u32 + 1,
            id,
            room: room.clone(),
            version: 1,
            updated_at: self.clock.now(),
            updated_by: by.to_string(),
            spec,
        };
        self.record(&menu, "create", Some(&menu))?;
        let menu = Arc::new(menu);
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        let entry = cache.entry(room.clone()).or_default();
        entry.next_no = no + 1;
        entry.menus.push(menu.clone());
        Ok(menu)
    }

    /// Apply `edit` to menu `id`, based on version `expected`.
    pub fn edit(
        &self,
        room: &RoomId,
        id: &str,
        expected: u64,
        edit: Edit,
        by: &str,
    ) -> Result<Arc<StoredMenu>, MenuError> {
        let _edit = self.lock();
        let current = self
            .get(room, id)
            .ok_or_else(|| MenuError::Api(unknown_menu(room, id)))?;
        if check_base(current.version, expected).is_err() {
            return Err(self.conflict(&current, expected));
        }
        let kind = edit.kind();
        let renamed = matches!(&edit, Edit::Replace(s) if s.name != current.spec.name);
        let (spec, next_item) = edit.apply(&current)?;
        spec.validate()?;
        if renamed {
            self.unique_name(room, &spec.name, Some(id))?;
        }
        if spec == current.spec {
            return Ok(current);
        }
        let menu = StoredMenu {
            id: current.id.clone(),
            room: room.clone(),
            version: current.version + 1,
            next_item,
            updated_at: self.clock.now(),
            updated_by: by.to_string(),
            spec,
        };
        self.record(&menu, kind, Some(&menu))?;
        let menu = Arc::new(menu);
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = cache
            .get_mut(room)
            .and_then(|r| r.menus.iter_mut().find(|m| m.id == id))
        {
            *slot = menu.clone();
        }
        Ok(menu)
    }

    /// Delete menu `id`, based on version `expected`; returns the version
    /// the deletion was recorded as.
    pub fn delete(
        &self,
        room: &RoomId,
        id: &str,
        expected: u64,
        by: &str,
    ) -> Result<u64, MenuError> {
        let _edit = self.lock();
        let current = self
            .get(room, id)
            .ok_or_else(|| MenuError::Api(unknown_menu(room, id)))?;
        if check_base(current.version, expected).is_err() {
            return Err(self.conflict(&current, expected));
        }
        let tombstone = StoredMenu {
            version: current.version + 1,
            updated_at: self.clock.now(),
            updated_by: by.to_string(),
            ..(*current).clone()
        };
        self.record(&tombstone, "delete", None)?;
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = cache.get_mut(room) {
            r.menus.retain(|m| m.id != id);
        }
        Ok(tombstone.version)
    }

    /// The content of an earlier version (none if deleted or unknown).
    fn version_of(
        &self,
        room: &RoomId,
        id: &str,
        version: u64,
    ) -> Result<Option<StoredMenu>, MenuError> {
        match self
            .db
            .version_body(room.as_str(), id, version)
            .map_err(internal)?
        {
            Some(body) => serde_json::from_str(&body)
                .map(Some)
                .map_err(|e| internal(format!("menu {id} version {version} is unreadable: {e}"))),
            None => Ok(None),
        }
    }

    fn history(&self, room: &RoomId, id: &str, after: u64) -> Result<Vec<VersionInfo>, MenuError> {
        let rows = self
            .db
            .history(room.as_str(), id, after)
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| VersionInfo {
                version: r.version,
                at: crate::domain::Stamp(r.at),
                by: r.changed_by,
                change: r.change_kind,
            })
            .collect())
    }

    /// The conflict for an edit of `current` based on version `yours`.
    /// A store error while explaining it is the answer instead.
    fn conflict(&self, current: &StoredMenu, yours: u64) -> MenuError {
        let base = match self.version_of(&current.room, &current.id, yours) {
            Ok(base) => base,
            Err(err) => return err,
        };
        let stale = Stale {
            yours,
            current: current.version,
        };
        let changes = changes_since(stale, base.as_ref().map(|b| &b.spec), &current.spec);
        let history = match self.history(&current.room, &current.id, yours.min(current.version)) {
            Ok(history) => history,
            Err(err) => return err,
        };
        let message = message(&format!("menu `{}`", current.id), stale, &changes);
        MenuError::Conflict(Box::new(VersionConflict {
            code: ErrorCode::VersionConflict,
            message,
            field: Some("version".into()),
            menu: current.id.clone(),
            your_version: yours,
            current_version: current.version,
            changes,
            history,
            current: Some(current.view()),
        }))
    }

    /// The conflict a viewer gets when the menu they saw has changed.
    pub fn conflict_for(&self, room: &RoomId, id: &str, yours: u64) -> Option<MenuError> {
        let current = self.get(room, id)?;
        let _edit = self.lock();
        Some(self.conflict(&current, yours))
    }

    /// Add or remove a subscriber (idempotent).
    pub fn set_subscriber(
        &self,
        room: &RoomId,
        user: &UserId,
        subscriber: bool,
        by: &str,
    ) -> Result<(), MenuError> {
        let _edit = self.lock();
        self.db
            .set_subscriber(
                room.to_string(),
                user.to_string(),
                subscriber,
                self.clock.now().0,
                by.to_string(),
            )
            .map_err(internal)?;
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        let entry = cache.entry(room.clone()).or_default();
        if subscriber {
            entry.subscribers.insert(user.clone());
        } else {
            entry.subscribers.remove(user);
        }
        Ok(())
    }
}
