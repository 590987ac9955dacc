//! Versions of one configuration: each save is the next number, stamped
//! with when and by whom; an edit names the version it is based on, and
//! one based on any other is [`Stale`]. Older versions are kept, so what
//! an item was taken in under (a receipt's version) can still be read.

use std::collections::BTreeMap;

use crate::domain::time::Stamp;

/// A saved version: the content and who saved it when.
#[derive(Debug, Clone)]
pub struct Stamped<T> {
    pub value: T,
    pub at: Stamp,
    /// Role and token id (`performer:1a2b3c4d`), never a name.
    pub by: String,
}

/// An edit based on `yours` while the configuration is at `current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    pub yours: u64,
    pub current: u64,
}

impl Stale {
    /// The edit names a version that was never saved.
    pub fn ahead(&self) -> bool {
        self.yours > self.current
    }
}

/// `Ok` when an edit based on `base` may become version `current + 1`.
pub fn check_base(current: u64, base: u64) -> Result<(), Stale> {
    if current == base {
        Ok(())
    } else {
        Err(Stale {
            yours: base,
            current,
        })
    }
}

/// Every saved version of one configuration, by number; never empty.
#[derive(Debug, Clone)]
pub struct Versions<T> {
    saved: BTreeMap<u64, Stamped<T>>,
}

impl<T> Versions<T> {
    pub fn new(version: u64, first: Stamped<T>) -> Self {
        Versions {
            saved: BTreeMap::from([(version, first)]),
        }
    }

    /// Keep a version (the current one if it is the newest).
    pub fn add(&mut self, version: u64, saved: Stamped<T>) {
        self.saved.insert(version, saved);
    }

    pub fn current(&self) -> &Stamped<T> {
        self.saved
            .values()
            .next_back()
            .expect("versions are created with their first")
    }

    pub fn current_version(&self) -> u64 {
        self.saved.keys().next_back().copied().unwrap_or_default()
    }

    pub fn get(&self, version: u64) -> Option<&Stamped<T>> {
        self.saved.get(&version)
    }

    /// The versions saved after `after`, oldest first.
    pub fn after(&self, after: u64) -> impl Iterator<Item = (u64, &Stamped<T>)> {
        self.saved.range(after + 1..).map(|(v, s)| (*v, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(value: &'static str) -> Stamped<&'static str> {
        Stamped {
            value,
            at: Stamp(1),
            by: "performer:x".into(),
        }
    }

    #[test]
    fn the_newest_is_current_and_older_ones_stay_readable() {
        let mut v = Versions::new(1, stamped("a"));
        v.add(2, stamped("b"));
        assert_eq!(v.current().value, "b");
        assert_eq!(v.current_version(), 2);
        assert_eq!(v.get(1).map(|s| s.value), Some("a"));
        assert_eq!(v.after(1).map(|(n, _)| n).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn only_the_current_version_is_a_base() {
        assert_eq!(check_base(3, 3), Ok(()));
        let stale = check_base(3, 1).unwrap_err();
        assert!(!stale.ahead());
        assert!(check_base(3, 7).unwrap_err().ahead());
    }
}
