//! Intiface Central as a backend, against the scripted server: the
//! handshake, the device list, levels scaled to each output's steps, the
//! ping, stops, bad messages, a refused command, a device or a server that
//! goes away; and hardware mode over a loopback WebSocket.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::toy::ToyHandle;
use cuedeck::toy::codec::{Command, Level};
use cuedeck::toy::device::{DriverConfig, ToyEvent, spawn_toy};
use cuedeck::toy::identify::{Identity, Source};
use cuedeck::toy::intiface::{PING_EVERY, SCAN_FOR, Session};
use cuedeck::toy::intiface_transport::IntifaceTransport;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::time::sleep;

use super::fake_intiface::{FakeIntiface, WAND, wand};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Connects to `fake`, drives its device `name` (the first if `None`).
pub async fn drive(
    fake: &FakeIntiface,
    name: Option<&str>,
) -> (ToyHandle, broadcast::Receiver<ToyEvent>, Arc<Session>) {
    let session = Session::over(fake.transport(), "memory").await.unwrap();
    let device = session.find(name, SCAN_FOR).await.unwrap();
    let transport = IntifaceTransport::new(session.clone(), &device);
    let (toy, events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.set_identity(Identity {
        model: device.spec().model,
        firmware: None,
        source: Source::DeviceList,
    });
    (toy, events, session)
}

fn output(feature: u32, kind: &str, value: i64) -> Value {
    json!({"DeviceIndex": 0, "FeatureIndex": feature, "Command": {kind: {"Value": value}}})
}

/// A command's body without its `Id`.
fn body(v: &Value) -> Value {
    let mut v = v.clone();
    v.as_object_mut().map(|o| o.remove("Id"));
    v
}

fn outputs(fake: &FakeIntiface) -> Vec<Value> {
    fake.commands()
        .into_iter()
        .filter(|(n, _)| n == "OutputCmd")
        .map(|(_, v)| body(&v))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn handshake_device_list_and_levels_scaled_to_each_output() {
    let fake = FakeIntiface::with(wand());
    let (toy, _, session) = drive(&fake, None).await;
    let received = fake.received();
    assert_eq!(received[0].0, "RequestServerInfo");
    assert_eq!(received[0].1["ClientName"], "cuedeck");
    assert_eq!(received[0].1["ProtocolVersionMajor"], 4);
    assert_eq!(received[1].0, "RequestDeviceList");
    let devices = session.devices();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, WAND);
    // The battery is an input, not an output.
    let spec = devices[0].spec();
    let labels: Vec<_> = spec.outputs.iter().map(|o| (o.label, o.max)).collect();
    assert_eq!(labels, [("vibrate", 20), ("rotate", 20)]);
    assert!(toy.label().contains("Test Wand"));

    toy.set_level(Level::new(7).unwrap());
    sleep(ms(500)).await;
    // 7 of 20 is 35 of the vibrator's 100 steps, 7 of the rotation's 20.
    assert_eq!(
        outputs(&fake),
        [output(0, "Vibrate", 35), output(1, "Rotate", 7)]
    );
    assert_eq!(toy.status().borrow().level, 7);

    // A reversible rotation turns the other way on `RotateChange;`.
    toy.reverse_rotation().unwrap();
    sleep(ms(500)).await;
    assert_eq!(outputs(&fake).last(), Some(&output(1, "Rotate", -7)));

    assert_eq!(toy.battery().await, Ok(85));
    toy.shutdown().await;
    let (name, stop) = fake.last_command().unwrap();
    assert_eq!(name, "StopCmd");
    assert!(stop.get("DeviceIndex").is_none(), "StopAllDevices: {stop}");
}

#[tokio::test(start_paused = true)]
async fn the_session_pings_while_it_lives() {
    let fake = FakeIntiface::with(wand());
    fake.set_max_ping(1_000);
    let (_toy, _, session) = drive(&fake, None).await;
    let before = fake.received().iter().filter(|(n, _)| n == "Ping").count();
    sleep(PING_EVERY * 10 + ms(10)).await;
    let timed = fake.timed();
    let pings: Vec<_> = timed.iter().filter(|(_, n, _)| n == "Ping").collect();
    assert!(pings.len() - before >= 9, "{} pings", pings.len());
    // Always well inside the server's limit.
    for pair in pings.windows(2) {
        assert!(
            pair[1].0 - pair[0].0 <= ms(1_000) / 2,
            "{:?}",
            pair[1].0 - pair[0].0
        );
    }
    assert!(!session.is_lost());
}

#[tokio::test(start_paused = true)]
async fn a_scan_finds_a_device_the_server_did_not_know() {
    let fake = FakeIntiface::with(json!({}));
    fake.scan_finds(wand());
    let (toy, _, _) = drive(&fake, Some("test wand")).await;
    assert!(fake.received().iter().any(|(n, _)| n == "StartScanning"));
    toy.set_level(Level::new(20).unwrap());
    sleep(ms(300)).await;
    assert_eq!(outputs(&fake)[0], output(0, "Vibrate", 100));
}

#[tokio::test(start_paused = true)]
async fn no_device_and_bad_addresses_are_clear_errors() {
    let fake = FakeIntiface::with(json!({}));
    let session = Session::over(fake.transport(), "memory").await.unwrap();
    let err = session.find(Some("Nora"), ms(500)).await.unwrap_err();
    assert!(
        err.to_string().contains("no device named \"Nora\""),
        "{err}"
    );
    let err = cuedeck::toy::intiface::connect("wss://example.com:1")
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("ws://"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn bad_server_messages_are_dropped_and_a_refusal_is_reported() {
    let fake = FakeIntiface::with(wand());
    let (toy, mut events, _) = drive(&fake, None).await;
    fake.garbage_next();
    toy.set_level(Level::new(4).unwrap());
    sleep(ms(3_000)).await;
    // The answer was garbage: the driver retried, and the retry went through.
    toy.set_level(Level::new(6).unwrap());
    sleep(ms(500)).await;
    assert_eq!(outputs(&fake).last(), Some(&output(1, "Rotate", 6)));

    fake.refuse_outputs(true);
    toy.set_level(Level::new(9).unwrap());
    sleep(ms(500)).await;
    let mut refused = false;
    while let Ok(e) = events.try_recv() {
        refused |= matches!(e, ToyEvent::Refused(_));
    }
    assert!(refused, "an Error answer is the toy's ERR;");
    assert!(toy.status().borrow().connected);
}

#[tokio::test(start_paused = true)]
async fn a_lost_server_or_device_is_a_disconnect_at_level_zero() {
    let fake = FakeIntiface::with(wand());
    let (toy, _, session) = drive(&fake, None).await;
    toy.set_level(Level::new(10).unwrap());
    sleep(ms(500)).await;
    assert_eq!(toy.status().borrow().level, 10);
    fake.go_away();
    sleep(ms(3_000)).await;
    assert!(session.is_lost());
    let status = toy.status().borrow().clone();
    assert!(!status.connected);
    assert_eq!(status.level, 0);
    let sched = cuedeck::toy::scheduler::spawn_scheduler(Default::default());
    sched.add_toy(toy.clone());
    sleep(ms(50)).await;
    assert!(
        sched.strip_line().contains("(intiface, disconnected)"),
        "{}",
        sched.strip_line()
    );
    // Nothing reaches a lost server, and nothing panics on the way.
    toy.set_level(Level::new(12).unwrap());
    toy.send(Command::Battery).unwrap();
    sleep(ms(500)).await;

    let fake = FakeIntiface::with(wand());
    let (toy, _, session) = drive(&fake, None).await;
    toy.set_level(Level::new(10).unwrap());
    sleep(ms(500)).await;
    fake.remove_devices().await;
    sleep(ms(500)).await;
    assert!(!session.is_lost());
    assert!(!toy.status().borrow().connected);
}

fn cuedeck(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardware_mode_scans_and_tests_over_a_loopback_websocket() {
    let fake = FakeIntiface::with(json!({}));
    fake.scan_finds(wand());
    let url = fake.serve().await;
    let scan_url = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        cuedeck(&["toy", "scan", "--intiface", &scan_url, "--seconds", "1"])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Test Wand") && stdout.contains("vibrate 0..=20 (Vibrate, 100 steps)"),
        "{stdout}"
    );
    assert_eq!(fake.last_command().map(|(n, _)| n), Some("StopCmd".into()));

    let test_url = url.clone();
    let out = tokio::task::spawn_blocking(move || {
        cuedeck(&[
            "toy",
            "test",
            "--intiface",
            &test_url,
            "--intensity",
            "6",
            "--seconds",
            "1",
        ])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("via Intiface Central at ws://"), "{stdout}");
    assert!(
        outputs(&fake).contains(&output(0, "Vibrate", 30)),
        "{:?}",
        fake.commands()
    );
    let (name, stop) = fake.last_command().unwrap();
    assert_eq!(name, "StopCmd");
    assert!(stop.get("DeviceIndex").is_none(), "{stop}");

    // Nothing listens on port 1: "not reachable" is exit code 2.
    let out =
        tokio::task::spawn_blocking(|| cuedeck(&["toy", "scan", "--intiface", "ws://127.0.0.1:1"]))
            .await
            .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not reachable"), "{stderr}");
}

/// For trying hardware mode and the console by hand against the scripted
/// server: `CUEDECK_FAKE_INTIFACE=127.0.0.1:18301 cargo test --test toy --
/// --ignored serve_the_fake_intiface` serves a wand until stopped, printing
/// every command it receives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "serves until stopped; for manual checks"]
async fn serve_the_fake_intiface() {
    let Ok(addr) = std::env::var("CUEDECK_FAKE_INTIFACE") else {
        return;
    };
    let fake = FakeIntiface::with(wand());
    let url = fake.serve_on(&addr).await;
    println!("fake Intiface Central at {url}");
    let mut shown = 0;
    loop {
        sleep(ms(200)).await;
        let received = fake.received();
        for (name, body) in &received[shown..] {
            if name != "Ping" {
                println!("<- {name} {}", body);
            }
        }
        shown = received.len();
    }
}

#[tokio::test(start_paused = true)]
async fn a_linear_stroker_strokes_end_to_end_faster_with_the_level() {
    let fake = FakeIntiface::with(json!({"0": {
        "DeviceName": "Test Stroker", "DeviceIndex": 0, "DeviceMessageTimingGap": 0,
        "DeviceFeatures": {"0": {"FeatureIndex": 0, "FeatureDescription": "Stroke",
            "Output": {"HwPositionWithDuration": {"Value": [0, 100], "Duration": [0, 10000]}}}}
    }}));
    let (toy, _, session) = drive(&fake, None).await;
    assert_eq!(session.devices()[0].spec().outputs[0].label, "thrust");
    toy.set_level(Level::new(20).unwrap());
    // The first stroke within the driver's 100 ms gap, then one per 250 ms.
    sleep(ms(700)).await;
    let stroke = |to: i64, d: i64| {
        json!({"DeviceIndex": 0, "FeatureIndex": 0,
               "Command": {"HwPositionWithDuration": {"Value": to, "Duration": d}}})
    };
    // Up, down, up.
    assert_eq!(
        outputs(&fake),
        [stroke(100, 250), stroke(0, 250), stroke(100, 250)]
    );
    toy.stop_now();
    sleep(ms(1_000)).await;
    assert_eq!(fake.last_command().map(|(n, _)| n), Some("StopCmd".into()));
    assert_eq!(outputs(&fake).len(), 3, "no stroke after the stop");
}
