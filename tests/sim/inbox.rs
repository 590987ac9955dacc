//! Simulated viewers read their inboxes: most connect their stream, take
//! their private messages at each tier's time and mark some read; the
//! counts per tier are the same for a seed run after run.

use cuedeck::client::ServerUrl;
use cuedeck::server::{self, ServerConfig};
use cuedeck::sim::{self, Pace, Scenario, SimOptions};
use cuedeck::store::Synchronous;
use tokio::sync::watch;

const ADMIN: &str = "admin-token-for-sim-tests-02";

async fn run_once(seed: u64) -> (String, u64) {
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(ADMIN.into()),
        synchronous: Synchronous::Normal,
        ..ServerConfig::default()
    };
    // The tiers a few milliseconds apart: the test waits for frames, not
    // for the shipped 30 s.
    let delivery = &mut config.messages.delivery;
    delivery.premium.delay_ms = 10;
    delivery.basic.delay_ms = 20;
    delivery.free.delay_ms = 30;
    let dir = tempfile::tempdir().unwrap();
    let server = server::start(config, dir.path().join("cuedeck.db"))
        .await
        .unwrap();
    let url = ServerUrl::parse(&server.url()).unwrap();
    let options = SimOptions {
        viewers: 16,
        rate_per_min: 30.0,
        seed,
        scenario: Scenario::load("quiet").unwrap(),
        seconds: Some(120.0),
        pace: Pace::Max,
        inbox: true,
        ..SimOptions::new(url, "inbox-room", ADMIN)
    };
    let (_stop, cancel) = watch::channel(false);
    let summary = sim::run(options, cancel).await.unwrap();
    server.stop().await;
    let delivered = summary.inbox.iter().map(|c| c.delivered).sum();
    (summary.inbox_line(), delivered)
}

#[tokio::test(flavor = "multi_thread")]
async fn inbox_counts_per_tier_are_the_same_for_a_seed() {
    let (first, delivered) = run_once(7).await;
    let (second, _) = run_once(7).await;
    assert_eq!(first, second);
    assert!(delivered > 0, "{first}");
    let read: u64 = first
        .split(' ')
        .map(|t| t.split(['=', '/']).nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(read > 0 && read < delivered, "some read, not all: {first}");
}
