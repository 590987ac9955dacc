//! The Intiface backend against the real buttplug server (`real_engine`),
//! with Max Ping Time 0 (the engine's and Intiface Central's default: no
//! ping timer) and 1000 ms: scan, levels per output, the final stop, a
//! dropped link, a console that hangs, and a pattern of several seconds.
//! What the simulated toy received is checked, not what cuedeck meant.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Pattern, Timing, ToyEffect};
use cuedeck::toy::ToyHandle;
use cuedeck::toy::codec::Level;
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::identify::{Identity, Source};
use cuedeck::toy::intiface::{self, NO_PING_TIMER, PingTimer, SCAN_FOR, Session};
use cuedeck::toy::intiface_transport::IntifaceTransport;
use cuedeck::toy::plan::Shape;
use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
use tokio::time::{Instant, sleep};

use super::real_engine::{Engine, Received};

/// Polls `cond` until it holds or `within` passes; says what it waited for.
pub(super) async fn wait_for(what: &str, within: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(20)).await;
    }
}

const SOON: Duration = Duration::from_secs(5);

/// The engine with one simulated toy, and cuedeck driving it.
async fn rig(max_ping_ms: u32, code: &str) -> (Engine, Received, Arc<Session>, ToyHandle) {
    let mut engine = Engine::start(max_ping_ms).await;
    let session = intiface::connect(&engine.url).await.unwrap();
    // The toy joins while the server scans, as a user switches it on.
    let (device, received) = tokio::join!(session.find(None, SCAN_FOR), async {
        sleep(Duration::from_millis(100)).await;
        engine.add_toy(code).await
    });
    let device = device.expect("the simulated toy found");
    let transport = IntifaceTransport::new(session.clone(), &device);
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.set_identity(Identity {
        model: device.spec().model,
        firmware: None,
        source: Source::DeviceList,
    });
    (engine, received, session, toy)
}

fn got(received: &Received, cmd: &str) -> bool {
    received.motion().iter().any(|c| c == cmd)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_finds_the_simulated_toy_with_and_without_a_ping_timer() {
    for ping in [0, 1000] {
        let mut engine = Engine::start(ping).await;
        let session = intiface::connect(&engine.url).await.unwrap();
        let _received = engine.add_toy("Z").await;
        let devices = session.scan(Duration::from_secs(2)).await.unwrap();
        let names: Vec<_> = devices.iter().map(|d| d.name.clone()).collect();
        assert!(
            names.iter().any(|n| n.contains("Hush")),
            "ping {ping}: {names:?}"
        );
        session.disconnect().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_reach_every_output_and_keep_coming_without_a_ping_timer() {
    for ping in [0, 1000] {
        let (_engine, received, session, toy) = rig(ping, "A").await;
        toy.set_level(Level::new(8).unwrap());
        wait_for("both outputs at 8", SOON, || {
            got(&received, "Vibrate:8;") && got(&received, "Rotate:8;")
        })
        .await;
        // Well past the first pings: a server without a ping timer has
        // answered "not running" by now, and cuedeck drives on.
        let expected = if ping == 0 {
            PingTimer::Off
        } else {
            PingTimer::Running
        };
        wait_for("the ping timer known", SOON, || {
            session.ping_timer() == expected
        })
        .await;
        assert!(!session.is_lost(), "ping {ping}");
        toy.set_level(Level::new(12).unwrap());
        wait_for("the next level", SOON, || got(&received, "Vibrate:12;")).await;
        let notice = toy.status().borrow().notice.clone();
        if ping == 0 {
            assert_eq!(notice.as_deref(), Some(NO_PING_TIMER));
        } else {
            assert_eq!(notice, None);
        }

        // The final stop: every output at 0 on the toy itself.
        toy.shutdown().await;
        wait_for("the toy stopped", SOON, || {
            let m = received.motion();
            let last_v = m.iter().rposition(|c| c.starts_with("Vibrate:"));
            let last_r = m.iter().rposition(|c| c.starts_with("Rotate:"));
            last_v.is_some_and(|i| m[i] == "Vibrate:0;")
                && last_r.is_some_and(|i| m[i] == "Rotate:0;")
        })
        .await;
        assert!(session.is_lost() || !toy.status().borrow().connected);
    }
}

/// Runs the toy at 10, cuts the link, and waits for the engine's stop (it
/// stops the device when its client goes).
async fn drop_the_link_at_level_10(engine: &Engine, received: &Received, toy: &ToyHandle) {
    toy.set_level(Level::new(10).unwrap());
    wait_for("level 10", SOON, || got(received, "Vibrate:10;")).await;
    engine.cut();
    wait_for("the device stopped", SOON, || {
        received.last().as_deref() == Some("Vibrate:0;")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_link_stops_the_device() {
    for ping in [0, 1000] {
        let (engine, received, session, toy) = rig(ping, "Z").await;
        drop_the_link_at_level_10(&engine, &received, &toy).await;
        // cuedeck sees the loss, says so, and holds nothing open.
        wait_for("cuedeck to see the loss", SOON, || {
            session.is_lost() && !toy.status().borrow().connected
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_server_is_reconnected_with_backoff_and_driven_again() {
    let (engine, received, _session, toy) = rig(0, "Z").await;
    drop_the_link_at_level_10(&engine, &received, &toy).await;
    wait_for("the strip to say it reconnects", SOON, || {
        let s = toy.status().borrow().clone();
        !s.connected && s.notice.is_some_and(|n| n.contains("reconnecting"))
    })
    .await;
    wait_for("the link back", Duration::from_secs(10), || {
        toy.status().borrow().connected
    })
    .await;
    // Nothing resumed by itself; the next effect drives the toy again.
    assert_eq!(received.last().as_deref(), Some("Vibrate:0;"));
    toy.set_level(Level::new(7).unwrap());
    wait_for("level 7 after reconnecting", SOON, || {
        received.last().as_deref() == Some("Vibrate:7;")
    })
    .await;
    // The new session learns again that the server has no ping timer.
    wait_for("the ping warning back", SOON, || {
        toy.status().borrow().notice.as_deref() == Some(NO_PING_TIMER)
    })
    .await;
    toy.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_console_is_stopped_by_a_server_with_a_ping_timer() {
    let (engine, received, _session, toy) = rig(1000, "Z").await;
    toy.set_level(Level::new(9).unwrap());
    wait_for("level 9", SOON, || got(&received, "Vibrate:9;")).await;
    engine.freeze();
    let frozen = Instant::now();
    wait_for("the ping timeout's stop", SOON, || {
        received.last().as_deref() == Some("Vibrate:0;")
    })
    .await;
    // Max Ping Time 1000: the stop comes about a second after the last ping.
    assert!(frozen.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pattern_of_several_seconds_plays_to_its_end_then_stops() {
    for ping in [0, 1000] {
        let (_engine, received, session, toy) = rig(ping, "Z").await;
        let scheduler = spawn_scheduler(SchedulerConfig::default());
        scheduler.add_toy(toy.clone());
        let d_ms = 4_000;
        let effect = ToyEffect {
            enabled: true,
            timing: Timing::Start,
            intensity: Some(16),
            duration_ms: Some(d_ms),
            device_vendor: None,
            pattern: None,
        };
        let start = Instant::now();
        scheduler.item_started_shaped(
            ItemId(0),
            start,
            d_ms,
            Arc::from([effect]),
            vec![Some(Shape::Builtin(Pattern::Wave))],
        );
        wait_for("the item's end", Duration::from_secs(8), || {
            start.elapsed() > Duration::from_millis(d_ms + 500)
                && received.last().as_deref() == Some("Vibrate:0;")
        })
        .await;
        // Levels kept changing over the whole item, not only its start.
        let all = received.all();
        let moving: Vec<_> = all
            .iter()
            .filter(|(_, c)| c.starts_with("Vibrate:") && c != "Vibrate:0;")
            .collect();
        let last_moving = moving.last().expect("levels sent").0;
        assert!(
            last_moving.duration_since(start) > Duration::from_millis(3_000),
            "ping {ping}: last level after {:?}",
            last_moving.duration_since(start)
        );
        assert!(moving.len() >= 10, "ping {ping}: {} levels", moving.len());
        assert!(!session.is_lost(), "ping {ping}");
        scheduler.exit().await;
    }
}

/// Serves the real engine by hand, printing what the simulated toy gets:
/// `CUEDECK_ENGINE_PING=0 CUEDECK_ENGINE_TOY=Z cargo test --test toy --
/// --ignored serve_the_real_engine --nocapture`, then `cuedeck toy test
/// --intiface <printed url>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "serves until killed"]
async fn serve_the_real_engine() {
    let ping = std::env::var("CUEDECK_ENGINE_PING")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let code = std::env::var("CUEDECK_ENGINE_TOY").unwrap_or_else(|_| "Z".to_owned());
    let mut engine = Engine::start(ping).await;
    let received = engine.add_toy(&code).await;
    println!("engine (Max Ping Time {ping}) at {}", engine.url);
    let start = Instant::now();
    let mut shown = 0;
    loop {
        let all = received.all();
        for (at, cmd) in &all[shown..] {
            println!(
                "toy got {cmd} at {} ms",
                at.duration_since(start).as_millis()
            );
        }
        shown = all.len();
        sleep(Duration::from_millis(100)).await;
    }
}
