//! cuedeck: a performer console for the cam Performance Queue.
//!
//! Data flows one way: intake -> [`domain`] (pure rules and ledger) ->
//! [`store`] (durable SQLite log) -> events for consoles and toys.

pub mod cli;
pub mod client;
pub mod console;
pub mod domain;
pub mod error_code;
pub mod games;
pub mod logging;
pub mod menus;
pub mod modes;
pub mod overlay;
pub mod paths;
pub mod protocol;
pub mod report;
pub mod scoped;
pub mod server;
pub mod service;
pub mod sim;
pub mod store;
pub mod toy;
