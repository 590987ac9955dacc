//! The toy lane: the room's toy tips as the console runs them (`runner`),
//! shown compactly on the main screen and in full on the lane screen (`l`),
//! where the performer skips, clears (asked first), pauses and resumes.

pub(in crate::console) mod keys;
pub mod runner;
mod screen;
mod view;

pub use runner::{LaneState, LocalRun};
pub use view::{draw, draw_clear, draw_line, shown};
