//! The game editor (`g`): the slot machine and the spin wheel, their
//! prizes with live odds, the prize and settings forms, the seed's
//! rotation, and a version conflict with what changed.

mod dialogs;
mod diff;
pub mod editor;
pub(in crate::console) mod keys;
pub mod prize;
mod prizes;
pub mod request;
pub mod settings;
mod view;

pub use editor::{GameEditor, Level, title};
pub use prize::{PrizeField, PrizeForm};
pub use request::{GameAnswer, GameEffect, GameRequest};
pub use settings::{SettingsField, SettingsForm};
pub use view::draw;
