//! What performers have awarded recently, for the award limits: per viewer
//! and per broadcast (reset when the room goes live again), per rolling
//! hour, per UTC day, and the velocity of awards to one viewer.

use std::collections::VecDeque;

use crate::domain::ids::{PerformerId, RoomId, UserId};
use crate::domain::points::{AwardLimit, AwardLimits, AwardRoom};
use crate::domain::time::Stamp;

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

const HOUR_US: i64 = 3_600_000_000;
const DAY_US: i64 = 24 * HOUR_US;

#[derive(Debug, Clone)]
struct Mark {
    at: Stamp,
    performer: PerformerId,
    user: UserId,
    amount: u64,
}

/// One room's current broadcast: what was awarded in all and to whom.
#[derive(Debug, Clone, Default)]
struct BroadcastAwards {
    total: u64,
    per_viewer: HashMap<UserId, u64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct AwardBook {
    /// The awards of the last day, oldest first.
    recent: VecDeque<Mark>,
    broadcasts: HashMap<RoomId, BroadcastAwards>,
}

impl AwardBook {
    /// A room went live: its per-broadcast counts start again.
    pub fn new_broadcast(&mut self, room: &RoomId) {
        self.broadcasts.remove(room);
    }

    /// What the limits still allow `performer` to award `user` in `room`.
    pub fn left(
        &self,
        limits: &AwardLimits,
        performer: &PerformerId,
        room: &RoomId,
        user: &UserId,
        allowance: u64,
        now: Stamp,
    ) -> AwardRoom {
        let broadcast = self.broadcasts.get(room);
        let to_viewer = broadcast
            .and_then(|b| b.per_viewer.get(user))
            .copied()
            .unwrap_or(0);
        let in_broadcast = broadcast.map_or(0, |b| b.total);
        let day = now.day_start();
        let window_start = Stamp(
            now.0
                .saturating_sub((limits.velocity_window_secs as i64).saturating_mul(1_000_000)),
        );
        let (mut hour, mut today, mut quick) = (0u64, 0u64, 0u32);
        for mark in self.recent.iter().filter(|m| &m.performer == performer) {
            if mark.at.0 > now.0 - HOUR_US {
                hour += mark.amount;
            }
            if mark.at >= day {
                today += mark.amount;
            }
            if &mark.user == user && mark.at > window_start {
                quick += 1;
            }
        }
        AwardRoom {
            per_viewer: limits.per_viewer.saturating_sub(to_viewer),
            per_broadcast: limits.per_broadcast.saturating_sub(in_broadcast),
            per_hour: limits.per_hour.saturating_sub(hour),
            per_day: limits.per_day.saturating_sub(today),
            velocity: limits.velocity_count.saturating_sub(quick),
            allowance,
        }
    }

    /// The first limit an award of `amount` would pass, and what it leaves.
    pub fn refusal(room: &AwardRoom, amount: u64) -> Option<(AwardLimit, u64)> {
        if room.velocity == 0 {
            return Some((AwardLimit::Velocity, 0));
        }
        [
            (AwardLimit::PerViewer, room.per_viewer),
            (AwardLimit::PerBroadcast, room.per_broadcast),
            (AwardLimit::PerHour, room.per_hour),
            (AwardLimit::PerDay, room.per_day),
        ]
        .into_iter()
        .find(|(_, left)| amount > *left)
    }

    pub fn record(
        &mut self,
        performer: &PerformerId,
        room: &RoomId,
        user: &UserId,
        amount: u64,
        now: Stamp,
    ) {
        let broadcast = self.broadcasts.entry(room.clone()).or_default();
        broadcast.total += amount;
        *broadcast.per_viewer.entry(user.clone()).or_default() += amount;
        self.recent.push_back(Mark {
            at: now,
            performer: performer.clone(),
            user: user.clone(),
            amount,
        });
        // A day back covers the hour, the UTC day and any velocity window
        // of a day or less.
        while self
            .recent
            .front()
            .is_some_and(|m| m.at.0 <= now.0 - DAY_US)
        {
            self.recent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> AwardLimits {
        AwardLimits {
            per_viewer: 100,
            per_broadcast: 150,
            per_hour: 1000,
            per_day: 1000,
            velocity_count: 2,
            velocity_window_secs: 60,
        }
    }

    #[test]
    fn each_limit_counts_down_and_refuses_by_name() {
        let mut book = AwardBook::default();
        let (p, r) = (PerformerId::from("p"), RoomId::from("r"));
        let (a, b) = (UserId::from("a"), UserId::from("b"));
        let t = Stamp::from_secs(1_000_000);
        book.record(&p, &r, &a, 60, t);
        let left = book.left(&limits(), &p, &r, &a, 1000, t);
        assert_eq!(left.per_viewer, 40);
        assert_eq!(
            AwardBook::refusal(&left, 41),
            Some((AwardLimit::PerViewer, 40))
        );
        assert_eq!(AwardBook::refusal(&left, 40), None);
        book.record(&p, &r, &a, 40, t);
        let left = book.left(&limits(), &p, &r, &a, 1000, t);
        assert_eq!(
            AwardBook::refusal(&left, 1),
            Some((AwardLimit::Velocity, 0))
        );
        let left = book.left(&limits(), &p, &r, &b, 1000, t);
        assert_eq!(
            AwardBook::refusal(&left, 51),
            Some((AwardLimit::PerBroadcast, 50))
        );
        // A minute later the velocity window has passed; a new broadcast
        // starts the per-viewer count again, not the hour's.
        book.new_broadcast(&r);
        let later = Stamp::from_secs(1_000_061);
        let left = book.left(&limits(), &p, &r, &a, 1000, later);
        assert_eq!(
            (left.per_viewer, left.velocity, left.per_hour),
            (100, 2, 900)
        );
    }
}
