//! The simulated audience against real in-process servers on loopback
//! ports: determinism for a seed, the ledger after a chaos run, the demo's
//! background use (no end, cancelled), load mode, and clear errors.

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::domain::{ItemId, RefundReason, RoomId, RoomSettings, UserId};
use cuedeck::protocol::CreateToken;
use cuedeck::protocol::ErrorCode;
use cuedeck::server::{self, Server, ServerConfig};
use cuedeck::sim::load::{self, LoadOptions};
use cuedeck::sim::{self, Pace, Scenario, SimError, SimOptions, Summary};
use cuedeck::store::Synchronous;
use tokio::sync::watch;

const ADMIN: &str = "admin-token-for-sim-tests-01";
const ROOM: &str = "show";

struct Fresh {
    server: Option<Server>,
    _dir: tempfile::TempDir,
}

impl Fresh {
    async fn start(room: RoomSettings) -> Self {
        let config = ServerConfig {
            listen: "127.0.0.1:0".into(),
            admin_token: Some(ADMIN.into()),
            synchronous: Synchronous::Normal,
            room,
            ..ServerConfig::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let server = server::start(config, dir.path().join("cuedeck.db"))
            .await
            .expect("server starts");
        Fresh {
            server: Some(server),
            _dir: dir,
        }
    }

    fn url(&self) -> ServerUrl {
        ServerUrl::parse(&self.server.as_ref().unwrap().url()).unwrap()
    }

    fn admin(&self) -> RestClient {
        RestClient::new(self.url(), ADMIN)
    }

    async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

fn options(url: ServerUrl, scenario: &str, seed: u64, seconds: f64) -> SimOptions {
    SimOptions {
        viewers: 12,
        rate_per_min: 12.0,
        seed,
        scenario: Scenario::load(scenario).unwrap(),
        seconds: Some(seconds),
        pace: Pace::Max,
        ..SimOptions::new(url, ROOM, ADMIN)
    }
}

async fn run(options: SimOptions) -> Result<Summary, SimError> {
    let (_stop, cancel) = watch::channel(false);
    sim::run(options, cancel).await
}

/// What every item of the room went through, without the server's stamps:
/// two runs that made the same requests in the same order agree on it.
async fn history(admin: &RestClient) -> Vec<String> {
    let room = RoomId::new(ROOM);
    let mut lines = Vec::new();
    for id in 1.. {
        match admin.audit(&room, ItemId(id)).await {
            Ok(item) => lines.push(format!(
                "{} {} {} {} {} cost={} settled={} refunded={} reason={:?} private={} instant={}",
                id,
                item.key,
                item.view.user_id,
                item.view.action.title,
                item.state,
                item.view.token_cost,
                item.settled,
                item.refunded,
                item.refund_reason,
                item.view.private,
                item.view.instant,
            )),
            Err(e) if e.code() == Some(ErrorCode::UnknownItem) => break,
            Err(e) => panic!("audit {id}: {e}"),
        }
    }
    lines
}

async fn run_on_fresh_server(
    scenario: &str,
    seed: u64,
    pace: Pace,
    room: RoomSettings,
) -> (Summary, Vec<String>) {
    let fresh = Fresh::start(room).await;
    let mut options = options(fresh.url(), scenario, seed, 300.0);
    options.pace = pace;
    let summary = run(options).await.expect("the run completes");
    let history = history(&fresh.admin()).await;
    fresh.stop().await;
    (summary, history)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_run_and_another_seed_does_not() {
    let settings = RoomSettings::default();
    let (a, history_a) = run_on_fresh_server("chaos", 7, Pace::Max, settings).await;
    let (b, history_b) = run_on_fresh_server("chaos", 7, Pace::Max, settings).await;
    // Not a vacuous run: it bought, got refused, refunded and retried.
    assert!(a.intakes > 5 && a.instant > 0, "{}", a.details());
    assert!(
        a.rejected > 0 && a.refunds > 0 && a.retries > 0,
        "{}",
        a.details()
    );
    assert_eq!(a.anomalies, 0, "{}", a.details());
    // Points: earned on settle, awarded by the performer, some redeemed.
    assert!(
        a.points_earned > 0 && a.points_awarded > 0 && a.redeems > 0,
        "{}",
        a.line()
    );
    assert_eq!(a.points_redeemed, a.redeems * 20);
    assert_eq!(a.line(), b.line());
    assert_eq!(a, b, "every counter agrees, not just the final line");
    assert_eq!(
        history_a, history_b,
        "the same items went through the same states"
    );
    // Reward items paid in points are items too.
    assert_eq!(history_a.len() as u64, a.intakes + a.instant + a.redeems);

    let (c, history_c) = run_on_fresh_server("chaos", 8, Pace::Max, settings).await;
    assert_ne!(a.line(), c.line());
    assert_ne!(history_a, history_c);
}

#[tokio::test(flavor = "multi_thread")]
async fn pacing_changes_when_requests_go_out_not_what_goes_out() {
    let settings = RoomSettings::default();
    let fresh = Fresh::start(settings).await;
    let fast = run(options(fresh.url(), "rush-hour", 3, 30.0))
        .await
        .unwrap();
    fresh.stop().await;
    let fresh = Fresh::start(settings).await;
    let mut paced = options(fresh.url(), "rush-hour", 3, 30.0);
    // 30 simulated seconds in about a tenth of a second of wall time.
    paced.pace = Pace::RealTime { speed: 300.0 };
    let paced = run(paced).await.unwrap();
    fresh.stop().await;
    assert!(fast.intakes + fast.instant > 0, "{}", fast.details());
    assert_eq!(fast, paced);
}

/// Every token minted is in a wallet, in escrow or earned, after a chaos
/// run in which the server also refunds by itself: leavers' items at once
/// (no grace) and every waiting item when the broadcast drops.
#[tokio::test(flavor = "multi_thread")]
async fn the_ledger_balances_after_a_chaos_run() {
    let settings = RoomSettings {
        leave_grace_ms: 0,
        offline_grace_ms: 0,
        ..RoomSettings::default()
    };
    let fresh = Fresh::start(settings).await;
    let admin = fresh.admin();
    let mut opts = options(fresh.url(), "chaos", 11, 900.0);
    opts.viewers = 16;
    let summary = run(opts).await.expect("the run completes");
    assert_eq!(summary.anomalies, 0, "{}", summary.details());

    // Read everything again through the API, independently of the summary.
    let mut wallets = 0;
    for i in 0..16 {
        let user = UserId::new(format!("sim11-{ROOM}-v{i}"));
        wallets += admin.balance(&user).await.unwrap().tokens;
    }
    assert_eq!(wallets, summary.final_balance_total);
    let snapshot = admin.snapshot(&RoomId::new(ROOM)).await.unwrap();
    let totals = snapshot.totals;
    assert_eq!(
        wallets + totals.escrow + totals.earned,
        summary.minted,
        "wallets {wallets} + escrow {} + earned {} != minted {}",
        totals.escrow,
        totals.earned,
        summary.minted
    );
    // Escrow is exactly what the open items cost.
    let open: u64 = snapshot.waiting.iter().map(|i| i.token_cost).sum::<u64>()
        + snapshot
            .in_progress
            .as_ref()
            .map_or(0, |r| r.item.token_cost);
    assert_eq!(open, totals.escrow);

    // The run went through every path the scenario promises.
    let history = history(&admin).await;
    for reason in [RefundReason::SystemAuto, RefundReason::Dispute] {
        let tag = format!("reason=Some({reason:?})");
        assert!(
            history.iter().any(|line| line.contains(&tag)),
            "no {reason:?} refund; {}",
            summary.details()
        );
    }
    assert!(
        summary.leaves > 0 && summary.joins > 16,
        "{}",
        summary.details()
    );
    assert!(
        summary.insufficient > 0 && summary.top_ups > 0,
        "{}",
        summary.details()
    );
    assert!(
        summary.conflicts > 0 && summary.broadcast_drops > 0,
        "{}",
        summary.details()
    );
    fresh.stop().await;
}

/// The demo's use: no end, no simulated performer, stopped from outside.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_without_an_end_stops_when_cancelled() {
    let fresh = Fresh::start(RoomSettings::default()).await;
    let mut opts = SimOptions::for_demo(fresh.url(), ROOM, ADMIN);
    assert!(!opts.performer && opts.seconds.is_none());
    // Quicker than the demo, so the test does not wait.
    opts.rate_per_min = 600.0;
    opts.pace = Pace::RealTime { speed: 20.0 };
    let (stop, cancel) = watch::channel(false);
    let (progress_tx, mut progress) = watch::channel(Summary::default());
    let task = tokio::spawn(sim::run_with_progress(opts, cancel, Some(progress_tx)));
    // Wait (on progress, not on a clock) until purchases have arrived.
    progress
        .wait_for(|s| s.intakes + s.instant >= 3)
        .await
        .expect("progress arrives");
    stop.send(true).unwrap();
    let summary = task.await.unwrap().expect("a cancelled run still sums up");
    assert!(summary.intakes + summary.instant >= 3);
    assert_eq!(summary.started, 0, "nobody performs in the demo's mode");
    assert!(summary.ledger_balanced(), "{}", summary.details());
    fresh.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn load_mode_reports_throughput_and_percentiles() {
    let fresh = Fresh::start(RoomSettings::default()).await;
    let report = load::run(
        LoadOptions {
            server: fresh.url().into(),
            room: "bench".into(),
            token: ADMIN.into(),
            rooms: 3,
            viewers: 4,
            rate_per_min: 3_000.0,
            seconds: 1.0,
            seed: 1,
            concurrency: 16,
            tag: None,
        },
        watch::channel(false).1,
    )
    .await
    .expect("load runs");
    assert_eq!(report.sent, 50);
    assert_eq!(report.accepted, 50, "{report}");
    let latency = report.latency.expect("samples");
    assert_eq!(latency.count, 50);
    assert!(latency.p50_us <= latency.p99_us && latency.p99_us <= latency.max_us);
    assert!(report.throughput() > 0.0);
    let text = report.to_string();
    assert!(text.contains("p99="), "{text}");
    // Every room got its share.
    let admin = fresh.admin();
    for k in 1..=3 {
        let room = RoomId::new(format!("bench-{k}"));
        let snapshot = admin.snapshot(&room).await.unwrap();
        assert!(
            snapshot.totals.escrow + snapshot.totals.earned > 0,
            "{room}"
        );
    }
    fresh.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_without_the_admin_role_are_refused_clearly() {
    let fresh = Fresh::start(RoomSettings::default()).await;
    let integration = fresh
        .admin()
        .create_token(&CreateToken {
            role: "integration".into(),
            room: None,
            rooms: vec![],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let options = SimOptions::new(fresh.url(), ROOM, integration.clone());
    assert!(
        !format!("{options:?}").contains(&integration),
        "Debug shows no token"
    );
    let err = run(options).await.unwrap_err();
    assert!(matches!(err, SimError::Token(_)), "{err:?}");
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("admin token"), "{err}");

    let err = run(SimOptions::new(fresh.url(), ROOM, "cdk_not_a_token"))
        .await
        .unwrap_err();
    assert!(matches!(err, SimError::Token(_)), "{err:?}");
    assert!(
        err.to_string().contains("does not know this token"),
        "{err}"
    );
    fresh.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_not_there_is_a_runtime_failure() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = ServerUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let err = run(SimOptions::new(url, ROOM, ADMIN)).await.unwrap_err();
    assert!(matches!(err, SimError::Unreachable { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("cannot reach"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_options_are_usage_errors_before_any_request() {
    // Nothing listens here; a usage error must come before trying.
    let url = ServerUrl::parse("http://127.0.0.1:9").unwrap();
    for (what, change) in [
        (
            "viewers",
            Box::new(|o: &mut SimOptions| o.viewers = 0) as Box<dyn Fn(&mut SimOptions)>,
        ),
        (
            "room",
            Box::new(|o: &mut SimOptions| o.room = "a room".into()),
        ),
        (
            "room",
            Box::new(|o: &mut SimOptions| o.room = "r".repeat(120)),
        ),
        (
            "rate",
            Box::new(|o: &mut SimOptions| o.rate_per_min = f64::NAN),
        ),
        (
            "seconds",
            Box::new(|o: &mut SimOptions| o.seconds = Some(0.0)),
        ),
    ] {
        let mut opts = SimOptions::new(url.clone(), ROOM, ADMIN);
        change(&mut opts);
        let err = run(opts).await.unwrap_err();
        assert!(matches!(err, SimError::Usage(_)), "{what}: {err:?}");
        assert_eq!(err.exit_code(), 2);
    }
}

/// Tippers: the same seed tips the same amounts, every tip is accepted or
/// refused by name, and the ledger still balances with tips in the lane.
#[tokio::test(flavor = "multi_thread")]
async fn tippers_tip_deterministically_and_the_ledger_balances() {
    let mut tipping = Scenario::load("quiet").unwrap();
    tipping.tips.per_min = 40.0;
    tipping.tips.special = 0.2;
    let mut summaries = Vec::new();
    for _ in 0..2 {
        let fresh = Fresh::start(RoomSettings::default()).await;
        let mut opts = options(fresh.url(), "quiet", 5, 120.0);
        opts.scenario = tipping.clone();
        let summary = run(opts).await.expect("the run completes");
        let admin = fresh.admin();
        let snapshot = admin.snapshot(&RoomId::new(ROOM)).await.unwrap();
        let mut wallets = 0;
        for i in 0..12 {
            let user = UserId::new(format!("sim5-{ROOM}-v{i}"));
            wallets += admin.balance(&user).await.unwrap().tokens;
        }
        let totals = snapshot.totals;
        assert_eq!(wallets + totals.escrow + totals.earned, summary.minted);
        let lane: u64 = snapshot
            .lane
            .waiting
            .iter()
            .map(|t| t.item.token_cost)
            .sum();
        assert!(lane > 0 && totals.escrow >= lane, "toy tips wait in escrow");
        let levels = admin.tip_levels(&RoomId::new(ROOM)).await.unwrap();
        assert_eq!(levels.version, 1, "the preset ladder was chosen once");
        summaries.push((summary, snapshot.lane.waiting.len()));
        fresh.stop().await;
    }
    let (first, waiting) = &summaries[0];
    assert!(first.tips > 20, "{}", first.details());
    assert_eq!(first.anomalies, 0);
    assert_eq!(
        summaries[0], summaries[1],
        "same seed, same run: {waiting} waiting"
    );
}
