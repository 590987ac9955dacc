//! The `cuedeck` binary: parse the command line and hand over to a mode.

use std::process::ExitCode;

use clap::Parser;

// mimalloc: the engine allocates many small, short-lived values per command.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use cuedeck::cli::{Cli, DemoArgs, Mode};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mode = cli.mode.unwrap_or(Mode::Demo(DemoArgs { db: None }));
    match mode {
        Mode::Toy(args) => cuedeck::toy::cli::run(args),
        mode => not_yet_available(&mode),
    }
}

/// Modes whose work has not landed say so plainly and exit with code 2.
fn not_yet_available(mode: &Mode) -> ExitCode {
    let what = match mode {
        Mode::Demo(_) => "the one-command demo (simulated audience + console)",
        Mode::Console(_) => "the performer console",
        Mode::Serve(_) => "the backend server (HTTP + WebSocket)",
        Mode::Sim(_) => "the simulated audience",
        Mode::Toy(_) => "hardware mode for Lovense toys",
        Mode::Menu(_) => "chip menu export and import",
        Mode::Config(_) => "console configuration",
    };
    eprintln!(
        "cuedeck {}: {what} is not available in this build yet.\n\
         The queue engine, escrow ledger and SQLite store are in place; \
         see README.md for what works today.",
        mode.name()
    );
    ExitCode::from(2)
}
