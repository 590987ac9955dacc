//! The lane runner: the room's toy lane mirrored from the server's stream,
//! and what this console does about it. It takes the head when a toy is
//! connected and the lane is not paused, has the toy scheduler play the
//! tip, and reports `lane_done` only once the run's time is over on our
//! clock. A run cut short (the stop key, a lost toy, a lost server) is
//! never reported done: the stop key pauses the lane (the server puts the
//! tip back at the head with what is left), a lost toy releases it, a lost
//! server leaves it to the server, and a run this console did not start (a
//! restart) is released so it runs again from what was left. Pure: the
//! clock comes in as `now`.

use crate::client::StreamEvent;
use crate::console::app::{App, Effect, LogKind, ToyCue};
use crate::domain::{EventKind, ItemId, Stamp};
use crate::protocol::{LaneSnapshot, LaneTip, RoomCommand};

/// The tip this console drives now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalRun {
    pub item: ItemId,
    /// When the run started and ends, on our clock.
    pub started_at: Stamp,
    pub ends_at: Stamp,
}

impl LocalRun {
    /// How long the toy has run it at `now`, in ms.
    fn ran_ms(&self, now: Stamp) -> u64 {
        (now.micros_since(self.started_at).max(0) / 1000) as u64
    }
}

/// The lane as the console knows it, and its runner's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaneState {
    pub paused: bool,
    pub running: Option<LaneTip>,
    /// Next first.
    pub waiting: Vec<LaneTip>,
    /// The run this console drives.
    pub run: Option<LocalRun>,
    /// A take sent for this item and not yet answered.
    pub taking: Option<ItemId>,
    /// The last item this console reported done (its settlement may still
    /// be on its way: it is never released).
    pub reported: Option<ItemId>,
    /// A run that ended with the next head taken at once: the toy holds its
    /// level until the next tip plays (no stop between two tips), and stops
    /// if the take comes to nothing.
    pub handing_off: Option<ItemId>,
    /// Our run cut by a lost server, and how long the toy ran it: given
    /// back with that once the server is back (it cannot tell when the
    /// run stopped).
    pub lost_run: Option<(ItemId, u64)>,
}

impl LaneState {
    pub fn from_snapshot(lane: &LaneSnapshot) -> LaneState {
        LaneState {
            paused: lane.paused,
            running: lane.running.clone(),
            waiting: lane.waiting.clone(),
            ..LaneState::default()
        }
    }

    /// How many tips wait (the running one not counted).
    pub fn waiting_count(&self) -> usize {
        self.waiting.len()
    }

    fn remove(&mut self, item: ItemId) -> Option<LaneTip> {
        if self.running.as_ref().is_some_and(|r| r.item.id == item) {
            return self.running.take();
        }
        let at = self.waiting.iter().position(|w| w.item.id == item)?;
        Some(self.waiting.remove(at))
    }

    /// Time left of the running tip at `now` (server time), in ms.
    pub fn left_ms(&self, server_now: Stamp) -> Option<u64> {
        let running = self.running.as_ref()?;
        let Some(started) = running.started_at else {
            return Some(running.remaining_ms);
        };
        let ran = (server_now.micros_since(started).max(0) / 1000) as u64;
        Some(running.remaining_ms.saturating_sub(ran))
    }
}

impl App {
    /// The lane's part of a stream event: the mirror moves, and a run of
    /// ours that the server ended or took back stops on the toy.
    pub(in crate::console) fn lane_event(
        &mut self,
        event: &StreamEvent,
        now: Stamp,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            StreamEvent::Snapshot(snapshot) => {
                let (run, reported, lost) = (self.lane.run, self.lane.reported, self.lane.lost_run);
                if let Some(held) = self.lane.handing_off {
                    effects.push(Effect::ToyCue(ToyCue::LaneStop(held)));
                }
                self.lane = LaneState::from_snapshot(&snapshot.lane);
                self.lane.reported = reported;
                self.lane.lost_run = lost;
                let still_ours = run.filter(|r| {
                    self.lane
                        .running
                        .as_ref()
                        .is_some_and(|s| s.item.id == r.item)
                });
                if let (Some(run), None) = (run, still_ours) {
                    effects.push(Effect::ToyCue(ToyCue::LaneStop(run.item)));
                }
                self.lane.run = still_ours;
            }
            StreamEvent::Disconnected { .. } => {
                // The toy stops with the server gone; the server keeps the
                // tip, and the snapshot after the reconnect says where it is.
                if let Some(run) = self.lane.run.take() {
                    effects.push(Effect::ToyCue(ToyCue::LaneStop(run.item)));
                    self.lane.lost_run = Some((run.item, run.ran_ms(now)));
                }
                self.lane.taking = None;
                effects.extend(self.lane_handoff_failed());
            }
            StreamEvent::Ack { request_id, result } if result.is_err() => {
                let take_refused = self
                    .pending
                    .get(request_id)
                    .is_some_and(|p| matches!(p.command, RoomCommand::LaneTake { .. }));
                if take_refused {
                    self.lane.taking = None;
                    effects.extend(self.lane_handoff_failed());
                }
            }
            StreamEvent::Event { event, .. } => match &event.kind {
                EventKind::TipQueued { item, .. } => self.lane.waiting.push(LaneTip {
                    item: item.clone(),
                    remaining_ms: item
                        .tip
                        .as_ref()
                        .map_or(item.duration_ms, |t| t.duration_ms),
                    started_at: None,
                }),
                EventKind::LaneStarted {
                    item,
                    started_at,
                    remaining_ms,
                    tip,
                } => {
                    let view = self.lane.remove(*item).map(|t| t.item);
                    self.lane.running = view.map(|item| LaneTip {
                        item,
                        remaining_ms: *remaining_ms,
                        started_at: Some(*started_at),
                    });
                    if self.lane.taking.take() == Some(*item) {
                        // This play takes over from a held one.
                        self.lane.handing_off = None;
                        self.lane.run = Some(LocalRun {
                            item: *item,
                            started_at: now,
                            ends_at: now.plus_millis(*remaining_ms),
                        });
                        effects.push(Effect::ToyCue(ToyCue::LanePlay {
                            item: *item,
                            tip: tip.clone(),
                            length_ms: *remaining_ms,
                        }));
                    }
                }
                EventKind::LaneSettled { item, .. } => {
                    self.lane.remove(*item);
                    effects.extend(self.lane_run_gone(*item));
                }
                EventKind::LaneReturned {
                    item, remaining_ms, ..
                } => {
                    if let Some(mut tip) = self.lane.remove(*item) {
                        tip.remaining_ms = *remaining_ms;
                        tip.started_at = None;
                        self.lane.waiting.insert(0, tip);
                    }
                    effects.extend(self.lane_run_gone(*item));
                }
                EventKind::ItemRefunded { item, .. } => {
                    self.lane.remove(*item);
                    effects.extend(self.lane_run_gone(*item));
                }
                EventKind::LaneCleared { .. } => {
                    if let Some(run) = self.lane.run.take() {
                        effects.push(Effect::ToyCue(ToyCue::LaneStop(run.item)));
                    }
                    self.lane.taking = None;
                    effects.extend(self.lane_handoff_failed());
                    self.lane.running = None;
                    self.lane.waiting.clear();
                }
                EventKind::LanePaused { .. } => self.lane.paused = true,
                EventKind::LaneResumed { .. } => self.lane.paused = false,
                _ => {}
            },
            _ => {}
        }
        effects
    }

    /// A hand-off that will not happen (the take refused, the server or the
    /// lane gone): the held tip stops now.
    fn lane_handoff_failed(&mut self) -> Vec<Effect> {
        self.lane
            .handing_off
            .take()
            .map(|held| Effect::ToyCue(ToyCue::LaneStop(held)))
            .into_iter()
            .collect()
    }

    /// The server ended or took back `item`: if we were running it, the
    /// toy stops playing it.
    fn lane_run_gone(&mut self, item: ItemId) -> Vec<Effect> {
        match self.lane.run {
            Some(run) if run.item == item => {
                self.lane.run = None;
                vec![Effect::ToyCue(ToyCue::LaneStop(item))]
            }
            _ => Vec::new(),
        }
    }

    /// A lane command already on its way (so nothing else is decided yet).
    fn lane_command_pending(&self) -> bool {
        self.pending.values().any(|p| {
            matches!(
                p.command,
                RoomCommand::LaneTake { .. }
                    | RoomCommand::LaneDone { .. }
                    | RoomCommand::LaneRelease { .. }
                    | RoomCommand::LanePause
                    | RoomCommand::LaneResume
            )
        })
    }

    /// The head the runner may take now, if any.
    fn next_head(&self) -> Option<ItemId> {
        let ready = !self.lane.paused && self.toy.connected > 0 && !self.toy.halted;
        let head = self.lane.waiting.first().map(|head| head.item.id);
        head.filter(|_| ready && self.connected())
    }

    /// What the runner does now: report a run that ended (and take the next
    /// head with it), give back a run whose toy is gone or that is not
    /// ours, take the head.
    pub fn drive_lane(&mut self, now: Stamp) -> Vec<Effect> {
        if self.read_only() || self.watch.is_some() {
            return Vec::new();
        }
        if self.lane.taking.is_none() && self.lane.run.is_none() {
            // Whatever answered the take, no tip follows the held one.
            let stop = self.lane_handoff_failed();
            if !stop.is_empty() {
                return stop;
            }
        }
        if let Some(run) = self.lane.run {
            if now >= run.ends_at {
                self.lane.run = None;
                self.lane.reported = Some(run.item);
                // Done and the next take go out together, in this order (the
                // server runs a socket's commands in order): the next tip
                // starts as this one is settled, never beside it.
                let next = self.next_head();
                let mut effects = match next {
                    Some(_) => {
                        self.lane.handing_off = Some(run.item);
                        Vec::new()
                    }
                    None => vec![Effect::ToyCue(ToyCue::LaneStop(run.item))],
                };
                effects.extend(self.dispatch(RoomCommand::LaneDone {
                    item: Some(run.item),
                }));
                if let Some(head) = next {
                    self.lane.taking = Some(head);
                    effects.extend(self.dispatch(RoomCommand::LaneTake { item: Some(head) }));
                }
                return effects;
            }
            if self.toy.connected == 0 {
                self.lane.run = None;
                self.note(
                    now,
                    LogKind::Info,
                    "toy lost: the tip goes back to the lane".into(),
                );
                let mut effects = vec![Effect::ToyCue(ToyCue::LaneStop(run.item))];
                effects.extend(self.dispatch(RoomCommand::LaneRelease {
                    item: Some(run.item),
                    ran_ms: Some(run.ran_ms(now)),
                }));
                return effects;
            }
            return Vec::new();
        }
        if !self.connected() || self.lane.taking.is_some() || self.lane_command_pending() {
            return Vec::new();
        }
        if let Some(running) = &self.lane.running {
            let item = running.item.id;
            if self.lane.reported == Some(item) {
                return Vec::new();
            }
            // A run no console of ours drives (a restart, a lost server):
            // it goes back to the head with what was left, then runs again.
            let ran_ms = self
                .lane
                .lost_run
                .take()
                .and_then(|(lost, ran)| (lost == item).then_some(ran));
            return self.dispatch(RoomCommand::LaneRelease {
                item: Some(item),
                ran_ms,
            });
        }
        match self.next_head() {
            Some(item) => {
                self.lane.taking = Some(item);
                self.dispatch(RoomCommand::LaneTake { item: Some(item) })
            }
            None => Vec::new(),
        }
    }

    /// When the runner next has something to do by itself (our run's end).
    pub fn lane_deadline(&self) -> Option<Stamp> {
        self.lane.run.map(|r| r.ends_at)
    }

    /// The stop key: the toy stops, and a running tip is cut and the lane
    /// paused, so the tip waits at the head with what is left.
    pub(in crate::console) fn stop_toy_and_lane(&mut self, now: Stamp) -> Vec<Effect> {
        let mut effects = self.stop_toy(now);
        if let Some(run) = self.lane.run.take() {
            effects.push(Effect::ToyCue(ToyCue::LaneStop(run.item)));
        }
        self.lane.taking = None;
        effects.extend(self.lane_handoff_failed());
        // A lane with tips is paused so viewers see it wait; an empty one
        // needs nothing: the halted toy takes no tip until resumed.
        let has_tips = self.lane.running.is_some() || !self.lane.waiting.is_empty();
        if has_tips
            && self.connected()
            && !self.lane.paused
            && !self.read_only()
            && self.watch.is_none()
        {
            effects.extend(self.dispatch(RoomCommand::LanePause));
        }
        effects
    }

    /// Resume after the stop key: the toy may move again and the lane takes
    /// tips again, starting with the cut one.
    pub(in crate::console) fn resume_lane(&mut self) -> Vec<Effect> {
        self.resume_toy();
        let mut effects = vec![Effect::Toy(crate::console::app::ToyRequest::Resume)];
        if self.lane.paused {
            effects.extend(self.dispatch(RoomCommand::LaneResume));
        }
        effects
    }
}
