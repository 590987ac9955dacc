//! The spinners against a real server: every tier spun, refusals inside the
//! cooldown counted and charging nothing, retries answering the same spin,
//! and the tokens conserved.

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::server::{self, ServerConfig};
use cuedeck::sim::spins::{self, SpinOptions};
use cuedeck::store::Synchronous;
use tokio::sync::watch;

const ADMIN: &str = "admin-token-for-spin-tests-1";
const ROOM: &str = "show";

#[tokio::test(flavor = "multi_thread")]
async fn spinners_spin_every_tier_meet_cooldowns_and_retry_the_same_spin() {
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(ADMIN.into()),
        synchronous: Synchronous::Normal,
        ..ServerConfig::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let server = server::start(config, dir.path().join("cuedeck.db"))
        .await
        .unwrap();
    let url = ServerUrl::parse(&server.url()).unwrap();
    let admin = RestClient::new(url.clone(), ADMIN);
    admin.create_room(ROOM, "p1").await.unwrap();
    admin.broadcast(&ROOM.into(), true).await.unwrap();

    let (_cancel, cancelled) = watch::channel(false);
    let options = SpinOptions {
        server: url.into(),
        room: ROOM.into(),
        token: ADMIN.into(),
        viewers: 12,
        spins: Some(120),
        seed: 11,
        pause_ms: 0,
        tag: "t".into(),
    };
    let summary = spins::run(options, cancelled).await.unwrap();
    // Twelve viewers, two games with cooldowns of a minute or more: each
    // viewer spins each game at most once; everything else meets a cooldown.
    assert!(
        summary.spins <= 24 && summary.spins >= 12,
        "{}",
        summary.line()
    );
    assert!(
        summary.by_tier.iter().all(|n| *n > 0),
        "every tier: {}",
        summary.line()
    );
    assert!(summary.cooldown_refused >= 96, "{}", summary.line());
    assert_eq!(summary.other_refused, 0, "{}", summary.line());
    assert_eq!(summary.retries_different, 0, "{}", summary.line());
    assert!(summary.retries_same >= 1, "{}", summary.line());

    // Money: the escrow holds exactly what the viewers paid.
    let mut paid = 0;
    for v in 0..12 {
        let b = admin
            .balance(&format!("t-spinner{v}").as_str().into())
            .await
            .unwrap();
        paid += 1_000_000 - b.tokens;
    }
    let totals = admin.snapshot(&ROOM.into()).await.unwrap().totals;
    assert_eq!(totals.escrow + totals.earned, paid);
    assert!(paid > 0);
    server.stop().await;
}
