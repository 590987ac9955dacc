//! The slot machine and the spin wheel, without a server: configuration and
//! its validation, the weight table, the provably fair draw
//! (docs/FAIRNESS.md), seeds and their rotation, receipts and their
//! verification, and the per-viewer cooldown. Pure: time, seeds and nonces
//! are passed in.
//!
//! The server's path: [`Game::new`] (or [`Game::from_json`]) validates a
//! configuration; [`SeedState`] holds the committed seed and the viewers'
//! nonces; [`cooldown::check`] runs before anything is charged;
//! [`Game::draw`] gives a [`Draw`]; [`Draw::receipt`] is what the viewer
//! keeps; [`verify`] checks it once the seed is revealed. A game's
//! configuration is a performer-scoped configuration ([`crate::scoped`]):
//! versions, conflicts, templates and the spin's first checks are shared
//! with the menus.

pub mod api;
pub mod audit;
pub mod canonical;
pub mod config;
pub mod cooldown;
pub mod error;
pub mod fairness;
pub mod game;
pub mod listing;
pub mod odds;
pub mod receipt;
pub mod record;
pub mod room_game;
pub mod seeds;
pub mod spin;
pub mod templates;
pub mod validate;
pub mod verify;
pub mod weights;

pub use config::{GameConfig, GameKind, GameTheme, PrizeSpec, TierSpec};
pub use error::{BadClientSeed, BadReceipt, BadServerSeed, ConfigError};
pub use fairness::{ClientSeed, ServerSeed};
pub use game::{Draw, DrawError, DrawnPrize, Game};
pub use odds::{PrizeOdds, TierOdds, odds_table};
pub use receipt::Receipt;
pub use record::SpinRecord;
pub use seeds::{RevealedSeed, SeedState};
pub use verify::{Mismatch, Verdict, verify};
