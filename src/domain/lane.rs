//! A room's toy lane: toy tips waiting in their own line beside the
//! performance queue, first in first out by the server's stamp, one running
//! at a time. Pure data; `engine::lane` holds its commands.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::ids::ItemId;
use super::time::Stamp;

/// A tip that returns to the lane always keeps at least this long to run,
/// so the settlement that ends it always follows a real run.
pub const MIN_RESUME_MS: u64 = 1_000;

/// A tip in the lane and how long its toy run still has to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneEntry {
    pub item: ItemId,
    pub remaining_ms: u64,
}

/// The tip the console runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneRun {
    pub item: ItemId,
    pub started_at: Stamp,
    /// How long it had to run when it started (less than its level's
    /// duration when it resumes a cut run).
    pub remaining_ms: u64,
}

impl LaneRun {
    /// What is left of the run at `now`, never less than [`MIN_RESUME_MS`].
    pub fn left_at(&self, now: Stamp) -> u64 {
        let ran = (now.micros_since(self.started_at).max(0) / 1000) as u64;
        self.remaining_ms.saturating_sub(ran).max(MIN_RESUME_MS)
    }

    pub fn ends_at(&self) -> Stamp {
        self.started_at.plus_millis(self.remaining_ms)
    }
}

/// The running tip's console went away: the run goes back to the head at
/// `at` with `remaining_ms`, unless the console reports it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Orphan {
    pub at: Stamp,
    pub remaining_ms: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TipLane {
    pub waiting: VecDeque<LaneEntry>,
    pub running: Option<LaneRun>,
    pub paused: bool,
    pub orphan: Option<Orphan>,
}

impl TipLane {
    /// 1-based position of a new tip at the back (the running one is 1).
    pub fn next_position(&self) -> u32 {
        (self.waiting.len() + 1 + usize::from(self.running.is_some())) as u32
    }

    pub fn holds(&self, id: ItemId) -> bool {
        self.running.is_some_and(|r| r.item == id) || self.waiting.iter().any(|e| e.item == id)
    }

    /// Take `id` out of the lane, running or waiting.
    pub fn remove(&mut self, id: ItemId) {
        if self.running.is_some_and(|r| r.item == id) {
            self.running = None;
            self.orphan = None;
        } else {
            self.waiting.retain(|e| e.item != id);
        }
    }

    /// Put the running tip back at the head with what is left of it at
    /// `now`. `ran_ms`: how long the console says its toy ran it; a server
    /// that was away cannot tell when the run stopped and counts all the
    /// time since the start, so the tip keeps the larger of the two.
    pub fn return_running(&mut self, now: Stamp, ran_ms: Option<u64>) -> Option<LaneEntry> {
        let run = self.running.take()?;
        // A run whose console went away stopped then: the time since is
        // not run time.
        let by_server = match self.orphan.take() {
            Some(orphan) => orphan.remaining_ms,
            None => run.left_at(now),
        };
        let by_console = ran_ms.map(|ran| run.remaining_ms.saturating_sub(ran).max(MIN_RESUME_MS));
        let remaining_ms = by_console.map_or(by_server, |c| c.max(by_server));
        let entry = LaneEntry {
            item: run.item,
            remaining_ms,
        };
        self.waiting.push_front(entry);
        Some(entry)
    }

    pub fn view(&self) -> LaneView {
        LaneView {
            paused: self.paused,
            running: self.running,
            waiting: self.waiting.iter().copied().collect(),
        }
    }
}

/// The lane as clients see it in a room's snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneView {
    pub paused: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<LaneRun>,
    /// Next first.
    #[serde(default)]
    pub waiting: Vec<LaneEntry>,
}
