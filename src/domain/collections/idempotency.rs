//! Idempotency records: the reply each key got, kept for the retention
//! period.
//!
//! Records sit in the order they were made, in one queue (`Chunked`:
//! growing never copies); stamps never go backwards, so expiry pops from
//! the front. A compact hash index of record numbers finds a key. Recording
//! writes the record at the queue's end and 8 bytes into the index, rather
//! than a 72-byte entry into a random slot of a table that outgrows the
//! caches.

use super::chunked::Chunked;
use super::compact_index::CompactIndex;
use crate::domain::command::Reply;
use crate::domain::ids::IdemKey;
use crate::domain::time::Stamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdemRecord {
    pub at: Stamp,
    pub key: IdemKey,
    /// [`crate::domain::Command::fingerprint`] of the command first sent under the key.
    pub fingerprint: u64,
    pub reply: Reply,
}

#[derive(Debug, Clone, Default)]
pub struct IdempotencyRecords {
    records: Chunked<IdemRecord>,
    /// Records popped so far, wrapping: record number `n` is
    /// `records[n - popped]`. Fewer than 2^32 records are ever held at once.
    popped: u32,
    index: CompactIndex,
}

impl IdempotencyRecords {
    /// The key's hash, computed once for a lookup and the insert after it.
    pub fn hash(&self, key: &IdemKey) -> u32 {
        self.index.hash(key.as_str())
    }

    pub fn get(&self, hash: u32, key: &IdemKey) -> Option<&IdemRecord> {
        self.index
            .find(hash, |n| self.record(n).key == *key)
            .map(|n| self.record(n))
    }

    /// Record a reply under a key that has none (the caller looked it up).
    /// `record.at` must not be earlier than the last record's.
    pub fn insert(&mut self, hash: u32, record: IdemRecord) {
        debug_assert!(self.records.back().is_none_or(|last| last.at <= record.at));
        let number = self.popped.wrapping_add(self.records.len() as u32);
        self.records.push_back(record);
        self.index.insert(hash, number);
    }

    /// Forget the oldest records while `expired` says so of their stamp.
    pub fn expire(&mut self, expired: impl Fn(Stamp) -> bool) {
        while let Some(oldest) = self.records.front()
            && expired(oldest.at)
        {
            let removed = self.index.remove(self.hash(&oldest.key), self.popped);
            debug_assert!(removed, "record {} was indexed", self.popped);
            self.records.pop_front();
            self.popped = self.popped.wrapping_add(1);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.records.len()
    }

    fn record(&self, number: u32) -> &IdemRecord {
        self.records
            .get(number.wrapping_sub(self.popped) as usize)
            .expect("the index holds only live records")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemId;

    fn record(at: i64, key: &str, n: u64) -> IdemRecord {
        IdemRecord {
            at: Stamp(at),
            key: key.into(),
            fingerprint: n,
            reply: Reply::Started { item: ItemId(n) },
        }
    }

    fn insert(records: &mut IdempotencyRecords, r: IdemRecord) {
        let hash = records.hash(&r.key);
        assert!(records.get(hash, &r.key).is_none(), "{:?} twice", r.key);
        records.insert(hash, r);
    }

    fn get<'a>(records: &'a IdempotencyRecords, key: &str) -> Option<&'a IdemRecord> {
        let key = IdemKey::from(key);
        records.get(records.hash(&key), &key)
    }

    #[test]
    fn finds_each_key_through_growth_and_expiry() {
        let mut records = IdempotencyRecords::default();
        // Enough to make the index grow several times.
        for n in 0..5_000u64 {
            insert(&mut records, record(n as i64, &format!("k{n}"), n));
        }
        for n in (0..5_000u64).step_by(97) {
            assert_eq!(get(&records, &format!("k{n}")).unwrap().fingerprint, n);
        }
        assert!(get(&records, "k5000").is_none());

        records.expire(|at| at < Stamp(1_000));
        assert_eq!(records.len(), 4_000);
        assert!(get(&records, "k999").is_none());
        assert_eq!(get(&records, "k1000").unwrap().fingerprint, 1_000);

        // Numbers keep counting after expiry, and growth rehashes by them.
        for n in 5_000..12_000u64 {
            insert(&mut records, record(n as i64, &format!("k{n}"), n));
        }
        records.expire(|at| at < Stamp(6_000));
        assert_eq!(records.len(), 6_000);
        for n in (0..12_000u64).step_by(89) {
            let found = get(&records, &format!("k{n}")).map(|r| r.fingerprint);
            assert_eq!(found, (n >= 6_000).then_some(n), "k{n}");
        }
    }

    #[test]
    fn expiry_stops_at_the_first_record_kept() {
        let mut records = IdempotencyRecords::default();
        insert(&mut records, record(10, "a", 1));
        insert(&mut records, record(20, "b", 2));
        records.expire(|at| at < Stamp(20));
        assert!(get(&records, "a").is_none());
        assert_eq!(get(&records, "b").unwrap().fingerprint, 2);
        records.expire(|at| at < Stamp(21));
        assert_eq!(records.len(), 0);
        // A forgotten key may be recorded again.
        insert(&mut records, record(30, "a", 3));
        assert_eq!(get(&records, "a").unwrap().fingerprint, 3);
    }
}
