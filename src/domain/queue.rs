//! The waiting line of one room and its ordering rules.
//!
//! Waiting items are ordered by the server's intake stamp, ties to the higher
//! tokenCost, then intake sequence. Private requests go ahead of every
//! ordinary waiting item, behind earlier private requests. Position 1 is the
//! item in progress or, when none is, the head of the line; that head is
//! pinned, so a private request arriving then takes position 2.

use std::cmp::Reverse;
use std::collections::VecDeque;

use super::ids::ItemId;
use super::time::Stamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub id: ItemId,
    pub private: bool,
    pub stamp: Stamp,
    pub cost: u64,
    pub seq: u64,
}

impl Entry {
    /// The waiting order: private first, then the intake stamp, the higher
    /// cost, the intake sequence. The one place the order is written.
    pub fn order_key(&self) -> (bool, Stamp, Reverse<u64>, u64) {
        (!self.private, self.stamp, Reverse(self.cost), self.seq)
    }
}

#[derive(Debug, Clone, Default)]
pub struct WaitingLine {
    entries: VecDeque<Entry>,
}

impl WaitingLine {
    /// Insert and return the index the entry landed at. `head_pinned`: the
    /// first entry is position 1 (nothing in progress) and must stay first.
    pub fn insert(&mut self, entry: Entry, head_pinned: bool) -> usize {
        let skip = usize::from(head_pinned && !self.entries.is_empty());
        let key = entry.order_key();
        // entries[skip..] is sorted: binary search for the first greater key.
        let (mut lo, mut hi) = (skip, self.entries.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.entries[mid].order_key() > key {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let index = lo;
        self.entries.insert(index, entry);
        index
    }

    pub fn head(&self) -> Option<ItemId> {
        self.entries.front().map(|e| e.id)
    }

    pub fn pop_head(&mut self) -> Option<ItemId> {
        self.entries.pop_front().map(|e| e.id)
    }

    /// Remove an item, returning the index it had.
    pub fn remove(&mut self, id: ItemId) -> Option<usize> {
        let index = self.entries.iter().position(|e| e.id == id)?;
        self.entries.remove(index);
        Some(index)
    }

    pub fn index_of(&self, id: ItemId) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = ItemId> + '_ {
        self.entries.iter().map(|e| e.id)
    }

    pub fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, private: bool, stamp: i64, cost: u64) -> Entry {
        Entry {
            id: ItemId(id),
            private,
            stamp: Stamp(stamp),
            cost,
            seq: id,
        }
    }

    fn order(line: &WaitingLine) -> Vec<u64> {
        line.ids().map(|i| i.0).collect()
    }

    #[test]
    fn stamp_then_higher_cost_then_sequence() {
        let mut line = WaitingLine::default();
        line.insert(entry(1, false, 10, 5), false);
        line.insert(entry(2, false, 20, 5), false);
        line.insert(entry(3, false, 20, 9), false);
        line.insert(entry(4, false, 20, 9), false);
        assert_eq!(order(&line), [1, 3, 4, 2]);
    }

    #[test]
    fn private_requests_go_ahead_of_ordinary_behind_earlier_private() {
        let mut line = WaitingLine::default();
        line.insert(entry(1, false, 10, 5), false);
        line.insert(entry(2, false, 20, 5), false);
        assert_eq!(line.insert(entry(3, true, 30, 5), false), 0);
        assert_eq!(line.insert(entry(4, true, 40, 99), false), 1);
        assert_eq!(order(&line), [3, 4, 1, 2]);
    }

    #[test]
    fn a_pinned_head_keeps_position_one() {
        let mut line = WaitingLine::default();
        line.insert(entry(1, false, 10, 5), true);
        line.insert(entry(2, false, 20, 5), true);
        assert_eq!(line.insert(entry(3, true, 30, 5), true), 1);
        // A tie on the head's stamp with a higher cost cannot displace it either.
        assert_eq!(line.insert(entry(4, false, 10, 50), true), 2);
        assert_eq!(order(&line), [1, 3, 4, 2]);
    }

    #[test]
    fn remove_and_pop() {
        let mut line = WaitingLine::default();
        for i in 1..=3 {
            line.insert(entry(i, false, i as i64, 1), false);
        }
        assert_eq!(line.remove(ItemId(2)), Some(1));
        assert_eq!(line.remove(ItemId(2)), None);
        assert_eq!(line.pop_head(), Some(ItemId(1)));
        assert_eq!(order(&line), [3]);
    }
}
