//! The game editor's screens: the actions each offers, what the help says
//! they do, and the footer's short labels (see [`crate::console::screen`]).

use crate::console::editor::keys as editor;
use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const GAME: &[Binding] = &[
    bind(A::Up, "up", "select the prize above", None),
    bind(A::Down, "down", "select the prize below", None),
    bind(
        A::MoveUp,
        "move_up",
        "move the prize up the list",
        Some("move"),
    ),
    bind(
        A::MoveDown,
        "move_down",
        "move the prize down the list",
        None,
    ),
    bind(A::Edit, "edit", "edit the prize", Some("edit")),
    bind(A::Add, "add", "add a prize", Some("add")),
    bind(
        A::Delete,
        "delete",
        "delete the prize (asks first)",
        Some("delete"),
    ),
    bind(A::Hide, "hide", "hide or show the prize", Some("hide")),
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
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(
        A::Close,
        "close",
        "back to the queue (esc twice drops unsaved changes)",
        Some("back"),
    ),
];

pub(in crate::console) const PRIZE_FORM: &[Binding] = &editor::form(
    "try the toy effect being edited",
    "keep the prize (w on the game saves it)",
    "keep",
);

pub(in crate::console) const GAME_SETTINGS: &[Binding] =
    &editor::text_form("keep the settings (w on the game saves them)", "keep");

pub(in crate::console) const PRIZE_DELETE: &[Binding] =
    &editor::question("delete the prize", "delete", "keep it");

pub(in crate::console) const SEED_ROTATE: &[Binding] = &editor::question(
    "rotate: reveal the seed, commit a new one",
    "rotate",
    "keep the seed",
);

pub(in crate::console) const SEED_REVEALED: &[Binding] = &[
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Close, "close", "back to the game", Some("close")),
];

pub(in crate::console) const GAME_CONFLICT: &[Binding] = &editor::conflict(
    "reload theirs (your changes are dropped)",
    "save yours over theirs",
    "save mine",
    "neither: back to the game, your changes kept unsaved",
);
