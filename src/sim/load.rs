//! Load mode (`cuedeck sim --load`): several rooms, many viewers, intakes
//! at a fixed rate, for the benchmarks.
//!
//! The load is open-loop: intake `i` is due at `i / rate` from the start
//! whether or not earlier ones have been answered (up to `concurrency` in
//! flight), and its latency is measured from when it was due, not from
//! when it went out, so a slow server cannot hide its queueing delay
//! (no coordinated omission). Nothing performs in load mode: queued items
//! wait, instant ones settle.

use crate::protocol::ErrorCode;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use rand::RngExt;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;

use super::catalog;
use super::runner::{create_token, failed, stream, unreachable};
use super::shop::{Purchase, Shop};
use super::stats::Percentiles;
use super::{SimError, check_id};
use crate::client::{ClientError, RestClient, ServerList};
use crate::domain::RoomId;

/// What load mode runs. `Debug` leaves the token out.
#[derive(Clone)]
pub struct LoadOptions {
    pub server: ServerList,
    /// Rooms are named `<room>-1` .. `<room>-<rooms>`.
    pub room: String,
    /// An admin token.
    pub token: String,
    pub rooms: u32,
    /// Viewers per room.
    pub viewers: u32,
    /// Intakes per minute across all rooms.
    pub rate_per_min: f64,
    pub seconds: f64,
    pub seed: u64,
    /// The most intakes in flight at once.
    pub concurrency: usize,
    pub tag: Option<String>,
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("server", &self.server)
            .field("room", &self.room)
            .field("token", &"<hidden>")
            .field("rooms", &self.rooms)
            .field("viewers", &self.viewers)
            .field("rate_per_min", &self.rate_per_min)
            .field("seconds", &self.seconds)
            .field("seed", &self.seed)
            .field("concurrency", &self.concurrency)
            .field("tag", &self.tag)
            .finish()
    }
}

/// What a load run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub rooms: u32,
    pub viewers: u64,
    pub rate_per_min: f64,
    /// Intakes sent and answered.
    pub sent: u64,
    pub accepted: u64,
    /// Refused by the server, by error code.
    pub refused: BTreeMap<String, u64>,
    /// Intakes that went out more than 5 ms after they were due
    /// (the client, or `concurrency`, could not keep up).
    pub late: u64,
    /// From the first intake due to the last answer.
    pub wall: Duration,
    /// From when each intake was due to its answer.
    pub latency: Option<Percentiles>,
    /// From when each intake went out to its answer.
    pub service: Option<Percentiles>,
}

impl LoadReport {
    /// Accepted intakes per second of wall time.
    pub fn throughput(&self) -> f64 {
        let secs = self.wall.as_secs_f64();
        if secs > 0.0 {
            self.accepted as f64 / secs
        } else {
            0.0
        }
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let refused: u64 = self.refused.values().sum();
        writeln!(
            f,
            "load: rooms={} viewers={} rate={}/min sent={} accepted={} refused={} late={} wall={:.2}s",
            self.rooms,
            self.viewers,
            self.rate_per_min,
            self.sent,
            self.accepted,
            refused,
            self.late,
            self.wall.as_secs_f64()
        )?;
        for (code, n) in &self.refused {
            writeln!(f, "  refused {code}: {n}")?;
        }
        writeln!(f, "throughput={:.1} intakes/s", self.throughput())?;
        match &self.latency {
            Some(p) => writeln!(f, "latency (from due)  {p}")?,
            None => writeln!(f, "latency: no samples")?,
        }
        if let Some(p) = &self.service {
            write!(f, "service (from sent) {p}")?;
        }
        Ok(())
    }
}

struct Sample {
    from_due_us: u64,
    from_sent_us: u64,
    late: bool,
    /// A refusal's code, or `None` when no answer came.
    result: Result<(), Option<ErrorCode>>,
}

/// Set up the rooms and wallets, then post intakes at the fixed rate until
/// `seconds` have passed (or `cancel`), and report.
pub async fn run(
    options: LoadOptions,
    cancel: watch::Receiver<bool>,
) -> Result<LoadReport, SimError> {
    let usage = |m: String| Err(SimError::Usage(m));
    if options.rooms == 0 || options.rooms > 10_000 {
        return usage("--rooms must be within 1..=10000".into());
    }
    if options.viewers == 0 || u64::from(options.viewers) * u64::from(options.rooms) > 1_000_000 {
        return usage("--viewers must be at least 1 (and rooms x viewers at most 1000000)".into());
    }
    if !(options.rate_per_min.is_finite() && options.rate_per_min > 0.0) {
        return usage("--rate must be above 0 in load mode".into());
    }
    if !(options.seconds.is_finite() && options.seconds > 0.0) {
        return usage("--seconds must be above 0 in load mode".into());
    }
    if options.concurrency == 0 {
        return usage("--concurrency must be at least 1".into());
    }
    let prefix = options
        .tag
        .clone()
        .unwrap_or_else(|| format!("load{}-{}", options.seed, options.room));
    check_id(
        "--room",
        &options.room,
        &format!("{}-{}", options.room, options.rooms),
    )?;
    check_id(
        "--room",
        &options.room,
        &format!("{prefix}-v999999-L18446744073709551615"),
    )?;

    let server = options.server.to_string();
    let admin = RestClient::new(options.server.clone(), options.token.clone());
    admin.health().await.map_err(|e| unreachable(&server, e))?;

    let mut rooms = Vec::new();
    for k in 1..=options.rooms {
        let room = RoomId::new(format!("{}-{k}", options.room));
        let wanted = format!("perf-{room}");
        let performer = match admin.create_room(room.as_str(), &wanted).await {
            Ok(_) => wanted,
            Err(e) if e.code() == Some(ErrorCode::RoomExists) => {
                admin
                    .snapshot(&room)
                    .await
                    .map_err(|e| failed(&server, "reading an existing room", e))?
                    .performer
            }
            Err(e) => return Err(failed(&server, "creating a room", e)),
        };
        match admin.broadcast(&room, true).await {
            Ok(_) => {}
            Err(e) if e.code() == Some(ErrorCode::AlreadyLive) => {}
            Err(e) => return Err(failed(&server, "starting a broadcast", e)),
        }
        rooms.push((room, performer));
    }
    let integration = create_token(&admin, &server, "integration", None, None).await?;
    let client = RestClient::new(options.server.clone(), integration);
    let shops: Vec<Shop> = rooms
        .iter()
        .map(|(room, performer)| Shop::Intake {
            client: client.clone(),
            room: room.clone(),
            performer: performer.clone(),
        })
        .collect();

    // Wallets deep enough that nobody runs dry: a load test measures the
    // server, not the audience's budget.
    let total = (options.rate_per_min * options.seconds / 60.0).round() as u64;
    let viewers = u64::from(options.viewers) * u64::from(options.rooms);
    let per_viewer = (total / viewers + 2) * 1_000;
    let mints = (0..viewers).map(|v| {
        let admin = admin.clone();
        let user = format!("{prefix}-v{v}");
        let key = format!("{prefix}-mint-v{v}");
        async move { admin.mint(&user, per_viewer, Some(&key)).await }
    });
    let mut minting = futures_util::stream::iter(mints).buffer_unordered(32);
    while let Some(result) = minting.next().await {
        result.map_err(|e| failed(&server, "minting a wallet", e))?;
    }
    drop(minting);
    tracing::info!(rooms = rooms.len(), viewers, total, "load: ready");

    let mut rng = stream(options.seed, 10);
    let offers: Vec<(&'static catalog::Offer, bool)> = catalog::menus()
        .iter()
        .flat_map(|m| m.items.iter().map(move |o| (o, m.instant)))
        .collect();
    let interval_us = 60_000_000.0 / options.rate_per_min;
    let gate = Arc::new(Semaphore::new(options.concurrency));
    let (tx, mut rx) = mpsc::unbounded_channel::<Sample>();
    let began = Instant::now();
    let mut sent = 0u64;
    for i in 0..total {
        if *cancel.borrow() || cancel.has_changed().is_err() {
            break;
        }
        let due = began + Duration::from_micros((i as f64 * interval_us) as u64);
        tokio::time::sleep_until(due).await;
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let room = (i % u64::from(options.rooms)) as usize;
        let viewer = room as u64 * u64::from(options.viewers)
            + rng.random_range(0..u64::from(options.viewers));
        let (offer, instant) = offers[rng.random_range(0..offers.len())];
        let user = format!("{prefix}-v{viewer}");
        let key = format!("{prefix}-L{i}");
        let prepared = shops[room].prepare(&Purchase {
            user: &user,
            display_name: "LoadViewer",
            offer,
            instant,
            private_request: false,
            key: &key,
            client_stamp: "2027-01-01T00:00:00.000000Z",
        });
        let shop = shops[room].clone();
        let tx = tx.clone();
        sent += 1;
        tokio::spawn(async move {
            let went = Instant::now();
            let result = shop.send(&prepared).await;
            let done = Instant::now();
            let result = match result {
                Ok(_) => Ok(()),
                Err(ClientError::Api { error, .. }) => Err(Some(error.code)),
                Err(other) => {
                    tracing::debug!(error = %other, "load: intake failed");
                    Err(None)
                }
            };
            let _ = tx.send(Sample {
                from_due_us: done.duration_since(due).as_micros() as u64,
                from_sent_us: done.duration_since(went).as_micros() as u64,
                late: went.duration_since(due) > Duration::from_millis(5),
                result,
            });
            drop(permit);
        });
    }
    drop(tx);
    let mut from_due = Vec::with_capacity(sent as usize);
    let mut from_sent = Vec::with_capacity(sent as usize);
    let mut report = LoadReport {
        rooms: options.rooms,
        viewers,
        rate_per_min: options.rate_per_min,
        sent: 0,
        accepted: 0,
        refused: BTreeMap::new(),
        late: 0,
        wall: Duration::ZERO,
        latency: None,
        service: None,
    };
    let mut transport_failures = 0u64;
    while let Some(sample) = rx.recv().await {
        report.sent += 1;
        report.late += u64::from(sample.late);
        match sample.result {
            Ok(()) => {
                report.accepted += 1;
                from_due.push(sample.from_due_us);
                from_sent.push(sample.from_sent_us);
            }
            Err(code) => {
                // `None`: the request never got an answer.
                let name = code.map_or("transport", ErrorCode::as_str);
                transport_failures += u64::from(code.is_none());
                *report.refused.entry(name.to_string()).or_default() += 1;
            }
        }
    }
    report.wall = began.elapsed();
    report.latency = Percentiles::of(&mut from_due);
    report.service = Percentiles::of(&mut from_sent);
    if transport_failures == report.sent && report.sent > 0 {
        return Err(SimError::Unreachable {
            server,
            detail: "every intake failed to get through".into(),
        });
    }
    tracing::info!(sent = report.sent, accepted = report.accepted, "load: done");
    Ok(report)
}
