//! `cuedeck console`.

use std::process::ExitCode;

use crate::cli::ConsoleArgs;
use crate::console::config::{ConsolePaths, resolve};
use crate::console::theme::no_color_requested;
use crate::paths::Paths;

pub fn run(args: ConsoleArgs) -> ExitCode {
    let paths = Paths::discover();
    // Every configuration problem is reported before the screen opens.
    let config = match resolve(&args, &ConsolePaths::from(&paths), no_color_requested()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("cuedeck console: {err}");
            return ExitCode::from(2);
        }
    };
    let _log = crate::logging::to_file(&paths.log_dir, "console").ok();
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cuedeck console: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::console::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cuedeck console: {err}");
            ExitCode::FAILURE
        }
    }
}
