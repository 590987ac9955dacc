//! Chip menus: performers' menus of purchasable items, versioned,
//! and the rules a viewer's purchase must pass before it becomes a
//! canonical queue intake.
//!
//! This module follows the integration contract
//! (`shared/seeds/004_1d70f107bf8dd423.txt`, "Chip Menu & Queue Config
//! Requirements" and the Standard Integration Pattern): it stores config,
//! runs eligibility checks (live, visibility, daily limit; the balance is
//! the queue's), and emits a normalized Queue Intake payload. It never
//! touches the ledger and never settles: queue mode ON sends a queued
//! intake, OFF an instant one, and the engine owns escrow, settlement and
//! the loyalty points credited on settle.
//!
//! - [`model`]: the menu and its items, strict validation naming fields.
//! - [`pricing`]: round-half-up(base * multiplier / 100), integers only.
//! - [`store`]: every version in SQLite; edits name the version they are
//!   based on, conflicts say what changed ([`diff`]).
//! - [`rules`]: the purchase checks and the payload they build.
//! - [`file`]: TOML menu files and the shipped templates.
//! - [`api`], [`client`]: the HTTP bodies and a typed client.
//! - [`import`]: a menu file applied to a room, planned before any change.
//!
//! Versions, conflicts, templates and the purchase's first checks are the
//! performer-scoped configuration mechanism's ([`crate::scoped`]); this
//! module holds what is particular to menus.
//!
//! The rules and the choices behind them: `docs/MENUS.md`.

pub mod api;
pub mod client;
pub mod diff;
pub mod edit;
pub mod file;
pub mod import;
pub mod model;
pub mod pricing;
pub mod rules;
pub mod store;
pub mod view;

pub use api::{Offer, PurchaseReceipt, VersionConflict};
pub use edit::{Edit, MenuError};
pub use file::{MenuFile, templates};
pub use model::{ItemSpec, MenuSpec, MenuView, QueueMode, Visibility};
pub use pricing::price;
pub use store::MenuStore;
