//! `cuedeck config path` and `cuedeck config init`.

use std::process::ExitCode;

use crate::cli::{ConfigAction, ConfigArgs};
use crate::console::config::{ConsolePaths, EXAMPLE};
use crate::console::theme::Theme;
use crate::paths::Paths;

pub fn run(args: ConfigArgs) -> ExitCode {
    let paths = Paths::discover();
    let console = ConsolePaths::from(&paths);
    match args.action {
        ConfigAction::Path => {
            let exists = if console.config_file.is_file() {
                ""
            } else {
                " (not created yet: cuedeck config init)"
            };
            println!("config  {}{exists}", console.config_file.display());
            println!(
                "themes  {} (yours; shipped: {})",
                console.themes_dir.display(),
                Theme::shipped_names().join(", ")
            );
            println!("data    {}", paths.data_dir.display());
            println!("logs    {}", paths.log_dir.display());
            ExitCode::SUCCESS
        }
        ConfigAction::Init { force } => {
            if console.config_file.exists() && !force {
                eprintln!(
                    "cuedeck config init: {} exists; pass --force to overwrite it",
                    console.config_file.display()
                );
                return ExitCode::from(2);
            }
            let written = std::fs::create_dir_all(&console.themes_dir)
                .and_then(|()| std::fs::write(&console.config_file, EXAMPLE));
            match written {
                Ok(()) => {
                    println!("wrote {}", console.config_file.display());
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!(
                        "cuedeck config init: cannot write {}: {err}",
                        console.config_file.display()
                    );
                    ExitCode::FAILURE
                }
            }
        }
    }
}
