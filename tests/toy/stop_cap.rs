//! For every model family: every way an item ends leaves every output at 0,
//! and no output ever goes above the intensity cap (a property test over
//! random effects, caps and families).

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Pattern, Timing, ToyEffect};
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::models::ModelSpec;
use cuedeck::toy::scheduler::{SchedulerConfig, SchedulerHandle, spawn_scheduler};
use cuedeck::toy::virtual_toy::{VirtualControl, VirtualToy};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tokio::time::{Instant, sleep, sleep_until};

/// One model per family: single, per-motor, vibrate+thrust, vibrate+rotate,
/// vibrate+air, Mply (3 motors; 2 motors + fingering), strokers; and the
/// newest rows (Spinel, Velvo, Lush Anal, Gush 2).
const FAMILIES: &[&str] = &[
    "S", "P", "EA", "C", "EL", "B", "U", "EI-FW3", "H", "BA", "F", "WD", "CB", "AN", "EZ",
];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fx(timing: Timing, intensity: u8, duration_ms: Option<u64>, pattern: Pattern) -> ToyEffect {
    super::scheduler::fx(timing, intensity, duration_ms, Some(pattern))
}

/// Runs `body` on a fresh paused-clock runtime (one per property case).
fn paused<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(body)
}

/// Every output at every change stayed within the cap, and ended at 0.
fn assert_capped(ctl: &VirtualControl, cap: u8, code: &str) -> Result<(), TestCaseError> {
    let spec = ctl.spec();
    for (t, levels) in ctl.history() {
        for (o, v) in spec.outputs.iter().zip(levels.values()) {
            prop_assert!(
                u32::from(*v) * 20 <= u32::from(cap) * u32::from(o.max),
                "{} {} = {} over cap {} at {:?}",
                code,
                o.label,
                v,
                cap,
                t
            );
        }
    }
    prop_assert!(ctl.levels().is_off());
    Ok(())
}

async fn rig(code: &str, config: SchedulerConfig) -> (SchedulerHandle, VirtualControl, Instant) {
    let spec = ModelSpec::lookup(code).unwrap_or_else(|| panic!("{code}"));
    let (transport, ctl) = VirtualToy::model("LVS-Test", spec);
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify("LVS-Test", 3, ms(500)).await;
    let sched = spawn_scheduler(config);
    sched.add_toy(toy);
    let t0 = Instant::now() + ms(500);
    sleep_until(t0).await;
    (sched, ctl, t0)
}

#[derive(Debug, Clone, Copy)]
enum End {
    Natural,
    Finish,
    Refund,
    Panic,
    ConsoleExit,
    ServerLost,
}

/// Plays one item and ends it the given way; returns the moment after
/// which every output must be 0.
async fn play(code: &str, end: End) -> (VirtualControl, Instant) {
    let config = SchedulerConfig {
        server_loss_stop_ms: 1_000,
        ..SchedulerConfig::default()
    };
    let (sched, ctl, t0) = rig(code, config).await;
    let item = ItemId(1);
    let effects = vec![
        fx(Timing::Start, 14, None, Pattern::Wave),
        fx(Timing::P50, 20, Some(3_000), Pattern::Constant),
        fx(Timing::End, 16, None, Pattern::Pulse),
    ];
    sched.item_started(item, t0, 6_000, Arc::from(effects));
    sleep_until(t0 + ms(3_200)).await;
    assert!(
        ctl.intensity() > 0,
        "{code} {end:?}: something plays mid-item"
    );
    let quiet = match end {
        End::Natural => t0 + ms(6_000 + 1_000),
        End::Finish => {
            sched.item_finished(item);
            Instant::now() + ms(1_000)
        }
        End::Refund => {
            sched.item_refunded(item);
            Instant::now()
        }
        End::Panic => {
            sched.panic_stop();
            Instant::now()
        }
        End::ConsoleExit => {
            sched.exit().await;
            Instant::now()
        }
        End::ServerLost => {
            sched.server_connection(false);
            Instant::now() + ms(1_000)
        }
    };
    sleep(ms(10_000)).await;
    (ctl, quiet)
}

#[tokio::test(start_paused = true)]
async fn every_end_path_leaves_every_output_at_zero() {
    let ends = [
        End::Natural,
        End::Finish,
        End::Refund,
        End::Panic,
        End::ConsoleExit,
        End::ServerLost,
    ];
    for code in FAMILIES {
        for end in ends {
            let (ctl, quiet) = play(code, end).await;
            assert!(
                ctl.levels().is_off(),
                "{code} {end:?}: {:?} after {:?}",
                ctl.levels(),
                ctl.writes().iter().rev().take(8).collect::<Vec<_>>()
            );
            // Zeroed soon after the end (the stop at once, other outputs
            // paced 100 ms apart) and never moving again.
            let late: Vec<_> = ctl
                .history()
                .into_iter()
                .filter(|(t, l)| *t > quiet + ms(350) && !l.is_off())
                .collect();
            assert!(
                late.is_empty(),
                "{code} {end:?}: moved after the end: {late:?}"
            );
            let first_quiet = ctl
                .history()
                .into_iter()
                .rev()
                .take_while(|(_, l)| l.is_off())
                .last()
                .map(|(t, _)| t);
            assert!(
                first_quiet.is_some_and(|t| t <= quiet + ms(350)),
                "{code} {end:?}: quiet at {:?}, due {:?}",
                first_quiet.map(|t| t.duration_since(quiet)),
                quiet
            );
        }
    }
}

fn timing() -> impl Strategy<Value = Timing> {
    prop_oneof![
        Just(Timing::Start),
        Just(Timing::P25),
        Just(Timing::P50),
        Just(Timing::P75),
        Just(Timing::End),
    ]
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        Just(Pattern::Constant),
        Just(Pattern::Pulse),
        Just(Pattern::Wave),
        Just(Pattern::Ramp),
    ]
}

fn effect() -> impl Strategy<Value = ToyEffect> {
    (
        timing(),
        0u8..=20,
        proptest::option::of(100u64..4_000),
        pattern(),
    )
        .prop_map(|(t, i, d, p)| fx(t, i, d, p))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn no_output_ever_exceeds_the_cap(
        family in 0..FAMILIES.len(),
        cap in 0u8..=20,
        d_ms in 500u64..6_000,
        effects in proptest::collection::vec(effect(), 1..5),
    ) {
        let code = FAMILIES[family];
        let ctl = paused(async {
            let config = SchedulerConfig { intensity_cap: cap, ..SchedulerConfig::default() };
            let (sched, ctl, t0) = rig(code, config).await;
            sched.item_started(ItemId(1), t0, d_ms, Arc::from(effects));
            sleep(ms(d_ms + 4_000)).await;
            sched.exit().await;
            ctl
        });
        assert_capped(&ctl, cap, code)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn no_output_exceeds_the_cap_under_pattern_files(
        family in 0..FAMILIES.len(),
        cap in 0u8..=20,
        header in prop_oneof![Just("v1,v2"), Just("v,r"), Just("v,p"), Just("v,t"), Just("v")],
        steps in proptest::collection::vec((0u8..=20, 0u8..=3), 1..20),
    ) {
        use cuedeck::toy::pattern_file::PatternFile;
        use cuedeck::toy::plan::Shape;
        let body: Vec<String> = steps
            .iter()
            .map(|(a, b)| if header == "v" { a.to_string() } else { format!("{a},{b}") })
            .collect();
        let text = format!("V:1;F:{header};S:100;#{}", body.join(";"));
        let file = Arc::new(PatternFile::parse("p", &text).unwrap());
        let code = FAMILIES[family];
        let ctl = paused(async {
            let config = SchedulerConfig { intensity_cap: cap, ..SchedulerConfig::default() };
            let (sched, ctl, t0) = rig(code, config).await;
            let effect = fx(Timing::Start, 20, Some(2_000), Pattern::Constant);
            sched.item_started_shaped(ItemId(1), t0, 2_000, Arc::from([effect]), vec![Some(Shape::File(file))]);
            sleep(ms(4_000)).await;
            sched.exit().await;
            ctl
        });
        assert_capped(&ctl, cap, code)?;
    }
}
