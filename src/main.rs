//! The `cuedeck` binary: parse the command line and hand over to a mode.

use std::process::ExitCode;

use clap::Parser;
use cuedeck::cli::{Cli, DemoArgs, Mode};

// mimalloc: the engine allocates many small, short-lived values per command.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mode = cli.mode.unwrap_or(Mode::Demo(DemoArgs { db: None }));
    match mode {
        Mode::Serve(args) => cuedeck::modes::serve::run(args),
        Mode::Console(args) => cuedeck::modes::console::run(args),
        Mode::Config(args) => cuedeck::modes::config::run(args),
        Mode::Toy(args) => cuedeck::toy::cli::run(args),
        Mode::Demo(_) => not_yet_available(
            "demo",
            "the one-command demo (simulated audience + console)",
        ),
        Mode::Sim(_) => not_yet_available("sim", "the simulated audience"),
        Mode::Menu(_) => not_yet_available("menu", "chip menu export and import"),
    }
}

/// Modes whose work has not landed say so plainly and exit with code 2.
fn not_yet_available(mode: &str, what: &str) -> ExitCode {
    eprintln!(
        "cuedeck {mode}: {what} is not available in this build yet.\n\
         Working today: cuedeck serve, cuedeck console, cuedeck config (see README.md)."
    );
    ExitCode::from(2)
}
