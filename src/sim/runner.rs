//! One simulated room: set up through the admin API, then play a virtual
//! timeline of viewer and performer actions, one request at a time.
//!
//! The timeline is a heap of due actions ordered by (virtual ms, insertion
//! number). Handling an action draws from the seeded generators and may
//! schedule later ones. Draws happen in a fixed order whatever the server
//! answers, so the audience's choices follow from the seed alone; the
//! performer reacts to the answers (an empty queue makes it wait), which
//! are themselves the same on a fresh server.

use crate::protocol::ErrorCode;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::sync::watch;

use super::catalog::{self, Menu, Offer};
use super::scenario::{Scenario, Span};
use super::shop::{Prepared, Purchase, Shop};
use super::{Pace, SimError, SimOptions, Summary, check_id};
use crate::client::{ClientError, RestClient};
use crate::domain::{ItemId, RefundReason, Reply, RoomId, Tier, UserId};
use crate::menus::client::{MenuClient, MenuClientError};
use crate::protocol::CreateToken;

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

fn pick<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> Option<T> {
    let total: u64 = choices.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut roll = rng.random_range(0..total);
    for (choice, weight) in choices {
        let weight = u64::from(*weight);
        if roll < weight {
            return Some(*choice);
        }
        roll -= weight;
    }
    None
}

/// Milliseconds drawn uniformly from a span of seconds.
fn span_ms(rng: &mut StdRng, span: Span) -> u64 {
    let s = if span.1 > span.0 {
        rng.random_range(span.0..=span.1)
    } else {
        span.0
    };
    (s * 1000.0).round() as u64
}

fn fraction(rng: &mut StdRng, span: Span) -> f64 {
    if span.1 > span.0 {
        rng.random_range(span.0..=span.1)
    } else {
        span.0
    }
}

const TIERS: [Tier; 4] = [Tier::Free, Tier::Basic, Tier::Premium, Tier::Vip];

const NOTES: [&str; 4] = [
    "camera froze",
    "audio dropped",
    "toy disconnected",
    "could not do it tonight",
];

/// How long the performer waits before asking again when there is nothing
/// to start (or the broadcast is down).
const POLL_MS: u64 = 1_000;

/// The virtual clock starts here (the client stamp in every payload).
const ORIGIN_MICROS: i64 = 1_798_761_600_000_000; // 2027-01-01T00:00:00Z

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Instant,
    Queued,
    Private,
}

#[derive(Debug, Clone, Copy)]
enum EndPlan {
    Finish,
    Refund {
        partial: bool,
        reason: RefundReason,
        note: Option<&'static str>,
    },
}

#[derive(Debug, Clone, Copy)]
enum What {
    Join(usize),
    Arrival,
    Leave {
        viewer: usize,
        back_after_ms: Option<u64>,
    },
    Rejoin(usize),
    Retry(usize),
    TopUp(usize),
    Conflict(usize),
    Dispute {
        purchase: usize,
        partial: bool,
    },
    PerformerNext,
    PerformerEnd {
        item: ItemId,
        plan: EndPlan,
    },
    BroadcastDrop,
    BroadcastBack,
}

struct Due {
    at: u64,
    seq: u64,
    what: What,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

struct Viewer {
    user: UserId,
    name: String,
    tier: Tier,
    /// On the room's subscriber list (read from the server at setup).
    subscriber: bool,
    client: RestClient,
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
}

impl Sim {
    async fn setup(options: SimOptions) -> Result<Self, SimError> {
        let server = options.server.to_string();
        let admin = RestClient::new(options.server.clone(), options.token.clone());
        admin.health().await.map_err(|e| unreachable(&server, e))?;
        let room = RoomId::new(options.room.as_str());
        let prefix = prefix(&options);

        let wanted_performer = format!("perf-{}", options.room);
        let performer_id = match admin.create_room(room.as_str(), &wanted_performer).await {
            Ok(_) => {
                tracing::info!(room = %room, performer = %wanted_performer, "room created");
                wanted_performer
            }
            Err(e) if e.code() == Some(ErrorCode::RoomExists) => {
                let snapshot = admin
                    .snapshot(&room)
                    .await
                    .map_err(|e| failed(&server, "reading the existing room", e))?;
                tracing::info!(room = %room, performer = %snapshot.performer, "room exists");
                snapshot.performer
            }
            Err(e) => return Err(failed(&server, "creating the room", e)),
        };

        let integration = create_token(&admin, &server, "integration", None, None).await?;
        let performer = if options.performer {
            let token = create_token(&admin, &server, "performer", Some(&room), None).await?;
            Some(RestClient::new(options.server.clone(), token))
        } else {
            None
        };
        match admin.broadcast(&room, true).await {
            Ok(_) => {}
            Err(e) if e.code() == Some(ErrorCode::AlreadyLive) => {}
            Err(e) => return Err(failed(&server, "starting the broadcast", e)),
        }

        let scenario = options.scenario.clone();
        let mut setup = stream(options.seed, 1);
        let tier_weights: Vec<(Tier, u32)> = TIERS
            .iter()
            .map(|t| (*t, scenario.audience.tiers.get(*t)))
            .collect();
        let mut viewers = Vec::with_capacity(options.viewers as usize);
        let mut minted = 0;
        for i in 0..options.viewers as usize {
            let tier = pick(&mut setup, &tier_weights).unwrap_or(Tier::Free);
            let wallet = scenario.audience.wallets.get(tier);
            let amount = setup.random_range(wallet.0..=wallet.1);
            let (adjectives, nouns) = catalog::NAME_PARTS;
            let name = format!(
                "{}{}{}",
                adjectives[setup.random_range(0..adjectives.len())],
                nouns[setup.random_range(0..nouns.len())],
                i
            );
            let user = UserId::new(format!("{prefix}-v{i}"));
            let token = create_token(&admin, &server, "viewer", None, Some(&user)).await?;
            if amount > 0 {
                admin
                    .mint(user.as_str(), amount, Some(&format!("{prefix}-mint-v{i}")))
                    .await
                    .map_err(|e| failed(&server, "minting a wallet", e))?;
                minted += amount;
            }
            viewers.push(Viewer {
                user,
                name,
                tier,
                subscriber: false,
                client: RestClient::new(options.server.clone(), token),
                present: false,
                leaving: false,
            });
        }
        subscribe_some(&admin, &server, &room, &mut viewers, options.seed).await?;
        tracing::info!(room = %room, viewers = viewers.len(), minted, "audience ready");

        let shop = Shop::Intake {
            client: RestClient::new(options.server.clone(), integration),
            room: room.clone(),
            performer: performer_id,
        };
        let mut sim = Sim {
            room,
            prefix,
            rate_per_min: options.rate_per_min,
            pace: options.pace,
            seconds: options.seconds,
            server,
            admin,
            performer,
            shop,
            viewers,
            audience: stream(options.seed, 2),
            acting: stream(options.seed, 3),
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: 0,
            purchases: Vec::new(),
            items: HashMap::new(),
            live: true,
            performer_actions: 0,
            disputes_sent: 0,
            summary: Summary {
                viewers: u64::from(options.viewers),
                minted,
                ..Summary::default()
            },
            scenario,
        };
        for v in 0..sim.viewers.len() {
            let at = span_ms(&mut sim.audience, sim.scenario.audience.arrival_s);
            sim.push(at, What::Join(v));
        }
        sim.schedule_arrival();
        if sim.performer.is_some() {
            let at = span_ms(&mut sim.acting, sim.scenario.performer.pause_s);
            sim.push(at, What::PerformerNext);
            sim.schedule_drop();
        }
        Ok(sim)
    }

    fn push(&mut self, at: u64, what: What) {
        self.heap.push(Reverse(Due {
            at,
            seq: self.next_seq,
            what,
        }));
        self.next_seq += 1;
    }

    fn schedule_arrival(&mut self) {
        let rate = self.rate_per_min * self.scenario.rate_factor_at(self.now);
        if rate <= 0.0 {
            return;
        }
        let u: f64 = self.audience.random();
        let gap_ms = -(1.0 - u).ln() / (rate / 60_000.0);
        let gap = gap_ms.clamp(1.0, 1e12).ceil() as u64;
        self.push(self.now + gap, What::Arrival);
    }

    fn schedule_drop(&mut self) {
        let every = self.scenario.performer.broadcast_drop_every_s;
        if every <= 0.0 || !every.is_finite() {
            return;
        }
        let u: f64 = self.acting.random();
        let gap = (-(1.0 - u).ln() * every * 1000.0).clamp(1.0, 1e12).ceil() as u64;
        self.push(self.now + gap, What::BroadcastDrop);
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

    async fn join(&mut self, v: usize) -> Result<(), SimError> {
        let viewer = &self.viewers[v];
        match viewer.client.join(&self.room, viewer.tier).await {
            Ok(_) => {
                self.viewers[v].present = true;
                self.summary.joins += 1;
                tracing::debug!(room = %self.room, user = %self.viewers[v].user, "joined");
                Ok(())
            }
            Err(e) => self.refused("join", e),
        }
    }

    async fn leave(&mut self, v: usize, back_after_ms: Option<u64>) -> Result<(), SimError> {
        if !self.viewers[v].present {
            return Ok(());
        }
        match self.viewers[v].client.leave(&self.room).await {
            Ok(_) => {
                self.viewers[v].present = false;
                self.summary.leaves += 1;
                tracing::debug!(room = %self.room, user = %self.viewers[v].user, "left");
                if let Some(back) = back_after_ms {
                    self.push(self.now + back, What::Rejoin(v));
                }
                Ok(())
            }
            Err(e) => self.refused("leave", e),
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

    async fn arrival(&mut self) -> Result<(), SimError> {
        self.schedule_arrival();
        let spend = self.scenario.audience.spend;
        let eligible: Vec<(usize, u32)> = self
            .viewers
            .iter()
            .enumerate()
            .filter(|(_, v)| v.present && !v.leaving)
            .map(|(i, v)| (i, spend.get(v.tier)))
            .collect();
        let Some(v) = pick(&mut self.audience, &eligible) else {
            return Ok(());
        };
        let p = &self.scenario.purchases;
        let kinds = [
            (Kind::Instant, p.instant),
            (Kind::Queued, p.queued),
            (Kind::Private, p.private_request),
        ];
        let kind = pick(&mut self.audience, &kinds).unwrap_or(Kind::Queued);
        let offer = match kind {
            Kind::Instant => cheaper_first(&mut self.audience, catalog::instant_offers()),
            Kind::Private => {
                let all = catalog::private_requests();
                &all[self.audience.random_range(0..all.len())]
            }
            Kind::Queued => {
                let subscriber = self.viewers[v].subscriber;
                let menus: Vec<&'static Menu> = catalog::queued_menus(subscriber).collect();
                let menu = menus[self.audience.random_range(0..menus.len())];
                cheaper_first(&mut self.audience, &menu.items)
            }
        };
        // Every follow-up is drawn now, whatever the answer, so the draws
        // stay in step with the seed.
        let (p, c) = (&self.scenario.purchases, &self.scenario.churn);
        let rng = &mut self.audience;
        let retry = rng
            .random_bool(p.timeout_retry.0)
            .then(|| span_ms(rng, p.retry_after_s));
        let top_up = rng
            .random_bool(p.top_up.0)
            .then(|| span_ms(rng, p.top_up_after_s));
        let conflict = rng
            .random_bool(p.key_conflict.0)
            .then(|| span_ms(rng, p.retry_after_s));
        let leave = rng
            .random_bool(c.leave_before_turn.0)
            .then(|| span_ms(rng, c.leave_after_s));
        let disconnect = rng.random_bool(c.disconnect.0).then(|| {
            (
                span_ms(rng, c.leave_after_s),
                span_ms(rng, c.disconnect_s).max(1),
            )
        });
        let dispute = rng
            .random_bool(c.dispute.0)
            .then(|| (span_ms(rng, c.dispute_after_s), rng.random_bool(0.5)));

        let n = self.purchases.len();
        let key = format!("{}-p{n}", self.prefix);
        let stamp = self.client_stamp();
        let viewer = &self.viewers[v];
        let prepared = self.shop.prepare(&Purchase {
            user: viewer.user.as_str(),
            display_name: &viewer.name,
            offer,
            instant: kind == Kind::Instant,
            private_request: kind == Kind::Private,
            key: &key,
            client_stamp: &stamp,
        });
        tracing::debug!(room = %self.room, user = %viewer.user, key = %key, item = %offer.id, "purchase");
        let outcome = self.send_purchase(&prepared).await?;
        if let Ok(reply) = &outcome {
            if kind == Kind::Private {
                self.summary.private_requests += 1;
            }
            if let Some(item) = reply.item() {
                self.items.insert(item, (offer.duration_ms, offer.tokens));
            }
        }
        let accepted = outcome.is_ok();
        let dry = outcome.as_ref().err() == Some(&ErrorCode::InsufficientFunds);
        self.purchases.push(PurchaseRecord {
            viewer: v,
            offer,
            prepared,
            outcome,
        });
        let now = self.now;
        if accepted {
            if let Some(after) = retry {
                self.push(now + after, What::Retry(n));
            }
            if let Some(after) = conflict {
                self.push(now + after, What::Conflict(n));
            }
            if kind != Kind::Instant
                && let Some((after, partial)) = dispute
            {
                self.push(
                    now + after,
                    What::Dispute {
                        purchase: n,
                        partial,
                    },
                );
            }
            if kind != Kind::Instant
                && let Some(after) = leave
            {
                self.viewers[v].leaving = true;
                self.push(
                    now + after,
                    What::Leave {
                        viewer: v,
                        back_after_ms: None,
                    },
                );
            } else if let Some((after, away)) = disconnect {
                self.push(
                    now + after,
                    What::Leave {
                        viewer: v,
                        back_after_ms: Some(away),
                    },
                );
            }
        } else if dry && let Some(after) = top_up {
            self.push(now + after, What::TopUp(n));
        }
        Ok(())
    }

    /// Send a purchase and count the answer: accepted (`Ok`) or refused
    /// with an error code (`Err`).
    async fn send_purchase(
        &mut self,
        prepared: &Prepared,
    ) -> Result<Result<Reply, ErrorCode>, SimError> {
        match self.shop.send(prepared).await {
            Ok(reply) => {
                match reply {
                    Reply::Queued { .. } => self.summary.intakes += 1,
                    Reply::Settled { .. } => self.summary.instant += 1,
                    _ => {}
                }
                Ok(Ok(reply))
            }
            Err(ClientError::Api { status, error }) if status < 500 && status != 401 => {
                self.summary.rejected += 1;
                if error.code == ErrorCode::InsufficientFunds {
                    self.summary.insufficient += 1;
                }
                tracing::debug!(room = %self.room, key = %prepared.key, code = %error.code, "purchase refused");
                Ok(Err(error.code))
            }
            Err(e) => Err(failed(&self.server, "posting a purchase", e)),
        }
    }

    /// The client timed out on an accepted purchase and sends it again, same
    /// key, same bytes: the answer must be the original one and the wallet
    /// must not move.
    async fn retry(&mut self, p: usize) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let Ok(original) = record.outcome.clone() else {
            return Ok(());
        };
        let user = self.viewers[record.viewer].user.clone();
        let prepared = record.prepared.clone();
        let before = self.balance(&user).await?;
        let again = self.shop.send(&prepared).await;
        let after = self.balance(&user).await?;
        self.summary.retries += 1;
        match again {
            Ok(reply) if reply == original => {}
            Ok(reply) => {
                self.summary.anomalies += 1;
                tracing::warn!(room = %self.room, key = %prepared.key, ?original, ?reply, "a retry got a different answer");
            }
            Err(ClientError::Api { error, .. }) => {
                self.summary.anomalies += 1;
                tracing::warn!(room = %self.room, key = %prepared.key, code = %error.code, "a retry of an accepted purchase was refused");
            }
            Err(e) => return Err(failed(&self.server, "retrying a purchase", e)),
        }
        // Only a charge takes tokens out of a wallet; a server timer may
        // put some back (an auto-refund), never take them.
        if after < before {
            self.summary.anomalies += 1;
            tracing::warn!(room = %self.room, key = %prepared.key, before, after, "a retry charged the wallet again");
        }
        Ok(())
    }

    async fn balance(&self, user: &UserId) -> Result<u64, SimError> {
        self.admin
            .balance(user)
            .await
            .map(|b| b.tokens)
            .map_err(|e| failed(&self.server, "reading a wallet", e))
    }

    /// A viewer refused for insufficient funds tops up and sends the same
    /// purchase again with the same key: refusals are not remembered, so
    /// the server weighs it afresh.
    async fn top_up(&mut self, p: usize) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let user = self.viewers[record.viewer].user.clone();
        let amount = record.offer.tokens * 3;
        let key = format!("{}-top", record.prepared.key);
        let prepared = record.prepared.clone();
        let offer = record.offer;
        self.admin
            .mint(user.as_str(), amount, Some(&key))
            .await
            .map_err(|e| failed(&self.server, "topping up a wallet", e))?;
        self.summary.minted += amount;
        self.summary.top_ups += 1;
        let outcome = self.send_purchase(&prepared).await?;
        if let Some(item) = outcome.as_ref().ok().and_then(Reply::item) {
            self.items.insert(item, (offer.duration_ms, offer.tokens));
        }
        self.purchases[p].outcome = outcome;
        Ok(())
    }

    /// A buggy client reuses an accepted purchase's key for a different
    /// purchase: the server must refuse it.
    async fn conflict(&mut self, p: usize) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let viewer = &self.viewers[record.viewer];
        let stamp = self.client_stamp();
        let prepared = self.shop.prepare_conflicting(&Purchase {
            user: viewer.user.as_str(),
            display_name: &viewer.name,
            offer: record.offer,
            instant: record.prepared.instant,
            private_request: false,
            key: &record.prepared.key,
            client_stamp: &stamp,
        });
        self.summary.conflicts += 1;
        match self.send_purchase(&prepared).await? {
            Err(ErrorCode::IdempotencyConflict) => {}
            Err(code) => {
                tracing::info!(room = %self.room, key = %prepared.key, code = %code, "a reused key was refused for another reason");
            }
            Ok(_) => {
                self.summary.anomalies += 1;
                tracing::warn!(room = %self.room, key = %prepared.key, "a reused key was accepted for a different purchase");
            }
        }
        Ok(())
    }

    /// A viewer disputes a queued purchase; support (the admin token)
    /// refunds it with reason `dispute`, half or all of it.
    async fn dispute(&mut self, p: usize, partial: bool) -> Result<(), SimError> {
        let record = &self.purchases[p];
        let Some(item) = record.outcome.as_ref().ok().and_then(Reply::item) else {
            return Ok(());
        };
        let cost = record.offer.tokens;
        let amount = (partial && cost >= 2).then_some(cost / 2);
        let key = format!("{}-d{}", self.prefix, self.disputes_sent);
        self.disputes_sent += 1;
        self.summary.disputes += 1;
        match self
            .admin
            .refund(&self.room, item, amount, RefundReason::Dispute, None, &key)
            .await
        {
            Ok(_) => {
                self.summary.refunds += 1;
                Ok(())
            }
            Err(e) => self.refused("dispute refund", e),
        }
    }

    fn performer_key(&mut self, what: char) -> String {
        let key = format!("{}-{what}{}", self.prefix, self.performer_actions);
        self.performer_actions += 1;
        key
    }

    async fn performer_next(&mut self) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        if !self.live {
            self.push(self.now + POLL_MS, What::PerformerNext);
            return Ok(());
        }
        let key = self.performer_key('s');
        let started = match performer.start(&self.room, None, &key).await {
            Ok(reply) => reply.item(),
            Err(e) => match e.code() {
                Some(ErrorCode::QueueEmpty | ErrorCode::NotLive) => None,
                Some(ErrorCode::Busy) => {
                    // Something this run did not start is on stage (a
                    // reused room): take it over.
                    let snapshot = performer
                        .snapshot(&self.room)
                        .await
                        .map_err(|e| failed(&self.server, "reading the room", e))?;
                    snapshot.in_progress.map(|running| {
                        let view = &running.item;
                        self.items
                            .entry(view.id)
                            .or_insert((view.duration_ms, view.token_cost));
                        view.id
                    })
                }
                _ => {
                    self.refused("start", e)?;
                    None
                }
            },
        };
        let Some(item) = started else {
            self.push(self.now + POLL_MS, What::PerformerNext);
            return Ok(());
        };
        self.summary.started += 1;
        if !self.items.contains_key(&item) {
            // Queued by someone else (a reused room): ask for its D and cost.
            let found = performer
                .audit(&self.room, item)
                .await
                .map_err(|e| failed(&self.server, "reading an item", e))?;
            self.items
                .insert(item, (found.view.duration_ms, found.view.token_cost));
        }
        let (duration_ms, _) = self.items.get(&item).copied().unwrap_or((90_000, 1));
        let s = &self.scenario.performer;
        let rng = &mut self.acting;
        let share = fraction(rng, s.perform);
        let refund = rng.random_bool(s.refund.0);
        let partial = rng.random_bool(s.partial.0);
        let reasons = [
            (RefundReason::Goodwill, s.reasons.goodwill),
            (RefundReason::Moderation, s.reasons.moderation),
            (RefundReason::Other, s.reasons.other),
        ];
        let reason = pick(rng, &reasons).unwrap_or(RefundReason::Goodwill);
        let note = NOTES[rng.random_range(0..NOTES.len())];
        let plan = if refund {
            EndPlan::Refund {
                partial,
                reason,
                note: (reason == RefundReason::Other).then_some(note),
            }
        } else {
            EndPlan::Finish
        };
        let perform_ms = ((duration_ms as f64) * share).round().max(1.0) as u64;
        self.push(self.now + perform_ms, What::PerformerEnd { item, plan });
        Ok(())
    }

    async fn performer_end(&mut self, item: ItemId, plan: EndPlan) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        let result = match plan {
            EndPlan::Finish => {
                let key = self.performer_key('f');
                performer.finish(&self.room, Some(item), &key).await
            }
            EndPlan::Refund {
                partial,
                reason,
                note,
            } => {
                let key = self.performer_key('r');
                let cost = self.items.get(&item).map_or(1, |(_, cost)| *cost);
                let amount = (partial && cost >= 2).then_some(cost / 2);
                performer
                    .refund(&self.room, item, amount, reason, note, &key)
                    .await
            }
        };
        match result {
            Ok(Reply::Finished { .. }) => self.summary.finished += 1,
            Ok(Reply::Refunded { .. }) => self.summary.refunds += 1,
            Ok(_) => {}
            Err(e) => self.refused("finish or refund", e)?,
        }
        let pause = span_ms(&mut self.acting, self.scenario.performer.pause_s);
        self.push(self.now + pause, What::PerformerNext);
        Ok(())
    }

    async fn broadcast(&mut self, live: bool) -> Result<(), SimError> {
        let Some(performer) = self.performer.clone() else {
            return Ok(());
        };
        match performer.broadcast(&self.room, live).await {
            Ok(_) => {
                self.live = live;
                if !live {
                    self.summary.broadcast_drops += 1;
                }
            }
            Err(e) => self.refused("broadcast", e)?,
        }
        if live {
            self.schedule_drop();
        } else {
            let back = span_ms(&mut self.acting, self.scenario.performer.broadcast_drop_s);
            self.push(self.now + back.max(1), What::BroadcastBack);
        }
        Ok(())
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

/// Pick an offer, cheaper ones more often (weight 1000 / price).
fn cheaper_first(rng: &mut StdRng, offers: &'static [Offer]) -> &'static Offer {
    let weights: Vec<(usize, u32)> = offers
        .iter()
        .enumerate()
        .map(|(i, o)| (i, (1000 / o.tokens.max(1)).max(1) as u32))
        .collect();
    &offers[pick(rng, &weights).unwrap_or(0)]
}

/// The share of viewers the simulator puts on the room's subscriber list.
const SUBSCRIBER_SHARE: f64 = 0.3;

/// Put a seeded share of the viewers on the room's subscriber list through
/// the API, then read the list back: it alone says who may buy from a
/// subscribers-only menu.
async fn subscribe_some(
    admin: &RestClient,
    server: &str,
    room: &RoomId,
    viewers: &mut [Viewer],
    seed: u64,
) -> Result<(), SimError> {
    let menus = MenuClient::new(admin.clone());
    let mut draws = stream(seed, 7);
    for viewer in viewers.iter() {
        if draws.random_bool(SUBSCRIBER_SHARE) {
            menus
                .set_subscriber(room, &viewer.user, true)
                .await
                .map_err(|e| menu_failed(server, "adding a subscriber", e))?;
        }
    }
    let list = menus
        .subscribers(room)
        .await
        .map_err(|e| menu_failed(server, "reading the subscriber list", e))?;
    for viewer in viewers.iter_mut() {
        viewer.subscriber = list.users.contains(&viewer.user);
    }
    Ok(())
}

fn menu_failed(server: &str, what: &str, e: MenuClientError) -> SimError {
    let e = match e {
        MenuClientError::Client(e) => e,
        MenuClientError::Conflict(conflict) => ClientError::Api {
            status: 409,
            error: conflict.error(),
        },
    };
    failed(server, what, e)
}

pub(super) async fn create_token(
    admin: &RestClient,
    server: &str,
    role: &str,
    room: Option<&RoomId>,
    user: Option<&UserId>,
) -> Result<String, SimError> {
    let spec = CreateToken {
        role: role.into(),
        room: room.cloned(),
        rooms: Vec::new(),
        user: user.cloned(),
        expires_at: None,
    };
    admin
        .create_token(&spec)
        .await
        .map(|created| created.token)
        .map_err(|e| failed(server, &format!("creating a {role} token"), e))
}

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
