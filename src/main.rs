//! The `cuedeck` binary: parse the command line and hand over to a mode.

use std::process::ExitCode;

use clap::Parser;
use cuedeck::cli::{Cli, DemoArgs, Mode};

// mimalloc, as the crate comes: the durable intake benchmark came out a
// little ahead on it against the system allocator (docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.mode.unwrap_or(Mode::Demo(DemoArgs {
        db: None,
        overlay_port: None,
    })) {
        Mode::Demo(args) => cuedeck::modes::demo::run(args),
        Mode::Serve(args) => cuedeck::modes::serve::run(args),
        Mode::Console(args) => cuedeck::modes::console::run(args),
        Mode::Config(args) => cuedeck::modes::config::run(args),
        Mode::Menu(args) => cuedeck::modes::menu::run(args),
        Mode::Tips(args) => cuedeck::modes::tips::run(args),
        Mode::Sim(args) => cuedeck::modes::sim::run(args),
        Mode::Toy(args) => cuedeck::toy::cli::run(args.into()),
        Mode::Verify(args) => cuedeck::modes::verify::run(args),
        Mode::Report(args) => cuedeck::modes::report::run(args),
    }
}
