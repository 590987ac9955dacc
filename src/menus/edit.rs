//! One edit of a menu, applied to its current version: the whole content,
//! or one item added, changed, deleted, or the items reordered or sorted.
//! Also the menu refusals (an API error, or a version conflict).

use crate::protocol::{ApiError, ErrorCode};

use super::api::{SortKey, VersionConflict};
use super::model::{ItemSpec, MenuSpec, StoredMenu, invalid};
use crate::domain::RoomId;

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

pub(super) fn internal(err: impl std::fmt::Display) -> MenuError {
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
        leader: None,
    }
}

pub fn unknown_menu_item(menu: &str, item: &str) -> ApiError {
    ApiError {
        code: ErrorCode::UnknownMenuItem,
        message: format!("menu `{menu}` has no item `{item}`"),
        field: None,
        leader: None,
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
    pub(super) fn apply(self, current: &StoredMenu) -> Result<(MenuSpec, u32), MenuError> {
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
