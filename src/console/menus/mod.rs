//! The chip-menu editor (`m`): the performer's menus, one menu's items and
//! settings, the item form, the delete question and a version conflict.

pub mod editor;
pub mod form;
mod items;
pub(in crate::console) mod keys;
pub mod request;
mod view;

pub use editor::{Level, MenuEditor};
pub use form::{Field, ItemForm};
pub use request::{MenuAnswer, MenuEffect, MenuRequest};
pub use view::draw;
