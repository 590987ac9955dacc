//! Scripted exchanges: the driver against a fake transport that records
//! every write and lets the test speak for the toy. Exact bytes, exact
//! order, exact (paused) times.

use std::time::Duration;

use cuedeck::toy::codec::{Command, Level};
use cuedeck::toy::device::{DeviceError, DriverConfig, ToyEvent, spawn_toy};
use cuedeck::toy::fake::{FakeRemote, fake_transport};
use cuedeck::toy::identify::{Model, Source};
use cuedeck::toy::{ToyHandle, ToyStatus};
use tokio::sync::broadcast;
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn lv(n: u8) -> Level {
    Level::new(n).unwrap()
}

async fn start() -> (
    ToyHandle,
    FakeRemote,
    broadcast::Receiver<ToyEvent>,
    Instant,
) {
    let t0 = Instant::now();
    let (transport, remote) = fake_transport("LVS-Edge36");
    let (toy, events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    remote.wait_writes(1).await;
    (toy, remote, events, t0)
}

fn since(t0: Instant, writes: Vec<(Instant, String)>) -> Vec<(u64, String)> {
    writes
        .into_iter()
        .map(|(t, w)| (t.duration_since(t0).as_millis() as u64, w))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn opens_with_the_safe_auto_switch_then_paces_levels() {
    let (toy, remote, _events, t0) = start().await;
    assert_eq!(remote.writes(), ["AutoSwith:On:Off;"]);
    remote.notify(b"OK;").await;
    toy.set_level(lv(5));
    remote.wait_writes(2).await;
    toy.set_level(lv(9));
    remote.wait_writes(3).await;
    assert_eq!(
        since(t0, remote.timed_writes()),
        [
            (0, "AutoSwith:On:Off;".into()),
            (100, "Vibrate:5;".into()),
            (200, "Vibrate:9;".into())
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn battery_and_ok_share_the_stream_and_are_matched() {
    let (toy, remote, _events, _) = start().await;
    remote.notify(b"OK;").await;
    toy.set_level(lv(7));
    remote.wait_writes(2).await;
    let battery = tokio::spawn({
        let toy = toy.clone();
        async move { toy.battery().await }
    });
    remote.wait_writes(3).await;
    assert_eq!(
        remote.writes(),
        ["AutoSwith:On:Off;", "Vibrate:7;", "Battery;"]
    );
    // The battery value overtakes the OK for the earlier Vibrate, split in two.
    remote.notify(b"s6").await;
    remote.notify(b"3;OK;").await;
    assert_eq!(battery.await.unwrap(), Ok(63));
    let status: ToyStatus = toy.status().borrow().clone();
    assert_eq!((status.battery, status.level), (Some(63), 7));
}

#[tokio::test(start_paused = true)]
async fn identify_retries_device_type_then_trusts_the_reply() {
    let (toy, remote, _events, t0) = start().await;
    remote.notify(b"OK;").await;
    let id = tokio::spawn({
        let toy = toy.clone();
        async move { toy.identify("LVS-Edge36", 3, ms(500)).await }
    });
    remote.wait_writes(3).await; // AutoSwith, DeviceType (no answer), DeviceType again
    remote.notify(b"P:36:A1B2C3D4E5F6;").await;
    let identity = id.await.unwrap();
    assert_eq!(
        (identity.model, identity.firmware, identity.source),
        (Model::Edge, Some(36), Source::DeviceType)
    );
    assert_eq!(identity.capabilities().vibrators, 2);
    assert_eq!(
        since(t0, remote.timed_writes()),
        [
            (0, "AutoSwith:On:Off;".into()),
            (100, "DeviceType;".into()),
            (500, "DeviceType;".into())
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn identify_falls_back_to_the_name() {
    let (toy, remote, _events, _) = start().await;
    remote.notify(b"OK;").await;
    let identity = toy.identify("LVS-Edge36", 3, ms(500)).await;
    assert_eq!(
        (identity.model, identity.firmware, identity.source),
        (Model::Edge, Some(36), Source::Name)
    );
    assert_eq!(
        remote
            .writes()
            .iter()
            .filter(|w| *w == "DeviceType;")
            .count(),
        3
    );
}

#[tokio::test(start_paused = true)]
async fn err_is_a_refusal_and_garbage_is_reported_not_fatal() {
    let (toy, remote, mut events, _) = start().await;
    remote.notify(b"OK;").await;
    let req = tokio::spawn({
        let toy = toy.clone();
        async move { toy.request(Command::air(2).unwrap()).await }
    });
    remote.wait_writes(2).await;
    remote.notify(b"\xff\x00garbage;").await;
    remote.notify(b"ERR;").await;
    assert_eq!(
        req.await.unwrap(),
        Err(DeviceError::Refused("Air:Level:2;".into()))
    );
    // Still alive after the garbage.
    toy.set_level(lv(3));
    remote.wait_writes(3).await;
    assert_eq!(remote.writes().last().unwrap(), "Vibrate:3;");
    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        seen.push(e);
    }
    assert!(
        seen.iter().any(|e| matches!(e, ToyEvent::BadReply(_))),
        "{seen:?}"
    );
    assert!(
        seen.contains(&ToyEvent::Refused("Air:Level:2;".into())),
        "{seen:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stop_without_ok_is_sent_again() {
    let (toy, remote, _events, t0) = start().await;
    remote.notify(b"OK;").await;
    toy.set_level(lv(8));
    remote.wait_writes(2).await;
    remote.notify(b"OK;").await;
    sleep(ms(500)).await;
    toy.stop_now();
    remote.wait_writes(3).await;
    // No OK for the stop: after the reply timeout (1 s) it goes out again.
    remote.wait_writes(4).await;
    remote.notify(b"OK;").await;
    sleep(ms(5000)).await;
    assert_eq!(
        since(t0, remote.timed_writes()),
        [
            (0, "AutoSwith:On:Off;".into()),
            (100, "Vibrate:8;".into()),
            (600, "Vibrate:0;".into()),
            (1600, "Vibrate:0;".into()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn urgent_stop_skips_the_gap_and_coalescing() {
    let (toy, remote, _events, t0) = start().await;
    remote.notify(b"OK;").await;
    toy.set_level(lv(4));
    remote.wait_writes(2).await;
    sleep(ms(30)).await;
    toy.set_level(lv(12)); // would wait for t=200
    toy.stop_now(); // replaces it and goes now
    remote.wait_writes(3).await;
    sleep(ms(1000)).await;
    assert_eq!(
        since(t0, remote.timed_writes())[..3],
        [
            (0, "AutoSwith:On:Off;".into()),
            (100, "Vibrate:4;".into()),
            (130, "Vibrate:0;".into())
        ]
    );
    assert!(!remote.writes().contains(&"Vibrate:12;".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn disconnect_takes_the_toy_as_stopped_and_reconnect_rearms_safety() {
    let (toy, remote, _events, _) = start().await;
    remote.notify(b"OK;").await;
    toy.set_level(lv(10));
    remote.wait_writes(2).await;
    remote.notify(b"OK;").await;
    remote.disconnect().await;
    sleep(ms(300)).await;
    assert!(!toy.status().borrow().connected);
    remote.reconnect().await;
    remote.wait_writes(3).await;
    sleep(ms(300)).await;
    // Safety re-armed; the old level is not resumed by itself.
    assert_eq!(
        remote.writes(),
        ["AutoSwith:On:Off;", "Vibrate:10;", "AutoSwith:On:Off;"]
    );
    remote.notify(b"OK;").await;
    toy.set_level(lv(10));
    remote.wait_writes(4).await;
    assert_eq!(remote.writes().last().unwrap(), "Vibrate:10;");
}

#[tokio::test(start_paused = true)]
async fn shutdown_always_ends_with_vibrate_zero() {
    let (toy, remote, _events, _) = start().await;
    remote.notify(b"OK;").await;
    toy.set_level(lv(6));
    remote.wait_writes(2).await;
    let r2 = remote.clone();
    tokio::spawn(async move {
        r2.wait_writes(3).await;
        r2.notify(b"OK;").await;
    });
    toy.shutdown().await;
    assert_eq!(
        remote.writes(),
        ["AutoSwith:On:Off;", "Vibrate:6;", "Vibrate:0;"]
    );
    assert!(!toy.status().borrow().connected);
    assert_eq!(toy.request(Command::Battery).await, Err(DeviceError::Gone));
}
