//! The performer's replies: the limits on their text and how often a
//! performer may reply, and a viewer be replied to, in a sliding window.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::domain::time::Stamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "snake_case")]
pub struct ReplyLimits {
    /// Longest free text, in characters.
    pub max_chars: usize,
    /// Replies one performer may send per window.
    pub per_performer: u32,
    /// Replies one viewer may receive per window.
    pub per_viewer: u32,
    pub window_ms: u64,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        ReplyLimits {
            max_chars: 500,
            per_performer: 30,
            per_viewer: 5,
            window_ms: 60_000,
        }
    }
}

/// Which limit a reply hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    Performer,
    Viewer,
}

/// Counts replies per performer and per viewer over the last window.
#[derive(Debug, Default)]
pub struct ReplyRates {
    limits: ReplyLimits,
    performers: HashMap<String, VecDeque<Stamp>>,
    viewers: HashMap<String, VecDeque<Stamp>>,
}

impl ReplyRates {
    pub fn new(limits: ReplyLimits) -> Self {
        ReplyRates {
            limits,
            ..ReplyRates::default()
        }
    }

    pub fn limits(&self) -> &ReplyLimits {
        &self.limits
    }

    /// Count one reply from `performer` to `viewer` (public replies name no
    /// viewer), or say which limit refuses it; a refusal counts nothing.
    pub fn take(
        &mut self,
        performer: &str,
        viewer: Option<&str>,
        now: Stamp,
    ) -> Result<(), LimitHit> {
        let since = Stamp(now.0.saturating_sub((self.limits.window_ms as i64) * 1000));
        let mine = self.performers.entry(performer.to_string()).or_default();
        trim(mine, since);
        if mine.len() >= self.limits.per_performer as usize {
            return Err(LimitHit::Performer);
        }
        if let Some(viewer) = viewer {
            let theirs = self.viewers.entry(viewer.to_string()).or_default();
            trim(theirs, since);
            if theirs.len() >= self.limits.per_viewer as usize {
                return Err(LimitHit::Viewer);
            }
            theirs.push_back(now);
        }
        self.performers
            .get_mut(performer)
            .expect("just added")
            .push_back(now);
        Ok(())
    }
}

fn trim(stamps: &mut VecDeque<Stamp>, since: Stamp) {
    while stamps.front().is_some_and(|at| *at <= since) {
        stamps.pop_front();
    }
}
