//! `cargo bench --bench games`
//!
//! Durable spins per second over HTTP against durable chip-menu purchases
//! per second, in the same run, against one real `cuedeck serve` on
//! loopback: the same viewers, the same concurrency, each request answered
//! only after its commit. Spins use a wheel without a cooldown (so one
//! viewer may spin again at once); purchases a queue-ON menu item without
//! a daily limit. The two kinds alternate over several rounds and the
//! median of each is printed:
//!
//! `games spins_per_s=.. purchases_per_s=.. ratio=..` (target ratio >= 0.8)

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::protocol::CreateToken;
use serde_json::json;

#[path = "support/http_rate.rs"]
mod http_rate;
use http_rate::median;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN: &str = "bench-admin-token-000000";
const ROOM: &str = "bench";
const VIEWERS: usize = 32;
const PER_VIEWER: usize = 100;
const ROUNDS: usize = 8;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Spin,
    Purchase,
}

/// One batch of `kind`, all viewers at once; requests per second.
async fn batch(url: &ServerUrl, tokens: &[String], kind: Kind, round: usize) -> f64 {
    let (path, body): (String, fn(usize) -> serde_json::Value) = match kind {
        Kind::Spin => (
            format!("/api/v1/rooms/{ROOM}/games/spin_wheel/spin"),
            |n| json!({"tier": 1 + (n % 2)}),
        ),
        Kind::Purchase => (
            format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase"),
            |_| json!({}),
        ),
    };
    let prefix = match kind {
        Kind::Spin => format!("spin-r{round}"),
        Kind::Purchase => format!("purchase-r{round}"),
    };
    http_rate::batch(url, tokens, &path, &prefix, PER_VIEWER, body).await
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = cuedeck::server::ServerConfig {
            listen: "127.0.0.1:0".into(),
            admin_token: Some(ADMIN.into()),
            ..Default::default()
        };
        let server = cuedeck::server::start(config, dir.path().join("bench.db"))
            .await
            .unwrap();
        let url = ServerUrl::parse(&server.url()).unwrap();
        let admin = RestClient::new(url.clone(), ADMIN);
        admin.create_room(ROOM, "perf").await.unwrap();
        admin.broadcast(&ROOM.into(), true).await.unwrap();
        let mut tokens = Vec::new();
        for v in 0..VIEWERS {
            let user = format!("viewer{v}");
            admin.mint(&user, 1 << 40, None).await.unwrap();
            let spec = CreateToken {
                role: "viewer".into(),
                room: None,
                rooms: vec![],
                user: Some(user.as_str().into()),
                expires_at: None,
            };
            tokens.push(admin.create_token(&spec).await.unwrap().token);
        }
        let wheel = json!({
            "game": "spin_wheel", "version": 0, "cooldownSecs": 0,
            "tiers": [{"cost": 5}, {"cost": 20}],
            "prizes": [
                {"id": 1, "title": "Smile", "rank": 1},
                {"id": 2, "title": "Wink", "rank": 3},
                {"id": 3, "title": "Dance", "rank": 6},
                {"id": 4, "title": "Show", "rank": 9}
            ]
        });
        let menu = json!({
            "name": "Bench", "queueMode": "on",
            "items": [{"title": "Dance", "baseTokens": 5}]
        });
        for (path, body, method) in [
            (
                format!("/api/v1/rooms/{ROOM}/games/spin_wheel"),
                wheel,
                reqwest::Method::PUT,
            ),
            (
                format!("/api/v1/rooms/{ROOM}/menus"),
                menu,
                reqwest::Method::POST,
            ),
        ] {
            let (status, answer) = admin
                .raw(
                    method,
                    &path,
                    None,
                    Some(serde_json::to_vec(&body).unwrap()),
                )
                .await
                .unwrap();
            assert!(status.is_success(), "{path}: {answer}");
        }
        // Warm-up, not counted.
        batch(&url, &tokens[..4], Kind::Purchase, 99).await;
        batch(&url, &tokens[..4], Kind::Spin, 99).await;
        // The kinds take turns going first, so neither always meets the
        // longer queue.
        let (mut spins, mut purchases) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            if round % 2 == 0 {
                purchases.push(batch(&url, &tokens, Kind::Purchase, round).await);
                spins.push(batch(&url, &tokens, Kind::Spin, round).await);
            } else {
                spins.push(batch(&url, &tokens, Kind::Spin, round).await);
                purchases.push(batch(&url, &tokens, Kind::Purchase, round).await);
            }
        }
        eprintln!("purchases_per_s each round: {purchases:.0?}");
        eprintln!("spins_per_s each round: {spins:.0?}");
        let (s, p) = (median(spins), median(purchases));
        println!(
            "games spins_per_s={s:.0} purchases_per_s={p:.0} ratio={:.2}",
            s / p
        );
        server.stop().await;
    });
}
