//! The shape every editor's keymap sections share: the form, the delete
//! question and the version conflict. An editor gives the words (what it
//! keeps, what it deletes); the actions, their names in the keymap file and
//! their order are the kit's. The list's own section stays the editor's:
//! its keys are what it can do to its rows.

use crate::console::screen::{Action as A, Binding, bind};

/// A form with choices and a toy effect: fields, toggles, erase, try the
/// effect, keep it, drop it.
pub const fn form(
    preview: &'static str,
    save: &'static str,
    save_hint: &'static str,
) -> [Binding; 8] {
    [
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
        bind(A::Preview, "preview", preview, Some("try toy")),
        bind(A::Save, "save", save, Some(save_hint)),
        bind(A::Cancel, "cancel", "drop the changes", Some("cancel")),
    ]
}

/// A form of text fields only: fields, erase, keep it, drop it.
pub const fn text_form(save: &'static str, save_hint: &'static str) -> [Binding; 5] {
    [
        bind(A::NextField, "next_field", "the next field", Some("field")),
        bind(A::PrevField, "prev_field", "the previous field", None),
        bind(A::Erase, "erase", "erase a character", None),
        bind(A::Save, "save", save, Some(save_hint)),
        bind(A::Cancel, "cancel", "drop the changes", Some("cancel")),
    ]
}

/// A yes/no question: `confirm` says what yes does.
pub const fn question(
    confirm: &'static str,
    confirm_hint: &'static str,
    cancel: &'static str,
) -> [Binding; 3] {
    [
        bind(A::Confirm, "confirm", confirm, Some(confirm_hint)),
        bind(A::Cancel, "cancel", cancel, Some("keep")),
        bind(A::StopToy, "stop_toy", "stop the toy at once", None),
    ]
}

/// The version conflict: reload theirs, put mine on top, or neither.
pub const fn conflict(
    reload: &'static str,
    reapply: &'static str,
    reapply_hint: &'static str,
    cancel: &'static str,
) -> [Binding; 4] {
    [
        bind(A::Reload, "reload", reload, Some("reload theirs")),
        bind(A::Reapply, "reapply", reapply, Some(reapply_hint)),
        bind(A::StopToy, "stop_toy", "stop the toy at once", None),
        bind(A::Cancel, "cancel", cancel, Some("cancel")),
    ]
}
