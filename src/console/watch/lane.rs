//! A watched room's toy lane as its card counts it: which tips are in the
//! lane (the running one and those waiting) and whether it is paused,
//! from the snapshot and then the room's events.

use std::collections::BTreeSet;

use crate::domain::{EventKind, ItemId};
use crate::protocol::LaneSnapshot;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaneCount {
    tips: BTreeSet<ItemId>,
    pub paused: bool,
}

impl LaneCount {
    pub fn from_snapshot(lane: &LaneSnapshot) -> LaneCount {
        LaneCount {
            tips: lane
                .running
                .iter()
                .chain(&lane.waiting)
                .map(|tip| tip.item.id)
                .collect(),
            paused: lane.paused,
        }
    }

    /// The tips in the lane, the running one included.
    pub fn len(&self) -> usize {
        self.tips.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tips.is_empty()
    }

    pub fn apply(&mut self, event: &EventKind) {
        match event {
            EventKind::TipQueued { item, .. } => {
                self.tips.insert(item.id);
            }
            EventKind::LaneSettled { item, .. } | EventKind::ItemRefunded { item, .. } => {
                self.tips.remove(item);
            }
            EventKind::LaneCleared { .. } => self.tips.clear(),
            EventKind::LanePaused { .. } => self.paused = true,
            EventKind::LaneResumed { .. } => self.paused = false,
            _ => {}
        }
    }

    /// As a card shows it: `lane 3`, `lane 3 paused`.
    pub fn shown(&self) -> String {
        if self.paused {
            format!("lane {} paused", self.len())
        } else {
            format!("lane {}", self.len())
        }
    }
}
