//! The kit every editor of a versioned configuration (chip menus, games,
//! tip levels) is built from: the session with the server (`session`), the
//! row list (`rows`), the form with its checks as you type (`form`), the
//! draft against the server's version (`draft`), the conflict dialog with
//! what changed (`conflict`), a question before acting (`question`), the
//! keymap sections' shape (`keys`), and a toy effect's fields
//! (`toy_fields`). An editor brings its columns, its
//! fields and its rules; the rest is here.

pub mod conflict;
pub mod draft;
pub mod form;
pub mod keys;
pub mod question;
pub mod rows;
pub mod session;
pub mod toy_fields;

use crate::domain::toy_effect::ToyEffect;

/// What an editor asks of the runtime; `R` is its own request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorEffect<R> {
    Send(R),
    /// Try an effect on the connected toy (or the virtual one).
    Preview(ToyEffect),
    /// Leave the editor, back to the queue.
    Close,
}
