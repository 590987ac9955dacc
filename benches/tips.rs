//! `cargo bench --bench tips`
//!
//! Durable toy tips per second over HTTP against durable chip-menu
//! purchases per second, in the same run, against one real `cuedeck serve`
//! on loopback: the same viewers, the same concurrency, each request
//! answered only after its commit. Tips go to a room with the classic
//! ladder, so every one is matched at intake and waits in the toy lane;
//! purchases are a queue-ON menu item without a daily limit. The two kinds
//! alternate over several rounds and the median of each is printed:
//!
//! `tips tips_per_s=.. purchases_per_s=.. ratio=..` (target ratio >= 0.8)
//!
//! The second half of the line (the console lane runner's hand-off from
//! one tip to the next) comes with the runner.

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
    Tip,
    Purchase,
}

/// One batch of `kind`, all viewers at once; requests per second.
async fn batch(url: &ServerUrl, tokens: &[String], kind: Kind, round: usize) -> f64 {
    let (path, body): (String, fn(usize) -> serde_json::Value) = match kind {
        Kind::Tip => (
            format!("/api/v1/rooms/{ROOM}/tips"),
            |n| json!({"amount": 1 + (n % 120)}),
        ),
        Kind::Purchase => (
            format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase"),
            |_| json!({}),
        ),
    };
    let prefix = match kind {
        Kind::Tip => format!("tip-r{round}"),
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
        let menu = json!({
            "name": "Bench", "queueMode": "on",
            "items": [{"title": "Dance", "baseTokens": 5}]
        });
        let ladder: serde_json::Value =
            toml::from_str(include_str!("../config/tips/classic.toml")).unwrap();
        for (path, body, method) in [
            (
                format!("/api/v1/rooms/{ROOM}/tips/levels?version=0"),
                ladder,
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
        batch(&url, &tokens[..4], Kind::Tip, 99).await;
        // The kinds take turns going first, so neither always meets the
        // longer queue.
        let (mut tips, mut purchases) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            if round % 2 == 0 {
                purchases.push(batch(&url, &tokens, Kind::Purchase, round).await);
                tips.push(batch(&url, &tokens, Kind::Tip, round).await);
            } else {
                tips.push(batch(&url, &tokens, Kind::Tip, round).await);
                purchases.push(batch(&url, &tokens, Kind::Purchase, round).await);
            }
        }
        eprintln!("purchases_per_s each round: {purchases:.0?}");
        eprintln!("tips_per_s each round: {tips:.0?}");
        let (t, p) = (median(tips), median(purchases));
        println!(
            "tips tips_per_s={t:.0} purchases_per_s={p:.0} ratio={:.2}",
            t / p
        );
        server.stop().await;
    });
}
