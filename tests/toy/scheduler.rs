//! The effect scheduler under tokio's paused clock: exact fire times, early
//! finish, refund, back-to-back items, the stops, and the rule that no
//! vibration outlives its item, for every way an item ends.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::event::EventKind;
use cuedeck::domain::ids::ItemId;
use cuedeck::domain::time::Stamp;
use cuedeck::domain::toy_effect::{Pattern, Timing, ToyEffect};
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::scheduler::{SchedulerConfig, SchedulerHandle, StopReason, spawn_scheduler};
use cuedeck::toy::virtual_toy::{VirtualControl, VirtualToy};
use tokio::time::{Instant, sleep_until};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(crate) fn fx(
    timing: Timing,
    intensity: u8,
    duration_ms: Option<u64>,
    pattern: Option<Pattern>,
) -> ToyEffect {
    ToyEffect {
        enabled: true,
        timing,
        intensity: Some(intensity),
        duration_ms,
        device_vendor: None,
        pattern: pattern.map(Into::into),
    }
}

struct Rig {
    sched: SchedulerHandle,
    toys: Vec<VirtualControl>,
    /// Items start here; the toys' start-up chatter is long over.
    t0: Instant,
}

impl Rig {
    async fn new(n_toys: usize, config: SchedulerConfig) -> Rig {
        let sched = spawn_scheduler(config);
        let mut toys = Vec::new();
        for i in 0..n_toys {
            let (transport, ctl) = VirtualToy::lush(&format!("LVS-Lush{i}"));
            let (handle, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
            sched.add_toy(handle);
            toys.push(ctl);
        }
        let t0 = Instant::now() + ms(1000);
        sleep_until(t0).await;
        Rig { sched, toys, t0 }
    }

    fn at(&self, offset_ms: u64) -> Instant {
        self.t0 + ms(offset_ms)
    }

    async fn until(&self, offset_ms: u64) {
        sleep_until(self.at(offset_ms)).await;
    }

    fn start(&self, item: u64, offset_ms: u64, d_ms: u64, effects: Vec<ToyEffect>) {
        self.sched
            .item_started(ItemId(item), self.at(offset_ms), d_ms, Arc::from(effects));
    }

    /// (ms after t0, level) at every change of toy `i`'s intensity.
    fn timeline(&self, i: usize) -> Vec<(u64, u8)> {
        self.toys[i]
            .timeline()
            .into_iter()
            .filter(|(t, _)| *t >= self.t0)
            .map(|(t, l)| (t.duration_since(self.t0).as_millis() as u64, l))
            .collect()
    }
}

fn all_five(with_durations: bool) -> Vec<ToyEffect> {
    let d = |n| with_durations.then_some(n);
    vec![
        fx(Timing::Start, 5, d(60_000), None),
        fx(Timing::P25, 7, d(60_000), None),
        fx(Timing::P50, 9, d(60_000), Some(Pattern::Wave)),
        fx(Timing::P75, 11, d(60_000), None),
        fx(Timing::End, 13, d(60_000), None),
    ]
}

#[tokio::test(start_paused = true)]
async fn fire_times_for_ninety_seconds() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    let effects = vec![
        fx(Timing::Start, 5, None, None),
        fx(Timing::P25, 8, Some(2000), None),
        fx(Timing::P50, 12, Some(3000), Some(Pattern::Pulse)),
        fx(Timing::P75, 15, None, None),
        fx(Timing::End, 20, None, None),
    ];
    rig.start(1, 0, 90_000, effects);
    rig.until(90_000).await;
    rig.sched.item_finished(ItemId(1));
    rig.until(120_000).await;
    assert_eq!(
        rig.timeline(0),
        [
            (0, 5),
            (3_000, 0),
            (22_500, 8),
            (24_500, 0),
            (45_000, 12),
            (45_500, 0),
            (46_000, 12),
            (46_500, 0),
            (47_000, 12),
            (47_500, 0),
            (67_500, 15),
            (70_500, 0),
            (90_000, 20),
            (91_000, 0),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn fire_times_for_ten_seconds() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    rig.start(
        1,
        0,
        10_000,
        all_five(false)
            .into_iter()
            .map(|e| ToyEffect { pattern: None, ..e })
            .collect(),
    );
    rig.until(30_000).await;
    assert_eq!(
        rig.timeline(0),
        [
            (0, 5),
            (2_500, 7),
            (5_000, 9),
            (7_500, 11),
            (10_000, 13),
            (11_000, 0)
        ]
    );
    let writes: Vec<String> = rig.toys[0].writes();
    assert_eq!(
        writes,
        [
            "AutoSwith:On:Off;",
            // A toy joining the scheduler is told the level of the moment.
            "Vibrate:0;",
            "Vibrate:5;",
            "Vibrate:7;",
            "Vibrate:9;",
            "Vibrate:11;",
            "Vibrate:13;",
            "Vibrate:0;"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn finish_early_drops_what_is_not_due_and_fires_end_at_finish() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    rig.start(
        1,
        0,
        10_000,
        all_five(false)
            .into_iter()
            .map(|e| ToyEffect { pattern: None, ..e })
            .collect(),
    );
    rig.until(4_000).await;
    rig.sched.item_finished(ItemId(1));
    rig.until(30_000).await;
    assert_eq!(
        rig.timeline(0),
        [(0, 5), (2_500, 7), (4_000, 13), (5_000, 0)]
    );
}

#[tokio::test(start_paused = true)]
async fn refund_during_an_effect_stops_at_once_ahead_of_pacing() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    rig.start(
        1,
        0,
        10_000,
        vec![
            fx(Timing::Start, 9, Some(5_000), Some(Pattern::Pulse)),
            fx(Timing::End, 20, None, None),
        ],
    );
    // The pulse wrote at 1000 (back on); 1034 is inside the 100 ms gap.
    rig.until(1_034).await;
    rig.sched.item_refunded(ItemId(1));
    rig.until(30_000).await;
    assert_eq!(rig.timeline(0), [(0, 9), (500, 0), (1_000, 9), (1_034, 0)]);
    assert_eq!(
        rig.sched.status().borrow().last_stop,
        Some(StopReason::Refund)
    );
}

#[tokio::test(start_paused = true)]
async fn back_to_back_items() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    rig.start(
        1,
        0,
        5_000,
        vec![
            fx(Timing::Start, 6, None, None),
            fx(Timing::End, 9, Some(500), None),
        ],
    );
    rig.until(5_000).await;
    rig.sched.item_finished(ItemId(1));
    // The next item starts during the first one's end burst and takes over.
    rig.until(5_200).await;
    rig.start(
        2,
        5_200,
        10_000,
        vec![
            fx(Timing::Start, 4, None, None),
            fx(Timing::P50, 3, Some(1_000), None),
        ],
    );
    rig.until(15_200).await;
    rig.sched.item_finished(ItemId(2));
    // A third starts the very moment the second closes.
    rig.start(
        3,
        15_200,
        4_000,
        vec![fx(Timing::Start, 2, Some(1_000), None)],
    );
    rig.until(40_000).await;
    assert_eq!(
        rig.timeline(0),
        [
            (0, 6),
            (3_000, 0),
            (5_000, 9),
            (5_200, 4),
            (8_200, 0),
            (10_200, 3),
            (11_200, 0),
            (15_200, 2),
            (16_200, 0)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_cap_is_never_exceeded() {
    let config = SchedulerConfig {
        intensity_cap: 6,
        ..SchedulerConfig::default()
    };
    let rig = Rig::new(1, config).await;
    let effects = vec![
        fx(Timing::Start, 20, None, Some(Pattern::Ramp)),
        fx(Timing::P25, 18, None, Some(Pattern::Wave)),
        fx(Timing::P50, 20, None, Some(Pattern::Pulse)),
        fx(Timing::End, 20, None, None),
    ];
    rig.start(1, 0, 8_000, effects);
    rig.until(20_000).await;
    let timeline = rig.timeline(0);
    assert_eq!(
        timeline.iter().map(|(_, l)| *l).max(),
        Some(6),
        "{timeline:?}"
    );
    for w in rig.toys[0].writes() {
        if let Some(n) = w.strip_prefix("Vibrate:") {
            assert!(n.trim_end_matches(';').parse::<u8>().unwrap() <= 6, "{w}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn patterns_render_at_most_ten_updates_a_second() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    rig.start(
        1,
        0,
        20_000,
        vec![fx(Timing::Start, 20, Some(10_000), Some(Pattern::Wave))],
    );
    rig.until(30_000).await;
    let writes = rig.toys[0].timed_writes();
    let times: Vec<Instant> = writes
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| *t >= rig.t0)
        .collect();
    assert!(times.len() > 30, "a wave changes often: {}", times.len());
    assert!(times.windows(2).all(|w| w[1] - w[0] >= ms(100)));
    for start in &times {
        let in_second = times
            .iter()
            .filter(|t| **t >= *start && **t < *start + ms(1000))
            .count();
        assert!(in_second <= 10, "{in_second} writes in one second");
    }
}

#[tokio::test(start_paused = true)]
async fn several_toys_all_get_the_effect() {
    let rig = Rig::new(3, SchedulerConfig::default()).await;
    rig.start(1, 0, 10_000, all_five(false));
    rig.until(30_000).await;
    let first = rig.timeline(0);
    assert!(first.len() > 5);
    assert_eq!(rig.timeline(1), first);
    assert_eq!(rig.timeline(2), first);
}

#[tokio::test(start_paused = true)]
async fn panic_key_halts_until_resumed() {
    let rig = Rig::new(2, SchedulerConfig::default()).await;
    rig.start(1, 0, 10_000, all_five(true));
    rig.until(3_000).await;
    rig.sched.panic_stop();
    // A new item while halted plays nothing.
    rig.start(2, 11_000, 10_000, vec![fx(Timing::Start, 8, None, None)]);
    rig.until(25_000).await;
    rig.sched.resume();
    rig.start(
        3,
        26_000,
        10_000,
        vec![fx(Timing::Start, 4, Some(1_000), None)],
    );
    rig.until(40_000).await;
    for i in 0..2 {
        assert_eq!(
            rig.timeline(i),
            [(0, 5), (2_500, 7), (3_000, 0), (26_000, 4), (27_000, 0)],
            "toy {i}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn server_loss_stops_after_the_configured_time_only() {
    let config = SchedulerConfig {
        server_loss_stop_ms: 4_000,
        ..SchedulerConfig::default()
    };
    let rig = Rig::new(1, config).await;
    rig.start(1, 0, 60_000, vec![fx(Timing::Start, 5, Some(30_000), None)]);
    // A short drop changes nothing.
    rig.until(1_000).await;
    rig.sched.server_connection(false);
    rig.until(3_000).await;
    rig.sched.server_connection(true);
    // A long one stops the toy 4 s in.
    rig.until(10_000).await;
    rig.sched.server_connection(false);
    rig.until(40_000).await;
    assert_eq!(rig.timeline(0), [(0, 5), (14_000, 0)]);
    assert_eq!(
        rig.sched.status().borrow().last_stop,
        Some(StopReason::ServerLost)
    );
}

#[tokio::test(start_paused = true)]
async fn console_exit_stops_and_ends_with_vibrate_zero() {
    let rig = Rig::new(2, SchedulerConfig::default()).await;
    rig.start(1, 0, 10_000, all_five(true));
    rig.until(6_000).await;
    rig.sched.exit().await;
    for toy in &rig.toys {
        assert_eq!(toy.intensity(), 0);
        assert_eq!(toy.writes().last().map(String::as_str), Some("Vibrate:0;"));
        assert!(toy.stops_on_disconnect());
    }
}

#[tokio::test(start_paused = true)]
async fn domain_events_drive_it_and_a_late_start_is_placed_in_the_past() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    let started_at = Stamp::from_secs(1_000_000);
    let effects: Arc<[ToyEffect]> = Arc::from(vec![
        fx(Timing::Start, 5, None, None),
        fx(Timing::P50, 9, Some(1_000), None),
    ]);
    // We hear of the item 4 s after it started: the start effect is over, p50 is 1 s away.
    rig.sched.on_event(
        &EventKind::ItemStarted {
            item: ItemId(7),
            started_at,
            duration_ms: 10_000,
            effects,
        },
        started_at.plus_millis(4_000),
    );
    rig.until(20_000).await;
    assert_eq!(rig.timeline(0), [(1_000, 9), (2_000, 0)]);

    // Heard of during its end burst: the rest of the burst plays.
    let effects: Arc<[ToyEffect]> = Arc::from(vec![fx(Timing::End, 6, Some(1_000), None)]);
    let started = |at: Stamp, late_ms| {
        let kind = EventKind::ItemStarted {
            item: ItemId(8),
            started_at: at,
            duration_ms: 10_000,
            effects: effects.clone(),
        };
        rig.sched.on_event(&kind, at.plus_millis(late_ms));
    };
    started(started_at, 10_400);
    rig.until(30_000).await;
    // Heard of an hour late: nothing plays.
    started(started_at, 3_600_000);
    rig.until(40_000).await;
    assert_eq!(
        rig.timeline(0),
        [(1_000, 9), (2_000, 0), (20_000, 6), (20_600, 0)]
    );
}

/// Every way an item can end, and when its last vibration must be over.
#[derive(Debug, Clone, Copy)]
enum Ending {
    /// Runs to D, finished on time: the end burst (1 s) follows D.
    Natural,
    FinishEarly(u64),
    FinishLate(u64),
    Refund(u64),
    PanicKey(u64),
    ConsoleExit(u64),
    ServerLost(u64),
    NextItem(u64),
}

#[tokio::test(start_paused = true)]
async fn no_vibration_outlives_its_item() {
    const D: u64 = 10_000;
    const BURST: u64 = 1_000;
    let endings = [
        (Ending::Natural, D + BURST),
        (Ending::FinishEarly(3_700), 3_700 + BURST),
        (Ending::FinishEarly(100), 100 + BURST),
        (Ending::FinishLate(D + 2_500), D + BURST),
        (Ending::Refund(0), 0),
        (Ending::Refund(5_050), 5_050),
        (Ending::Refund(D + 300), D + 300),
        (Ending::PanicKey(7_777), 7_777),
        (Ending::ConsoleExit(2_600), 2_600),
        (Ending::ServerLost(2_000), 2_000 + 5_000),
        (Ending::NextItem(4_200), 4_200),
    ];
    for (ending, quiet_by) in endings {
        let rig = Rig::new(2, SchedulerConfig::default()).await;
        rig.start(1, 0, D, all_five(true));
        match ending {
            Ending::Natural => {
                rig.until(D).await;
                rig.sched.item_finished(ItemId(1));
            }
            Ending::FinishEarly(t) | Ending::FinishLate(t) => {
                rig.until(t).await;
                rig.sched.item_finished(ItemId(1));
            }
            Ending::Refund(t) => {
                rig.until(t).await;
                rig.sched.item_refunded(ItemId(1));
            }
            Ending::PanicKey(t) => {
                rig.until(t).await;
                rig.sched.panic_stop();
            }
            Ending::ConsoleExit(t) => {
                rig.until(t).await;
                rig.sched.exit().await;
            }
            Ending::ServerLost(t) => {
                rig.until(t).await;
                rig.sched.server_connection(false);
            }
            Ending::NextItem(t) => {
                rig.until(t).await;
                rig.start(2, t, D, Vec::new());
            }
        }
        rig.until(D * 5).await;
        for i in 0..rig.toys.len() {
            let timeline = rig.timeline(i);
            let last_on = timeline.iter().rev().find(|(_, l)| *l > 0).map(|(t, _)| *t);
            let (last_change, last_level) = timeline.last().copied().unwrap_or((0, 0));
            assert_eq!(last_level, 0, "{ending:?}: toy {i} left on: {timeline:?}");
            assert!(
                last_change <= quiet_by,
                "{ending:?}: toy {i} stopped at {last_change} > {quiet_by}: {timeline:?}"
            );
            if quiet_by > 0 {
                assert!(last_on.is_some(), "{ending:?}: nothing played at all");
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_toy_added_while_halted_is_halted_too() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    rig.sched.panic_stop();
    let (transport, ctl) = VirtualToy::lush("LVS-Late");
    let (late, _) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    rig.sched.add_toy(late.clone());
    rig.until(1_000).await;
    late.set_level(cuedeck::toy::Level::new(9).unwrap());
    rig.until(2_000).await;
    assert!(late.is_halted());
    assert_eq!(ctl.intensity(), 0);
    rig.sched.resume();
    rig.until(3_000).await;
    late.set_level(cuedeck::toy::Level::new(9).unwrap());
    rig.until(4_000).await;
    assert_eq!(ctl.intensity(), 9);
}

#[tokio::test(start_paused = true)]
async fn the_strip_shows_level_and_next_effect() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    assert_eq!(rig.sched.strip_line(), "LVS-Lush0 (virtual) ▯▯▯▯▯ 0/20");
    rig.start(1, 0, 10_000, all_five(false));
    rig.until(1_000).await;
    assert_eq!(
        rig.sched.strip_line(),
        "LVS-Lush0 (virtual) ▮▮▯▯▯ 5/20 · next 25% in 2s"
    );
    rig.sched.panic_stop();
    rig.until(1_100).await;
    assert_eq!(
        rig.sched.strip_line(),
        "LVS-Lush0 (virtual) ▯▯▯▯▯ 0/20 · STOPPED (panic key)"
    );
}

/// An item whose imported pattern is still being fetched when it ends or
/// the stop key is pressed is not played once the file arrives; one that
/// nothing stopped is.
#[tokio::test(start_paused = true)]
async fn an_item_stopped_while_its_pattern_was_fetched_stays_stopped() {
    let rig = Rig::new(1, SchedulerConfig::default()).await;
    let effects = || Arc::from(vec![fx(Timing::Start, 9, Some(2_000), None)]);
    let fetched = |item: u64, asked: u64| {
        let at = rig.at(asked);
        rig.sched
            .item_started_fetched(ItemId(item), at, 10_000, effects(), Vec::new(), Some(at));
    };
    // Heard of at 0, finished at 100, its file arrives at 200.
    rig.until(100).await;
    rig.sched.item_finished(ItemId(1));
    rig.until(200).await;
    fetched(1, 0);
    // Heard of at 1000, the stop key at 1100, the file at 1200.
    rig.until(1_100).await;
    rig.sched.panic_stop();
    rig.until(1_200).await;
    fetched(2, 1_000);
    rig.until(5_000).await;
    assert_eq!(rig.timeline(0), [], "nothing played");
    // Resumed: the next one, fetched with nothing in its way, plays.
    rig.sched.resume();
    rig.until(6_000).await;
    fetched(3, 6_000);
    rig.until(10_000).await;
    assert_eq!(rig.timeline(0), [(6_000, 9), (8_000, 0)]);
}
