//! The toy lane as the overlays follow it: the room's snapshot's `lane`,
//! then each lane event after it. The console's queue model leaves the lane
//! to its lane runner, so the overlays keep their own copy, from the same
//! public stream; a gap (a start of a tip never heard of) asks for a new
//! snapshot rather than guessing.

use std::collections::VecDeque;
use std::sync::Arc;

use super::feed::public_name;
use super::views::{LaneNext, LaneRunning, LaneView};
use crate::domain::{Event, EventKind, ItemId, ItemView, Stamp};
use crate::protocol::LaneSnapshot;

/// How many recent lane events are kept to lay over a snapshot that
/// arrives after them.
const REPLAY_KEPT: usize = 64;

#[derive(Debug, Clone)]
struct Tip {
    item: Arc<ItemView>,
    remaining_ms: u64,
}

#[derive(Debug, Clone)]
struct Run {
    tip: Tip,
    started_at: Stamp,
}

/// What an event did to the lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneHeard {
    Unchanged,
    Changed,
    /// The event names a tip this copy never had: fetch a snapshot.
    Gap,
}

#[derive(Debug, Default)]
pub struct LaneFollow {
    /// None until the first snapshot: nothing to show yet.
    seq: Option<u64>,
    paused: bool,
    running: Option<Run>,
    waiting: VecDeque<Tip>,
    recent: VecDeque<Event>,
}

fn is_lane_event(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::TipQueued { .. }
            | EventKind::LaneStarted { .. }
            | EventKind::LaneSettled { .. }
            | EventKind::LaneReturned { .. }
            | EventKind::LaneCleared { .. }
            | EventKind::LanePaused { .. }
            | EventKind::LaneResumed { .. }
            | EventKind::ItemRefunded { .. }
    )
}

fn label_of(item: &ItemView) -> String {
    item.tip
        .as_ref()
        .map_or_else(|| "tip".to_string(), |t| t.label.to_string())
}

impl LaneFollow {
    /// The lane as of the snapshot's `seq`; lane events already heard
    /// after it are laid over it again.
    pub fn on_snapshot(&mut self, lane: &LaneSnapshot, seq: u64) {
        self.paused = lane.paused;
        self.running = lane.running.as_ref().map(|r| Run {
            tip: Tip {
                item: r.item.clone(),
                remaining_ms: r.remaining_ms,
            },
            started_at: r.started_at.unwrap_or_default(),
        });
        self.waiting = lane
            .waiting
            .iter()
            .map(|t| Tip {
                item: t.item.clone(),
                remaining_ms: t.remaining_ms,
            })
            .collect();
        self.seq = Some(seq);
        let later: Vec<Event> = self
            .recent
            .iter()
            .filter(|e| e.seq > seq)
            .cloned()
            .collect();
        for event in &later {
            self.apply(event);
        }
    }

    /// One room event; lane events change the copy.
    pub fn on_event(&mut self, event: &Event) -> LaneHeard {
        if !is_lane_event(&event.kind) {
            return LaneHeard::Unchanged;
        }
        self.recent.push_back(event.clone());
        if self.recent.len() > REPLAY_KEPT {
            self.recent.pop_front();
        }
        match self.seq {
            Some(seq) if event.seq > seq => self.apply(event),
            _ => LaneHeard::Unchanged,
        }
    }

    fn apply(&mut self, event: &Event) -> LaneHeard {
        self.seq = Some(event.seq);
        match &event.kind {
            EventKind::TipQueued { item, .. } => self.waiting.push_back(Tip {
                item: item.clone(),
                remaining_ms: item
                    .tip
                    .as_ref()
                    .map_or(item.duration_ms, |t| t.duration_ms),
            }),
            EventKind::LaneStarted {
                item,
                started_at,
                remaining_ms,
                ..
            } => {
                let Some(at) = self.waiting.iter().position(|t| t.item.id == *item) else {
                    return LaneHeard::Gap;
                };
                let Some(mut tip) = self.waiting.remove(at) else {
                    return LaneHeard::Gap;
                };
                tip.remaining_ms = *remaining_ms;
                self.running = Some(Run {
                    tip,
                    started_at: *started_at,
                });
            }
            EventKind::LaneSettled { item, .. } => self.remove(*item),
            EventKind::ItemRefunded { item, .. } => {
                if !self.holds(*item) {
                    return LaneHeard::Unchanged;
                }
                self.remove(*item);
            }
            EventKind::LaneReturned {
                item, remaining_ms, ..
            } => {
                let Some(run) = self.running.take_if(|r| r.tip.item.id == *item) else {
                    return LaneHeard::Gap;
                };
                self.waiting.push_front(Tip {
                    item: run.tip.item,
                    remaining_ms: *remaining_ms,
                });
            }
            EventKind::LaneCleared { .. } => {
                self.running = None;
                self.waiting.clear();
            }
            EventKind::LanePaused { .. } => self.paused = true,
            EventKind::LaneResumed { .. } => self.paused = false,
            _ => return LaneHeard::Unchanged,
        }
        LaneHeard::Changed
    }

    fn holds(&self, id: ItemId) -> bool {
        self.running.as_ref().is_some_and(|r| r.tip.item.id == id)
            || self.waiting.iter().any(|t| t.item.id == id)
    }

    fn remove(&mut self, id: ItemId) {
        self.running.take_if(|r| r.tip.item.id == id);
        self.waiting.retain(|t| t.item.id != id);
    }

    /// Forget the copy (the console lost the room): a snapshot starts it
    /// again.
    pub fn reset(&mut self) {
        *self = LaneFollow {
            recent: std::mem::take(&mut self.recent),
            ..LaneFollow::default()
        };
    }

    /// The run's start, when a tip runs: the countdown ticks from it.
    pub fn running_since(&self) -> Option<Stamp> {
        self.running.as_ref().map(|r| r.started_at)
    }

    /// `server_now` is the server's clock, as the run's start is.
    pub fn view(&self, live: bool, server_now: Stamp, shown: usize) -> LaneView {
        if !live || self.seq.is_none() {
            return LaneView {
                live: live && self.seq.is_some(),
                paused: false,
                running: None,
                next: Vec::new(),
                waiting: 0,
            };
        }
        let running = self.running.as_ref().map(|run| {
            let ran = (server_now.micros_since(run.started_at).max(0) / 1000) as u64;
            let item = &run.tip.item;
            LaneRunning {
                name: public_name(item),
                label: label_of(item),
                duration_ms: item
                    .tip
                    .as_ref()
                    .map_or(run.tip.remaining_ms, |t| t.duration_ms)
                    .max(run.tip.remaining_ms),
                remaining_ms: run.tip.remaining_ms.saturating_sub(ran),
            }
        });
        let first = 1 + usize::from(running.is_some());
        let next = self
            .waiting
            .iter()
            .take(shown)
            .enumerate()
            .map(|(i, tip)| LaneNext {
                position: first + i,
                name: public_name(&tip.item),
                label: label_of(&tip.item),
                remaining_ms: tip.remaining_ms,
            })
            .collect();
        LaneView {
            live: true,
            paused: self.paused,
            running,
            next,
            waiting: self.waiting.len(),
        }
    }
}

#[cfg(test)]
#[path = "lane_tests.rs"]
mod tests;
