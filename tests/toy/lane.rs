//! The toy lane on the scheduler, paused time, a virtual Nora (vibrate and
//! rotate): a tip beside the stage item takes per output the highest of the
//! two; levels and durations as the tip says; a stored preset; the stop key
//! mid-tip; the resumed rest; a stop as the last command.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::tips::{BuiltinPattern, Intensity, Matched, OutputLevels, PatternRef, TipToy};
use cuedeck::domain::toy_effect::{Timing, ToyEffect};
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::models::ModelSpec;
use cuedeck::toy::scheduler::{
    LANE_HANDOFF_HOLD, SchedulerConfig, SchedulerHandle, spawn_scheduler,
};
use cuedeck::toy::virtual_toy::{VirtualControl, VirtualToy};
use tokio::time::{Instant, sleep_until};

fn tip(intensity: Intensity, duration_ms: u64, pattern: Option<PatternRef>) -> Arc<TipToy> {
    Arc::new(TipToy {
        matched: Matched::Level { index: 0 },
        label: Arc::from("tip"),
        intensity,
        duration_ms,
        pattern,
    })
}

/// A scheduler driving `toy`, identified; the moment to start from.
async fn scheduled(
    (transport, ctl): (VirtualToy, VirtualControl),
    name: &str,
) -> (SchedulerHandle, VirtualControl, Instant) {
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify(name, 3, Duration::from_millis(500)).await;
    let sched = spawn_scheduler(SchedulerConfig::default());
    sched.add_toy(toy);
    let t0 = Instant::now() + Duration::from_millis(500);
    sleep_until(t0).await;
    (sched, ctl, t0)
}

#[tokio::test(start_paused = true)]
async fn tips_beside_the_stage_on_a_two_output_toy_then_the_stop_key_and_the_rest() {
    let spec = ModelSpec::for_code("A", None);
    let (sched, ctl, t0) = scheduled(VirtualToy::model("LVS-Nora", spec), "LVS-Nora").await;
    let at = |ms: u64| t0 + Duration::from_millis(ms);

    // The stage: 6 on every output for 20 s.
    let stage = ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(6),
        duration_ms: Some(20_000),
        device_vendor: None,
        pattern: None,
    };
    sched.item_started(ItemId(1), t0, 20_000, Arc::from([stage]));
    sleep_until(at(500)).await;
    assert_eq!(ctl.levels().values(), [6, 6]);

    // A per-output tip: vibrate 4, rotate 15, for 3 s.
    let split = OutputLevels {
        vibrate: Some(4),
        rotate: Some(15),
        pump: None,
        thrust: None,
    };
    sched.lane_started(
        ItemId(2),
        tip(Intensity::PerOutput(split), 3_000, None),
        3_000,
        at(1_000),
    );
    sleep_until(at(1_900)).await;
    assert_eq!(ctl.levels().values(), [6, 15], "per output the highest");
    sleep_until(at(4_500)).await;
    assert_eq!(
        ctl.levels().values(),
        [6, 6],
        "after its 3 s the stage alone"
    );

    // A level tip stronger than the stage everywhere: 18 for 2 s.
    sched.lane_started(
        ItemId(3),
        tip(Intensity::All(18), 2_000, None),
        2_000,
        at(5_000),
    );
    sleep_until(at(5_900)).await;
    assert_eq!(ctl.levels().values(), [18, 18]);
    sleep_until(at(7_500)).await;
    assert_eq!(ctl.levels().values(), [6, 6]);

    // A preset tip: the toy's own pattern 3 while it runs.
    let fireworks = Some(PatternRef::Builtin(BuiltinPattern::Fireworks));
    sched.lane_started(
        ItemId(4),
        tip(Intensity::All(18), 2_000, fireworks),
        2_000,
        at(8_000),
    );
    sleep_until(at(8_900)).await;
    assert_eq!(ctl.preset(), 3);
    sleep_until(at(10_500)).await;
    assert_eq!(ctl.preset(), 0, "the preset ends with the tip");

    // A 10 s tip cut by the stop key after 2 s: only stops after it.
    sched.lane_started(
        ItemId(5),
        tip(Intensity::All(16), 10_000, None),
        10_000,
        at(11_000),
    );
    sleep_until(at(12_900)).await;
    assert_eq!(ctl.levels().values(), [16, 16]);
    sched.panic_stop();
    let key = Instant::now();
    sleep_until(at(15_000)).await;
    assert!(ctl.levels().is_off());
    let after: Vec<String> = ctl
        .timed_writes()
        .into_iter()
        .filter(|(t, w)| *t >= key && !w.starts_with("Battery") && !w.starts_with("DeviceType"))
        .map(|(_, w)| w)
        .collect();
    assert!(
        after.iter().all(|w| w.ends_with(":0;")),
        "only stops after the key: {after:?}"
    );

    // Resumed: the console takes the tip again for the 8 s left.
    sched.resume();
    sched.lane_started(
        ItemId(5),
        tip(Intensity::All(16), 10_000, None),
        8_000,
        at(16_000),
    );
    sleep_until(at(16_900)).await;
    assert_eq!(ctl.levels().values()[1], 16, "the rest runs");
    sleep_until(at(23_900)).await;
    assert_eq!(ctl.levels().values()[1], 16, "for the 8 s left");
    sleep_until(at(24_500)).await;
    assert!(
        ctl.levels().is_off(),
        "then nothing (the stage item is over too)"
    );
    sched.exit().await;
    let motion: Vec<String> = ctl
        .writes()
        .into_iter()
        .filter(|w| ["Vibrate", "Rotate"].iter().any(|m| w.starts_with(m)))
        .collect();
    assert!(
        motion.last().is_some_and(|w| w.ends_with(":0;")),
        "a stop is the last command: {motion:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_tip_followed_by_a_tip_hands_over_without_a_stop_and_a_lone_hold_ends() {
    let (sched, ctl, t0) = scheduled(VirtualToy::lush("LVS-Lush"), "LVS-Lush").await;
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let motion = || -> Vec<(Instant, String)> {
        ctl.timed_writes()
            .into_iter()
            .filter(|(t, w)| *t >= t0 && w.starts_with("Vibrate"))
            .collect()
    };

    sched.lane_started(ItemId(1), tip(Intensity::All(10), 1_000, None), 1_000, t0);
    // The runner hands over 20 ms after the first tip's end.
    sleep_until(at(1_020)).await;
    sched.lane_started(
        ItemId(2),
        tip(Intensity::All(12), 1_000, None),
        1_000,
        at(1_020),
    );
    sleep_until(at(1_500)).await;
    let writes = motion();
    let commands: Vec<&str> = writes.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(commands, ["Vibrate:10;", "Vibrate:12;"], "no stop between");
    assert!(
        writes[1].0 - at(1_020) < Duration::from_millis(5),
        "the next level goes out at once: {:?}",
        writes[1].0 - at(1_020)
    );

    // The lane goes idle: the runner's stop goes out at once.
    sleep_until(at(2_020)).await;
    sched.lane_stopped(ItemId(2));
    sleep_until(at(2_100)).await;
    assert_eq!(motion().last().map(|(_, w)| w.as_str()), Some("Vibrate:0;"));
    let stopped = motion().last().unwrap().0;
    assert!(stopped - at(2_020) < Duration::from_millis(5));

    // Nothing follows and no one says so: the hold ends by itself.
    sched.lane_started(
        ItemId(3),
        tip(Intensity::All(8), 1_000, None),
        1_000,
        at(3_000),
    );
    sleep_until(at(4_000) + LANE_HANDOFF_HOLD - Duration::from_millis(10)).await;
    assert_eq!(motion().last().map(|(_, w)| w.as_str()), Some("Vibrate:8;"));
    sleep_until(at(4_000) + LANE_HANDOFF_HOLD + Duration::from_millis(10)).await;
    assert_eq!(motion().last().map(|(_, w)| w.as_str()), Some("Vibrate:0;"));
    sched.exit().await;
}
