//! `cuedeck serve` settings, from a TOML file (see config/server.example.toml).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::engine::MIN_IDEMPOTENCY_RETENTION_MS;
use crate::domain::points::PointsConfig;
use crate::domain::{EngineConfig, RoomSettings};
use crate::store::{StoreOptions, Synchronous};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// The database; the data directory's `cuedeck.db` when absent.
    pub db: Option<PathBuf>,
    /// FULL (every commit survives power loss) or NORMAL.
    pub synchronous: Synchronous,
    /// The most commands committed in one transaction.
    pub max_batch: usize,
    /// How long idempotency keys are remembered (at least 24).
    pub idempotency_retention_hours: u64,
    /// Settings every new room starts with.
    pub room: RoomSettings,
    /// Award limits and the adjustment approval threshold.
    pub points: PointsConfig,
    /// The server pings each WebSocket client this often.
    pub heartbeat_ms: u64,
    /// A client silent for this long is dropped.
    pub client_timeout_ms: u64,
    /// Frames queued for one subscriber before it counts as too slow.
    pub subscriber_buffer: usize,
    /// The largest WebSocket frame or HTTP body accepted.
    pub max_frame_bytes: usize,
    /// A resume further behind than this many events gets a snapshot.
    pub replay_retention_events: u64,
    /// Recent events each room keeps in memory for fast resume.
    pub recent_events: usize,
    /// Commands one WebSocket connection may send per second.
    pub commands_per_second: u32,
    /// Message templates; the shipped config/templates.toml when absent.
    pub templates: Option<PathBuf>,
    /// Kill switches set at start; one left out keeps the position it had.
    pub kill_switches: KillSwitches,
    /// Private messages: delivery by tier, retries, retention, and the
    /// performer's replies.
    pub messages: MessagesConfig,
    /// Where the data lives (`url`: a PostgreSQL URL or a SQLite path).
    pub store: StoreSection,
    /// The leader lease of servers sharing a PostgreSQL database.
    pub lease: LeaseSettings,
    /// The admin token (set from CUEDECK_ADMIN_TOKEN, never from the file).
    #[serde(skip)]
    pub admin_token: Option<String>,
    /// The lease epoch this server writes under (set by the node that took
    /// the lease, never from the file).
    #[serde(skip)]
    pub fence: Option<i64>,
    /// The server's clock: the wall clock,
    /// which only tests move, to cross a UTC midnight without sleeping.
    /// Never read from the file.
    #[serde(skip)]
    pub clock: Clock,
}

pub use crate::domain::time::Clock;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSection {
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; anything
    /// else is a SQLite path (as `db`).
    pub url: Option<String>,
}

/// The leader lease: a leader renews every `renew_ms` a lease of
/// `duration_ms`; a standby asks every `poll_ms` and takes an expired one,
/// so a dead leader is replaced within about `duration_ms + poll_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeaseSettings {
    pub duration_ms: u64,
    pub renew_ms: u64,
    pub poll_ms: u64,
    /// The base URL clients reach this node at (default: its listen address).
    pub advertise: Option<String>,
}

impl Default for LeaseSettings {
    fn default() -> Self {
        LeaseSettings {
            duration_ms: 3_000,
            renew_ms: 1_000,
            poll_ms: 250,
            advertise: None,
        }
    }
}

/// `[messages]`: `[messages.delivery]` (tiers, retention, retries) and
/// `[messages.replies]` (text length, rate limits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessagesConfig {
    pub delivery: crate::domain::outbox::DeliveryPolicy,
    pub replies: crate::domain::outbox::reply::ReplyLimits,
}

/// Kill switches as the config file sets them at start (`true`: on). A
/// switch left out keeps the position the command log gave it, so a switch
/// turned on through the API stays on across a restart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KillSwitches {
    pub intakes: Option<bool>,
    pub purchases: Option<bool>,
    pub rooms: Option<bool>,
    pub tokens: Option<bool>,
}

impl KillSwitches {
    /// The switches the file sets, and to what.
    pub fn configured(&self) -> Vec<(crate::domain::Switch, bool)> {
        use crate::domain::Switch;
        [
            (Switch::Intakes, self.intakes),
            (Switch::Purchases, self.purchases),
            (Switch::Rooms, self.rooms),
            (Switch::Tokens, self.tokens),
        ]
        .into_iter()
        .filter_map(|(switch, on)| on.map(|on| (switch, on)))
        .collect()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:7070".into(),
            db: None,
            synchronous: Synchronous::Full,
            max_batch: 256,
            idempotency_retention_hours: 24,
            room: RoomSettings::default(),
            points: PointsConfig::default(),
            heartbeat_ms: 15_000,
            client_timeout_ms: 30_000,
            subscriber_buffer: 1024,
            max_frame_bytes: 64 * 1024,
            replay_retention_events: 10_000,
            recent_events: 4096,
            commands_per_second: 20,
            templates: None,
            kill_switches: KillSwitches::default(),
            messages: MessagesConfig::default(),
            store: StoreSection::default(),
            lease: LeaseSettings::default(),
            admin_token: None,
            fence: None,
            clock: Clock::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: `{field}` {problem}")]
    Invalid {
        path: String,
        field: String,
        problem: String,
    },
}

impl ServerConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let config: ServerConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config
            .validate()
            .map_err(|(field, problem)| ConfigError::Invalid {
                path: shown,
                field,
                problem,
            })?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |field: &str, problem: &str| Err((field.to_string(), problem.to_string()));
        if self.idempotency_retention_hours * 3_600_000 < MIN_IDEMPOTENCY_RETENTION_MS {
            return bad("idempotency_retention_hours", "must be at least 24");
        }
        if self.heartbeat_ms == 0 || self.client_timeout_ms <= self.heartbeat_ms {
            return bad("client_timeout_ms", "must be longer than heartbeat_ms");
        }
        if self.subscriber_buffer < 2 || self.max_batch == 0 || self.recent_events == 0 {
            return bad(
                "subscriber_buffer",
                "must be at least 2 (and batches at least 1)",
            );
        }
        if self.lease.poll_ms == 0 || self.lease.renew_ms == 0 {
            return bad("lease.renew_ms", "renew_ms and poll_ms must be above 0");
        }
        if self.lease.duration_ms < 2 * self.lease.renew_ms {
            return bad("lease.duration_ms", "must be at least twice renew_ms");
        }
        if self.max_frame_bytes < 1024 {
            return bad("max_frame_bytes", "must be at least 1024");
        }
        if let Some((field, problem)) = self.messages.delivery.problem() {
            return bad(&format!("messages.delivery.{field}"), problem);
        }
        let replies = &self.messages.replies;
        if replies.max_chars == 0 || replies.per_performer == 0 || replies.per_viewer == 0 {
            return bad(
                "messages.replies",
                "max_chars, per_performer and per_viewer must be above 0",
            );
        }
        if let Err(err) = self.room.validate() {
            return Err((
                format!("room.{}", err.field().unwrap_or("?")),
                err.to_string(),
            ));
        }
        Ok(())
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            fence: self.fence,
            synchronous: self.synchronous,
            max_batch: self.max_batch,
            engine: EngineConfig {
                idempotency_retention_ms: self.idempotency_retention_hours * 3_600_000,
                room_defaults: self.room,
                points: self.points,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_documents_every_setting_and_parses() {
        let text = include_str!("../../config/server.example.toml");
        let config: ServerConfig = toml::from_str(text).expect("example parses");
        config.validate().unwrap();
        let defaults = toml::to_string(&ServerConfig::default()).unwrap();
        for line in defaults.lines().filter(|l| l.contains(" = ")) {
            let key = line.split(" = ").next().unwrap();
            assert!(
                text.contains(&format!("{key} =")),
                "config/server.example.toml lacks `{key}`"
            );
        }
    }

    #[test]
    fn errors_name_the_file_line_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:1\"\nheartbeat_ms = \"often\"\n",
        )
        .unwrap();
        let err = ServerConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("server.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("often"), "{err}");
        std::fs::write(&path, "idempotency_retention_hours = 2\n").unwrap();
        let err = ServerConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("idempotency_retention_hours"), "{err}");
        std::fs::write(&path, "colour = 1\n").unwrap();
        let err = ServerConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
    }
}
