//! Every item the engine has seen, by number. The list only grows; it is
//! `Chunked`, so growing never copies the items already held.

use super::chunked::Chunked;
use crate::domain::ids::ItemId;
use crate::domain::item::ItemEntry;

#[derive(Debug, Clone, Default)]
pub struct ItemList {
    /// Item `n` at position `n - 1`: items are numbered densely from 1.
    entries: Chunked<ItemEntry>,
}

impl ItemList {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number the next item gets.
    pub fn next_id(&self) -> ItemId {
        ItemId(self.len() as u64 + 1)
    }

    pub fn get(&self, id: ItemId) -> Option<&ItemEntry> {
        self.entries.get(Self::position(id)?)
    }

    pub fn get_mut(&mut self, id: ItemId) -> Option<&mut ItemEntry> {
        self.entries.get_mut(Self::position(id)?)
    }

    /// Append the item numbered [`Self::next_id`].
    pub fn push(&mut self, entry: ItemEntry) {
        debug_assert_eq!(entry.id(), self.next_id());
        self.entries.push_back(entry);
    }

    /// In intake order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &ItemEntry> {
        self.entries.iter()
    }

    fn position(id: ItemId) -> Option<usize> {
        usize::try_from(id.0.checked_sub(1)?).ok()
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
            stamp: Stamp(0),
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
        assert_eq!(
            list.iter().next_back().map(ItemEntry::id),
            Some(ItemId(count))
        );

        if let Some(ItemEntry::Closed(closed)) = list.get_mut(ItemId(CHUNK as u64 + 1)) {
            closed.refunded = 7;
        }
        assert_eq!(list.get(ItemId(CHUNK as u64 + 1)).unwrap().refunded(), 7);
    }
}
