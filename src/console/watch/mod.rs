//! The watch grid of a moderator or admin: a card per room (its lane
//! counted too), the watched room's moderation keys, the ban form and the moderation log.

mod actions;
pub mod ban;
pub mod grid;
pub(in crate::console) mod keys;
pub mod lane;
pub mod log;
pub mod view;

pub use ban::{BanForm, ModerationRequest, draw as draw_ban, parse_expiry};
pub use grid::{Attention, RoomCard, WatchGrid};
pub use log::{ModLog, draw as draw_log};
pub use view::draw as draw_grid;
