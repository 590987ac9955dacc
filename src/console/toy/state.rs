//! What the toy should do, decided with the rest of the console's state:
//! follow the item on stage, play an instant item's effects when the stage
//! is free, pick up mid-item after a reconnect, stop on the stop keys and
//! on quit. The decisions come out as `ToyCue` effects; the run loop
//! carries them out on the toy scheduler and reports back a `ToyReading`.

use std::sync::Arc;

use crate::client::StreamEvent;
use crate::console::app::{App, Effect, LogKind};
use crate::domain::tips::TipToy;
use crate::domain::toy_effect::{Timing, ToyEffect};
use crate::domain::{EventKind, ItemId, Stamp};

/// The item id a menu preview plays under (no real item has it).
pub const PREVIEW: ItemId = ItemId(u64::MAX);
/// How long an effect without its own length plays as an instant item or a
/// preview.
const UNTIMED_PLAY_MS: u64 = 3_000;

/// The toy as the console knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyState {
    /// The strip's text, from the scheduler.
    pub line: String,
    /// The level sent to the toys now (0..=20).
    pub level: u8,
    /// Stopped by a stop key until resumed.
    pub halted: bool,
    /// The item whose effects the toy was told to play.
    pub playing: Option<ItemId>,
    /// How many toys the scheduler drives.
    pub connected: usize,
}

impl Default for ToyState {
    fn default() -> Self {
        ToyState {
            line: "no toy connected".into(),
            level: 0,
            halted: false,
            playing: None,
            connected: 0,
        }
    }
}

/// What the scheduler reports: the strip, the level, whether it is halted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyReading {
    pub line: String,
    pub level: u8,
    pub halted: bool,
    /// How many toys are connected.
    pub toys: usize,
}

/// What the toy scheduler is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToyCue {
    /// The server connection went down or came back.
    Server {
        up: bool,
    },
    /// An item started at `started_at` (server time), heard of at `now`.
    Started {
        item: ItemId,
        started_at: Stamp,
        duration_ms: u64,
        effects: Arc<[ToyEffect]>,
        now: Stamp,
    },
    Finished(ItemId),
    Refunded(ItemId),
    /// Play these effects from now for `length_ms`, then end (an instant
    /// item, a preview).
    Play {
        item: ItemId,
        effects: Arc<[ToyEffect]>,
        length_ms: u64,
    },
    /// A toy tip of the lane runs from now for `length_ms`, beside the stage.
    LanePlay {
        item: ItemId,
        tip: Arc<TipToy>,
        length_ms: u64,
    },
    /// The tip's run is cut (or over): the toy stops playing it.
    LaneStop(ItemId),
}

impl App {
    /// The toy's part of a stream event, decided before the model moves.
    pub(in crate::console) fn toy_cues(&mut self, event: &StreamEvent, now: Stamp) -> Vec<Effect> {
        let server_now = self.server_now(now);
        let cue = match event {
            StreamEvent::Connected { .. } => Some(ToyCue::Server { up: true }),
            StreamEvent::Disconnected { .. } => Some(ToyCue::Server { up: false }),
            // Joining mid-item: the toy picks up where the item is.
            StreamEvent::Snapshot(snapshot) => match &snapshot.in_progress {
                Some(running) => Some(self.started(
                    running.item.id,
                    running.started_at,
                    running.item.duration_ms,
                    running.item.effects.clone(),
                    server_now,
                )),
                None => self.playing_ended().map(ToyCue::Refunded),
            },
            StreamEvent::Event { event, .. } => match &event.kind {
                EventKind::ItemStarted {
                    item,
                    started_at,
                    duration_ms,
                    effects,
                } => Some(self.started(
                    *item,
                    *started_at,
                    *duration_ms,
                    effects.clone(),
                    server_now,
                )),
                EventKind::ItemFinished { item, .. } => {
                    self.ended(*item);
                    Some(ToyCue::Finished(*item))
                }
                EventKind::ItemRefunded { item, .. } => {
                    self.ended(*item);
                    Some(ToyCue::Refunded(*item))
                }
                // An instant item's effects play only when nothing is on stage.
                EventKind::InstantSettled { item }
                    if !item.effects.is_empty()
                        && self.model.as_ref().is_some_and(|m| m.in_progress.is_none()) =>
                {
                    let length_ms = item
                        .effects
                        .iter()
                        .filter_map(|e| e.duration_ms)
                        .max()
                        .unwrap_or(UNTIMED_PLAY_MS);
                    self.toy.playing = Some(item.id);
                    Some(ToyCue::Play {
                        item: item.id,
                        effects: item.effects.clone(),
                        length_ms,
                    })
                }
                _ => None,
            },
            _ => None,
        };
        cue.map(Effect::ToyCue).into_iter().collect()
    }

    fn started(
        &mut self,
        item: ItemId,
        started_at: Stamp,
        duration_ms: u64,
        effects: Arc<[ToyEffect]>,
        now: Stamp,
    ) -> ToyCue {
        self.toy.playing = Some(item);
        ToyCue::Started {
            item,
            started_at,
            duration_ms,
            effects,
            now,
        }
    }

    fn ended(&mut self, item: ItemId) {
        if self.toy.playing == Some(item) {
            self.toy.playing = None;
        }
    }

    fn playing_ended(&mut self) -> Option<ItemId> {
        self.toy.playing.take()
    }

    /// A stop key: the toy goes to 0 now and stays there until resumed.
    pub(in crate::console) fn stop_toy(&mut self, now: Stamp) -> Vec<Effect> {
        self.toy.halted = true;
        self.toy.level = 0;
        self.note(now, LogKind::Info, "toy stopped (stop key)".into());
        self.say(LogKind::Info, "toy stopped");
        vec![Effect::StopToy]
    }

    /// Undo a stop key from the toy screen.
    pub(in crate::console) fn resume_toy(&mut self) {
        self.toy.halted = false;
    }

    /// Try an effect of the menu editor now, as if an item had just
    /// started; it ends after the effect.
    pub(in crate::console) fn preview_toy(&mut self, effect: ToyEffect) -> Vec<Effect> {
        let length_ms = effect.duration_ms.unwrap_or(UNTIMED_PLAY_MS);
        let started = ToyEffect {
            timing: Timing::Start,
            ..effect
        };
        vec![Effect::ToyCue(ToyCue::Play {
            item: PREVIEW,
            effects: Arc::from([started]),
            length_ms,
        })]
    }

    /// What the scheduler reports after carrying out a cue or on its own.
    /// Returns whether the strip changed.
    pub fn on_toy_reading(&mut self, reading: ToyReading) -> bool {
        let changed = reading.line != self.toy.line || reading.toys != self.toy.connected;
        self.toy.connected = reading.toys;
        self.toy.line = reading.line;
        self.toy.level = reading.level;
        self.toy.halted = reading.halted;
        changed
    }
}
