//! The tip-levels editor (`L`): the room's levels and specials, the form
//! of one with its checks as you type, trying one on the toy, the delete
//! question and a version conflict.

pub mod editor;
pub mod entry;
pub mod form;
pub(in crate::console) mod keys;
mod list;
pub mod request;
mod view;

pub use editor::{LevelEditor, Step};
pub use entry::{Entry, SpecialKind};
pub use form::{LevelField, LevelForm};
pub use request::{LevelAnswer, LevelEffect, LevelRequest};
pub use view::draw;
