//! The scheduler's end paths once per backend: the virtual toy, a fake
//! Bluetooth link, a fake Lovense Remote and a fake Intiface Central. Every
//! way an item ends (its end, finish, refund, the stop key, console exit,
//! the server lost) leaves a stop as the last command the backend received,
//! and nothing after it; the cap and the pacing hold on every backend.

use std::sync::Arc;
use std::time::Duration;

use cuedeck::domain::ids::ItemId;
use cuedeck::domain::toy_effect::{Pattern, Timing};
use cuedeck::toy::ToyHandle;
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::fake::{FakeRemote, fake_transport};
use cuedeck::toy::scheduler::{SchedulerConfig, SchedulerHandle, spawn_scheduler};
use cuedeck::toy::virtual_toy::{VirtualControl, VirtualToy};
use tokio::time::{Instant, sleep, sleep_until};

use super::fake_intiface::{FakeIntiface, bullet};
use super::remote::FakeApp;
use super::scheduler::fx;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Virtual,
    Bluetooth,
    Remote,
    Intiface,
}

const KINDS: [Kind; 4] = [Kind::Virtual, Kind::Bluetooth, Kind::Remote, Kind::Intiface];

/// What each backend's fake received.
enum Probe {
    Virtual(VirtualControl),
    Bluetooth(FakeRemote),
    Remote(FakeApp),
    Intiface(FakeIntiface),
}

fn numbers(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
}

impl Probe {
    /// Every level command, stops included: (when, text).
    fn commands(&self) -> Vec<(Instant, String)> {
        let motion = |w: &String| w.starts_with("Vibrate") || w.starts_with("Mply");
        match self {
            Probe::Virtual(c) => c
                .timed_writes()
                .into_iter()
                .filter(|(_, w)| motion(w))
                .collect(),
            Probe::Bluetooth(r) => r
                .timed_writes()
                .into_iter()
                .filter(|(_, w)| motion(w))
                .collect(),
            Probe::Remote(a) => a
                .posts
                .lock()
                .unwrap()
                .iter()
                .filter(|(_, b)| {
                    b.contains(r#""command":"Function""#) || b.contains(r#""command":"Pattern""#)
                })
                .cloned()
                .collect(),
            Probe::Intiface(f) => f
                .timed()
                .into_iter()
                .filter(|(_, n, _)| n == "OutputCmd" || n == "StopCmd")
                .map(|(t, n, v)| (t, format!("{n} {v}")))
                .collect(),
        }
    }

    fn is_stop(&self, text: &str) -> bool {
        match self {
            Probe::Virtual(_) | Probe::Bluetooth(_) => text == "Vibrate:0;",
            Probe::Remote(_) => text.contains(r#""action":"Stop""#),
            Probe::Intiface(_) => text.starts_with("StopCmd"),
        }
    }

    /// The strongest level sent, on the 0..=20 scale (every fake's toy
    /// has outputs of 20 steps).
    fn peak(&self) -> u8 {
        self.commands()
            .iter()
            .filter(|(_, c)| !self.is_stop(c))
            .map(|(_, c)| match self {
                Probe::Remote(_) => {
                    // A Function's action levels, or a Pattern's strengths.
                    let field = if c.contains(r#""strength":""#) {
                        r#""strength":""#
                    } else {
                        r#""action":""#
                    };
                    let value = c.split(field).nth(1).unwrap_or("");
                    numbers(value.split('"').next().unwrap_or(""))
                        .max()
                        .unwrap_or(0)
                }
                Probe::Intiface(_) => {
                    let value = c.split(r#""Value":"#).nth(1).unwrap_or("");
                    numbers(value).next().unwrap_or(0)
                }
                _ => numbers(c).max().unwrap_or(0),
            })
            .max()
            .unwrap_or(0)
    }

    fn assert_stopped(&self, kind: Kind, what: &str) {
        let commands = self.commands();
        let last = commands.last().map(|(_, c)| c.clone()).unwrap_or_default();
        assert!(
            self.is_stop(&last),
            "{kind:?} {what}: last command {last:?}"
        );
        assert!(
            commands.iter().any(|(_, c)| !self.is_stop(c)),
            "{kind:?} {what}: something played: {commands:?}"
        );
    }
}

struct Rig {
    sched: SchedulerHandle,
    toy: ToyHandle,
    probe: Probe,
}

async fn rig(kind: Kind, config: SchedulerConfig) -> Rig {
    let (toy, probe) = match kind {
        Kind::Virtual => {
            let (t, ctl) = VirtualToy::lush("LVS-Lush11");
            let (toy, _) = spawn_toy(Box::new(t), DriverConfig::default()).unwrap();
            toy.identify("LVS-Lush11", 3, ms(500)).await;
            (toy, Probe::Virtual(ctl))
        }
        Kind::Bluetooth => {
            let (t, remote) = fake_transport("LVS-Lush11");
            let (toy, _) = spawn_toy(Box::new(t), DriverConfig::default()).unwrap();
            super::families::script(remote.clone(), Some("S:11:0082059AD3BD;".into()));
            toy.identify("LVS-Lush11", 3, ms(500)).await;
            (toy, Probe::Bluetooth(remote))
        }
        Kind::Remote => {
            let app = FakeApp::default();
            (super::remote::nora(&app).await, Probe::Remote(app))
        }
        Kind::Intiface => {
            let fake = FakeIntiface::with(bullet());
            let (toy, _, _) = super::intiface::drive(&fake, None).await;
            (toy, Probe::Intiface(fake))
        }
    };
    let sched = spawn_scheduler(config);
    sched.add_toy(toy.clone());
    sleep(ms(100)).await;
    Rig { sched, toy, probe }
}

#[derive(Debug, Clone, Copy)]
enum End {
    Natural,
    Finish,
    Refund,
    StopKey,
    ConsoleExit,
    ServerLost,
}

async fn end_path(kind: Kind, end: End) {
    let config = SchedulerConfig {
        server_loss_stop_ms: 1_000,
        ..SchedulerConfig::default()
    };
    let rig = rig(kind, config).await;
    let t0 = Instant::now() + ms(100);
    let item = ItemId(1);
    let effects = vec![
        fx(Timing::Start, 12, None, Some(Pattern::Wave)),
        fx(Timing::End, 16, None, Some(Pattern::Constant)),
    ];
    rig.sched.item_started(item, t0, 4_000, Arc::from(effects));
    sleep_until(t0 + ms(2_000)).await;
    assert!(
        rig.toy.status().borrow().level > 0,
        "{kind:?} {end:?}: playing"
    );
    match end {
        End::Natural => sleep_until(t0 + ms(4_000)).await,
        End::Finish => rig.sched.item_finished(item),
        End::Refund => rig.sched.item_refunded(item),
        End::StopKey => rig.sched.panic_stop(),
        End::ConsoleExit => rig.sched.exit().await,
        End::ServerLost => rig.sched.server_connection(false),
    }
    // Past the server-loss delay and a Remote refresh or two.
    sleep(ms(2_500)).await;
    let what = format!("{end:?}");
    rig.probe.assert_stopped(kind, &what);
    assert_eq!(rig.toy.status().borrow().level, 0, "{kind:?} {what}");
    let settled = rig.probe.commands().len();
    sleep(ms(3_000)).await;
    assert_eq!(
        rig.probe.commands().len(),
        settled,
        "{kind:?} {what}: nothing after the stop: {:?}",
        rig.probe.commands()
    );
}

#[tokio::test(start_paused = true)]
async fn every_end_path_ends_with_a_stop_on_every_backend() {
    for kind in KINDS {
        for end in [
            End::Natural,
            End::Finish,
            End::Refund,
            End::StopKey,
            End::ConsoleExit,
            End::ServerLost,
        ] {
            end_path(kind, end).await;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_cap_and_the_pacing_hold_on_every_backend() {
    for kind in KINDS {
        let config = SchedulerConfig {
            intensity_cap: 10,
            ..SchedulerConfig::default()
        };
        let rig = rig(kind, config).await;
        let t0 = Instant::now() + ms(100);
        let effects = vec![fx(Timing::Start, 20, None, Some(Pattern::Wave))];
        rig.sched
            .item_started(ItemId(2), t0, 3_000, Arc::from(effects));
        sleep_until(t0 + ms(4_000)).await;
        let peak = rig.probe.peak();
        assert!(peak > 0 && peak <= 10, "{kind:?}: peak {peak} over the cap");
        // Levels (not the stops, which go ahead of pacing) are 100 ms apart
        // or more.
        let levels: Vec<Instant> = rig
            .probe
            .commands()
            .into_iter()
            .filter(|(_, c)| !rig.probe.is_stop(c))
            .map(|(t, _)| t)
            .collect();
        // Lovense Remote gets the wave's steps two seconds at a time.
        let least = if matches!(kind, Kind::Remote) { 3 } else { 5 };
        assert!(levels.len() >= least, "{kind:?}: a wave is several levels");
        for pair in levels.windows(2) {
            assert!(
                pair[1] - pair[0] >= ms(100),
                "{kind:?}: two levels {:?} apart",
                pair[1] - pair[0]
            );
        }
        rig.probe.assert_stopped(kind, "after the item");
        rig.sched.exit().await;
    }
}
