//! `cuedeck serve` and the administration a small site needs beside it:
//! rooms, API tokens and test wallets, all through a running server.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub action: Option<ServeAction>,
    /// Address to listen on (default 127.0.0.1:7070, loopback only).
    #[arg(long, env = "CUEDECK_LISTEN")]
    pub listen: Option<String>,
    /// The database: a SQLite file (default: cuedeck.db in the data
    /// directory), or a `postgres://` URL, where any number of servers
    /// share it: one leads, the others stand by and take over.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// The base URL clients reach this server at, told to them by the
    /// standbys (default: http:// and the listen address).
    #[arg(long)]
    pub advertise: Option<String>,
    /// A server configuration file (see config/server.example.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ServeAction {
    /// Mint an API token (`--role ...`), or `list` and `revoke` them.
    Token(TokenArgs),
    /// Create a room or list the rooms.
    Room(RoomArgs),
    /// Put test tokens into a viewer's wallet, or read its balance.
    Wallet(WalletArgs),
    /// Move a SQLite database into an empty PostgreSQL database, and check
    /// the copy (stop the server on the SQLite file first).
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The SQLite database to move.
    #[arg(long)]
    pub from: PathBuf,
    /// The empty PostgreSQL database: postgres://user@host/dbname.
    #[arg(long)]
    pub to: String,
}

/// Where the running server is and the admin token that may change it.
#[derive(Debug, Args)]
pub struct AdminConnection {
    /// The server's base URL; or several, comma-separated (a leader and
    /// its standbys): requests follow the leader.
    #[arg(
        long,
        env = "CUEDECK_SERVER",
        default_value = "http://127.0.0.1:7070",
        global = true
    )]
    pub server: String,
    /// The admin token: the one `cuedeck serve` printed on its first start,
    /// or the CUEDECK_ADMIN_TOKEN it was started with.
    #[arg(
        long,
        env = "CUEDECK_ADMIN_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: Option<TokenAction>,
    #[command(flatten)]
    pub connection: AdminConnection,
    /// admin | integration | performer | moderator | viewer
    #[arg(long)]
    pub role: Option<String>,
    /// The performer's room.
    #[arg(long)]
    pub room: Option<String>,
    /// Create the performer's room first when it does not exist yet.
    #[arg(long)]
    pub create: bool,
    /// The moderator's rooms, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub rooms: Vec<String>,
    /// The viewer's user id.
    #[arg(long)]
    pub user: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Every token's id, role, scope and stamps (never the token itself).
    List {
        /// Only tokens of this role.
        #[arg(long)]
        role: Option<String>,
    },
    /// Refuse a token from now on, by the id `list` shows.
    Revoke {
        /// The token's id (at least 8 hex digits of its hash).
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct RoomArgs {
    #[command(subcommand)]
    pub action: RoomAction,
    #[command(flatten)]
    pub connection: AdminConnection,
}

#[derive(Debug, Subcommand)]
pub enum RoomAction {
    /// Create a room (offline, with no menus yet).
    Create {
        /// The room's id, e.g. room-1.
        room: String,
        /// The performer's user id (default: the room's id).
        #[arg(long)]
        performer: Option<String>,
    },
    /// The rooms on the server.
    List,
}

#[derive(Debug, Args)]
pub struct WalletArgs {
    #[command(subcommand)]
    pub action: WalletAction,
    #[command(flatten)]
    pub connection: AdminConnection,
}

#[derive(Debug, Subcommand)]
pub enum WalletAction {
    /// Add test tokens to a user's wallet.
    Mint {
        /// The user, e.g. viewer-1.
        user: String,
        /// How many tokens.
        amount: u64,
    },
    /// A user's token and point balance.
    Show {
        /// The user.
        user: String,
    },
}
