//! The performer console: the live queue on screen, driven by keys.
//!
//! `model` mirrors the room from the server's events, `app` turns keys and
//! events into state changes and effects (`input` routes every key: the
//! global section first, then whatever `screen` has the keys; `toy_state`
//! decides what the toy does), `view` draws, `run` owns the terminal and
//! the loop and only carries out effects. Keys come from one `keymap` with
//! a section per screen; colours from a `theme` by meaning.

pub mod app;
pub mod ban_form;
pub mod config;
mod dialog_view;
mod editor_requests;
pub mod fit;
mod game_bindings;
mod game_diff;
pub mod game_editor;
pub mod game_form;
pub mod game_view;
pub mod help_view;
mod input;
pub mod keymap;
pub mod keys;
mod menu_bindings;
pub mod menu_editor;
pub mod menu_form;
pub mod menu_view;
pub mod mod_log;
pub mod model;
mod overlay_link;
mod queue_keys;
pub mod refund;
pub mod run;
pub mod screen;
pub mod theme;
pub mod toy_fields;
pub mod toy_state;
pub mod view;
pub mod watch;
mod watch_bindings;
mod watch_keys;
mod watch_run;
pub mod watch_view;

pub use run::run;
