//! Lovense pattern files (valid, malformed with the line named, beyond the
//! limits), their rendering within the pacing limits, and stored presets.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Timing, ToyEffect};
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::pattern_file::{Feature, MAX_STEPS, PatternError, PatternFile};
use cuedeck::toy::plan::{ItemPlan, PlanConfig, Shape};
use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
use cuedeck::toy::virtual_toy::VirtualToy;
use tokio::time::{Instant, sleep, sleep_until};

fn effect(intensity: u8, duration_ms: u64) -> ToyEffect {
    ToyEffect {
        enabled: true,
        timing: Timing::Start,
        intensity: Some(intensity),
        duration_ms: Some(duration_ms),
        device_vendor: None,
        pattern: None,
    }
}

const EDGE: &str =
    "V:1;T:Edge;F:v1,v2;S:100;M:0cc175b9c0f1b6a831c399e269772661;#\n0,0;5,3;\n10,8;20,20;";

#[test]
fn a_valid_file_parses() {
    let p = PatternFile::parse("edge-waves", EDGE).unwrap();
    assert_eq!(p.name, "edge-waves");
    assert_eq!(p.toy.as_deref(), Some("Edge"));
    assert_eq!(p.features, [Feature::Motor(0), Feature::Motor(1)]);
    assert_eq!(p.step_ms, 100);
    assert_eq!(p.steps, [vec![0, 0], vec![5, 3], vec![10, 8], vec![20, 20]]);
    assert_eq!(p.length_ms(), 400);
    // The strongest feature, looping.
    assert_eq!(
        (
            p.level_at(0),
            p.level_at(150),
            p.level_at(399),
            p.level_at(450)
        ),
        (0, 5, 20, 0)
    );
    // Air on its own scale: 3 is the top.
    let air = PatternFile::parse("max", "V:1;F:v,p;S:500;#0,3;20,0").unwrap();
    assert_eq!(air.features, [Feature::Vibrate, Feature::Air]);
    assert_eq!((air.level_at(0), air.level_at(500)), (20, 20));
    // Line breaks carry no meaning, trailing separators are fine.
    let split = PatternFile::parse("s", "V:1;F:v;S:100;#\r\n1;\r\n2;\r\n3;\r\n").unwrap();
    assert_eq!(split.steps, [vec![1], vec![2], vec![3]]);
}

fn line_of(err: PatternError) -> (usize, String) {
    match err {
        PatternError::Bad { line, what, .. } => (line, what),
        other => panic!("{other}"),
    }
}

#[test]
fn malformed_files_name_the_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("V:1;F:v;S:100;\n0;1;2", 2, "no '#'"),
        ("V:1;F:x;S:100;#0", 1, "unknown feature"),
        (
            "V:1;\nF:v;\nS:100;#\n0;\n1;\n7,7;",
            6,
            "has 2 values for 1 features",
        ),
        ("V:1;F:v;S:100;#\n0;\n1;\nabc;", 4, "value \"abc\""),
        ("V:2;F:v;S:100;#0", 1, "is not V:1"),
        ("V:1;F:v;#0", 1, "no S:"),
        ("V:1;S:100;#0", 1, "no F:"),
        ("V:1;F:v;S:100;junk;#0", 1, "not KEY:VALUE"),
        ("V:1;F:v;S:100;#\n\n", 3, "no steps"),
    ];
    for (text, line, what) in cases {
        let (got_line, got_what) = line_of(PatternFile::parse("p", text).unwrap_err());
        assert_eq!(got_line, *line, "{text:?}: {got_what}");
        assert!(got_what.contains(what), "{text:?}: {got_what}");
    }
    let err = PatternFile::parse("waves", "V:1;F:v;S:100;#\n1;\n21;").unwrap_err();
    assert_eq!(err.to_string(), "waves: line 3: value \"21\" is not 0..=20");
}

#[test]
fn files_beyond_the_limits_are_refused() {
    let (line, what) = line_of(PatternFile::parse("p", "V:1;F:v;S:0;#1").unwrap_err());
    assert_eq!(line, 1);
    assert!(what.contains("S:0"), "{what}");
    let (_, what) = line_of(PatternFile::parse("p", "V:1;F:v;S:60001;#1").unwrap_err());
    assert!(what.contains("S:60001"), "{what}");
    let (_, what) = line_of(PatternFile::parse("p", "V:1;F:p;S:100;#4").unwrap_err());
    assert!(what.contains("0..=3"), "{what}");
    let (_, what) =
        line_of(PatternFile::parse("p", "V:1;F:v,v1,v2,v3,r;S:100;#1,1,1,1,1").unwrap_err());
    assert!(what.contains("5 features"), "{what}");
    let many = format!("V:1;F:v;S:100;#{}", "1;".repeat(MAX_STEPS + 1));
    let (_, what) = line_of(PatternFile::parse("p", &many).unwrap_err());
    assert!(what.contains("more than"), "{what}");
    let huge = format!("V:1;F:v;S:100;#{}", "1;".repeat(600_000));
    assert!(matches!(
        PatternFile::parse("p", &huge),
        Err(PatternError::TooLarge { .. })
    ));
}

#[test]
fn a_file_renders_on_100_ms_ticks_scaled_to_the_intensity() {
    // 50 ms steps are faster than the toy may be driven: sampled every 100 ms.
    let fast = PatternFile::parse("fast", "V:1;F:v;S:50;#20;0;10;0;20;0;4;0").unwrap();
    let shape = Shape::File(Arc::new(fast));
    let plan = ItemPlan::new_shaped(
        1_000,
        &[effect(10, 1_000)],
        &[Some(shape)],
        &PlanConfig::default(),
    );
    let levels: Vec<u8> = (0..10).map(|k| plan.level_at(k * 100)).collect();
    assert_eq!(levels, [10, 5, 10, 2, 10, 5, 10, 2, 10, 5]);
    let mut t = 0;
    let mut changes = Vec::new();
    while let Some(next) = plan.next_change_after(t) {
        changes.push(next);
        t = next;
    }
    assert!(
        changes.windows(2).all(|w| w[1] - w[0] >= 100),
        "{changes:?}"
    );
    // Under a cap the file's 20 is the cap.
    let capped = PlanConfig {
        intensity_cap: 4,
        ..PlanConfig::default()
    };
    let file = PatternFile::parse("f", "V:1;F:v;S:100;#20;10").unwrap();
    let plan = ItemPlan::new_shaped(
        1_000,
        &[effect(20, 1_000)],
        &[Some(Shape::File(Arc::new(file)))],
        &capped,
    );
    assert_eq!((plan.level_at(0), plan.level_at(100)), (4, 2));
}

#[test]
fn a_preset_runs_the_toys_own_pattern_unless_capped() {
    let plan = ItemPlan::new_shaped(
        2_000,
        &[effect(10, 1_000)],
        &[Some(Shape::Preset(3))],
        &PlanConfig::default(),
    );
    assert_eq!(
        (
            plan.preset_at(0),
            plan.preset_at(999),
            plan.preset_at(1_000)
        ),
        (Some(3), Some(3), None)
    );
    assert_eq!(plan.level_at(500), 0);
    let capped = PlanConfig {
        intensity_cap: 8,
        ..PlanConfig::default()
    };
    let plan = ItemPlan::new_shaped(
        2_000,
        &[effect(10, 1_000)],
        &[Some(Shape::Preset(3))],
        &capped,
    );
    assert_eq!(plan.preset_at(0), None);
    assert_eq!(
        (plan.level_at(0), plan.level_at(500)),
        (8, 0),
        "a pulse at the cap"
    );
}

#[tokio::test(start_paused = true)]
async fn a_preset_effect_starts_and_stops_on_the_toy() {
    let (transport, ctl) = VirtualToy::lush("LVS-S11");
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    let sched = spawn_scheduler(SchedulerConfig::default());
    sched.add_toy(toy);
    let t0 = Instant::now() + Duration::from_millis(500);
    sleep_until(t0).await;
    sched.item_started_shaped(
        ItemId(1),
        t0,
        5_000,
        Arc::from([effect(10, 2_000)]),
        vec![Some(Shape::Preset(2))],
    );
    sleep_until(t0 + Duration::from_millis(1_000)).await;
    assert_eq!(ctl.preset(), 2);
    sleep_until(t0 + Duration::from_millis(2_500)).await;
    assert_eq!(ctl.preset(), 0, "stopped when the effect ends");
    // A refund stops a running preset at once.
    sched.item_started_shaped(
        ItemId(2),
        t0 + Duration::from_millis(3_000),
        5_000,
        Arc::from([effect(10, 2_000)]),
        vec![Some(Shape::Preset(4))],
    );
    sleep_until(t0 + Duration::from_millis(3_500)).await;
    assert_eq!(ctl.preset(), 4);
    sched.item_refunded(ItemId(2));
    sleep(Duration::from_millis(300)).await;
    assert_eq!(ctl.preset(), 0);
    let writes = ctl.writes();
    assert!(writes.iter().any(|w| w == "Preset:2;"), "{writes:?}");
    assert!(
        writes.iter().filter(|w| *w == "Preset:0;").count() >= 2,
        "{writes:?}"
    );
}

#[test]
fn each_feature_drives_the_output_it_names() {
    use cuedeck::toy::models::ModelSpec;
    use cuedeck::toy::outputs::{FeatureLevels, levels_for_features};
    let spec = |c| ModelSpec::for_code(c, Some(11));
    let f = |v: &[(Feature, u8)]| FeatureLevels::new(v);
    let two = f(&[(Feature::Motor(0), 20), (Feature::Motor(1), 6)]);
    assert_eq!(
        levels_for_features(spec("P"), &two, 20, None).values(),
        [20, 6]
    );
    assert_eq!(
        levels_for_features(spec("U"), &two, 20, None).values(),
        [20, 6, 20]
    );
    assert_eq!(
        levels_for_features(spec("P"), &two, 10, None).values(),
        [10, 6]
    );
    let nora = f(&[(Feature::Vibrate, 4), (Feature::Rotate, 12)]);
    assert_eq!(
        levels_for_features(spec("A"), &nora, 20, None).values(),
        [4, 12]
    );
    let max = f(&[(Feature::Vibrate, 10), (Feature::Air, 20)]);
    assert_eq!(
        levels_for_features(spec("B"), &max, 20, None).values(),
        [10, 3]
    );
    // A one-motor toy takes the strongest feature.
    assert_eq!(
        levels_for_features(spec("S"), &two, 20, None).values(),
        [20]
    );
}

#[tokio::test(start_paused = true)]
async fn a_two_motor_file_moves_each_motor_on_its_own() {
    use cuedeck::toy::models::ModelSpec;
    let spec = ModelSpec::for_code("P", None);
    let (transport, ctl) = VirtualToy::model("LVS-Edge", spec);
    let (toy, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    toy.identify("LVS-Edge", 3, Duration::from_millis(500))
        .await;
    let sched = spawn_scheduler(SchedulerConfig::default());
    sched.add_toy(toy);
    let t0 = Instant::now() + Duration::from_millis(500);
    sleep_until(t0).await;
    let file = PatternFile::parse("duo", "V:1;F:v1,v2;S:1000;#20,4;0,16").unwrap();
    sched.item_started_shaped(
        ItemId(1),
        t0,
        3_000,
        Arc::from([effect(20, 2_000)]),
        vec![Some(Shape::File(Arc::new(file)))],
    );
    sleep_until(t0 + Duration::from_millis(900)).await;
    assert_eq!(ctl.levels().values(), [20, 4]);
    sleep_until(t0 + Duration::from_millis(1_900)).await;
    assert_eq!(ctl.levels().values(), [0, 16]);
    sleep_until(t0 + Duration::from_millis(2_500)).await;
    assert!(ctl.levels().is_off());
}
