//! The chip-menu editor's screens: the actions each offers, what the help
//! says they do, and the footer's short labels (see [`crate::console::screen`]).

use crate::console::editor::keys as editor;
use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const MENUS: &[Binding] = &[
    bind(A::Up, "up", "select the menu above", None),
    bind(A::Down, "down", "select the menu below", None),
    bind(A::Open, "open", "open the menu's items", Some("items")),
    bind(
        A::Add,
        "add",
        "add a menu from the next shipped template",
        Some("template"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "back to the queue", Some("back")),
];

pub(in crate::console) const MENU_ITEMS: &[Binding] = &editor::section::<19>(&[
    &editor::rows([
        "select the item above",
        "select the item below",
        "move the item up",
        "move the item down",
        "edit the item",
        "add an item",
        "delete the item (asks first)",
        "hide or show the item",
    ]),
    &[
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
    ],
    &editor::leave("back to the menus (esc twice drops unsaved settings)"),
]);

editor::sections! {
    MENU_FORM = form("try the toy effect being edited, unsaved", "save the item", "save");
    MENU_DELETE = question("delete the item", "delete", "keep it");
    MENU_CONFLICT = conflict("reload theirs (your change is dropped)", "re-apply yours on top of theirs", "re-apply mine", "neither: back to the items");
}
