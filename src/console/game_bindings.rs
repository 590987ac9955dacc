//! The game editor's screens: the actions each offers, what the help says
//! they do, and the footer's short labels (see [`super::screen`]).

use super::screen::{Action as A, Binding, bind};

pub(super) const GAME: &[Binding] = &[
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

pub(super) const PRIZE_FORM: &[Binding] = &[
    bind(A::NextField, "next_field", "the next field", Some("field")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(
        A::Toggle,
        "toggle",
        "change a yes/no or a choice (text fields type it)",
        Some("toggle"),
    ),
    bind(A::ToggleBack, "toggle_back", "the previous choice", None),
    bind(A::Erase, "erase", "erase a character", None),
    bind(
        A::Preview,
        "preview",
        "try the toy effect being edited",
        Some("try toy"),
    ),
    bind(
        A::Save,
        "save",
        "keep the prize (w on the game saves it)",
        Some("keep"),
    ),
    bind(A::Cancel, "cancel", "drop the changes", Some("cancel")),
];

pub(super) const GAME_SETTINGS: &[Binding] = &[
    bind(A::NextField, "next_field", "the next field", Some("field")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(A::Erase, "erase", "erase a character", None),
    bind(
        A::Save,
        "save",
        "keep the settings (w on the game saves them)",
        Some("keep"),
    ),
    bind(A::Cancel, "cancel", "drop the changes", Some("cancel")),
];

pub(super) const PRIZE_DELETE: &[Binding] = &[
    bind(A::Confirm, "confirm", "delete the prize", Some("delete")),
    bind(A::Cancel, "cancel", "keep it", Some("keep")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];

pub(super) const SEED_ROTATE: &[Binding] = &[
    bind(
        A::Confirm,
        "confirm",
        "rotate: reveal the seed, commit a new one",
        Some("rotate"),
    ),
    bind(A::Cancel, "cancel", "keep the seed", Some("keep")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];

pub(super) const SEED_REVEALED: &[Binding] = &[
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Close, "close", "back to the game", Some("close")),
];

pub(super) const GAME_CONFLICT: &[Binding] = &[
    bind(
        A::Reload,
        "reload",
        "reload theirs (your changes are dropped)",
        Some("reload theirs"),
    ),
    bind(
        A::Reapply,
        "reapply",
        "save yours over theirs",
        Some("save mine"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(
        A::Cancel,
        "cancel",
        "neither: back to the game, your changes kept unsaved",
        Some("cancel"),
    ),
];
