//! One simulated room: set up through the admin API, then play a virtual
//! timeline of viewer and performer actions, one request at a time.
//!
//! The timeline is a heap of due actions ordered by (virtual ms, insertion
//! number). Handling an action draws from the seeded generators and may
//! schedule later ones. Draws happen in a fixed order whatever the server
//! answers, so the audience's choices follow from the seed alone; the
//! performer reacts to the answers (an empty queue makes it wait), which
//! are themselves the same on a fresh server.

mod audience;
mod inbox;
mod performer;
mod points;
mod setup;
mod timeline;
mod tipping;

use crate::protocol::ErrorCode;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::watch;

use super::catalog::Offer;
use super::scenario::Scenario;
use super::shop::{Prepared, Shop};
use super::{Pace, SimError, SimOptions, Summary, check_id};
use crate::client::{ClientError, RestClient};
use crate::domain::{ItemId, Reply, RoomId, Tier, UserId};
use timeline::*;

/// Run one simulated room; `progress`, when given, gets the running
/// summary after every action (the demo can show it).
pub async fn run_with_progress(
    options: SimOptions,
    mut cancel: watch::Receiver<bool>,
    progress: Option<watch::Sender<Summary>>,
) -> Result<Summary, SimError> {
    check(&options)?;
    let mut sim = Sim::setup(options).await?;
    sim.play(&mut cancel, progress.as_ref()).await?;
    sim.read_inboxes().await?;
    let summary = sim.close().await?;
    if let Some(progress) = &progress {
        progress.send_replace(summary.clone());
    }
    Ok(summary)
}

fn check(options: &SimOptions) -> Result<(), SimError> {
    let usage = |m: String| Err(SimError::Usage(m));
    if options.viewers == 0 {
        return usage("--viewers must be at least 1".into());
    }
    if options.viewers > 100_000 {
        return usage("--viewers must be at most 100000".into());
    }
    if !(options.rate_per_min.is_finite() && options.rate_per_min >= 0.0) {
        return usage(format!("--rate {} is not a rate", options.rate_per_min));
    }
    if let Some(seconds) = options.seconds
        && !(seconds.is_finite() && seconds > 0.0)
    {
        return usage(format!("--seconds {seconds} must be above 0"));
    }
    if let Pace::RealTime { speed } = options.pace
        && !(speed.is_finite() && speed > 0.0)
    {
        return usage(format!("--speed {speed} must be above 0"));
    }
    // The longest id the run makes: "<prefix>-p<n>-top".
    let prefix = prefix(options);
    check_id(
        "--room",
        &options.room,
        &format!("{prefix}-p18446744073709551615-top"),
    )
}

fn prefix(options: &SimOptions) -> String {
    options
        .tag
        .clone()
        .unwrap_or_else(|| format!("sim{}-{}", options.seed, options.room))
}

/// A deterministic generator for one purpose, from the seed.
pub(super) fn stream(seed: u64, purpose: u64) -> StdRng {
    // splitmix64 of the pair, so nearby seeds give unrelated streams.
    let mut z = seed ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    StdRng::seed_from_u64(z ^ (z >> 31))
}

struct Viewer {
    user: UserId,
    name: String,
    tier: Tier,
    /// On the room's subscriber list (read from the server at setup).
    subscriber: bool,
    client: RestClient,
    /// Their viewer token, for their inbox stream.
    token: String,
    present: bool,
    /// Will leave for good; buys nothing more.
    leaving: bool,
}

struct PurchaseRecord {
    viewer: usize,
    offer: &'static Offer,
    prepared: Prepared,
    outcome: Result<Reply, ErrorCode>,
}

struct Sim {
    room: RoomId,
    prefix: String,
    scenario: Scenario,
    rate_per_min: f64,
    pace: Pace,
    seconds: Option<f64>,
    server: String,
    admin: RestClient,
    performer: Option<RestClient>,
    shop: Shop,
    viewers: Vec<Viewer>,
    audience: StdRng,
    acting: StdRng,
    /// Tippers draw from a stream of their own.
    tipping: StdRng,
    /// Who opens their inbox and what they mark read, when asked for.
    inbox: Option<StdRng>,
    url: crate::client::ServerList,
    tips_sent: u64,
    heap: BinaryHeap<Reverse<Due>>,
    next_seq: u64,
    now: u64,
    purchases: Vec<PurchaseRecord>,
    /// D and cost of the items this run queued.
    items: HashMap<ItemId, (u64, u64)>,
    live: bool,
    performer_actions: u64,
    disputes_sent: u64,
    summary: Summary,
    /// Earn on settle, redeems and awards.
    points: points::PointsPlay,
}

impl Sim {
    fn push(&mut self, at: u64, what: What) {
        self.heap.push(Reverse(Due {
            at,
            seq: self.next_seq,
            what,
        }));
        self.next_seq += 1;
    }

    async fn play(
        &mut self,
        cancel: &mut watch::Receiver<bool>,
        progress: Option<&watch::Sender<Summary>>,
    ) -> Result<(), SimError> {
        let end = self.seconds.map(|s| (s * 1000.0).round() as u64);
        let began = tokio::time::Instant::now();
        while let Some(Reverse(due)) = self.heap.pop() {
            if end.is_some_and(|end| due.at > end) {
                break;
            }
            if stopped(cancel) {
                break;
            }
            if let Pace::RealTime { speed } = self.pace {
                let at = began + Duration::from_secs_f64(due.at as f64 / 1000.0 / speed);
                tokio::select! {
                    () = tokio::time::sleep_until(at) => {}
                    () = cancelled(cancel) => break,
                }
            }
            self.now = due.at;
            self.handle(due.what).await?;
            if let Some(progress) = progress {
                progress.send_replace(self.summary.clone());
            }
        }
        Ok(())
    }

    async fn handle(&mut self, what: What) -> Result<(), SimError> {
        match what {
            What::Join(v) => self.join(v).await,
            What::Arrival => self.arrival().await,
            What::Tip => self.tip().await,
            What::Leave {
                viewer,
                back_after_ms,
            } => self.leave(viewer, back_after_ms).await,
            What::Rejoin(v) => {
                if self.viewers[v].leaving || self.viewers[v].present {
                    return Ok(());
                }
                self.join(v).await
            }
            What::Retry(p) => self.retry(p).await,
            What::TopUp(p) => self.top_up(p).await,
            What::Conflict(p) => self.conflict(p).await,
            What::Dispute { purchase, partial } => self.dispute(purchase, partial).await,
            What::PerformerNext => self.performer_next().await,
            What::PerformerEnd { item, plan } => self.performer_end(item, plan).await,
            What::BroadcastDrop => self.broadcast(false).await,
            What::BroadcastBack => self.broadcast(true).await,
        }
    }

    /// A refusal of a non-purchase action: counted, logged, and the run
    /// goes on; a transport failure or a server error ends it.
    fn refused(&mut self, what: &str, e: ClientError) -> Result<(), SimError> {
        match &e {
            ClientError::Api { status, error } if *status < 500 => {
                self.summary.other_refused += 1;
                tracing::info!(room = %self.room, action = what, code = %error.code, "refused");
                Ok(())
            }
            _ => Err(failed(&self.server, what, e)),
        }
    }

    fn client_stamp(&self) -> String {
        let micros = ORIGIN_MICROS + (self.now as i64) * 1000;
        chrono::DateTime::from_timestamp_micros(micros)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
            .unwrap_or_default()
    }

    async fn balance(&self, user: &UserId) -> Result<u64, SimError> {
        self.admin
            .balance(user)
            .await
            .map(|b| b.tokens)
            .map_err(|e| failed(&self.server, "reading a wallet", e))
    }

    /// Read every viewer's wallet and the room's totals.
    async fn close(mut self) -> Result<Summary, SimError> {
        let mut total = 0;
        for i in 0..self.viewers.len() {
            let user = self.viewers[i].user.clone();
            total += self.balance(&user).await?;
        }
        self.summary.final_balance_total = total;
        let snapshot = self
            .admin
            .snapshot(&self.room)
            .await
            .map_err(|e| failed(&self.server, "reading the room", e))?;
        self.summary.waiting = snapshot.waiting.len() as u64;
        self.summary.escrow = snapshot.totals.escrow;
        self.summary.earned = snapshot.totals.earned;
        tracing::info!(room = %self.room, summary = %self.summary.line(), "simulation done");
        Ok(self.summary)
    }
}

pub(super) use setup::create_token;

fn stopped(cancel: &watch::Receiver<bool>) -> bool {
    *cancel.borrow() || cancel.has_changed().is_err()
}

async fn cancelled(cancel: &mut watch::Receiver<bool>) {
    loop {
        if *cancel.borrow_and_update() {
            return;
        }
        if cancel.changed().await.is_err() {
            return;
        }
    }
}

pub(super) fn unreachable(server: &str, e: ClientError) -> SimError {
    match e {
        ClientError::Transport(detail) => SimError::Unreachable {
            server: server.to_string(),
            detail,
        },
        other => SimError::Server {
            what: format!("{server} does not answer like a cuedeck server"),
            error: other,
        },
    }
}

/// Turn a failed setup or run call into the error the user sees.
pub(super) fn failed(server: &str, what: &str, e: ClientError) -> SimError {
    match &e {
        ClientError::Transport(_) => unreachable(server, e),
        ClientError::Api { status: 401, .. } => SimError::Token(format!(
            "{what}: the server does not know this token (give an admin token with --token or CUEDECK_TOKEN)"
        )),
        ClientError::Api { status: 403, error } => SimError::Token(format!(
            "{what}: the token may not do this ({}); cuedeck sim needs an admin token: \
             it creates the room, the viewers' wallets and the tokens it uses",
            error.message
        )),
        ClientError::Api { error, .. } if error.code == ErrorCode::InvalidField => {
            SimError::Usage(format!("{what}: {error}"))
        }
        _ => SimError::Server {
            what: what.to_string(),
            error: e,
        },
    }
}
