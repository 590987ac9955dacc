//! The overlay feed: the console's state and the room's events mapped to
//! each widget's public view. Pure: time comes in as an argument, and the
//! spins' receipts, the games' prize lists, the lane's snapshot and the tip
//! levels come in from the task that fetched them.

use std::collections::VecDeque;
use std::sync::Arc;

use super::board::board;
use super::games::GameBoards;
pub use super::games::{SpinHeard, SpinReceipt};
use super::lane::{LaneFollow, LaneHeard};
use super::views::{
    EventsView, GameMark, GameView, LaneView, LevelsView, OnStage, OutputBar, PublicEvent,
    QueueEntry, QueueView, StageView, ToyBar, ToyView,
};
use crate::domain::timer::read_timer;
use crate::domain::tips::TipLevels;
use crate::domain::toy_effect::MAX_INTENSITY;
use crate::domain::{Event, EventKind, ItemView, Source, Stamp};
use crate::games::config::GameConfig;
use crate::protocol::{LaneSnapshot, RunningItem};

/// How many queue entries the queue widget shows.
pub const QUEUE_SHOWN: usize = 20;
/// How many recent events the events widget keeps.
pub const EVENTS_KEPT: usize = 6;
/// How long an event stays in the events widget.
pub const EVENT_TTL_MS: u64 = 30_000;
/// A spin younger than this is animated on a page that sees it.
pub const SPIN_FRESH_MS: u64 = 12_000;

/// What the console's run loop hands the overlays: its state, no sockets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsoleState {
    /// The console has a live connection and the room's state.
    pub connected: bool,
    pub in_progress: Option<RunningItem>,
    /// Waiting items, next first.
    pub waiting: Vec<Arc<ItemView>>,
    /// Server clock minus ours.
    pub offset_us: i64,
    /// Whether the stop key holds the toys.
    pub toy_halted: bool,
    /// Each connected toy's label and its strongest output now (0..=20).
    pub toys: Vec<ToyBar>,
}

#[derive(Debug, Clone)]
struct Recent {
    seq: u64,
    kind: &'static str,
    name: String,
    title: String,
    game: Option<GameMark>,
    at: Stamp,
}

#[derive(Debug, Default)]
pub struct Feed {
    state: Arc<ConsoleState>,
    recent: VecDeque<Recent>,
    games: GameBoards,
    lane: LaneFollow,
    /// None until fetched: the board shows nothing yet.
    levels: Option<TipLevels>,
    /// The lane's copy needs a snapshot (the console gained the room, or
    /// an event showed a gap).
    resync: bool,
}

/// The name the room's chat announces: the display name, never an id.
pub fn public_name(item: &ItemView) -> String {
    if item.private {
        "private request".into()
    } else if item.user_name.as_ref() == item.user_id.as_str() {
        "a viewer".into()
    } else {
        item.user_name.to_string()
    }
}

fn public_title(item: &ItemView) -> String {
    if item.private {
        String::new()
    } else {
        item.action.title.to_string()
    }
}

pub fn game_mark(source: Source) -> Option<GameMark> {
    match source {
        Source::SlotMachine => Some(GameMark::Slot),
        Source::SpinWheel => Some(GameMark::Wheel),
        _ => None,
    }
}

pub(super) fn age_ms(at: Stamp, now: Stamp) -> u64 {
    (now.micros_since(at).max(0) / 1000) as u64
}

impl Feed {
    pub fn new() -> Feed {
        Feed::default()
    }

    pub fn on_state(&mut self, state: Arc<ConsoleState>) {
        if state.connected && !self.state.connected {
            self.lane.reset();
            self.resync = true;
        }
        self.state = state;
    }

    /// Whether the lane's snapshot and the tip levels should be fetched
    /// (once per need).
    pub fn take_resync(&mut self) -> bool {
        std::mem::take(&mut self.resync)
    }

    /// The room's snapshot's lane, as of its `seq`.
    pub fn on_lane(&mut self, lane: &LaneSnapshot, seq: u64) {
        self.lane.on_snapshot(lane, seq);
    }

    /// The room's tip levels, as saved now.
    pub fn on_levels(&mut self, levels: TipLevels) {
        self.levels = Some(levels);
    }

    /// One room event. A spin comes back to be resolved by its receipt.
    pub fn on_event(&mut self, event: &Event) -> Option<SpinHeard> {
        if self.lane.on_event(event) == LaneHeard::Gap {
            self.resync = true;
        }
        let (kind, item) = match &event.kind {
            EventKind::ItemQueued { item, .. } => (
                if game_mark(item.source).is_some() {
                    "winner"
                } else {
                    "purchase"
                },
                item,
            ),
            EventKind::InstantSettled { item } => ("purchase", item),
            // Refunds, messages, joins and moderation are not for the stream.
            _ => return None,
        };
        let game = game_mark(item.source);
        self.recent.push_front(Recent {
            seq: event.seq,
            kind,
            name: public_name(item),
            title: public_title(item),
            game,
            at: event.at,
        });
        self.recent.truncate(EVENTS_KEPT);
        let heard = SpinHeard {
            game: game?,
            spin_id: item.source_event_id.to_string(),
            name: public_name(item),
            at: event.at,
        };
        self.games.heard(heard.clone());
        Some(heard)
    }

    /// A game's configuration: its visible prizes and colours.
    pub fn on_game(&mut self, config: &GameConfig) {
        self.games.on_game(config);
    }

    /// The receipt of a spin heard before: the game shows it landing.
    pub fn on_receipt(&mut self, game: GameMark, receipt: SpinReceipt) {
        self.games.on_receipt(game, receipt);
    }

    /// Whether the console has the room now.
    pub fn is_live(&self) -> bool {
        self.live().is_some()
    }

    fn live(&self) -> Option<&ConsoleState> {
        Some(&*self.state).filter(|s| s.connected)
    }

    pub fn queue(&self) -> QueueView {
        let Some(model) = self.live() else {
            return QueueView {
                live: false,
                count: 0,
                items: Vec::new(),
            };
        };
        let on_stage = usize::from(model.in_progress.is_some());
        let items = model
            .waiting
            .iter()
            .take(QUEUE_SHOWN)
            .enumerate()
            .map(|(index, item)| QueueEntry {
                position: index + 1 + on_stage,
                name: public_name(item),
                title: public_title(item),
                toy: !item.effects.is_empty(),
                game: game_mark(item.source),
            })
            .collect();
        QueueView {
            live: true,
            count: model.waiting.len() + on_stage,
            items,
        }
    }

    /// `now` is the console's clock; the timer runs on the server's.
    pub fn stage(&self, now: Stamp) -> StageView {
        let Some(model) = self.live() else {
            return StageView {
                live: false,
                on_stage: None,
            };
        };
        let on_stage = model.in_progress.as_ref().map(|running| {
            let item = &running.item;
            let server_now = Stamp(now.0 + self.state.offset_us);
            let reading = read_timer(running.started_at, item.duration_ms, server_now);
            let toy_next = item
                .effects
                .iter()
                .filter(|e| e.timing.offset_ms(item.duration_ms) >= reading.elapsed_ms)
                .map(|e| {
                    let mut text = format!(
                        "at {}: level {}",
                        e.timing.label(),
                        e.intensity_or_default()
                    );
                    if let Some(ms) = e.duration_ms {
                        text.push_str(&format!(" for {} s", ms.div_ceil(1000)));
                    }
                    text
                })
                .collect();
            OnStage {
                name: public_name(item),
                title: public_title(item),
                game: game_mark(item.source),
                phase: reading.phase.label(),
                duration_ms: item.duration_ms,
                elapsed_ms: reading.elapsed_ms,
                remaining_ms: reading.remaining_ms,
                overtime: reading.overtime,
                toy_next,
            }
        });
        StageView {
            live: true,
            on_stage,
        }
    }

    pub fn toy(&self) -> ToyView {
        let live = self.live().is_some();
        let halted = self.state.toy_halted;
        ToyView {
            live,
            halted: self.state.toy_halted,
            max: MAX_INTENSITY,
            toys: if live {
                self.state
                    .toys
                    .iter()
                    .map(|toy| ToyBar {
                        label: toy.label.clone(),
                        level: if halted {
                            0
                        } else {
                            toy.level.min(MAX_INTENSITY)
                        },
                        outputs: toy
                            .outputs
                            .iter()
                            .map(|o| OutputBar {
                                name: o.name.clone(),
                                level: if halted { 0 } else { o.level.min(o.max) },
                                max: o.max,
                            })
                            .collect(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    pub fn events(&self, now: Stamp) -> EventsView {
        let live = self.live().is_some();
        let events = self
            .recent
            .iter()
            .filter(|_| live)
            .filter(|r| age_ms(r.at, self.server_now(now)) < EVENT_TTL_MS)
            .map(|r| PublicEvent {
                seq: r.seq,
                kind: r.kind,
                name: r.name.clone(),
                title: r.title.clone(),
                game: r.game,
                age_ms: age_ms(r.at, self.server_now(now)),
            })
            .collect();
        EventsView { live, events }
    }

    pub fn game(&self, game: GameMark, now: Stamp) -> GameView {
        self.games
            .view(game, self.live().is_some(), self.server_now(now))
    }

    /// `now` is the console's clock; the countdown runs on the server's.
    pub fn lane(&self, now: Stamp) -> LaneView {
        self.lane
            .view(self.live().is_some(), self.server_now(now), QUEUE_SHOWN)
    }

    pub fn levels(&self) -> LevelsView {
        match &self.levels {
            Some(levels) => board(levels, self.live().is_some()),
            None => board(&TipLevels::default(), false),
        }
    }

    fn server_now(&self, now: Stamp) -> Stamp {
        Stamp(now.0 + self.state.offset_us)
    }

    /// When a view changes by itself next (a timer second, an event
    /// fading out, a spin growing old), if anything is time-dependent.
    pub fn next_change_ms(&self, now: Stamp) -> Option<u64> {
        let model = self.live()?;
        let server_now = self.server_now(now);
        let mut next: Option<u64> = None;
        let mut consider = |ms: u64| next = Some(next.map_or(ms, |n| n.min(ms)));
        // The stage's timer and the lane's countdown tick each second of
        // their run.
        let runs = model.in_progress.iter().map(|r| r.started_at);
        for started_at in runs.chain(self.lane.running_since()) {
            let into = server_now.micros_since(started_at).rem_euclid(1_000_000);
            consider(((1_000_000 - into) / 1000) as u64 + 1);
        }
        for r in &self.recent {
            let age = age_ms(r.at, server_now);
            if age < EVENT_TTL_MS {
                consider(EVENT_TTL_MS - age);
            }
        }
        for ms in self.games.fresh_for_ms(server_now) {
            consider(ms);
        }
        next
    }
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
