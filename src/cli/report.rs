//! `cuedeck report`: a broadcast's report from a server, as text, JSON,
//! CSV or a self-contained HTML page.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::client::BroadcastChoice;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The server's base URL, e.g. http://127.0.0.1:7070; or several, comma-separated
    /// (a leader and its standbys): requests follow the leader.
    #[arg(long, env = "CUEDECK_SERVER")]
    pub server: String,
    /// The room.
    #[arg(long, env = "CUEDECK_ROOM")]
    pub room: String,
    /// The room's performer token, a moderator's of the room, or an admin's.
    #[arg(long, env = "CUEDECK_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Which broadcast: its id, or `last` (the newest, live or ended).
    #[arg(long, default_value = "last")]
    pub broadcast: BroadcastChoice,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Csv,
    /// One self-contained page with the chart as inline SVG.
    Html,
}
