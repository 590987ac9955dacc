//! The simulated timeline: what can happen, when it is due, and the
//! seeded draws that decide it.

use std::cmp::Ordering;

use rand::RngExt;
use rand::rngs::StdRng;

use crate::domain::{ItemId, RefundReason, Tier};
use crate::sim::scenario::Span;

pub(super) fn pick<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> Option<T> {
    let total: u64 = choices.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut roll = rng.random_range(0..total);
    for (choice, weight) in choices {
        let weight = u64::from(*weight);
        if roll < weight {
            return Some(*choice);
        }
        roll -= weight;
    }
    None
}

/// Milliseconds drawn uniformly from a span of seconds.
pub(super) fn span_ms(rng: &mut StdRng, span: Span) -> u64 {
    let s = if span.1 > span.0 {
        rng.random_range(span.0..=span.1)
    } else {
        span.0
    };
    (s * 1000.0).round() as u64
}

pub(super) fn fraction(rng: &mut StdRng, span: Span) -> f64 {
    if span.1 > span.0 {
        rng.random_range(span.0..=span.1)
    } else {
        span.0
    }
}

pub(super) const TIERS: [Tier; 4] = [Tier::Free, Tier::Basic, Tier::Premium, Tier::Vip];

pub(super) const NOTES: [&str; 4] = [
    "camera froze",
    "audio dropped",
    "toy disconnected",
    "could not do it tonight",
];

/// How long the performer waits before asking again when there is nothing
/// to start (or the broadcast is down).
pub(super) const POLL_MS: u64 = 1_000;

/// The virtual clock starts here (the client stamp in every payload).
pub(super) const ORIGIN_MICROS: i64 = 1_798_761_600_000_000; // 2027-01-01T00:00:00Z

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Instant,
    Queued,
    Private,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum EndPlan {
    Finish,
    Refund {
        partial: bool,
        reason: RefundReason,
        note: Option<&'static str>,
    },
}

#[derive(Debug, Clone, Copy)]
pub(super) enum What {
    Join(usize),
    Arrival,
    /// A tipper tips.
    Tip,
    Leave {
        viewer: usize,
        back_after_ms: Option<u64>,
    },
    Rejoin(usize),
    Retry(usize),
    TopUp(usize),
    Conflict(usize),
    Dispute {
        purchase: usize,
        partial: bool,
    },
    PerformerNext,
    PerformerEnd {
        item: ItemId,
        plan: EndPlan,
    },
    BroadcastDrop,
    BroadcastBack,
}

pub(super) struct Due {
    pub(super) at: u64,
    pub(super) seq: u64,
    pub(super) what: What,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}
