//! The lane screen's keys: move, skip one tip, clear the lane (asked
//! first), pause, resume; and the clear question's.

use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const LANE: &[Binding] = &[
    bind(A::Up, "up", "the tip above", None),
    bind(A::Down, "down", "the tip below", None),
    bind(
        A::Skip,
        "skip",
        "skip the selected tip: its tokens go back (goodwill)",
        Some("skip"),
    ),
    bind(
        A::ClearLane,
        "clear",
        "refund every tip of the lane (asked first)",
        Some("clear"),
    ),
    bind(
        A::Pause,
        "pause",
        "pause the lane: tips wait",
        Some("pause"),
    ),
    bind(
        A::Resume,
        "resume",
        "resume the lane and the toy after a stop key",
        Some("resume"),
    ),
    bind(
        A::Levels,
        "levels",
        "edit the tip levels (what a tip makes the toy do)",
        Some("levels"),
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", None),
    bind(A::Close, "close", "close the lane screen", Some("close")),
];

pub(in crate::console) const LANE_CLEAR: &[Binding] = &[
    bind(
        A::Confirm,
        "confirm",
        "refund every tip of the lane",
        Some("yes"),
    ),
    bind(A::Cancel, "cancel", "keep the lane", Some("no")),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
];
