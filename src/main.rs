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
        Mode::Menu(args) => cuedeck::modes::menu::run(args),
        Mode::Demo(args) => cuedeck::modes::demo::run(args),
        Mode::Sim(args) => cuedeck::modes::sim::run(args),
        Mode::Toy(_) => not_yet_available("toy", "hardware mode for Lovense toys"),
    }
}

/// Modes whose work has not landed say so plainly and exit with code 2.
fn not_yet_available(mode: &str, what: &str) -> ExitCode {
    eprintln!(
        "cuedeck {mode}: {what} is not available in this build yet.\n\
         Working today: cuedeck demo, cuedeck serve, cuedeck console, cuedeck config, cuedeck menu, cuedeck sim (see README.md)."
    );
    ExitCode::from(2)
}
