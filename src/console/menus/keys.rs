//! The chip-menu editor's screens: the actions each offers, what the help
//! says they do, and the footer's short labels (see [`crate::console::screen`]).

use crate::console::editor::keys as editor;
use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const MENUS: &[Binding] = &[
    bind(A::Up, "up", "select the menu above", None),
    bind(A::Down, "down", "select the menu below", None),
    bind(A::Open, "open", "open the menu's items", Some("items")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "back to the queue", Some("back")),
];

pub(in crate::console) const MENU_ITEMS: &[Binding] = &[
    bind(A::Up, "up", "select the item above", None),
    bind(A::Down, "down", "select the item below", None),
    bind(A::MoveUp, "move_up", "move the item up", Some("move")),
    bind(A::MoveDown, "move_down", "move the item down", None),
    bind(A::Edit, "edit", "edit the item", Some("edit")),
    bind(A::Add, "add", "add an item", Some("add")),
    bind(
        A::Delete,
        "delete",
        "delete the item (asks first)",
        Some("delete"),
    ),
    bind(A::Hide, "hide", "hide or show the item", Some("hide")),
    bind(A::SortPrice, "sort_price", "sort by price", None),
    bind(A::SortTitle, "sort_title", "sort by title", None),
    bind(
        A::DiscountMore,
        "discount_more",
        "raise the price multiplier 5 % (saved with save)",
        None,
    ),
    bind(
        A::DiscountLess,
        "discount_less",
        "lower the price multiplier 5 % (saved with save)",
        None,
    ),
    bind(
        A::QueueMode,
        "queue_mode",
        "turn the menu's queue on or off (saved with save)",
        None,
    ),
    bind(
        A::Visibility,
        "visibility",
        "public, subscribers only, private (saved with save)",
        None,
    ),
    bind(A::Save, "save", "save the menu's settings", Some("save")),
    bind(
        A::Preview,
        "preview",
        "try the item's toy effect on the toy",
        Some("preview"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(
        A::Close,
        "close",
        "back to the menus (esc twice drops unsaved settings)",
        Some("back"),
    ),
];

pub(in crate::console) const MENU_FORM: &[Binding] = &editor::form(
    "try the toy effect being edited, unsaved",
    "save the item",
    "save",
);

pub(in crate::console) const MENU_DELETE: &[Binding] =
    &editor::question("delete the item", "delete", "keep it");

pub(in crate::console) const MENU_CONFLICT: &[Binding] = &editor::conflict(
    "reload theirs (your change is dropped)",
    "re-apply yours on top of theirs",
    "re-apply mine",
    "neither: back to the items",
);
