//! The toy screen's keys: connect, disconnect, try a level, resume.

use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const TOY: &[Binding] = &[
    bind(
        A::ConnectVirtual,
        "connect_virtual",
        "connect the virtual toy",
        Some("virtual"),
    ),
    bind(
        A::ConnectBluetooth,
        "connect_bluetooth",
        "connect the first Bluetooth toy (LVS-…) found",
        Some("bluetooth"),
    ),
    bind(
        A::Disconnect,
        "disconnect",
        "disconnect every toy",
        Some("disconnect"),
    ),
    bind(
        A::Reconnect,
        "reconnect",
        "reconnect the toy's backend (stopped and closed first)",
        Some("reconnect"),
    ),
    bind(
        A::TryLevel,
        "try_level",
        "try a level by hand: 0 off … 9 is 18 of 20",
        None,
    ),
    bind(
        A::Resume,
        "resume",
        "resume after a stop key",
        Some("resume"),
    ),
    bind(
        A::RegenerateOverlay,
        "regenerate_overlay",
        "new overlay tokens: the old overlay URLs stop working",
        None,
    ),
    bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    bind(A::Help, "help", "show this help", None),
    bind(A::Close, "close", "close the toy screen", Some("close")),
];
