//! The reply dialog's actions, what the help says they do, and the
//! footer's short labels.

use crate::console::screen::{Action as A, Binding, bind};

pub(in crate::console) const REPLY: &[Binding] = &[
    bind(A::Submit, "submit", "send the reply", Some("send")),
    bind(A::NextField, "next_field", "the next field", Some("next")),
    bind(A::PrevField, "prev_field", "the previous field", None),
    bind(
        A::Up,
        "up",
        "the choice above (template or text, mood, template, private or public)",
        None,
    ),
    bind(A::Down, "down", "the choice below", None),
    bind(A::Erase, "erase", "erase a character of the text", None),
    bind(A::Close, "close", "cancel: send nothing", Some("cancel")),
];
