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

use cuedeck::client::ServerUrl;
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
        let setup = vec![(
            format!("/api/v1/rooms/{ROOM}/games/spin_wheel"),
            reqwest::Method::PUT,
            wheel,
        )];
        let http_rate::Shop {
            server,
            url,
            tokens,
            ..
        } = http_rate::shop(ADMIN, ROOM, VIEWERS, setup).await;
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
