//! The command line: one binary, one subcommand per mode.
//!
//! Every mode is declared here so that `cuedeck --help` tells the whole story;
//! a mode whose work has not landed yet says so plainly and exits with code 2.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod serve;
pub use serve::*;
pub mod report;
pub use report::{ReportArgs, ReportFormat};
mod tips;
pub use tips::*;

/// cuedeck: the performer console for the cam Performance Queue.
///
/// With no subcommand it runs the demo: an embedded server, a simulated
/// audience, a virtual toy and the console, all on this machine.
#[derive(Debug, Parser)]
#[command(name = "cuedeck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub mode: Option<Mode>,
}

#[derive(Debug, Subcommand)]
pub enum Mode {
    /// The one-command demo: embedded server, simulated audience, virtual toy, console.
    Demo(DemoArgs),
    /// The performer console: the live queue on screen, driven by keys.
    Console(ConsoleArgs),
    /// The reference backend: queue, escrow ledger and event stream, durable in SQLite.
    Serve(ServeArgs),
    /// A simulated audience that buys, leaves, retries and disputes against a server.
    Sim(SimArgs),
    /// Hardware mode: find, identify and test Lovense toys.
    Toy(ToyArgs),
    /// Export and import a performer's chip menus as TOML.
    Menu(MenuArgs),
    /// Export, import and check a room's tip levels as TOML.
    Tips(TipsArgs),
    /// Where configuration, themes and logs live; write a commented default file.
    Config(ConfigArgs),
    /// Check a slot machine or spin wheel receipt against its revealed seed:
    /// exit 0 fair, 1 unfair (says what), 2 unreadable input.
    Verify(VerifyArgs),
    /// A broadcast's report: earned, refunded, items, spins, and earnings over time.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's database at this path instead of a temporary directory.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Serve the stream overlays on this loopback port (default 7071;
    /// `[overlay] enabled = false` in the config file turns them off).
    #[arg(long)]
    pub overlay_port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The server's base URL, e.g. http://127.0.0.1:7070; or several, comma-separated
    /// (a leader and its standbys): requests follow the leader.
    #[arg(long, env = "CUEDECK_SERVER")]
    pub server: Option<String>,
    /// The room to open.
    #[arg(long, env = "CUEDECK_ROOM")]
    pub room: Option<String>,
    /// A performer token (full control) or a moderator token (read-only).
    #[arg(long, env = "CUEDECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A theme from themes/ or the config directory.
    #[arg(long)]
    pub theme: Option<String>,
    /// Serve the stream overlays on this loopback port (default 7071;
    /// `[overlay] enabled = false` in the config file turns them off).
    #[arg(long, env = "CUEDECK_OVERLAY_PORT")]
    pub overlay_port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// The server's base URL, e.g. http://127.0.0.1:7070; or several, comma-separated
    /// (a leader and its standbys): requests follow the leader.
    #[arg(long, env = "CUEDECK_SERVER")]
    pub server: Option<String>,
    /// The room to fill with viewers (created when missing). In load mode,
    /// the prefix of the rooms ROOM-1 .. ROOM-K.
    #[arg(long)]
    pub room: Option<String>,
    /// An admin token: the simulator creates the room, the viewers' wallets
    /// and the tokens it uses.
    #[arg(long, env = "CUEDECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// How many synthetic viewers (per room in load mode).
    #[arg(long, default_value_t = 20)]
    pub viewers: u32,
    /// Purchases per minute across all viewers, before the scenario's
    /// factors (all rooms in load mode).
    #[arg(long, default_value_t = 6)]
    pub rate: u32,
    /// The random seed: the same seed makes the same requests in the same order.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A scenario from config/scenarios (quiet, rush-hour, chaos) or a path to a .toml file.
    #[arg(long, default_value = "quiet")]
    pub scenario: String,
    /// Stop after this many seconds of simulated time (default: until Ctrl-C;
    /// 10 in load mode).
    #[arg(long)]
    pub seconds: Option<u64>,
    /// Simulated seconds per wall-clock second, or `max` to send each request
    /// as soon as the previous one is answered. The requests and the summary
    /// are the same at any speed.
    #[arg(long, default_value = "1")]
    pub speed: String,
    /// Do not simulate the performer: someone at the console starts and
    /// finishes the items.
    #[arg(long)]
    pub no_performer: bool,
    /// After the run, most viewers open their inbox stream, take their
    /// private messages (each at its tier's time: up to the free tier's
    /// delay longer) and mark some read; a line counts them per tier.
    #[arg(long)]
    pub inbox: bool,
    /// Also this many viewers spinning the room's slot machine and spin
    /// wheel (configured from the shipped templates if the room has none).
    /// Their spins enter the queue too, so the summary of a seed is the
    /// same from run to run only without them.
    #[arg(long, default_value_t = 0)]
    pub spinners: u32,
    /// Load mode: several rooms, intakes at a fixed rate, throughput and
    /// latency percentiles.
    #[arg(long)]
    pub load: bool,
    /// Load mode: how many rooms.
    #[arg(long, default_value_t = 4, requires = "load")]
    pub rooms: u32,
    /// Load mode: the most intakes in flight at once.
    #[arg(long, default_value_t = 256, requires = "load")]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct ToyArgs {
    #[command(subcommand)]
    pub command: ToyCommand,
}

#[derive(Debug, Subcommand)]
pub enum ToyCommand {
    /// List Lovense toys in range: name, address, signal strength, model
    /// (or the toys Lovense Remote or Intiface Central reports).
    Scan {
        /// How long to listen for advertisements.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
        seconds: u64,
        /// List the toys Lovense Remote reports instead: HOST:PORT means HTTPS
        /// (PC app: 127-0-0-1.lovense.club:30010), or give http://IP:PORT.
        #[arg(long, value_name = "HOST:PORT", conflicts_with = "intiface")]
        remote: Option<String>,
        /// List the devices Intiface Central knows, scanning for --seconds;
        /// ws://127.0.0.1:12345 unless URL is given.
        #[arg(long, value_name = "URL", num_args = 0..=1)]
        intiface: Option<Option<String>>,
    },
    /// Run a pattern on a toy, then stop, printing every command and reply.
    Test(ToyTestArgs),
    /// A toy's model, firmware, battery, GATT layout and every output with its range.
    Info(ToyTarget),
}

/// Which toy: the backend (Bluetooth unless --virtual, --remote or
/// --intiface), and the toy by name (the first found if none).
#[derive(Debug, Args)]
pub struct ToyTarget {
    /// The toy's advertised name (e.g. LVS-Edge36) or its address; with
    /// --remote its id or name, with --intiface its name or index.
    #[arg(long, conflicts_with = "virtual_toy")]
    pub device: Option<String>,
    /// Use the in-process virtual toy instead of Bluetooth, as MODEL if given
    /// (a code such as EA or a name such as Gravity; Lush otherwise).
    #[arg(long = "virtual", value_name = "MODEL", conflicts_with_all = ["remote", "intiface"])]
    pub virtual_toy: Option<Option<String>>,
    /// Drive a toy through Lovense Remote at HOST:PORT (HTTPS) or a URL;
    /// `--device` then picks the toy by id or name.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "intiface")]
    pub remote: Option<String>,
    /// Drive a device through Intiface Central: ws://127.0.0.1:12345 unless
    /// URL is given.
    #[arg(long, value_name = "URL", num_args = 0..=1)]
    pub intiface: Option<Option<String>>,
}

#[derive(Debug, Args)]
pub struct ToyTestArgs {
    #[command(flatten)]
    pub target: ToyTarget,
    /// Peak intensity on the Lovense scale.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(0..=20))]
    pub intensity: u8,
    /// The shape of the vibration.
    #[arg(long, value_enum, default_value_t = ToyPattern::Constant)]
    pub pattern: ToyPattern,
    /// Play the toy's own stored pattern N (`Preset:N;`) instead.
    #[arg(long, conflicts_with = "pattern_file", value_parser = clap::value_parser!(u8).range(1..=10))]
    pub preset: Option<u8>,
    /// Play a Lovense pattern file (`V:1;F:v;S:100#...`) instead.
    #[arg(long, value_name = "FILE")]
    pub pattern_file: Option<PathBuf>,
    /// Reverse the rotation half way (toys that rotate).
    #[arg(long)]
    pub reverse: bool,
    /// How long the pattern runs before the stop.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ToyPattern {
    Constant,
    Pulse,
    Wave,
    Ramp,
}

#[derive(Debug, Args)]
pub struct MenuArgs {
    #[command(subcommand)]
    pub action: MenuAction,
}

#[derive(Debug, Subcommand)]
pub enum MenuAction {
    /// Print a room's menus as TOML: `cuedeck menu export --server URL --room ROOM > menus.toml`.
    Export(MenuTarget),
    /// Make a room's menus match a TOML file (menus are matched by id, then by name).
    Import(MenuImportArgs),
    /// Check a menu file without a server: validation and the resulting prices.
    Check {
        /// The TOML file (e.g. config/menus/quick_fun.toml).
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct MenuTarget {
    /// The server's base URL, e.g. http://127.0.0.1:7070; or several, comma-separated
    /// (a leader and its standbys): requests follow the leader.
    #[arg(long, env = "CUEDECK_SERVER")]
    pub server: String,
    /// The performer's room.
    #[arg(long, env = "CUEDECK_ROOM")]
    pub room: String,
    /// The room's performer token (or an admin token).
    #[arg(long, env = "CUEDECK_TOKEN", hide_env_values = true)]
    pub token: String,
}

#[derive(Debug, Args)]
pub struct MenuImportArgs {
    /// The TOML file to import.
    pub file: PathBuf,
    #[command(flatten)]
    pub target: MenuTarget,
    /// Overwrite menus that changed on the server since the file was exported.
    #[arg(long)]
    pub force: bool,
    /// Delete the room's menus that are not in the file.
    #[arg(long)]
    pub prune: bool,
    /// Show what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The receipt's JSON file (with --server: the spin id).
    #[arg(required_unless_present_any = ["room", "viewer"])]
    pub receipt: Option<String>,
    /// The revealed server seed (64 hex digits), when the receipt has none.
    #[arg(long)]
    pub seed: Option<String>,
    /// Fetch the receipt and the revealed seed from this server (or the
    /// leader of several, comma-separated).
    #[arg(long)]
    pub server: Option<String>,
    /// With --server: check every spin of this room (both games, or --game).
    #[arg(long, requires = "server", conflicts_with_all = ["receipt", "viewer", "seed"])]
    pub room: Option<String>,
    /// With --room: only this game (slot_machine or spin_wheel).
    #[arg(long, requires = "room")]
    pub game: Option<String>,
    /// With --server and a viewer token: check every spin of that viewer
    /// and their nonces under each server seed.
    #[arg(long, requires = "server", conflicts_with_all = ["receipt", "seed"])]
    pub viewer: bool,
    /// The viewer's token, for --viewer.
    #[arg(long, env = "CUEDECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print where the config file, themes, data and logs live.
    Path,
    /// Write a commented default config file.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

impl From<ToyTarget> for crate::toy::connect::Which {
    fn from(t: ToyTarget) -> Self {
        Self::from_flags(t.device, t.virtual_toy, t.remote, t.intiface)
    }
}

impl From<ToyPattern> for crate::domain::toy_effect::Pattern {
    fn from(p: ToyPattern) -> Self {
        use crate::domain::toy_effect::Pattern;
        match p {
            ToyPattern::Constant => Pattern::Constant,
            ToyPattern::Pulse => Pattern::Pulse,
            ToyPattern::Wave => Pattern::Wave,
            ToyPattern::Ramp => Pattern::Ramp,
        }
    }
}

impl From<ToyArgs> for crate::toy::cli::Request {
    fn from(args: ToyArgs) -> Self {
        use crate::toy::cli::{Request, TestRequest, TestShape};
        match args.command {
            ToyCommand::Scan {
                seconds,
                remote,
                intiface,
            } => Request::Scan {
                seconds,
                backend: crate::toy::connect::Which::from_flags(None, None, remote, intiface),
            },
            ToyCommand::Info(target) => Request::Info(target.into()),
            ToyCommand::Test(t) => {
                let shape = match (t.preset, t.pattern_file) {
                    (Some(n), _) => TestShape::Preset(n),
                    (None, Some(path)) => TestShape::File(path),
                    (None, None) => TestShape::Builtin(t.pattern.into()),
                };
                Request::Test(TestRequest {
                    target: t.target.into(),
                    intensity: t.intensity,
                    shape,
                    seconds: t.seconds,
                    reverse: t.reverse,
                })
            }
        }
    }
}

impl Mode {
    /// The mode's name as typed on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Demo(_) => "demo",
            Mode::Console(_) => "console",
            Mode::Serve(_) => "serve",
            Mode::Sim(_) => "sim",
            Mode::Toy(_) => "toy",
            Mode::Menu(_) => "menu",
            Mode::Tips(_) => "tips",
            Mode::Config(_) => "config",
            Mode::Verify(_) => "verify",
            Mode::Report(_) => "report",
        }
    }
}
