//! The effect scheduler: item events in, levels out to every connected toy.
//!
//! One task owns the current item's plan and wakes only when the level may
//! change. Stops (refund, panic key, console exit, server lost for too long)
//! go to the toys as urgent stops that skip pacing.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep_until};

use super::ahead::{self, Ahead};
use super::codec::Level;
use super::device::{Shaping, ToyHandle};
pub use super::lane_play::LANE_HANDOFF_HOLD;
use super::lane_play::{LaneCurrent, LanePlay, combine};
use super::outputs::FeatureLevels;
use super::pattern_file::PatternFile;
use super::plan::{ItemPlan, MAX_END_BURST_MS, Shape};
pub use super::scheduler_config::SchedulerConfig;
use crate::domain::event::EventKind;
use crate::domain::ids::ItemId;
use crate::domain::time::Stamp;
use crate::domain::tips::TipToy;
use crate::domain::toy_effect::{Timing, ToyEffect};

/// Why the toys were stopped at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Refund,
    PanicKey,
    ConsoleExit,
    ServerLost,
}

/// What the console's toy strip shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchedulerStatus {
    pub item: Option<ItemId>,
    /// The toy tip running beside the stage, if any.
    pub lane: Option<ItemId>,
    /// The level sent to the toys now.
    pub level: u8,
    /// The next effect of the current item and when it is due.
    pub next: Option<(Timing, Instant)>,
    pub halted: bool,
    pub server_lost: bool,
    pub last_stop: Option<StopReason>,
}

enum Input {
    Started {
        item: ItemId,
        start: Instant,
        duration_ms: u64,
        effects: Arc<[ToyEffect]>,
        shapes: Vec<Option<Shape>>,
        /// When the console heard of it, if its shapes were fetched since:
        /// an end or a stop after that stands.
        asked: Option<Instant>,
    },
    Finished(ItemId),
    Refunded(ItemId),
    LaneStarted {
        item: ItemId,
        tip: Arc<TipToy>,
        length_ms: u64,
        start: Instant,
        imported: Option<Arc<PatternFile>>,
    },
    /// The tip's run was cut (the run loop's word: stop key, lost toy), at.
    LaneStopped(ItemId, Instant),
    PanicStop(Instant),
    Resume,
    Server {
        up: bool,
    },
    AddToy(ToyHandle),
    RemoveToy(String),
    Exit(oneshot::Sender<()>),
}

type Toys = Arc<RwLock<Vec<ToyHandle>>>;

/// How many ended items the scheduler remembers against late starts.
const ENDED_KEPT: usize = 16;

/// Where an item that started at `started_at` (server clock) started on
/// the local clock, heard of at `now`; `None` when its effects are over.
pub fn local_start(started_at: Stamp, duration_ms: u64, now: Stamp) -> Option<Instant> {
    // Clock skew never puts a start in the future.
    let late = Duration::from_micros(now.micros_since(started_at).max(0) as u64);
    let over = Duration::from_millis(duration_ms.saturating_add(MAX_END_BURST_MS));
    Instant::now().checked_sub(late).filter(|_| late < over)
}

/// The console's handle on the scheduler. Cheap to clone.
#[derive(Clone)]
pub struct SchedulerHandle {
    tx: mpsc::UnboundedSender<Input>,
    toys: Toys,
    status: watch::Receiver<SchedulerStatus>,
}

/// Starts the scheduler task. Call inside a tokio runtime.
pub fn spawn_scheduler(config: SchedulerConfig) -> SchedulerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let toys: Toys = Arc::default();
    let (status_tx, status_rx) = watch::channel(SchedulerStatus::default());
    let task = Scheduler {
        config,
        rx,
        toys: toys.clone(),
        status: status_tx,
        current: None,
        lane: None,
        lane_cut_at: None,
        stage_ended: Vec::new(),
        stopped_at: None,
        level: 0,
        preset: None,
        features: None,
        halted: false,
        server_lost_since: None,
        replanned: false,
    };
    tokio::spawn(task.run());
    SchedulerHandle {
        tx,
        toys,
        status: status_rx,
    }
}

impl SchedulerHandle {
    fn send(&self, input: Input) {
        // A stopped scheduler has already stopped the toys.
        let _ = self.tx.send(input);
    }

    /// Feeds one event of the room's stream; others are ignored. `now` is
    /// the local wall clock: an item that started before we heard of it
    /// (a resumed stream) is placed where it is, never in the future.
    pub fn on_event(&self, kind: &EventKind, now: Stamp) {
        match kind {
            EventKind::ItemStarted {
                item,
                started_at,
                duration_ms,
                effects,
            } => {
                let Some(start) = local_start(*started_at, *duration_ms, now) else {
                    tracing::info!(%item, "item heard of after its effects were over");
                    return;
                };
                self.item_started(*item, start, *duration_ms, effects.clone());
            }
            EventKind::ItemFinished { item, .. } => self.item_finished(*item),
            EventKind::ItemRefunded { item, .. } => self.item_refunded(*item),
            _ => {}
        }
    }

    /// `item_started_shaped` once the shapes were fetched: an item that
    /// ended, or a stop, since `asked` (when the console heard of the
    /// item, if it waited for them) stands, and the item is not played.
    pub fn item_started_fetched(
        &self,
        item: ItemId,
        start: Instant,
        duration_ms: u64,
        effects: Arc<[ToyEffect]>,
        shapes: Vec<Option<Shape>>,
        asked: Option<Instant>,
    ) {
        self.send(Input::Started {
            item,
            start,
            duration_ms,
            effects,
            shapes,
            asked,
        });
    }

    /// An item started at `start` (local time) with duration D and effects.
    pub fn item_started(
        &self,
        item: ItemId,
        start: Instant,
        duration_ms: u64,
        effects: Arc<[ToyEffect]>,
    ) {
        self.item_started_shaped(item, start, duration_ms, effects, Vec::new());
    }

    /// Like `item_started`, with `shapes[i]` (when given) replacing effect
    /// i's pattern: a stored preset or an imported pattern file.
    pub fn item_started_shaped(
        &self,
        item: ItemId,
        start: Instant,
        duration_ms: u64,
        effects: Arc<[ToyEffect]>,
        shapes: Vec<Option<Shape>>,
    ) {
        self.item_started_fetched(item, start, duration_ms, effects, shapes, None);
    }

    /// A toy tip runs from `start` beside whatever the stage plays, in place
    /// of the tip before it; it ends by itself after its length and the
    /// hand-off hold (`LANE_HANDOFF_HOLD`).
    pub fn lane_started(&self, item: ItemId, tip: Arc<TipToy>, length_ms: u64, start: Instant) {
        self.lane_started_with(item, tip, length_ms, start, None);
    }

    /// `lane_started` with the file of the imported pattern the tip names.
    /// A run that starts before the lane's last stop (its file was fetched
    /// meanwhile) is not played: the stop stands.
    pub fn lane_started_with(
        &self,
        item: ItemId,
        tip: Arc<TipToy>,
        length_ms: u64,
        start: Instant,
        imported: Option<Arc<PatternFile>>,
    ) {
        self.send(Input::LaneStarted {
            item,
            tip,
            length_ms,
            start,
            imported,
        });
    }

    /// The tip's run is cut, or over with no tip to follow: it stops now.
    pub fn lane_stopped(&self, item: ItemId) {
        self.send(Input::LaneStopped(item, Instant::now()));
    }

    pub fn item_finished(&self, item: ItemId) {
        self.send(Input::Finished(item));
    }

    pub fn item_refunded(&self, item: ItemId) {
        self.send(Input::Refunded(item));
    }

    /// The panic key: every toy stops now (directly, not through the queue)
    /// and stays at 0 until `resume`.
    pub fn panic_stop(&self) {
        halt_all(&self.toys);
        self.send(Input::PanicStop(Instant::now()));
    }

    pub fn resume(&self) {
        for toy in self
            .toys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            toy.resume();
        }
        self.send(Input::Resume);
    }

    /// The server connection went down (`false`) or came back (`true`).
    pub fn server_connection(&self, up: bool) {
        self.send(Input::Server { up });
    }

    pub fn add_toy(&self, toy: ToyHandle) {
        self.send(Input::AddToy(toy));
    }

    pub fn remove_toy(&self, label: &str) {
        self.send(Input::RemoveToy(label.to_owned()));
    }

    /// The toys the scheduler drives now.
    pub fn toys(&self) -> Vec<ToyHandle> {
        self.toys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn status(&self) -> watch::Receiver<SchedulerStatus> {
        self.status.clone()
    }

    /// Console exit: stop every toy, end with `Vibrate:0;`, close the links.
    pub async fn exit(&self) {
        let (tx, rx) = oneshot::channel();
        self.send(Input::Exit(tx));
        if rx.await.is_err() {
            // The task is gone; stop what we can reach.
            for toy in self.toys() {
                toy.shutdown().await;
            }
        }
    }

    /// The toy strip's text now (see `strip::strip_line`).
    pub fn strip_line(&self) -> String {
        let toys: Vec<_> = self
            .toys()
            .iter()
            .map(|t| (t.label().to_owned(), t.status().borrow().clone()))
            .collect();
        let status = self.status.borrow().clone();
        super::strip::strip_line(&toys, &status, Instant::now())
    }

    /// A stop handle for the panic hook.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            toys: self.toys.clone(),
        }
    }
}

fn halt_all(toys: &Toys) {
    // try_read: a panic hook must not wait on a lock a panicking thread holds.
    if let Ok(toys) = toys.try_read() {
        for toy in toys.iter() {
            toy.halt();
        }
    }
}

/// Stops every toy of a scheduler from sync code (the panic hook).
#[derive(Clone)]
pub struct Stopper {
    toys: Toys,
}

/// Chains a panic hook that halts every toy before the previous hook runs,
/// then gives the toy tasks (on other worker threads) a moment to write the
/// stop. If the process dies anyway, `AutoSwith:On:Off;` stops a BLE toy
/// when its link drops.
pub fn install_panic_hook(stopper: Stopper) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        stopper.stop_all();
        std::thread::sleep(Duration::from_millis(200));
        previous(info);
    }));
}

impl Stopper {
    /// A stopper for toys driven without a scheduler (hardware mode).
    pub fn for_toys(toys: Vec<ToyHandle>) -> Stopper {
        Stopper {
            toys: Arc::new(RwLock::new(toys)),
        }
    }

    pub fn stop_all(&self) {
        halt_all(&self.toys);
    }
}

/// tokio's timer fires on the millisecond tick after its deadline, 1-2 ms
/// late. Aim two milliseconds early, then yield until the moment: at most
/// about 2 ms of yielding per level change (2 % of a core while a pattern
/// renders at 10/s), nothing while idle.
async fn sleep_precisely_until(deadline: Instant) {
    const EARLY: Duration = Duration::from_millis(2);
    if let Some(early) = deadline.checked_sub(EARLY) {
        sleep_until(early).await;
    }
    loop {
        let before = Instant::now();
        if before >= deadline {
            return;
        }
        tokio::task::yield_now().await;
        if Instant::now() == before {
            // The clock stands still (paused in tests): let the timer jump it.
            sleep_until(deadline).await;
            return;
        }
    }
}

struct Current {
    item: ItemId,
    start: Instant,
    plan: ItemPlan,
}

impl Current {
    fn offset(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }
}

struct Scheduler {
    config: SchedulerConfig,
    rx: mpsc::UnboundedReceiver<Input>,
    toys: Toys,
    status: watch::Sender<SchedulerStatus>,
    current: Option<Current>,
    lane: Option<LaneCurrent>,
    /// When the lane's toy run was last cut (stop, stop key, lost server).
    lane_cut_at: Option<Instant>,
    /// The last items that finished or were refunded, and when.
    stage_ended: Vec<(ItemId, Instant)>,
    /// When everything was last stopped (stop key, lost server).
    stopped_at: Option<Instant>,
    level: u8,
    /// The stored pattern the toys were told to run.
    preset: Option<u8>,
    /// The multi-feature pattern step the toys were told, if one plays.
    features: Option<FeatureLevels>,
    halted: bool,
    server_lost_since: Option<Instant>,
    /// What is due next changed (an item, a tip, a finish): the toys are
    /// told again even if the level of the moment did not change.
    replanned: bool,
}

impl Scheduler {
    async fn run(mut self) {
        loop {
            let now = Instant::now();
            self.update(now);
            let wake = self.next_wake(now);
            tokio::select! {
                input = self.rx.recv() => match input {
                    Some(Input::Exit(done)) => {
                        self.shutdown().await;
                        let _ = done.send(());
                        return;
                    }
                    Some(input) => self.apply(input, Instant::now()),
                    None => break,
                },
                () = sleep_precisely_until(wake.unwrap_or(now)), if wake.is_some() => {}
            }
        }
        // Every handle is gone: the console has gone without saying so.
        self.shutdown().await;
    }

    fn toys(&self) -> Vec<ToyHandle> {
        self.toys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends the level due now if it changed; drops a finished plan.
    fn update(&mut self, now: Instant) {
        if let Some(since) = self.server_lost_since
            && now >= since + Duration::from_millis(self.config.server_loss_stop_ms)
            && (self.current.is_some() || self.lane.is_some())
        {
            tracing::warn!("server unreachable too long: stopping the toys");
            self.lane_cut_at = Some(now);
            self.stopped_at = Some(now);
            self.stop_at_once(now, StopReason::ServerLost);
        }
        let level = match &self.current {
            Some(c) if !self.halted && now >= c.start => c.plan.level_at(c.offset(now)),
            _ => 0,
        };
        let level = level.min(self.config.intensity_cap);
        let features = match &self.current {
            Some(c) if !self.halted && now >= c.start => c.plan.features_at(c.offset(now)),
            _ => None,
        };
        let lane = match &self.lane {
            Some(l) if !self.halted && now >= l.start => l.output(now),
            _ => None,
        };
        let (level, features) = combine(level, features, lane);
        if level != self.level || features != self.features || std::mem::take(&mut self.replanned) {
            self.level = level;
            self.features = features;
            let ahead = self.coming(now);
            for toy in self.toys() {
                match (features, &ahead) {
                    (Some(f), _) => toy.set_features(f),
                    (None, Some(a)) => toy.set_level_ahead(Level::saturating(level), a.clone()),
                    (None, None) => toy.set_level(Level::saturating(level)),
                }
            }
        }
        let preset = match &self.current {
            Some(c) if !self.halted && now >= c.start => c.plan.preset_at(c.offset(now)),
            _ => None,
        }
        .or(lane.and_then(|l| l.preset));
        if preset != self.preset {
            self.preset = preset;
            for toy in self.toys() {
                // Sent in order; a stop still overtakes it.
                let _ = toy.preset(preset.unwrap_or(0));
            }
        }
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.offset(now) >= c.plan.quiet_from())
        {
            // Its effects are over (the item itself may run on in overtime).
            self.current = None;
        }
        if self.lane.as_ref().is_some_and(|l| l.is_over(now)) {
            self.lane = None;
        }
        let next = self.current.as_ref().and_then(|c| {
            c.plan
                .next_effect_after(c.offset(now))
                .map(|(timing, at)| (timing, c.start + Duration::from_millis(at)))
        });
        let item = self.current.as_ref().map(|c| c.item);
        let lane_item = self.lane.as_ref().map(|l| l.play.item);
        let (halted, server_lost, level) =
            (self.halted, self.server_lost_since.is_some(), self.level);
        self.status.send_if_modified(|s| {
            let new = SchedulerStatus {
                item,
                lane: lane_item,
                level,
                next,
                halted,
                server_lost,
                last_stop: s.last_stop,
            };
            let changed = *s != new;
            *s = new;
            changed
        });
    }

    /// The item's levels over the next ticks, when nothing else shapes
    /// them (no lane tip beside it, no multi-feature step, no preset).
    fn coming(&self, now: Instant) -> Option<Ahead> {
        let c = self.current.as_ref().filter(|c| now >= c.start)?;
        let at = c.offset(now);
        if self.halted
            || self.lane.is_some()
            || c.plan.features_at(at).is_some()
            || c.plan.preset_at(at).is_some()
        {
            return None;
        }
        let cap = self.config.intensity_cap;
        ahead::coming(|t| c.plan.level_at(t).min(cap), at, now)
    }

    fn next_wake(&self, now: Instant) -> Option<Instant> {
        let plan = self
            .current
            .as_ref()
            .filter(|_| !self.halted)
            .and_then(|c| {
                if now < c.start {
                    // Announced ahead of its start: wake when it begins.
                    return Some(c.start);
                }
                c.plan
                    .next_change_after(c.offset(now))
                    .map(|at| c.start + Duration::from_millis(at))
            });
        let lane = self
            .lane
            .as_ref()
            .filter(|_| !self.halted)
            .and_then(|l| l.next_change(now));
        let plan = match (plan, lane) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let lost = self
            .server_lost_since
            .filter(|_| self.current.is_some() || self.lane.is_some())
            .map(|since| since + Duration::from_millis(self.config.server_loss_stop_ms));
        match (plan, lost) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn note_ended(&mut self, item: ItemId, at: Instant) {
        if self.stage_ended.len() >= ENDED_KEPT {
            self.stage_ended.remove(0);
        }
        self.stage_ended.push((item, at));
    }

    fn apply(&mut self, input: Input, now: Instant) {
        self.replanned |= matches!(
            input,
            Input::Started { .. }
                | Input::Finished(_)
                | Input::Refunded(_)
                | Input::LaneStarted { .. }
                | Input::LaneStopped(..)
                | Input::Resume
        );
        match input {
            Input::Started {
                item,
                start,
                duration_ms,
                effects,
                shapes,
                asked,
            } => {
                if self.halted {
                    tracing::info!(%item, "item started while halted: its effects are skipped");
                    return;
                }
                if let Some(asked) = asked {
                    let ended = self
                        .stage_ended
                        .iter()
                        .any(|(i, at)| *i == item && *at >= asked);
                    if ended || self.stopped_at.is_some_and(|cut| cut >= asked) {
                        tracing::info!(%item, "item ended or stopped while its pattern was fetched");
                        return;
                    }
                }
                // One item plays at a time: a new one replaces the old.
                self.current = Some(Current {
                    item,
                    start,
                    plan: ItemPlan::new_shaped(duration_ms, &effects, &shapes, &self.config.plan()),
                });
            }
            Input::Finished(item) => {
                self.note_ended(item, now);
                if let Some(c) = self.current.as_mut().filter(|c| c.item == item) {
                    let at = c.offset(now);
                    c.plan.finish(at);
                }
            }
            Input::Refunded(item) => {
                self.note_ended(item, now);
                if self.current.as_ref().is_some_and(|c| c.item == item) {
                    // The tip running beside it goes on.
                    let lane = self.lane.take();
                    self.stop_at_once(now, StopReason::Refund);
                    self.lane = lane;
                }
            }
            Input::LaneStarted {
                item,
                tip,
                length_ms,
                start,
                imported,
            } => {
                if self.halted || self.lane_cut_at.is_some_and(|cut| start < cut) {
                    tracing::info!(%item, "tip started while halted or before a stop: not played");
                    return;
                }
                let cap = self.config.intensity_cap;
                let play = LanePlay::new(item, &tip, length_ms, cap, imported);
                self.lane = Some(LaneCurrent { play, start });
            }
            Input::LaneStopped(item, at) => {
                self.lane_cut_at = Some(at);
                if self.lane.as_ref().is_some_and(|l| l.play.item == item) {
                    self.lane = None;
                }
            }
            Input::PanicStop(at) => {
                self.halted = true;
                self.lane_cut_at = Some(at);
                self.stopped_at = Some(at);
                self.stop_at_once(now, StopReason::PanicKey);
            }
            Input::Resume => self.halted = false,
            Input::Server { up } => {
                self.server_lost_since = if up {
                    None
                } else {
                    self.server_lost_since.or(Some(now))
                };
            }
            Input::AddToy(toy) => {
                toy.set_shaping(Shaping {
                    cap: self.config.intensity_cap,
                    maps: Arc::new(self.config.models.clone()),
                });
                if self.halted {
                    toy.halt();
                }
                // It joins at the moment's level (every output, as the others).
                match self.features {
                    Some(f) => toy.set_features(f),
                    None => toy.set_level(Level::saturating(self.level)),
                }
                let mut toys = self.toys.write().unwrap_or_else(PoisonError::into_inner);
                toys.retain(|t| t.label() != toy.label());
                toys.push(toy);
            }
            Input::RemoveToy(label) => {
                let mut toys = self.toys.write().unwrap_or_else(PoisonError::into_inner);
                toys.retain(|t| t.label() != label);
            }
            Input::Exit(_) => {}
        }
    }

    /// Cancels the current item and stops every toy, skipping pacing.
    fn stop_at_once(&mut self, now: Instant, reason: StopReason) {
        tracing::info!(?reason, "stopping the toys");
        if let Some(c) = self.current.take() {
            tracing::debug!(item = %c.item, at_ms = c.offset(now), "effects cancelled");
        }
        if let Some(l) = self.lane.take() {
            tracing::debug!(item = %l.play.item, at_ms = l.offset(now), "tip run cancelled");
        }
        self.level = 0;
        self.preset = None;
        self.features = None;
        for toy in self.toys() {
            toy.stop_now();
        }
        self.status.send_modify(|s| {
            s.level = 0;
            s.item = None;
            s.lane = None;
            s.next = None;
            s.last_stop = Some(reason);
        });
    }

    async fn shutdown(&mut self) {
        self.stop_at_once(Instant::now(), StopReason::ConsoleExit);
        for toy in self.toys() {
            toy.shutdown().await;
        }
    }
}
