//! Performer-scoped configuration: one mechanism for everything a
//! performer configures per room and viewers act on (chip menus, the slot
//! machine and the spin wheel, tip levels), following the integration
//! contract's "Config Contract (Performer-Scoped)".
//!
//! - **Versions** ([`version`]): every save is the next version, stamped
//!   with who and when; an edit names the version it is based on, and one
//!   based on another is [`Stale`]. Old versions stay readable.
//! - **Conflict answer** ([`conflict`], [`changes`]): a stale edit gets
//!   `409 version_conflict` with what changed since, field by field, and
//!   in words.
//! - **Admin templates** ([`templates`]): shipped files a performer starts
//!   from; choosing one saves it as the next version, the performer's
//!   overrides are later versions.
//! - **Hide without delete** ([`Hideable`]): a hidden entry is kept in the
//!   configuration but never offered or drawn.
//! - **Live-only, in the core's turn** ([`intake`]): a viewer's action is
//!   checked against the engine (retry, room live) in the same turn as the
//!   intake it becomes, and the current version is copied into the item.
//!   A save is hot: it applies to the next event at once, never to an item
//!   already taken in.
//! - **Strict bodies** ([`fields`]): unknown and computed fields refused,
//!   every refusal naming its field.
//!
//! The HTTP side (one refusal type, editor permission, body parsing,
//! conflict responses) is `server::scoped_http`.
//!
//! To add a kind (tip levels per room, say): write its model and
//! `impl ScopedConfig` (its `check`, perhaps its `changes`); keep its
//! saves in a [`Versions`] per room and decide them with [`check_base`],
//! answering a [`Stale`] with [`conflict::changes_since`] and
//! [`conflict::message`] in its conflict body; ship templates with
//! [`templates::shipped`]; in its handlers use `server::scoped_http`
//! (`parse_config`, `require_editor`, `refuse`); build its viewer action
//! with [`intake::live_room`], [`intake::replay`] and
//! [`intake::IntakeDraft`]. Only the model, its validation and its own
//! rules are new code.

pub mod changes;
pub mod conflict;
pub mod fields;
pub mod intake;
pub mod templates;
pub mod theme;
pub mod tip_levels;
pub mod version;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::protocol::ApiError;

pub use changes::Change;
pub use theme::Theme;
pub use version::{Stale, Stamped, Versions, check_base};

/// One kind of performer-scoped configuration: its content as the
/// performer edits it.
pub trait ScopedConfig:
    Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// Read a request body or a file's content strictly; the refusal names
    /// the field (by default unknown and computed fields are refused).
    fn parse(value: Value) -> Result<Self, ApiError> {
        fields::from_json(value)
    }

    /// Check the content as a whole; the refusal names the field at fault.
    fn check(&self) -> Result<(), ApiError>;

    /// What changed from `before` to `after` (by default every differing
    /// field by its dotted path).
    fn changes(before: &Self, after: &Self) -> Vec<Change> {
        changes::json_changes(before, after)
    }
}

/// An entry a performer may hide without deleting it.
pub trait Hideable {
    fn hidden(&self) -> bool;
}

/// The entries that are offered: every one not hidden.
pub fn visible<T: Hideable>(entries: &[T]) -> impl Iterator<Item = &T> {
    entries.iter().filter(|e| !e.hidden())
}
