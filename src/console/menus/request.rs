//! What the menu editor asks of the server and what it hears back; the
//! runtime carries the requests out through `MenuClient`.

use std::sync::Arc;

use crate::console::editor::EditorEffect;
use crate::menus::api::{SortKey, VersionConflict};
use crate::menus::model::{ItemSpec, MenuSpec, MenuView};

/// A change to send to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuRequest {
    List,
    /// A new menu (a shipped template).
    Create {
        spec: Box<MenuSpec>,
    },
    UpdateMenu {
        menu: String,
        spec: Box<MenuSpec>,
    },
    AddItem {
        menu: String,
        version: u64,
        item: Box<ItemSpec>,
    },
    UpdateItem {
        menu: String,
        version: u64,
        item: Box<ItemSpec>,
    },
    DeleteItem {
        menu: String,
        version: u64,
        item: String,
    },
    Reorder {
        menu: String,
        version: u64,
        items: Vec<String>,
    },
    Sort {
        menu: String,
        version: u64,
        by: SortKey,
    },
}

impl MenuRequest {
    /// The same change based on another version (to re-apply it).
    pub(super) fn rebased(&self, version: u64) -> MenuRequest {
        let mut request = self.clone();
        match &mut request {
            MenuRequest::UpdateMenu { spec, .. } => spec.version = Some(version),
            MenuRequest::AddItem { version: v, .. }
            | MenuRequest::UpdateItem { version: v, .. }
            | MenuRequest::DeleteItem { version: v, .. }
            | MenuRequest::Reorder { version: v, .. }
            | MenuRequest::Sort { version: v, .. } => *v = version,
            MenuRequest::List | MenuRequest::Create { .. } => {}
        }
        request
    }
}

/// What the menu editor asks of the runtime.
pub type MenuEffect = EditorEffect<MenuRequest>;

/// The answer to a request.
#[derive(Debug, Clone)]
pub enum MenuAnswer {
    Menus(Vec<MenuView>),
    /// The room's imported patterns, offered for the items' toy effects.
    Patterns(Arc<[Arc<str>]>),
    Menu(Box<MenuView>),
    Conflict(Box<VersionConflict>),
    Failed(String),
}
