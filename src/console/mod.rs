//! The performer console: the live queue on screen, driven by keys.
//!
//! `model` mirrors the room from the server's events, `app` turns keys and
//! events into state changes and effects, `view` draws, `run` owns the
//! terminal and the loop. Keys come from one `keymap` table; colours from
//! a `theme` by meaning.

pub mod app;
pub mod config;
pub mod keymap;
pub mod model;
pub mod run;
pub mod theme;
pub mod view;

pub use run::run;
