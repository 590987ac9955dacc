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
        let action = http_rate::Kind {
            name: "spin",
            path: format!("/api/v1/rooms/{ROOM}/games/spin_wheel/spin"),
            body: |n| json!({"tier": 1 + (n % 2)}),
        };
        let (s, p) = http_rate::versus(
            &url,
            &tokens,
            &action,
            &http_rate::purchase(ROOM),
            ROUNDS,
            PER_VIEWER,
        )
        .await;
        println!(
            "games spins_per_s={s:.0} purchases_per_s={p:.0} ratio={:.2}",
            s / p
        );
        server.stop().await;
    });
}
