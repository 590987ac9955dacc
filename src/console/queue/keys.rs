//! The queue's screens: the queue itself, an item's details, the refund
//! dialog, the quit question and the end-of-broadcast question; the actions each offers, what the help
//! says they do, and the footer's short labels (see `screen`).

use crate::console::screen::{Action as A, Binding, bind};

// The footer shows the labelled ones in this order, as many as fit.
pub(in crate::console) const QUEUE: &[Binding] = &[
    bind(A::Start, "start", "start the next item", Some("start")),
    bind(
        A::Finish,
        "finish",
        "finish the item on stage (settles its tokens)",
        Some("finish"),
    ),
    bind(
        A::Refund,
        "refund",
        "refund the selected item",
        Some("refund"),
    ),
    bind(A::Up, "up", "select the item above", None),
    bind(A::Down, "down", "select the item below", None),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(
        A::Quit,
        "quit",
        "quit (asks first while an item is on stage)",
        Some("quit"),
    ),
    bind(A::Menus, "menus", "edit the chip menus", Some("menus")),
    bind(
        A::Games,
        "games",
        "edit the slot machine and the spin wheel",
        Some("games"),
    ),
    bind(
        A::Toy,
        "toy",
        "the toy screen: connect, disconnect, try a level",
        Some("toy"),
    ),
    bind(
        A::Report,
        "report",
        "the broadcast report: totals, refunds, top items, a chart",
        Some("report"),
    ),
    bind(
        A::Lane,
        "lane",
        "the toy lane: every waiting tip, skip, clear, pause, resume",
        Some("lane"),
    ),
    bind(
        A::Levels,
        "levels",
        "edit the tip levels and specials (what a tip makes the toy do)",
        Some("levels"),
    ),
    bind(
        A::Details,
        "details",
        "show the selected item's audit record",
        Some("details"),
    ),
    bind(
        A::Broadcast,
        "broadcast",
        "go live, or end the broadcast (asks first)",
        Some("live"),
    ),
    bind(
        A::Award,
        "award",
        "award the selected item's viewer points from your allowance",
        None,
    ),
    bind(
        A::Reply,
        "reply",
        "reply to the selected item's viewer (template or text)",
        Some("reply"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::LogUp, "log_up", "scroll the event log back", None),
    bind(A::LogDown, "log_down", "scroll the event log forward", None),
    bind(
        A::Suspend,
        "suspend",
        "suspend to the shell; the toy stops (fg to come back)",
        None,
    ),
];

pub(in crate::console) const DETAILS: &[Binding] = &[
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(
        A::Reply,
        "reply",
        "reply to this item's viewer",
        Some("reply"),
    ),
    bind(A::Help, "help", "show this help", Some("help")),
    bind(A::Close, "close", "close the record", Some("close")),
];

pub(in crate::console) const REFUND: &[Binding] = &[
    bind(A::Submit, "submit", "refund as filled in", Some("refund")),
    bind(A::NextField, "next_field", "the next field", Some("next")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(A::Up, "up", "the reason above", None),
    bind(A::Down, "down", "the reason below", None),
    bind(A::Erase, "erase", "erase a character", None),
    bind(A::Close, "close", "cancel: refund nothing", Some("cancel")),
];

pub(in crate::console) const AWARD: &[Binding] = &[
    bind(A::Submit, "submit", "award as filled in", Some("award")),
    bind(A::NextField, "next_field", "the next field", Some("next")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(A::Erase, "erase", "erase a character", None),
    bind(A::Close, "close", "cancel: award nothing", Some("cancel")),
];

pub(in crate::console) const CONFIRM_QUIT: &[Binding] = &[
    bind(A::Confirm, "confirm", "quit (the toy stops)", Some("quit")),
    bind(A::Cancel, "cancel", "stay", Some("stay")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];

pub(in crate::console) const CONFIRM_END: &[Binding] = &[
    bind(A::Confirm, "confirm", "end the broadcast", Some("end")),
    bind(A::Cancel, "cancel", "stay live", Some("stay")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];
