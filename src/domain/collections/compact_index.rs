//! A hash index of small numbers (positions in a list kept elsewhere), for
//! sets that grow with every intake: idempotency keys, source events.
//!
//! An entry is 8 bytes, a number and its key's 32-bit hash, so the index of
//! a few hundred thousand keys stays near the core's cache, and growing it
//! rehashes from the stored hash instead of reading every key back. Lookups
//! compare the full key through the caller, so a hash collision costs a
//! comparison, never a wrong answer.

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

#[derive(Debug, Clone, Default)]
pub struct CompactIndex {
    table: HashTable<Slot>,
    /// Seeded per process: keys come from the network.
    hasher: foldhash::fast::RandomState,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    number: u32,
    hash: u32,
}

/// The table hash of a 32-bit hash: hashbrown places an entry by the low
/// bits and tags it with the top seven, so both come from the stored bits.
fn table_hash(hash: u32) -> u64 {
    u64::from(hash) << 32 | u64::from(hash)
}

impl CompactIndex {
    /// A key's hash, computed once for a lookup and the insert after it.
    pub fn hash(&self, key: impl Hash) -> u32 {
        self.hasher.hash_one(key) as u32
    }

    /// The number whose key has `hash` and passes `is_key`.
    pub fn find(&self, hash: u32, mut is_key: impl FnMut(u32) -> bool) -> Option<u32> {
        self.table
            .find(table_hash(hash), |slot| {
                slot.hash == hash && is_key(slot.number)
            })
            .map(|slot| slot.number)
    }

    /// Add a number under its key's hash; the caller knows the key is new.
    pub fn insert(&mut self, hash: u32, number: u32) {
        self.table
            .insert_unique(table_hash(hash), Slot { number, hash }, |slot| {
                table_hash(slot.hash)
            });
    }

    /// Remove a number; false if it was not there.
    pub fn remove(&mut self, hash: u32, number: u32) -> bool {
        match self
            .table
            .find_entry(table_hash(hash), |slot| slot.number == number)
        {
            Ok(entry) => {
                entry.remove();
                true
            }
            Err(_) => false,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: u32) -> Vec<String> {
        (0..n).map(|i| format!("key-{i}")).collect()
    }

    #[test]
    fn finds_every_key_through_growth_and_removal() {
        let keys = keys(20_000);
        let mut index = CompactIndex::default();
        for (n, key) in keys.iter().enumerate() {
            let hash = index.hash(key);
            assert_eq!(index.find(hash, |m| keys[m as usize] == *key), None);
            index.insert(hash, n as u32);
        }
        assert_eq!(index.len(), keys.len());
        for (n, key) in keys.iter().enumerate() {
            let hash = index.hash(key);
            assert_eq!(
                index.find(hash, |m| keys[m as usize] == *key),
                Some(n as u32)
            );
        }
        for (n, key) in keys.iter().enumerate().step_by(2) {
            assert!(index.remove(index.hash(key), n as u32));
        }
        assert!(!index.remove(index.hash(&keys[0]), 0), "already removed");
        for (n, key) in keys.iter().enumerate() {
            let found = index.find(index.hash(key), |m| keys[m as usize] == *key);
            assert_eq!(found, (n % 2 == 1).then_some(n as u32), "{key}");
        }
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_the_key() {
        let mut index = CompactIndex::default();
        let names = ["a", "b", "c"];
        // Every key under one hash: only the comparison can find the right one.
        for n in 0..3 {
            index.insert(7, n);
        }
        for (n, name) in names.iter().enumerate() {
            assert_eq!(
                index.find(7, |m| names[m as usize] == *name),
                Some(n as u32)
            );
        }
        assert_eq!(index.find(7, |m| names[m as usize] == "d"), None);
        assert_eq!(index.find(8, |m| names[m as usize] == "a"), None);
    }
}
