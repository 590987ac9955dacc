//! The help's keys: scrolling and closing it.

use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const HELP: &[Binding] = &[
    bind(A::Up, "up", "scroll up a line", None),
    bind(A::Down, "down", "scroll down a line", None),
    bind(A::PageUp, "page_up", "scroll up a page", None),
    bind(A::PageDown, "page_down", "scroll down a page", None),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Close, "close", "close the help", Some("close")),
];
