//! Purchases per viewer, menu item and UTC day, counted as they happen, so
//! a daily limit is one lookup however busy the day. Only the current UTC
//! day and the one before are kept; older days are over and dropped.
//!
//! A purchase counts on the UTC day of its intake stamp. One refunded in
//! full no longer counts; one that was performed, even partly refunded, does.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ids::{RoomId, UserId};
use super::time::{DAY_US, Stamp};

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// One day's counts: each viewer's purchases in a room, per menu item.
type Day = HashMap<(RoomId, UserId), Vec<(Arc<str>, u32)>>;

#[derive(Debug, Clone, Default)]
pub struct DailyCounts {
    /// By the day's start.
    days: BTreeMap<Stamp, Day>,
}

impl DailyCounts {
    /// One more purchase of `item` on the day `at` falls in.
    pub fn add(&mut self, at: Stamp, room: &RoomId, user: &UserId, item: &Arc<str>) {
        let buyer = self
            .days
            .entry(at.day_start())
            .or_default()
            .entry((room.clone(), user.clone()))
            .or_default();
        match buyer.iter_mut().find(|(id, _)| id == item) {
            Some((_, count)) => *count += 1,
            None => buyer.push((item.clone(), 1)),
        }
    }

    /// A purchase made at `at` no longer counts; nothing if its day is over.
    pub fn remove(&mut self, at: Stamp, room: &RoomId, user: &UserId, item: &str) {
        let Some(day) = self.days.get_mut(&at.day_start()) else {
            return;
        };
        let key = (room.clone(), user.clone());
        if let Some(buyer) = day.get_mut(&key)
            && let Some((_, count)) = buyer.iter_mut().find(|(id, _)| &**id == item)
        {
            *count = count.saturating_sub(1);
        }
    }

    /// How many times `user` bought `item` in `room` on the UTC day `at` falls in.
    pub fn count(&self, at: Stamp, room: &RoomId, user: &UserId, item: &str) -> u32 {
        let Some(day) = self.days.get(&at.day_start()) else {
            return 0;
        };
        day.get(&(room.clone(), user.clone()))
            .and_then(|buyer| buyer.iter().find(|(id, _)| &**id == item))
            .map_or(0, |(_, count)| *count)
    }

    /// Drop the days before the one before `now`'s.
    pub fn forget_old_days(&mut self, now: Stamp) {
        let keep_from = Stamp(now.day_start().0 - DAY_US);
        while let Some(entry) = self.days.first_entry()
            && *entry.key() < keep_from
        {
            entry.remove();
        }
    }

    /// How many days are held.
    pub fn days(&self) -> usize {
        self.days.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Stamp = Stamp(1_795_305_600_000_000); // 2026-11-22T00:00:00Z

    #[test]
    fn counts_per_room_user_item_and_day() {
        let mut counts = DailyCounts::default();
        let (room, other_room) = (RoomId::from("r"), RoomId::from("s"));
        let (user, other_user) = (UserId::from("u"), UserId::from("v"));
        let item: Arc<str> = Arc::from("m1-1");
        counts.add(T, &room, &user, &item);
        counts.add(Stamp(T.0 + DAY_US - 1), &room, &user, &item);
        counts.add(T, &other_room, &user, &item);
        counts.add(T, &room, &other_user, &item);
        counts.add(T, &room, &user, &Arc::from("m1-2"));
        assert_eq!(counts.count(Stamp(T.0 + 5), &room, &user, "m1-1"), 2);
        assert_eq!(counts.count(T, &room, &user, "m1-2"), 1);
        assert_eq!(counts.count(T, &room, &user, "m1-3"), 0);
        assert_eq!(counts.count(Stamp(T.0 + DAY_US), &room, &user, "m1-1"), 0);
        assert_eq!(counts.count(Stamp(T.0 - 1), &room, &user, "m1-1"), 0);
        counts.remove(T, &room, &user, "m1-1");
        assert_eq!(counts.count(T, &room, &user, "m1-1"), 1);
        counts.remove(T, &room, &user, "m1-1");
        counts.remove(T, &room, &user, "m1-1");
        assert_eq!(counts.count(T, &room, &user, "m1-1"), 0, "never below zero");
    }

    #[test]
    fn days_that_are_over_are_dropped() {
        let mut counts = DailyCounts::default();
        let (room, user, item) = (RoomId::from("r"), UserId::from("u"), Arc::from("i"));
        for day in 0..5 {
            counts.add(Stamp(T.0 + day * DAY_US), &room, &user, &item);
        }
        counts.forget_old_days(Stamp(T.0 + 4 * DAY_US + 7));
        assert_eq!(counts.days(), 2, "today and yesterday");
        assert_eq!(counts.count(Stamp(T.0 + 2 * DAY_US), &room, &user, "i"), 0);
        assert_eq!(counts.count(Stamp(T.0 + 3 * DAY_US), &room, &user, "i"), 1);
        assert_eq!(counts.count(Stamp(T.0 + 4 * DAY_US), &room, &user, "i"), 1);
        // A refund of a purchase from a dropped day changes nothing.
        counts.remove(T, &room, &user, "i");
        assert_eq!(counts.days(), 2);
    }
}
