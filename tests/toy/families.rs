//! Connect and identify for each model family against a scripted toy (the
//! fake transport answering as that model), then an effect level and a
//! stop: exact bytes, the stop at once, every output zeroed.

use std::time::Duration;

use cuedeck::toy::ToyHandle;
use cuedeck::toy::codec::Level;
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::fake::{FakeRemote, fake_transport};
use cuedeck::toy::identify::{Model, Source};
use tokio::time::{Instant, sleep};
use uuid::Uuid;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Answers every write as a toy of `code` would: its DeviceType reply (or
/// nothing, when `None`), `OK;` to the rest.
pub(super) fn script(remote: FakeRemote, device_type: Option<String>) {
    tokio::spawn(async move {
        let mut seen = 0;
        loop {
            remote.wait_writes(seen + 1).await;
            let writes = remote.writes();
            for w in &writes[seen..] {
                match (w.as_str(), &device_type) {
                    ("DeviceType;", Some(reply)) => remote.notify(reply.as_bytes()).await,
                    ("DeviceType;", None) => {}
                    _ => remote.notify(b"OK;").await,
                }
            }
            seen = writes.len();
        }
    });
}

struct Run {
    toy: ToyHandle,
    remote: FakeRemote,
}

async fn connect(name: &str, device_type: Option<&str>) -> Run {
    let (transport, remote) = fake_transport(name);
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    script(remote.clone(), device_type.map(str::to_owned));
    Run { toy, remote }
}

/// Identifies, plays level 8, stops; returns the writes after the
/// identification: (level commands, stop commands) and the stop's delay.
async fn play_and_stop(run: &Run, services: &[Uuid]) -> (Vec<String>, Vec<String>, Duration) {
    let id = run
        .toy
        .identify_advertised(run.toy.label(), services, 3, ms(500))
        .await;
    let before = run.remote.writes().len();
    run.toy.set_level(Level::new(8).unwrap());
    sleep(ms(1000)).await;
    let played = run.remote.writes()[before..].to_vec();
    let stop_at = Instant::now();
    run.toy.stop_now();
    sleep(ms(1000)).await;
    let timed = run.remote.timed_writes();
    let stops: Vec<(Instant, String)> = timed[before + played.len()..].to_vec();
    let delay = stops
        .first()
        .map_or(Duration::MAX, |(t, _)| t.duration_since(stop_at));
    assert_eq!(run.toy.status().borrow().identity.as_ref(), Some(&id));
    (played, stops.into_iter().map(|(_, w)| w).collect(), delay)
}

/// (advertised name, DeviceType reply, model, level 8 commands, stop commands)
type Family = (
    &'static str,
    &'static str,
    Model,
    &'static [&'static str],
    &'static [&'static str],
);

#[tokio::test(start_paused = true)]
async fn each_family_is_identified_driven_and_stopped() {
    let table: &[Family] = &[
        (
            "LVS-Lush3",
            "S:11:0082059AD3BD;",
            Model::Lush,
            &["Vibrate:8;"],
            &["Vibrate:0;"],
        ),
        (
            "LVS-Edge36",
            "P:36:0082059AD3BD;",
            Model::Edge,
            &["Vibrate:8;"],
            &["Vibrate:0;"],
        ),
        (
            "LVS-Gravity",
            "EA:11:0082059AD3BD;",
            Model::Gravity,
            &["Vibrate1:8;", "Vibrate2:8;"],
            &["Vibrate:0;", "Vibrate1:0;", "Vibrate2:0;"],
        ),
        (
            "LVS-C011",
            "C:11:0082059AD3BD;",
            Model::Nora,
            &["Vibrate:8;", "Rotate:8;"],
            &["Vibrate:0;", "Rotate:0;"],
        ),
        (
            "LVS-Ridge1",
            "EL:11:0082059AD3BD;",
            Model::Ridge,
            &["Vibrate:8;", "Rotate:8;"],
            &["Vibrate:0;", "Rotate:0;"],
        ),
        (
            "LVS-B011",
            "B:11:0082059AD3BD;",
            Model::Max,
            &["Vibrate:8;", "Air:Level:1;"],
            &["Vibrate:0;", "Air:Level:0;"],
        ),
        (
            "LVS-Lapis",
            "U:11:0082059AD3BD;",
            Model::Lapis,
            &["Mply:8:8:8;"],
            &["Vibrate:0;", "Mply:0:0:0;"],
        ),
        (
            "LVS-Flexer",
            "EI:3:0082059AD3BD;",
            Model::Flexer,
            &["Mply:8:8:8;"],
            &["Vibrate:0;", "Mply:0:0:0;"],
        ),
        (
            "LVS-Flexer",
            "EI:2:0082059AD3BD;",
            Model::Flexer,
            &["Vibrate:8;"],
            &["Vibrate:0;"],
        ),
        (
            "LVS-Solace",
            "H:11:0082059AD3BD;",
            Model::Solace,
            &["Mply:8:20;"],
            &["Vibrate:0;", "Mply:0:0;"],
        ),
        (
            "LVS-SolacePro",
            "BA:11:0082059AD3BD;",
            Model::SolacePro,
            &["Mply:8:20;"],
            &["Vibrate:0;", "Mply:0:0;"],
        ),
        (
            "LVS-Hyphy",
            "EB:11:0082059AD3BD;",
            Model::Hyphy,
            &["Vibrate:8;"],
            &["Vibrate:0;"],
        ),
    ];
    for (name, reply, model, played, stops) in table {
        let run = connect(name, Some(reply)).await;
        let (got_played, got_stops, delay) = play_and_stop(&run, &[]).await;
        let identity = run.toy.status().borrow().identity.clone().unwrap();
        assert_eq!(
            (identity.model, identity.source),
            (*model, Source::DeviceType),
            "{name}"
        );
        assert_eq!(got_played, *played, "{name}");
        assert_eq!(got_stops, *stops, "{name}");
        assert_eq!(delay, Duration::ZERO, "{name}: the stop goes out at once");
        let status = run.toy.status().borrow().clone();
        assert!(status.outputs.is_off(), "{name}: {:?}", status.outputs);
        assert_eq!(
            status.outputs.values().len(),
            identity.outputs().len(),
            "{name}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_toy_known_only_by_its_lovense_shaped_service() {
    // No DeviceType reply, a name that says nothing: the service spells EA.
    let gravity = Uuid::parse_str("45410001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
    let run = connect("LVS-", None).await;
    let (played, stops, _) = play_and_stop(&run, &[gravity]).await;
    let identity = run.toy.status().borrow().identity.clone().unwrap();
    assert_eq!(
        (identity.model, identity.source),
        (Model::Gravity, Source::Service)
    );
    assert_eq!(played, ["Vibrate1:8;", "Vibrate2:8;"]);
    assert_eq!(stops, ["Vibrate:0;", "Vibrate1:0;", "Vibrate2:0;"]);

    // An unlisted shape spelling an unknown code: driven as one vibrator.
    let unlisted = Uuid::parse_str("4b4a0001-0023-4bd4-bbd5-a6920e4c5653").unwrap();
    let run = connect("Mystery", None).await;
    let (played, stops, _) = play_and_stop(&run, &[unlisted]).await;
    let identity = run.toy.status().borrow().identity.clone().unwrap();
    assert_eq!(identity.model, Model::Unknown);
    assert_eq!(played, ["Vibrate:8;"]);
    assert_eq!(stops, ["Vibrate:0;"]);
}

#[tokio::test(start_paused = true)]
async fn shutdown_zeroes_every_output_and_ends_with_vibrate_0() {
    let run = connect("LVS-C011", Some("C:11:0082059AD3BD;")).await;
    run.toy.identify("LVS-C011", 3, ms(500)).await;
    run.toy.set_level(Level::new(6).unwrap());
    sleep(ms(500)).await;
    let before = run.remote.writes().len();
    run.toy.shutdown().await;
    let after = run.remote.writes()[before..].to_vec();
    assert_eq!(after, ["Rotate:0;", "Vibrate:0;"]);
}

#[tokio::test(start_paused = true)]
async fn reversing_and_presets_are_sent_in_order() {
    let run = connect("LVS-C011", Some("C:11:0082059AD3BD;")).await;
    run.toy.identify("LVS-C011", 3, ms(500)).await;
    let before = run.remote.writes().len();
    run.toy.reverse_rotation().unwrap();
    run.toy.preset(2).unwrap();
    sleep(ms(500)).await;
    run.toy.stop_now();
    sleep(ms(500)).await;
    assert_eq!(
        run.remote.writes()[before..],
        ["RotateChange;", "Preset:2;", "Vibrate:0;", "Preset:0;"]
    );
}
