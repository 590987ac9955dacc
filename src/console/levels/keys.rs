//! The tip-levels editor's screens: the actions each offers, what the help
//! says they do, and the footer's short labels (see [`crate::console::screen`]).

use crate::console::editor::keys as editor;
use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const LEVELS: &[Binding] = &editor::section::<15>(&[
    &[
        bind(
            A::Save,
            "save",
            "save the levels as the next version (for tips from now on)",
            Some("save"),
        ),
        bind(
            A::Template,
            "template",
            "put the next shipped template in (w saves it)",
            Some("template"),
        ),
        bind(
            A::Preview,
            "preview",
            "try the selected level on the toy (the stop key stops it)",
            Some("try toy"),
        ),
        bind(
            A::AddSpecial,
            "add_special",
            "add a special (an exact amount)",
            Some("special"),
        ),
        bind(
            A::Reload,
            "reload",
            "load the levels from the server (unsaved changes are dropped)",
            None,
        ),
    ],
    &editor::list([
        "select the row above",
        "select the row below",
        "move the level (or special) up its list",
        "move the level (or special) down its list",
        "edit the level or special",
        "add a level (a token range)",
        "delete the level or special (asks first)",
    ]),
    &editor::leave("back to the queue or the lane screen (esc twice drops unsaved changes)"),
]);

editor::sections! {
    LEVEL_FORM = form("try the level being edited on the toy", "keep it (w on the list saves the levels)", "keep");
    LEVEL_DELETE = question("delete it", "delete", "keep it");
    LEVEL_CONFLICT = conflict("reload theirs (your changes are dropped)", "save yours over theirs", "save mine", "neither: back to the levels, your changes kept unsaved");
}
