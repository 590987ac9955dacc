//! `cuedeck serve migrate`: a database the simulator filled moves from
//! SQLite to PostgreSQL, is checked, and a server on it serves the same room.

use std::process::Command;

use cuedeck::domain::RoomId;
use cuedeck::server;
use cuedeck::sim::{self, Pace, Scenario, SimOptions};
use cuedeck::store::Database;
use cuedeck::store::sql::{ConnExt, params};
use tokio::sync::watch;

use crate::support::postgres;
use crate::support::{ADMIN, ROOM, TestServer, db};

fn migrate(from: &std::path::Path, to: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(["serve", "migrate", "--from"])
        .arg(from)
        .args(["--to", to])
        .output()
        .expect("cuedeck runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_room_moves_to_postgres_checked_and_serves_the_same() {
    let mut fresh = TestServer::start_on_sqlite().await;
    let options = SimOptions {
        viewers: 12,
        rate_per_min: 30.0,
        seed: 11,
        scenario: Scenario::load("rush-hour").unwrap(),
        seconds: Some(900.0),
        pace: Pace::Max,
        ..SimOptions::new(fresh.url(), crate::support::ROOM, ADMIN)
    };
    let (_stop, cancel) = watch::channel(false);
    let summary = sim::run(options, cancel).await.expect("the simulation ran");
    let admin = fresh.client(ADMIN);
    let room = RoomId::new(ROOM);
    let before = admin.snapshot(&room).await.unwrap();
    assert!(
        before.seq > 20,
        "the simulation made a history: {summary:?}"
    );
    let wallets_before = admin.balance(&"u1".into()).await.unwrap();
    let config = fresh.config.clone();
    fresh.server.take().unwrap().stop().await;

    let url = postgres::shared().fresh_url("migrate_sim");
    let file = db(&fresh.dir);
    let (ok, stdout, stderr) = tokio::task::block_in_place(|| migrate(&file, &url));
    println!("{stdout}{stderr}");
    assert!(ok, "{stdout}{stderr}");
    for line in [
        "balances: same",
        "items: same",
        "events: same",
        "commands: same",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    assert!(stdout.contains("idempotency keys: same"), "{stdout}");
    assert!(stdout.contains("rebuilt on PostgreSQL"), "{stdout}");

    // A second move into the now filled database is refused.
    let (ok, _, stderr) = tokio::task::block_in_place(|| migrate(&file, &url));
    assert!(!ok);
    assert!(stderr.contains("is not empty"), "{stderr}");

    let target = tokio::task::block_in_place(|| Database::parse(&url)).unwrap();
    let mut config = config;
    config.listen = "127.0.0.1:0".into();
    let server = server::start(config, target.clone())
        .await
        .expect("the server starts on the moved database");
    let moved = cuedeck::client::RestClient::new(
        cuedeck::client::ServerUrl::parse(&server.url()).unwrap(),
        ADMIN,
    );
    assert_eq!(moved.snapshot(&room).await.unwrap(), before);
    assert_eq!(moved.balance(&"u1".into()).await.unwrap(), wallets_before);
    server.stop().await;

    // The check can fail: one posting changed on the PostgreSQL side.
    let checks = tokio::task::block_in_place(|| {
        target
            .conn()
            .unwrap()
            .execute(
                "UPDATE items SET settled = settled + 1 WHERE id = (SELECT min(id) FROM items)",
                params![],
            )
            .unwrap();
        cuedeck::store::migrate::compare(&file, &target).unwrap()
    });
    let items = checks.iter().find(|c| c.what == "items").unwrap();
    assert!(!items.same, "{items:?}");
    tokio::task::block_in_place(move || drop(target));
}
