//! A queue that grows at the back and shrinks at the front, held in chunks
//! of a fixed size, for the engine's lists that grow with every intake.
//!
//! One vector or `VecDeque` doubles and copies everything it holds when it
//! fills (at a million idempotency records, 80 MB while the engine, and so
//! every room, waits); a new chunk copies nothing and touches only memory it
//! is about to use. Every chunk between the first and the last is full, so
//! finding an element by position is one division.

use std::collections::VecDeque;

/// Elements per chunk: a few hundred kilobytes for the engine's types.
const CHUNK: usize = 4096;

#[derive(Debug, Clone)]
pub struct Chunked<T> {
    /// Each a ring of capacity `CHUNK`, never grown: only the first loses
    /// elements (at its front), only the last gains them (at its back).
    chunks: VecDeque<VecDeque<T>>,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: VecDeque::new(),
        }
    }
}

impl<T> Chunked<T> {
    pub fn len(&self) -> usize {
        match (self.chunks.front(), self.chunks.back()) {
            (Some(first), Some(last)) if self.chunks.len() > 1 => {
                first.len() + (self.chunks.len() - 2) * CHUNK + last.len()
            }
            (Some(only), _) => only.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push_back(&mut self, value: T) {
        match self.chunks.back_mut() {
            Some(last) if last.len() < CHUNK => last.push_back(value),
            _ => {
                let mut chunk = VecDeque::with_capacity(CHUNK);
                chunk.push_back(value);
                self.chunks.push_back(chunk);
            }
        }
    }

    pub fn pop_front(&mut self) -> Option<T> {
        let first = self.chunks.front_mut()?;
        let value = first.pop_front();
        // A drained first chunk goes, unless it is also the last (which
        // would only be made again by the next push).
        if first.is_empty() && self.chunks.len() > 1 {
            self.chunks.pop_front();
        }
        value
    }

    pub fn front(&self) -> Option<&T> {
        self.chunks.front()?.front()
    }

    pub fn back(&self) -> Option<&T> {
        self.chunks.back()?.back()
    }

    /// The element `index` places from the front.
    pub fn get(&self, index: usize) -> Option<&T> {
        let (chunk, slot) = self.place(index)?;
        self.chunks.get(chunk)?.get(slot)
    }

    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        let (chunk, slot) = self.place(index)?;
        self.chunks.get_mut(chunk)?.get_mut(slot)
    }

    /// Front to back.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    fn place(&self, index: usize) -> Option<(usize, usize)> {
        let first = self.chunks.front()?.len();
        if index < first {
            return Some((0, index));
        }
        let rest = index - first;
        Some((1 + rest / CHUNK, rest % CHUNK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Push(u32),
        Pop,
        /// Many pushes at once, to cross chunk boundaries quickly.
        PushMany(u16),
        PopMany(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => any::<u32>().prop_map(Op::Push),
            2 => Just(Op::Pop),
            1 => (0..3 * CHUNK as u16).prop_map(Op::PushMany),
            1 => (0..3 * CHUNK as u16).prop_map(Op::PopMany),
        ]
    }

    fn check_same(chunked: &Chunked<u32>, model: &VecDeque<u32>) {
        assert_eq!(chunked.len(), model.len());
        assert_eq!(chunked.is_empty(), model.is_empty());
        assert_eq!(chunked.front(), model.front());
        assert_eq!(chunked.back(), model.back());
        let step = (model.len() / 50).max(1);
        for index in (0..model.len() + 2).step_by(step) {
            assert_eq!(chunked.get(index), model.get(index), "index {index}");
        }
        if let Some(last) = model.len().checked_sub(1) {
            assert_eq!(chunked.get(last), model.get(last));
        }
        assert!(chunked.iter().eq(model.iter()));
        assert!(chunked.iter().rev().take(3).eq(model.iter().rev().take(3)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Pushes and pops in any order behave as a `VecDeque`'s.
        #[test]
        fn behaves_as_a_vecdeque(ops in proptest::collection::vec(op(), 1..40)) {
            let mut chunked = Chunked::default();
            let mut model = VecDeque::new();
            let mut next = 0u32;
            for op in ops {
                match op {
                    Op::Push(v) => {
                        chunked.push_back(v);
                        model.push_back(v);
                    }
                    Op::Pop => prop_assert_eq!(chunked.pop_front(), model.pop_front()),
                    Op::PushMany(n) => {
                        for _ in 0..n {
                            next = next.wrapping_add(1);
                            chunked.push_back(next);
                            model.push_back(next);
                        }
                    }
                    Op::PopMany(n) => {
                        for _ in 0..n {
                            prop_assert_eq!(chunked.pop_front(), model.pop_front());
                        }
                    }
                }
                check_same(&chunked, &model);
            }
        }
    }

    #[test]
    fn chunks_never_grow_and_drained_ones_go() {
        let mut chunked = Chunked::default();
        for v in 0..(2 * CHUNK + 1) as u32 {
            chunked.push_back(v);
        }
        assert_eq!(chunked.chunks.len(), 3);
        let capacity = VecDeque::<u32>::with_capacity(CHUNK).capacity();
        assert!(
            chunked
                .chunks
                .iter()
                .all(|c| c.capacity() == capacity && c.len() <= CHUNK)
        );
        for _ in 0..CHUNK {
            chunked.pop_front();
        }
        assert_eq!(chunked.chunks.len(), 2, "the drained first chunk is gone");
        if let Some(v) = chunked.get_mut(0) {
            *v = 7;
        }
        assert_eq!(chunked.front(), Some(&7));
        assert_eq!(chunked.get(CHUNK), Some(&(2 * CHUNK as u32)));
    }
}
