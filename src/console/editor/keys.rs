//! The shape every editor's keymap sections share: the list's rows, the
//! form, the questions and the version conflict. An editor gives the words
//! (what it keeps, what it deletes) and its own actions; the shared
//! actions, their names in the keymap file and their order are the kit's.

use crate::console::screen::{Action as A, Binding, bind};

/// An editor's dialog sections, one line each: `NAME = shape(words…);`
/// with a shape of this module (`form`, `text_form`, `question`,
/// `conflict`).
macro_rules! sections {
    ($($name:ident = $shape:ident($($words:expr),* $(,)?);)*) => {
        $(
            pub(in crate::console) const $name: &[$crate::console::screen::Binding] =
                &$crate::console::editor::keys::$shape($($words),*);
        )*
    };
}
pub(crate) use sections;

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

/// A list's row actions, in this order: select above, below; move up,
/// down; edit, add, delete. `what` says each in the editor's words.
pub const fn list(what: [&'static str; 7]) -> [Binding; 7] {
    [
        bind(A::Up, "up", what[0], None),
        bind(A::Down, "down", what[1], None),
        bind(A::MoveUp, "move_up", what[2], Some("move")),
        bind(A::MoveDown, "move_down", what[3], None),
        bind(A::Edit, "edit", what[4], Some("edit")),
        bind(A::Add, "add", what[5], Some("add")),
        bind(A::Delete, "delete", what[6], Some("delete")),
    ]
}

/// The list's row actions and hiding a row (the eighth word).
pub const fn rows(what: [&'static str; 8]) -> [Binding; 8] {
    let list = list([
        what[0], what[1], what[2], what[3], what[4], what[5], what[6],
    ]);
    section::<8>(&[&list, &[bind(A::Hide, "hide", what[7], Some("hide"))]])
}

/// A list's last keys: stop the toy, the help, and back (`close` says
/// where to).
pub const fn leave(close: &'static str) -> [Binding; 3] {
    [
        bind(A::StopToy, "stop_toy", "stop the toy at once", None),
        bind(A::Help, "help", "show this help", Some("help")),
        bind(A::Close, "close", close, Some("back")),
    ]
}

/// One section from its parts, in order; `N` is their length together
/// (a wrong `N` fails the build).
pub const fn section<const N: usize>(parts: &[&[Binding]]) -> [Binding; N] {
    let mut out = [parts[0][0]; N];
    let mut at = 0;
    let mut part = 0;
    while part < parts.len() {
        let mut i = 0;
        while i < parts[part].len() {
            out[at] = parts[part][i];
            at += 1;
            i += 1;
        }
        part += 1;
    }
    assert!(at == N, "N is the length of the parts together");
    out
}
