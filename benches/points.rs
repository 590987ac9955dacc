//! `cargo bench --bench points`
//!
//! Durable points redemptions per second over HTTP against durable token
//! purchases of the same menu item per second, in the same run, against
//! one real `cuedeck serve` on loopback (the shared `http_rate::shop` and
//! `versus`: the same viewers and concurrency, each answered after its
//! commit, the kinds taking turns going first). Then a viewer's history
//! page (50 rows, newest first) over HTTP when the store holds 1,000 and
//! 100,000 of their entries (`POINTS_HISTORY` sets the larger), the median
//! of 200 requests each:
//!
//! `points redeems_per_s=.. purchases_per_s=.. ratio=.. history_us_1k=.. history_us_100k=..`
//! (targets: ratio >= 0.8; history <= 5 ms at 100k and within 1.3x of 1k)

use std::time::Instant;

use cuedeck::client::RestClient;
use cuedeck::domain::{Actor, Command, Request, Role, Stamp};
use cuedeck::protocol::CreateToken;
use cuedeck::service::QueueService;
use cuedeck::store::{StoreOptions, Synchronous};
use serde_json::json;

#[path = "support/http_rate.rs"]
mod http_rate;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN: &str = "bench-admin-token-000000";
const ROOM: &str = "bench";
const VIEWERS: usize = 32;
const PER_VIEWER: usize = 100;
const ROUNDS: usize = 8;
const PAGES: usize = 200;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // The menu made first is `m1`: its item `m1-1` costs 5 tokens or
        // 5 points, so both kinds buy the very same item.
        let menu = json!({"name": "Points", "queueMode": "on",
            "items": [{"title": "Dance", "baseTokens": 5, "pointsPrice": 5}]});
        let mut setup = vec![(
            format!("/api/v1/rooms/{ROOM}/menus"),
            reqwest::Method::POST,
            menu,
        )];
        for v in 0..VIEWERS {
            let earn = json!({"user": format!("viewer{v}"), "amount": 1u64 << 40,
                "sourceEventId": format!("seed-{v}"), "reason": "bench"});
            setup.push(("/api/v1/points/earn".into(), reqwest::Method::POST, earn));
        }
        let shop = http_rate::shop(ADMIN, ROOM, VIEWERS, setup).await;
        let redeem = http_rate::Kind {
            name: "redeem",
            path: format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase"),
            body: |_| json!({"payWith": "points"}),
        };
        let (r, p) = http_rate::versus(
            &shop.url,
            &shop.tokens,
            &redeem,
            &http_rate::purchase(ROOM),
            ROUNDS,
            PER_VIEWER,
        )
        .await;
        shop.server.stop().await;
        let large: usize = std::env::var("POINTS_HISTORY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let small = history_page_us(1_000).await;
        let big = history_page_us(large).await;
        println!(
            "points redeems_per_s={r:.0} purchases_per_s={p:.0} ratio={:.2} history_us_1k={small} history_us_100k={big}",
            r / p
        );
    });
}

/// The median time of a viewer's first history page over HTTP, with
/// `entries` of theirs in the store (and as many of another viewer's).
async fn history_page_us(entries: usize) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let path = db.clone();
    // The store's acknowledgements block: fill it off the runtime.
    tokio::task::spawn_blocking(move || fill(&path, entries))
        .await
        .unwrap();

    let config = cuedeck::server::ServerConfig {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(ADMIN.into()),
        ..Default::default()
    };
    let server = cuedeck::server::start(config, db).await.unwrap();
    let url = cuedeck::client::ServerUrl::parse(&server.url()).unwrap();
    let admin = RestClient::new(url.clone(), ADMIN);
    let token = admin
        .create_token(&CreateToken {
            role: "viewer".into(),
            room: None,
            rooms: vec![],
            user: Some("reader".into()),
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let http = reqwest::Client::new();
    let page = url.http("/api/v1/points/transactions?limit=50");
    let mut times = Vec::with_capacity(PAGES);
    for n in 0..PAGES + 10 {
        let began = Instant::now();
        let response = http.get(&page).bearer_auth(&token).send().await.unwrap();
        assert!(response.status().is_success());
        let body: serde_json::Value = response.json().await.unwrap();
        let took = began.elapsed().as_secs_f64() * 1e6;
        assert_eq!(body["entries"].as_array().map(Vec::len), Some(50));
        if n >= 10 {
            times.push(took);
        }
    }
    server.stop().await;
    http_rate::median(times) as u64
}

/// `entries` earn events of the reader's, and as many of another viewer's,
/// committed through the store's one writer.
fn fill(db: &std::path::Path, entries: usize) {
    let options = StoreOptions {
        synchronous: Synchronous::Normal,
        max_batch: 512,
        ..StoreOptions::default()
    };
    let mut service = QueueService::open(db, options).unwrap();
    let by = Actor::new(Role::Integration, "bench");
    let now = Stamp::now();
    let mut last = None;
    for n in 0..entries * 2 {
        let user = if n % 2 == 0 { "reader" } else { "other" };
        let command = Command::PointsEarn {
            user: user.into(),
            amount: 1,
            source_event_id: format!("ev-{n}").into(),
            reason: "bench".into(),
            room: None,
            by: by.clone(),
        };
        last = Some(service.execute(now, Request::new(command)).unwrap());
    }
    last.unwrap().wait().unwrap();
    service.close();
}
