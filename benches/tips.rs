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
//! Then the hand-off: the console's lane runner (headless, over a real
//! socket) drives a virtual toy through back-to-back one-second tips in a
//! room of its own (200 by default; `TIPS_HANDOFFS` sets it), alternating
//! two levels (`Vibrate:10;`, `Vibrate:12;`) so each tip's first command
//! shows at the toy. The gap is taken at the toy: from the moment one tip's
//! run ended (its first command plus its second) to the next tip's first
//! command. Two tips back to back need no stop between them, so a tip's
//! end is its last moment rather than a command of its own:
//!
//! `tips tips_per_s=.. purchases_per_s=.. ratio=.. handoff_p50_us=.. handoff_p99_us=..`
//! (targets: ratio >= 0.8, handoff p99 <= 50 ms)

use cuedeck::client::{RestClient, ServerUrl};
use cuedeck::protocol::CreateToken;
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
        let ladder: serde_json::Value =
            toml::from_str(include_str!("../config/tips/classic.toml")).unwrap();
        let setup = vec![(
            format!("/api/v1/rooms/{ROOM}/tips/levels?version=0"),
            reqwest::Method::PUT,
            ladder,
        )];
        let http_rate::Shop {
            server,
            url,
            admin,
            tokens,
            ..
        } = http_rate::shop(ADMIN, ROOM, VIEWERS, setup).await;
        let action = http_rate::Kind {
            name: "tip",
            path: format!("/api/v1/rooms/{ROOM}/tips"),
            body: |n| json!({"amount": 1 + (n % 120)}),
        };
        let (t, p) = http_rate::versus(
            &url,
            &tokens,
            &action,
            &http_rate::purchase(ROOM),
            ROUNDS,
            PER_VIEWER,
        )
        .await;
        let (p50, p99) = handoffs(&url, &admin, &tokens[0]).await;
        println!(
            "tips tips_per_s={t:.0} purchases_per_s={p:.0} ratio={:.2} handoff_p50_us={p50} handoff_p99_us={p99}",
            t / p
        );
        server.stop().await;
    });
}

/// The lane runner's hand-off over `TIPS_HANDOFFS` back-to-back tips:
/// (p50, p99) in microseconds.
async fn handoffs(url: &ServerUrl, admin: &RestClient, viewer: &str) -> (u64, u64) {
    use cuedeck::toy::device::{DriverConfig, spawn_toy};
    use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
    use cuedeck::toy::virtual_toy::VirtualToy;

    const LANE_ROOM: &str = "lane";
    let count: usize = std::env::var("TIPS_HANDOFFS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    admin.create_room(LANE_ROOM, "perf-lane").await.unwrap();
    admin.broadcast(&LANE_ROOM.into(), true).await.unwrap();
    let two_levels = json!({"levels": [
        {"label": "buzz", "min": 1, "max": 5, "intensity": 10, "durationS": 1},
        {"label": "more", "min": 6, "intensity": 12, "durationS": 1},
    ]});
    let path = format!("/api/v1/rooms/{LANE_ROOM}/tips/levels?version=0");
    let (status, answer) = admin
        .raw(
            reqwest::Method::PUT,
            &path,
            None,
            Some(serde_json::to_vec(&two_levels).unwrap()),
        )
        .await
        .unwrap();
    assert!(status.is_success(), "{path}: {answer}");
    let performer = admin
        .create_token(&CreateToken {
            role: "performer".into(),
            room: Some(LANE_ROOM.into()),
            rooms: vec![],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;

    let (transport, ctl) = VirtualToy::lush("LVS-Bench");
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify("LVS-Bench", 3, std::time::Duration::from_millis(500))
        .await;
    let toys = spawn_scheduler(SchedulerConfig::default());
    toys.add_toy(toy);
    let viewer = RestClient::new(url.clone(), viewer);
    for n in 0..count {
        viewer
            .tip(
                &LANE_ROOM.into(),
                5 + (n % 2) as u64,
                &format!("handoff-{n}"),
            )
            .await
            .unwrap();
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(cuedeck::console::run::run_lane(
        url.clone(),
        performer,
        LANE_ROOM.into(),
        toys.clone(),
        stopped,
    ));
    let deadline =
        std::time::Instant::now() + std::time::Duration::from_secs(count as u64 * 2 + 30);
    let is_on = |w: &str| w == "Vibrate:10;" || w == "Vibrate:12;";
    loop {
        let writes = ctl.writes();
        let ons = writes.iter().filter(|w| is_on(w)).count();
        let ended = writes.last().is_some_and(|w| w == "Vibrate:0;");
        if ons >= count && ended {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lane ran {ons} of {count} tips"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = stop.send(true);
    let _ = runner.await;
    toys.exit().await;
    let tip_length = std::time::Duration::from_secs(1);
    let starts: Vec<_> = ctl
        .timed_writes()
        .into_iter()
        .filter(|(_, w)| is_on(w))
        .map(|(at, _)| at)
        .collect();
    let mut gaps: Vec<u64> = starts
        .windows(2)
        .map(|pair| {
            pair[1]
                .saturating_duration_since(pair[0] + tip_length)
                .as_micros() as u64
        })
        .collect();
    gaps.sort_unstable();
    assert!(!gaps.is_empty(), "no hand-off seen");
    let pick = |q: f64| gaps[((gaps.len() - 1) as f64 * q).round() as usize];
    let stops_between = ctl
        .writes()
        .iter()
        .skip_while(|w| !is_on(w))
        .filter(|w| *w == "Vibrate:0;")
        .count()
        .saturating_sub(1);
    eprintln!(
        "hand-offs measured: {}, stops between tips: {stops_between}, slowest (us): {:?}",
        gaps.len(),
        &gaps[gaps.len().saturating_sub(5)..]
    );
    (pick(0.5), pick(0.99))
}
