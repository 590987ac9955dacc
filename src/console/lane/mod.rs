//! The toy lane: the room's toy tips as the console runs them (`runner`),
//! shown compactly on the main screen and in full on the lane screen.

pub mod runner;

pub use runner::{LaneState, LocalRun};
