//! Time as the engine sees it: microsecond stamps passed in by the caller.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};

/// One UTC day in microseconds.
pub const DAY_US: i64 = 24 * 3600 * 1_000_000;

/// Microseconds since the Unix epoch, as stamped by the server.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Stamp(pub i64);

impl Stamp {
    pub const fn from_millis(ms: i64) -> Self {
        Stamp(ms.saturating_mul(1000))
    }

    pub const fn from_secs(s: i64) -> Self {
        Stamp(s.saturating_mul(1_000_000))
    }

    /// The wall clock now; only the edges call this, never the engine.
    pub fn now() -> Self {
        let micros = chrono::Utc::now().timestamp_micros();
        Stamp(micros)
    }

    pub const fn plus_millis(self, ms: u64) -> Self {
        Stamp(self.0.saturating_add((ms as i64).saturating_mul(1000)))
    }

    /// The start of the UTC day this stamp falls in.
    pub const fn day_start(self) -> Self {
        Stamp(self.0.div_euclid(DAY_US) * DAY_US)
    }

    /// Microseconds from `earlier` to `self` (negative if `earlier` is later).
    pub const fn micros_since(self, earlier: Stamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stamp({})", self.0)
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match chrono::DateTime::from_timestamp_micros(self.0) {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.6fZ")),
            None => write!(f, "{}us", self.0),
        }
    }
}

/// The clock the core stamps commands with and chip menus count UTC days
/// by: the wall clock plus an offset that is zero unless a test moves it
/// with [`Clock::set`]. Clones share the offset.
#[derive(Clone, Default)]
pub struct Clock {
    offset_us: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> Stamp {
        Stamp(
            Stamp::now()
                .0
                .saturating_add(self.offset_us.load(Ordering::Relaxed)),
        )
    }

    /// Make `now()` read `at` from this moment on (time keeps running from
    /// there). A test seam; the engine never lets its own stamps go back.
    pub fn set(&self, at: Stamp) {
        self.offset_us
            .store(at.0.saturating_sub(Stamp::now().0), Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Clock(offset {} us)",
            self.offset_us.load(Ordering::Relaxed)
        )
    }
}

impl PartialEq for Clock {
    fn eq(&self, other: &Self) -> bool {
        self.offset_us.load(Ordering::Relaxed) == other.offset_us.load(Ordering::Relaxed)
    }
}

impl Eq for Clock {}
