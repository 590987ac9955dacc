//! Reconnecting a backend by hand (the console's toy screen): the old link
//! is stopped and closed, the backend connected again, and a running effect
//! resumes only once the toy is back, under the same cap, and not at all
//! after the stop key. Against the real buttplug server (`real_engine`)
//! and the virtual toy.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Timing, ToyEffect};
use cuedeck::toy::connect::Which;
use cuedeck::toy::device::DriverConfig;
use cuedeck::toy::reconnect::reconnect;
use cuedeck::toy::scheduler::{SchedulerConfig, SchedulerHandle, spawn_scheduler};
use tokio::time::{Instant, sleep};

use super::real_engine::{Engine, Received};
use super::real_intiface::wait_for;

const SOON: Duration = Duration::from_secs(5);

/// A 20 s item at intensity 16: under cap 12 the toy gets 12.
fn start_item(toys: &SchedulerHandle) {
    let effect = ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(16),
        duration_ms: Some(20_000),
        device_vendor: None,
        pattern: None,
    };
    toys.item_started(ItemId(1), Instant::now(), 20_000, Arc::from([effect]));
}

fn level_of(cmd: &str) -> Option<u8> {
    cmd.strip_prefix("Vibrate:")?
        .strip_suffix(';')?
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_intiface_stops_closes_and_resumes_under_the_cap_but_not_after_a_stop_key() {
    let mut engine = Engine::start(0).await;
    let toys = spawn_scheduler(SchedulerConfig {
        intensity_cap: 12,
        ..SchedulerConfig::default()
    });
    let which = Which::Intiface {
        url: engine.url.clone(),
        device: None,
    };
    // The first connection; the toy joins while the server scans.
    let (first, received): (_, Received) =
        tokio::join!(reconnect(&toys, &which, DriverConfig::default()), async {
            sleep(Duration::from_millis(100)).await;
            engine.add_toy("Z").await
        });
    first.expect("connected");
    start_item(&toys);
    wait_for("the capped level", SOON, || {
        received.last().as_deref() == Some("Vibrate:12;")
    })
    .await;

    let mark = received.motion().len();
    let again = reconnect(&toys, &which, DriverConfig::default())
        .await
        .expect("reconnected");
    assert!(again.description.contains("via Intiface Central"));
    wait_for("the level again after reconnecting", SOON, || {
        received.motion()[mark..].contains(&"Vibrate:12;".to_owned())
    })
    .await;
    let after = received.motion()[mark..].to_vec();
    let stop = after.iter().position(|c| c == "Vibrate:0;");
    let resumed = after.iter().position(|c| c == "Vibrate:12;");
    assert!(
        stop.is_some() && stop < resumed,
        "stopped before the old link closed, resumed after: {after:?}"
    );
    assert!(after.iter().filter_map(|c| level_of(c)).all(|l| l <= 12));
    assert_eq!(toys.toys().len(), 1, "the old toy is gone");

    // After the stop key a reconnect moves nothing.
    toys.panic_stop();
    wait_for("the stop key's stop", SOON, || {
        received.last().as_deref() == Some("Vibrate:0;")
    })
    .await;
    let mark = received.motion().len();
    reconnect(&toys, &which, DriverConfig::default())
        .await
        .expect("reconnected while stopped");
    sleep(Duration::from_millis(800)).await;
    let after = received.motion()[mark..].to_vec();
    assert!(
        after.iter().filter_map(|c| level_of(c)).all(|l| l == 0),
        "nothing moved after the stop key: {after:?}"
    );
    toys.exit().await;
    assert_eq!(received.last().as_deref(), Some("Vibrate:0;"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_the_virtual_toy_resumes_a_running_effect_under_the_cap() {
    let toys = spawn_scheduler(SchedulerConfig {
        intensity_cap: 12,
        ..SchedulerConfig::default()
    });
    let old = reconnect(&toys, &Which::Virtual, DriverConfig::default())
        .await
        .expect("connected");
    let old_toy = old.virtual_control.expect("virtual");
    start_item(&toys);
    wait_for("the capped level", SOON, || old_toy.intensity() == 12).await;
    let new = reconnect(&toys, &Which::Virtual, DriverConfig::default())
        .await
        .expect("reconnected");
    assert_eq!(old_toy.intensity(), 0, "the old toy was stopped");
    let new_toy = new.virtual_control.expect("virtual");
    wait_for("the effect resumed on the new toy", SOON, || {
        new_toy.intensity() == 12
    })
    .await;
    toys.exit().await;
    assert_eq!(new_toy.intensity(), 0);
}
