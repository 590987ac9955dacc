//! `cuedeck tips export | import | check`: a room's tip levels as a TOML
//! file in the format of config/tips/*.toml.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::MenuTarget;

#[derive(Debug, Args)]
pub struct TipsArgs {
    #[command(subcommand)]
    pub action: TipsAction,
}

#[derive(Debug, Subcommand)]
pub enum TipsAction {
    /// Print a room's tip levels as TOML: `cuedeck tips export --server URL --room ROOM > tips.toml`.
    Export(MenuTarget),
    /// Save a TOML file as the room's tip levels (the next version).
    Import(TipsImportArgs),
    /// Check a tip-levels file without a server: every rule, naming the field.
    Check {
        /// The TOML file (e.g. config/tips/classic.toml).
        file: PathBuf,
        /// The room's amount limit (its `max_token_cost`), when known.
        #[arg(long, default_value_t = 1_000_000_000)]
        max_amount: u64,
        /// The name of a pattern imported in the room (repeat for each).
        #[arg(long = "pattern", value_name = "NAME")]
        patterns: Vec<String>,
    },
    /// Import a Lovense pattern file as a named pattern of the room.
    Pattern(TipsPatternArgs),
}

#[derive(Debug, Args)]
pub struct TipsPatternArgs {
    /// The pattern file (`V:1;F:v;S:100;#...`).
    pub file: PathBuf,
    /// The name levels use for it (default: the file's name without extension).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub target: MenuTarget,
}

#[derive(Debug, Args)]
pub struct TipsImportArgs {
    /// The TOML file to import.
    pub file: PathBuf,
    #[command(flatten)]
    pub target: MenuTarget,
    /// Save over levels that changed on the server since the file was exported.
    #[arg(long)]
    pub force: bool,
}
