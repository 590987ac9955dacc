//! Effect timing on the virtual toy, in real time: 1,000 effects over about
//! 20 s, measuring the delay from each effect's due moment to its write.
//!
//! Ten toys, each with its own scheduler, play 25 items of D = 640 ms, 800 ms
//! apart, with effects at start/p25/p50/p75 (160 ms apart, so pacing never
//! holds one back). The toys are staggered 16 ms apart, so an effect falls
//! due somewhere every 16 ms. Each item is announced 100 ms before it starts, so what
//! is measured is the scheduler's wake-up and the driver's write, not the
//! announcement's trip. Prints one line:
//! `effects=1000 p50_us=... p99_us=... max_us=...`.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Timing, ToyEffect};
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::scheduler::{SchedulerConfig, spawn_scheduler};
use cuedeck::toy::virtual_toy::VirtualToy;
use tokio::time::{Instant, sleep_until};

const TOYS: usize = 10;
const ITEMS: u64 = 25;
const D_MS: u64 = 640;
const PERIOD_MS: u64 = 800;
const LEVELS: [u8; 4] = [5, 7, 9, 11];
const TIMINGS: [Timing; 4] = [Timing::Start, Timing::P25, Timing::P50, Timing::P75];

fn effects() -> Arc<[ToyEffect]> {
    TIMINGS
        .iter()
        .zip(LEVELS)
        .map(|(timing, level)| ToyEffect {
            enabled: true,
            timing: *timing,
            intensity: Some(level),
            duration_ms: None,
            device_vendor: None,
            pattern: None,
        })
        .collect()
}

/// Delays (us) of one toy's effects: its writes matched in order against
/// what was due.
async fn run_toy(index: usize, t0: Instant) -> Vec<u64> {
    let (transport, ctl) = VirtualToy::lush(&format!("LVS-Bench{index}"));
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).expect("driver");
    let sched = spawn_scheduler(SchedulerConfig::default());
    sched.add_toy(toy);
    let fx = effects();
    let mut due = Vec::new();
    for k in 0..ITEMS {
        let start = t0 + Duration::from_millis(k * PERIOD_MS);
        sleep_until(start - Duration::from_millis(100)).await;
        sched.item_started(ItemId(k + 1), start, D_MS, fx.clone());
        for (timing, level) in TIMINGS.iter().zip(LEVELS) {
            due.push((
                start + Duration::from_millis(timing.offset_ms(D_MS)),
                format!("Vibrate:{level};"),
            ));
        }
        due.push((start + Duration::from_millis(D_MS), "Vibrate:0;".to_owned()));
    }
    sleep_until(t0 + Duration::from_millis(ITEMS * PERIOD_MS + 200)).await;
    sched.exit().await;

    // Skip the start-up chatter (AutoSwith, the joining Vibrate:0).
    let writes: Vec<(Instant, String)> = ctl
        .timed_writes()
        .into_iter()
        .filter(|(t, _)| *t >= t0)
        .collect();
    let mut delays = Vec::new();
    let mut writes = writes.into_iter();
    for (due_at, text) in due {
        let (at, got) = writes
            .next()
            .unwrap_or_else(|| panic!("toy {index}: {text} never written"));
        assert_eq!(got, text, "toy {index}: writes out of order");
        if text != "Vibrate:0;" {
            delays.push(at.saturating_duration_since(due_at).as_micros() as u64);
        }
    }
    delays
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut delays: Vec<u64> = runtime.block_on(async {
        let t0 = Instant::now() + Duration::from_millis(500);
        let tasks: Vec<_> = (0..TOYS)
            .map(|i| tokio::spawn(run_toy(i, t0 + Duration::from_millis(16 * i as u64))))
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.expect("toy task"));
        }
        all
    });
    delays.sort_unstable();
    let pct = |p: usize| delays[(delays.len() * p / 100).min(delays.len() - 1)];
    println!(
        "effects={} p50_us={} p99_us={} max_us={}",
        delays.len(),
        pct(50),
        pct(99),
        delays.last().copied().unwrap_or(0)
    );
}
