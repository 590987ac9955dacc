//! The game editor's screens: the actions each offers, what the help says
//! they do, and the footer's short labels (see [`crate::console::screen`]).

use crate::console::editor::keys as editor;
use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const GAME: &[Binding] = &editor::section::<17>(&[
    &editor::rows([
        "select the prize above",
        "select the prize below",
        "move the prize up the list",
        "move the prize down the list",
        "edit the prize",
        "add a prize",
        "delete the prize (asks first)",
        "hide or show the prize",
    ]),
    &[
        bind(
            A::Settings,
            "settings",
            "spin prices, cooldown and theme colours",
            Some("settings"),
        ),
        bind(
            A::Save,
            "save",
            "save the game (every change so far)",
            Some("save"),
        ),
        bind(
            A::RotateSeed,
            "rotate_seed",
            "reveal the server seed and commit a new one (asks first)",
            Some("rotate seed"),
        ),
        bind(
            A::OtherGame,
            "other_game",
            "the other game: slot machine, spin wheel",
            Some("other game"),
        ),
        bind(
            A::Reload,
            "reload",
            "load the game from the server (unsaved changes are dropped)",
            None,
        ),
        bind(
            A::Preview,
            "preview",
            "try the prize's toy effect on the toy",
            None,
        ),
    ],
    &editor::leave("back to the queue (esc twice drops unsaved changes)"),
]);

editor::sections! {
    PRIZE_FORM = form("try the toy effect being edited", "keep the prize (w on the game saves it)", "keep");
    GAME_SETTINGS = text_form("keep the settings (w on the game saves them)", "keep");
    PRIZE_DELETE = question("delete the prize", "delete", "keep it");
    SEED_ROTATE = question("rotate: reveal the seed, commit a new one", "rotate", "keep the seed");
    GAME_CONFLICT = conflict("reload theirs (your changes are dropped)", "save yours over theirs", "save mine", "neither: back to the game, your changes kept unsaved");
}

pub(in crate::console) const SEED_REVEALED: &[Binding] = &[
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Close, "close", "back to the game", Some("close")),
];
