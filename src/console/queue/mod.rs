//! The queue (the main screen): the item on stage with its timer, the
//! waiting items, the event log; the item details, the refund dialog and
//! the quit and end-of-broadcast questions over it.

mod actions;
pub mod award;
mod broadcast;
mod dialogs;
pub(in crate::console) mod keys;
pub mod refund;
mod view;

pub use broadcast::draw_confirm_end;
pub use dialogs::{draw_award, draw_confirm_quit, draw_details, draw_refund};
pub use refund::{RefundField, RefundForm};
pub use view::draw;
