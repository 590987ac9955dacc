//! The items the engine holds, by number: every open item, and the closed
//! ones of the retention window. Items are numbered densely from 1 and kept
//! in intake order (`Chunked`: growing never copies); the oldest leave from
//! the front once the window has passed them. An open item that old (a long
//! show) moves aside into a small map of its own, since it is live state.

use std::collections::BTreeMap;

use super::chunked::Chunked;
use crate::domain::ids::ItemId;
use crate::domain::item::ItemEntry;

#[derive(Debug, Clone)]
pub struct ItemList {
    /// Item `first + n` at position `n`.
    recent: Chunked<ItemEntry>,
    /// The number of `recent`'s front item.
    first: u64,
    /// Open items older than the window.
    old_open: BTreeMap<ItemId, ItemEntry>,
}

impl Default for ItemList {
    fn default() -> Self {
        ItemList {
            recent: Chunked::default(),
            first: 1,
            old_open: BTreeMap::new(),
        }
    }
}

impl ItemList {
    /// How many items are held (not how many were ever taken).
    pub fn len(&self) -> usize {
        self.recent.len() + self.old_open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recent.is_empty() && self.old_open.is_empty()
    }

    /// The number the next item gets.
    pub fn next_id(&self) -> ItemId {
        ItemId(self.first + self.recent.len() as u64)
    }

    /// Whether items before `id` have left: their facts are in the store only.
    pub fn forgot_any(&self) -> bool {
        self.first > 1
    }

    /// Whether `id` was taken but is no longer held.
    pub fn forgot(&self, id: ItemId) -> bool {
        id.0 >= 1 && id.0 < self.first && !self.old_open.contains_key(&id)
    }

    pub fn get(&self, id: ItemId) -> Option<&ItemEntry> {
        match self.position(id) {
            Some(n) => self.recent.get(n),
            None => self.old_open.get(&id),
        }
    }

    pub fn get_mut(&mut self, id: ItemId) -> Option<&mut ItemEntry> {
        match self.position(id) {
            Some(n) => self.recent.get_mut(n),
            None => self.old_open.get_mut(&id),
        }
    }

    /// An item closed after it moved aside leaves at once: it is no longer
    /// live and already older than the window.
    pub fn drop_if_old(&mut self, id: ItemId) -> Option<ItemEntry> {
        if id.0 < self.first {
            self.old_open.remove(&id)
        } else {
            None
        }
    }

    /// Append the item numbered [`Self::next_id`].
    pub fn push(&mut self, entry: ItemEntry) {
        debug_assert_eq!(entry.id(), self.next_id());
        self.recent.push_back(entry);
    }

    /// Let the front items go while `expired` says so; open ones move aside.
    /// `left` sees each item as it leaves the window.
    pub fn expire(
        &mut self,
        expired: impl Fn(&ItemEntry) -> bool,
        mut left: impl FnMut(&ItemEntry),
    ) {
        while let Some(front) = self.recent.front()
            && expired(front)
        {
            let entry = self.recent.pop_front().expect("just looked");
            self.first += 1;
            left(&entry);
            if !entry.state().is_closed() {
                self.old_open.insert(entry.id(), entry);
            }
        }
    }

    /// The item whose number, truncated to 32 bits, is `low`: numbers held
    /// in the window span fewer than 2^32.
    pub fn id_of_low_bits(&self, low: u32) -> ItemId {
        ItemId(self.first + u64::from(low.wrapping_sub(self.first as u32)))
    }

    /// In intake order.
    pub fn iter(&self) -> impl Iterator<Item = &ItemEntry> {
        self.old_open.values().chain(self.recent.iter())
    }

    fn position(&self, id: ItemId) -> Option<usize> {
        let n = usize::try_from(id.0.checked_sub(self.first)?).ok()?;
        (n < self.recent.len()).then_some(n)
    }
}

/// An item the caller knows exists (it is in a queue, or was just named).
impl std::ops::Index<ItemId> for ItemList {
    type Output = ItemEntry;

    fn index(&self, id: ItemId) -> &ItemEntry {
        self.get(id).unwrap_or_else(|| panic!("no item {id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::ClosedItem;

    /// More than one chunk's worth.
    const CHUNK: usize = 4096;
    use crate::domain::{ItemState, Source, Stamp};

    fn entry(id: u64) -> ItemEntry {
        ItemEntry::Closed(ClosedItem {
            id: ItemId(id),
            room: "r".into(),
            user_id: "u".into(),
            source: Source::ChipMenu,
            source_event_id: format!("e{id}").into(),
            menu_item_id: None,
            state: ItemState::Finished,
            stamp: Stamp(id as i64),
            token_cost: id,
            settled: id,
            refunded: 0,
        })
    }

    #[test]
    fn numbers_items_from_one_across_chunks() {
        let mut list = ItemList::default();
        assert!(list.is_empty());
        assert!(list.get(ItemId(0)).is_none());
        assert!(list.get(ItemId(1)).is_none());
        let count = 2 * CHUNK as u64 + 3;
        for id in 1..=count {
            assert_eq!(list.next_id(), ItemId(id));
            list.push(entry(id));
        }
        assert_eq!(list.len() as u64, count);
        for id in [1, CHUNK as u64, CHUNK as u64 + 1, count] {
            assert_eq!(list.get(ItemId(id)).map(ItemEntry::token_cost), Some(id));
        }
        assert!(list.get(ItemId(0)).is_none());
        assert!(list.get(ItemId(count + 1)).is_none());
        assert!(list.get(ItemId(u64::MAX)).is_none());
        let ids: Vec<u64> = list.iter().map(|e| e.id().0).collect();
        assert_eq!(ids, (1..=count).collect::<Vec<_>>());

        if let Some(ItemEntry::Closed(closed)) = list.get_mut(ItemId(CHUNK as u64 + 1)) {
            closed.refunded = 7;
        }
        assert_eq!(list.get(ItemId(CHUNK as u64 + 1)).unwrap().refunded(), 7);
    }

    #[test]
    fn old_items_leave_and_old_open_ones_move_aside() {
        let mut list = ItemList::default();
        for id in 1..=10 {
            list.push(entry(id));
        }
        // Item 3 is still open.
        let ItemEntry::Closed(mut three) = list.get(ItemId(3)).unwrap().clone() else {
            unreachable!()
        };
        three.state = ItemState::Queued;
        *list.get_mut(ItemId(3)).unwrap() = ItemEntry::Closed(three);
        let mut left = Vec::new();
        list.expire(|e| e.stamp() < Stamp(6), |e| left.push(e.id().0));
        assert_eq!(left, [1, 2, 3, 4, 5]);
        assert!(list.forgot_any());
        assert!(list.forgot(ItemId(1)) && !list.forgot(ItemId(3)) && !list.forgot(ItemId(6)));
        assert!(!list.forgot(ItemId(0)) && !list.forgot(ItemId(11)));
        assert!(list.get(ItemId(2)).is_none());
        assert_eq!(list.get(ItemId(3)).map(ItemEntry::id), Some(ItemId(3)));
        assert_eq!(list.len(), 6);
        assert_eq!(list.next_id(), ItemId(11));
        let ids: Vec<u64> = list.iter().map(|e| e.id().0).collect();
        assert_eq!(ids, [3, 6, 7, 8, 9, 10]);
        assert_eq!(list.id_of_low_bits(7), ItemId(7));
        assert!(list.drop_if_old(ItemId(3)).is_some());
        assert!(list.drop_if_old(ItemId(6)).is_none());
        assert!(list.forgot(ItemId(3)));
    }

    #[test]
    fn low_bits_name_the_item_across_the_32_bit_boundary() {
        let list = ItemList {
            recent: Chunked::default(),
            first: (1 << 32) - 2,
            old_open: BTreeMap::new(),
        };
        for id in [(1u64 << 32) - 2, (1 << 32) - 1, 1 << 32, (1 << 32) + 5] {
            assert_eq!(list.id_of_low_bits(id as u32), ItemId(id));
        }
    }
}
