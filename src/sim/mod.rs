//! The simulated audience (`cuedeck sim`): synthetic viewers who join,
//! buy, retry, run dry, leave and dispute, and a simulated performer who
//! works through the queue, all against a running server through its public
//! HTTP API only.
//!
//! Everything happens on a virtual timeline drawn from the seed: the same
//! seed against a fresh server makes the same requests in the same order,
//! one at a time, and ends with the same summary line. Pacing only decides
//! when each request goes out on the wall clock ([`Pace`]); it never
//! changes what goes out.
//!
//! Entry points:
//! - [`run`]: one room, a scenario, until `seconds` of virtual time have
//!   passed or `cancel` says stop. The demo spawns it on its own runtime
//!   with `performer: false` (the human at the console performs).
//! - [`load::run`]: several rooms at a fixed rate, for the benchmarks.
//!
//! `docs/SIM.md` defines every number in the summary.

pub mod catalog;
pub mod load;
mod runner;
pub mod scenario;
mod scenario_values;
pub mod shop;
pub mod spins;
pub mod stats;
pub mod tippers;

use crate::client::{ClientError, ServerList};

pub use runner::run_with_progress;
pub use scenario::{Scenario, ScenarioError};

/// How the virtual timeline maps onto the wall clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// `speed` virtual seconds per wall second (1.0 is real time).
    RealTime { speed: f64 },
    /// No waiting at all: each request goes out when the previous answer
    /// is in. For tests and quick checks.
    Max,
}

/// Everything one simulated room needs. `Debug` leaves the token out.
#[derive(Clone)]
pub struct SimOptions {
    pub server: ServerList,
    pub room: String,
    /// An admin token: the simulator creates the room (when missing), the
    /// tokens it needs and the viewers' wallets.
    pub token: String,
    pub viewers: u32,
    /// Purchases per minute across all viewers, before the scenario's
    /// factors.
    pub rate_per_min: f64,
    pub seed: u64,
    pub scenario: Scenario,
    /// Virtual seconds to run; `None` runs until cancelled.
    pub seconds: Option<f64>,
    pub pace: Pace,
    /// Simulate the performer (start, finish, refund, broadcast drops).
    /// The demo turns this off: the human at the console performs.
    pub performer: bool,
    /// Prefix of every id and idempotency key the run makes; defaults to
    /// `sim<seed>-<room>`. Set a fresh one to run again against a server
    /// that already saw this seed (otherwise its answers are replays).
    pub tag: Option<String>,
    /// After the timeline, most viewers open their inbox stream, take
    /// their private messages (each at its tier's time) and mark some
    /// read (`--inbox`).
    pub inbox: bool,
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimOptions")
            .field("server", &self.server)
            .field("room", &self.room)
            .field("token", &"<hidden>")
            .field("viewers", &self.viewers)
            .field("rate_per_min", &self.rate_per_min)
            .field("seed", &self.seed)
            .field("scenario", &self.scenario.name)
            .field("seconds", &self.seconds)
            .field("pace", &self.pace)
            .field("performer", &self.performer)
            .field("tag", &self.tag)
            .field("inbox", &self.inbox)
            .finish()
    }
}

impl SimOptions {
    /// Defaults for a room on a server: 20 viewers, 6 purchases a minute,
    /// seed 1, the quiet scenario, real time, a simulated performer.
    pub fn new(
        server: impl Into<ServerList>,
        room: impl Into<String>,
        token: impl Into<String>,
    ) -> Self {
        SimOptions {
            server: server.into(),
            room: room.into(),
            token: token.into(),
            viewers: 20,
            rate_per_min: 6.0,
            seed: 1,
            scenario: Scenario::load("quiet").expect("the quiet scenario is built in"),
            seconds: None,
            pace: Pace::RealTime { speed: 1.0 },
            performer: true,
            tag: None,
            inbox: false,
        }
    }
}

impl SimOptions {
    /// What the one-command demo runs in the background: the quiet
    /// scenario in real time with no end, viewers who arrive within two
    /// seconds and buy about twelve times a minute, and no simulated
    /// performer (the human at the console performs). The tag is fresh
    /// for every call, so a demo that keeps its database (`--db`) starts a
    /// new audience each time instead of replaying the last one.
    pub fn for_demo(
        server: impl Into<ServerList>,
        room: impl Into<String>,
        admin_token: impl Into<String>,
    ) -> Self {
        let mut options = SimOptions::new(server, room, admin_token);
        options.rate_per_min = 12.0;
        options.performer = false;
        options.scenario.audience.arrival_s = scenario::Span(0.0, 2.0);
        // The demo room has tip levels: its audience tips, and the virtual
        // toy follows the lane.
        options.scenario.tips.per_min = 5.0;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        options.tag = Some(format!("demo{now}"));
        options
    }
}

/// What a run did. The first five fields make the final line; `docs/SIM.md`
/// defines each one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Queued purchases the server accepted (private requests included).
    pub intakes: u64,
    /// Instant purchases the server accepted.
    pub instant: u64,
    /// Refunds the simulator asked for and the server made.
    pub refunds: u64,
    /// Purchase requests the server refused.
    pub rejected: u64,
    /// The viewers' wallets added up at the end, read through the API.
    pub final_balance_total: u64,

    pub viewers: u64,
    pub private_requests: u64,
    pub joins: u64,
    pub leaves: u64,
    /// Timeout retries sent (same key, same body) and answered.
    pub retries: u64,
    /// Viewers who topped up after running dry and tried again.
    pub top_ups: u64,
    /// Purchases refused for insufficient funds (part of `rejected`).
    pub insufficient: u64,
    /// Key-reuse probes (part of `rejected` when refused, as they should be).
    pub conflicts: u64,
    /// Disputes raised (each asks for a refund).
    pub disputes: u64,
    pub started: u64,
    pub finished: u64,
    /// Other actions the server refused: joins, leaves, performer and
    /// dispute refunds (say, the item had been finished already). An empty
    /// queue when the performer looks for the next item is not counted.
    pub other_refused: u64,
    pub broadcast_drops: u64,
    /// Tokens minted into the viewers' wallets by this run.
    pub minted: u64,
    /// Things that must never happen: a retry answered differently, a
    /// retry that charged again, a key reused for another purchase that
    /// was accepted. Non-zero means a server bug.
    pub anomalies: u64,
    /// Tips the server accepted, and refused.
    pub tips: u64,
    pub tips_refused: u64,
    /// Items still waiting at the end.
    pub waiting: u64,
    /// The room's totals at the end.
    pub escrow: u64,
    pub earned: u64,
    /// Loyalty points the platform credited for the items this run
    /// finished, paid for reward items, and awarded by the performer.
    pub points_earned: u64,
    pub points_redeemed: u64,
    pub points_awarded: u64,
    /// Reward items paid in points (each one a queue item).
    pub redeems: u64,
    /// Private messages per tier (vip, premium, basic, free), when the run
    /// read the inboxes.
    pub inbox: [InboxCounts; 4],
}

/// One tier's private messages at the end of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxCounts {
    /// Written to a viewer's inbox stream.
    pub delivered: u64,
    /// Marked read by the viewer.
    pub read: u64,
    /// Failed (a ban, or retention).
    pub failed: u64,
}

impl Summary {
    /// The line two runs with the same seed agree on.
    pub fn line(&self) -> String {
        format!(
            "intakes={} instant={} refunds={} rejected={} final_balance_total={} \
             points_earned={} points_redeemed={} points_awarded={}",
            self.intakes,
            self.instant,
            self.refunds,
            self.rejected,
            self.final_balance_total,
            self.points_earned,
            self.points_redeemed,
            self.points_awarded
        )
    }

    /// The counts so far, while a run goes on (the wallets are read only at
    /// the end).
    pub fn progress(&self) -> String {
        format!(
            "intakes={} instant={} refunds={} rejected={} retries={} started={} finished={}",
            self.intakes,
            self.instant,
            self.refunds,
            self.rejected,
            self.retries,
            self.started,
            self.finished
        )
    }

    /// Everything else, one line.
    pub fn details(&self) -> String {
        format!(
            "viewers={} joins={} leaves={} private={} retries={} top_ups={} insufficient={} \
             conflicts={} disputes={} started={} finished={} other_refused={} \
             broadcast_drops={} waiting={} minted={} escrow={} earned={} anomalies={} redeems={}",
            self.viewers,
            self.joins,
            self.leaves,
            self.private_requests,
            self.retries,
            self.top_ups,
            self.insufficient,
            self.conflicts,
            self.disputes,
            self.started,
            self.finished,
            self.other_refused,
            self.broadcast_drops,
            self.waiting,
            self.minted,
            self.escrow,
            self.earned,
            self.anomalies,
            self.redeems,
        )
    }

    /// The private messages per tier: `delivered/read/failed`.
    pub fn inbox_line(&self) -> String {
        let tiers = crate::domain::Tier::ALL;
        tiers
            .iter()
            .zip(self.inbox.iter())
            .map(|(tier, c)| format!("{}={}/{}/{}", tier.label(), c.delivered, c.read, c.failed))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether every token this run minted is accounted for: in a wallet,
    /// in escrow or earned. Holds when the room and the viewers are the
    /// run's own (a fresh room).
    pub fn ledger_balanced(&self) -> bool {
        u128::from(self.final_balance_total) + u128::from(self.escrow) + u128::from(self.earned)
            == u128::from(self.minted)
    }
}

/// Why a run could not go on. [`SimError::exit_code`] maps each to the
/// process exit code: 2 for what the user must fix in the command line or
/// a file, 1 for failures at run time.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The token is unknown or lacks a role the simulator needs.
    #[error("{0}")]
    Token(String),
    #[error("cannot reach the server at {server}: {detail}")]
    Unreachable { server: String, detail: String },
    #[error("{what}: {error}")]
    Server { what: String, error: ClientError },
}

impl SimError {
    pub fn exit_code(&self) -> u8 {
        match self {
            SimError::Usage(_) | SimError::Scenario(_) | SimError::Token(_) => 2,
            SimError::Unreachable { .. } | SimError::Server { .. } => 1,
        }
    }
}

/// Check a user-given id (`value`) and the longest id the run derives
/// from it (`longest`) against the server's id rules.
pub(crate) fn check_id(flag: &str, value: &str, longest: &str) -> Result<(), SimError> {
    use crate::domain::ids::id_problem;
    if let Some(problem) = id_problem(value) {
        return Err(SimError::Usage(format!("{flag} {value:?} {problem}")));
    }
    if let Some(problem) = id_problem(longest) {
        return Err(SimError::Usage(format!(
            "{flag} {value:?} is too long: ids made from it ({longest:?}) are unusable: {problem}"
        )));
    }
    Ok(())
}

/// Run one simulated room until its virtual time is up or `cancel` turns
/// true (or its sender is dropped), then read the wallets and return the
/// summary.
pub async fn run(
    options: SimOptions,
    cancel: tokio::sync::watch::Receiver<bool>,
) -> Result<Summary, SimError> {
    run_with_progress(options, cancel, None).await
}
