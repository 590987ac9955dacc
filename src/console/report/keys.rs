//! The report screen's keys: step through the broadcasts, reload, close.

use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const REPORT: &[Binding] = &[
    bind(
        A::Left,
        "left",
        "the broadcast before this one",
        Some("older"),
    ),
    bind(
        A::Right,
        "right",
        "the broadcast after this one",
        Some("newer"),
    ),
    bind(
        A::Reload,
        "reload",
        "ask again (a live broadcast's report is the report so far)",
        Some("reload"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", None),
    bind(A::Close, "close", "close the report", Some("close")),
];
