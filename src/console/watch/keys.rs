//! The actions of the moderation screens: the watch grid, a watched room,
//! the ban dialog and the moderation log.

use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const WATCH: &[Binding] = &[
    bind(
        A::Up,
        "up",
        "select the room above (before, in the list)",
        None,
    ),
    bind(
        A::Down,
        "down",
        "select the room below (after, in the list)",
        None,
    ),
    bind(A::Left, "left", "select the room before", None),
    bind(A::Right, "right", "select the room after", None),
    bind(A::PageUp, "page_up", "a page of rooms back", None),
    bind(A::PageDown, "page_down", "a page of rooms on", None),
    bind(
        A::Open,
        "open",
        "open the room: its queue and the moderation keys",
        Some("open"),
    ),
    bind(
        A::ModerationLog,
        "moderation_log",
        "the moderation log: who did what, where, why",
        Some("log"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Quit, "quit", "quit", Some("quit")),
];

pub(in crate::console) const WATCH_ROOM: &[Binding] = &[
    bind(
        A::Refund,
        "refund",
        "refund the selected item for moderation, with a note",
        Some("refund"),
    ),
    bind(A::Ban, "ban", "ban the selected item's viewer", Some("ban")),
    bind(
        A::Pause,
        "pause",
        "pause or resume the room's intake",
        Some("pause"),
    ),
    bind(A::Up, "up", "select the item above", None),
    bind(A::Down, "down", "select the item below", None),
    bind(
        A::Details,
        "details",
        "show the selected item's audit record",
        Some("details"),
    ),
    bind(A::LogUp, "log_up", "scroll the event log back", None),
    bind(A::LogDown, "log_down", "scroll the event log forward", None),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "back to the watch grid", Some("grid")),
];

// The note and the expiry are text fields: characters typed there are text.
pub(in crate::console) const BAN: &[Binding] = &[
    bind(
        A::Submit,
        "submit",
        "ban (their queued items are refunded)",
        Some("ban"),
    ),
    bind(A::NextField, "next_field", "the next field", Some("next")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(
        A::Up,
        "up",
        "the reason above (on where: flip this room / every room)",
        None,
    ),
    bind(
        A::Down,
        "down",
        "the reason below (on where: flip this room / every room)",
        None,
    ),
    bind(
        A::Toggle,
        "toggle",
        "this room or every room you moderate",
        Some("scope"),
    ),
    bind(A::Erase, "erase", "erase a character", None),
    bind(A::Close, "close", "cancel: ban no one", Some("cancel")),
];

pub(in crate::console) const MOD_LOG: &[Binding] = &[
    bind(A::Up, "up", "select the row above", None),
    bind(A::Down, "down", "select the row below", None),
    bind(
        A::FilterRoom,
        "filter_room",
        "only one room: each press the next watched room, then all",
        Some("room"),
    ),
    bind(
        A::FilterAction,
        "filter_action",
        "only one kind: ban, unban, pause, resume, switch, refund, then all",
        Some("kind"),
    ),
    bind(
        A::FilterActor,
        "filter_actor",
        "only the selected row's actor (again: everyone)",
        Some("by"),
    ),
    bind(
        A::FilterTarget,
        "filter_target",
        "only the selected row's viewer or switch (again: all)",
        None,
    ),
    bind(
        A::FilterTime,
        "filter_time",
        "only the last hour, day, week, then all time",
        Some("time"),
    ),
    bind(A::ClearFilters, "clear_filters", "drop every filter", None),
    bind(A::Reload, "reload", "ask the server again", Some("reload")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", None),
    bind(A::Close, "close", "back to the watch grid", Some("back")),
];
