//! The menu store: every version of every menu in SQLite (append-only, in
//! the server's database, migration 3), the current ones in memory.
//!
//! Every edit names the version it is based on. An edit against an older
//! version is refused with a [`VersionConflict`] that says what changed
//! since; an edit that changes nothing makes no new version. Writers are
//! serialized by the connection's lock, so "check the version, write the
//! next one" is atomic. Menus hold no money.

use crate::protocol::ErrorCode;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use super::api::{SortKey, VersionConflict, VersionInfo};
use super::diff::{Change, diff};
use super::model::{ItemSpec, MAX_MENUS_PER_ROOM, MenuSpec, StoredMenu, invalid};
use crate::domain::time::Clock;
use crate::domain::{RoomId, UserId};
use crate::protocol::ApiError;
use crate::store::{MenuDb, MenuVersionRow};

/// A refusal: an API error, or a version conflict with its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuError {
    Api(ApiError),
    Conflict(Box<VersionConflict>),
}

impl MenuError {
    pub fn code(&self) -> ErrorCode {
        match self {
            MenuError::Api(e) => e.code,
            MenuError::Conflict(c) => c.code,
        }
    }
}

impl From<ApiError> for MenuError {
    fn from(err: ApiError) -> Self {
        MenuError::Api(err)
    }
}

impl std::fmt::Display for MenuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MenuError::Api(e) => e.fmt(f),
            MenuError::Conflict(c) => c.error().fmt(f),
        }
    }
}

impl std::error::Error for MenuError {}

fn internal(err: impl std::fmt::Display) -> MenuError {
    MenuError::Api(ApiError::new(
        ErrorCode::Internal,
        format!("menu store: {err}"),
    ))
}

pub fn unknown_menu(room: &RoomId, menu: &str) -> ApiError {
    ApiError {
        code: ErrorCode::UnknownMenu,
        message: format!("room `{room}` has no menu `{menu}`"),
        field: None,
    }
}

pub fn unknown_menu_item(menu: &str, item: &str) -> ApiError {
    ApiError {
        code: ErrorCode::UnknownMenuItem,
        message: format!("menu `{menu}` has no item `{item}`"),
        field: None,
    }
}

/// One edit of an existing menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// The whole content (`PUT`): items with an id keep it, items without
    /// one are new.
    Replace(MenuSpec),
    AddItem {
        item: ItemSpec,
        position: Option<usize>,
    },
    UpdateItem {
        id: String,
        item: ItemSpec,
    },
    DeleteItem {
        id: String,
    },
    Reorder(Vec<String>),
    Sort {
        by: SortKey,
        descending: bool,
    },
}

impl Edit {
    pub fn kind(&self) -> &'static str {
        match self {
            Edit::Replace(_) => "update",
            Edit::AddItem { .. } => "add_item",
            Edit::UpdateItem { .. } => "update_item",
            Edit::DeleteItem { .. } => "delete_item",
            Edit::Reorder(_) => "reorder",
            Edit::Sort { .. } => "sort",
        }
    }

    /// The new content and next item number, from `current`.
    fn apply(self, current: &StoredMenu) -> Result<(MenuSpec, u32), MenuError> {
        let mut next = current.next_item;
        let fresh_id = |next: &mut u32| {
            let id = format!("{}-{}", current.id, *next);
            *next += 1;
            id
        };
        let mut spec = current.spec.clone();
        match self {
            Edit::Replace(new) => {
                if let Some(id) = &new.id
                    && *id != current.id
                {
                    return Err(invalid(
                        "id",
                        format!("the body is menu `{id}`, the URL menu `{}`", current.id),
                    )
                    .into());
                }
                let mut new = new.content();
                let mut items = std::mem::take(&mut new.items);
                for (i, item) in items.iter_mut().enumerate() {
                    match &item.id {
                        Some(id) if current.item(id).is_none() => {
                            return Err(invalid(
                                format!("items[{i}].id"),
                                format!(
                                    "menu `{}` has no item `{id}`; leave the id out to add a new item",
                                    current.id
                                ),
                            )
                            .into());
                        }
                        Some(_) => {}
                        None => item.id = Some(fresh_id(&mut next)),
                    }
                }
                spec = MenuSpec { items, ..new };
            }
            Edit::AddItem { mut item, position } => {
                if item.id.is_some() {
                    return Err(invalid("item.id", "a new item gets its id from the server").into());
                }
                item.validate("item")?;
                let at = position.unwrap_or(spec.items.len());
                if at > spec.items.len() {
                    return Err(invalid(
                        "position",
                        format!(
                            "{at} is past the end (the menu has {} items)",
                            spec.items.len()
                        ),
                    )
                    .into());
                }
                item.id = Some(fresh_id(&mut next));
                spec.items.insert(at, item);
            }
            Edit::UpdateItem { id, mut item } => {
                let index = index_of(current, &id)?;
                if item.id.as_ref().is_some_and(|given| *given != id) {
                    return Err(invalid(
                        "item.id",
                        format!(
                            "the body is item `{}`, the URL item `{id}`",
                            item.id.unwrap_or_default()
                        ),
                    )
                    .into());
                }
                item.validate("item")?;
                item.id = Some(id);
                spec.items[index] = item;
            }
            Edit::DeleteItem { id } => {
                let index = index_of(current, &id)?;
                spec.items.remove(index);
            }
            Edit::Reorder(order) => {
                for (i, id) in order.iter().enumerate() {
                    if current.item(id).is_none() {
                        return Err(invalid(
                            format!("items[{i}]"),
                            format!("menu `{}` has no item `{id}`", current.id),
                        )
                        .into());
                    }
                    if order[..i].contains(id) {
                        return Err(invalid(
                            format!("items[{i}]"),
                            format!("`{id}` appears twice"),
                        )
                        .into());
                    }
                }
                if let Some(missing) = spec
                    .items
                    .iter()
                    .filter_map(|i| i.id.as_ref())
                    .find(|id| !order.contains(id))
                {
                    return Err(invalid(
                        "items",
                        format!("`{missing}` is missing: list every item of the menu once"),
                    )
                    .into());
                }
                spec.items = order
                    .iter()
                    .filter_map(|id| current.item(id).cloned())
                    .collect();
            }
            Edit::Sort { by, descending } => {
                let m = spec.multiplier;
                let title = |i: &ItemSpec| i.title.to_lowercase();
                let id = |i: &ItemSpec| i.id.clone().unwrap_or_default();
                spec.items.sort_by(|a, b| {
                    let order = match by {
                        SortKey::Price => a
                            .price(m)
                            .cmp(&b.price(m))
                            .then_with(|| a.base_tokens.cmp(&b.base_tokens))
                            .then_with(|| title(a).cmp(&title(b))),
                        SortKey::Title => title(a)
                            .cmp(&title(b))
                            .then_with(|| a.price(m).cmp(&b.price(m))),
                    };
                    let order = if descending { order.reverse() } else { order };
                    order.then_with(|| natural(&id(a)).cmp(&natural(&id(b))))
                });
            }
        }
        Ok((spec, next))
    }
}

/// `m1-10` after `m1-9`.
fn natural(id: &str) -> (String, u64) {
    match id.rsplit_once('-') {
        Some((head, n)) => (head.to_string(), n.parse().unwrap_or(0)),
        None => (id.to_string(), 0),
    }
}

fn index_of(menu: &StoredMenu, id: &str) -> Result<usize, MenuError> {
    menu.spec
        .items
        .iter()
        .position(|i| i.id.as_deref() == Some(id))
        .ok_or_else(|| MenuError::Api(unknown_menu_item(&menu.id, id)))
}

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
        if current.version != expected {
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
        if current.version != expected {
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
        let changes: Vec<Change> = match base {
            Some(base) if yours < current.version => diff(&base.spec, &current.spec),
            _ => Vec::new(),
        };
        let history = match self.history(&current.room, &current.id, yours.min(current.version)) {
            Ok(history) => history,
            Err(err) => return err,
        };
        let message = if yours > current.version {
            format!(
                "menu `{}` is at version {}; there is no version {yours} yet",
                current.id, current.version
            )
        } else {
            let listed: Vec<&str> = changes.iter().take(5).map(|c| c.summary.as_str()).collect();
            let more = changes.len().saturating_sub(listed.len());
            let mut message = format!(
                "menu `{}` changed since version {yours}: it is at version {} now",
                current.id, current.version
            );
            if !listed.is_empty() {
                message.push_str(&format!(" ({}", listed.join("; ")));
                if more > 0 {
                    message.push_str(&format!("; {more} more"));
                }
                message.push(')');
            }
            message.push_str("; reload it, or re-apply your change to the current version");
            message
        };
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
