//! The command-line modes: each turns its arguments into a running program
//! and an exit code. `main` only dispatches.

pub mod config;
pub mod console;
pub mod demo;
pub mod menu;
pub mod report;
pub mod serve;
mod serve_admin;
pub mod sim;
pub mod tips;
pub mod verify;

/// Build the tokio runtime a mode runs on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}
