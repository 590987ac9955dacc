//! The performer console: the live queue on screen, driven by keys.
//!
//! One folder per screen (`queue`, `menus`, `games`, `levels`, `watch`,
//! `toy`, `report`, `lane`, `reply`, `help`), each holding that screen's state, its keymap sections and its
//! view. The shared parts sit at the top: `app` owns the state and turns
//! keys and events into state changes and effects, `route` sends every key
//! (the global section first, then whatever `screen` has the keys), `view`
//! lays the frame out and hands each screen its area, `run` owns the
//! terminal and the only IO loops, `keymap`/`key`/`screen` name the keys,
//! `theme`, `config`, `model` (the room mirrored from the server's events),
//! `widgets` and `fit` serve every screen, and `editor` is the kit the
//! versioned-configuration editors are built from. A screen uses the shared
//! parts, never another screen's internals (`tests/engine/layers.rs`).

pub mod app;
pub mod config;
pub mod editor;
mod events;
pub mod fit;
pub mod key;
pub mod keymap;
pub mod model;
mod route;
pub mod run;
pub mod screen;
pub mod text_field;
pub mod theme;
pub mod view;
pub mod widgets;

pub mod games;
pub mod help;
pub mod lane;
pub mod levels;
pub mod menus;
pub mod queue;
pub mod reply;
pub mod report;
pub mod toy;
pub mod watch;

pub use run::run;
