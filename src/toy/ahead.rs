//! The levels a running effect is due to take next, known ahead of time
//! (a pattern's coming 100 ms ticks). The scheduler hands them to each toy
//! beside the level of the moment; the driver shapes them into output
//! levels like any level; a transport that can send a stretch of steps at
//! once (Lovense Remote's `Pattern` request) may use them, every other one
//! ignores them. A hint never drives a toy by itself: the levels written
//! still decide, and one the hint did not foresee is sent as usual.

use std::sync::Arc;

use tokio::time::Instant;

use super::codec::Levels;

/// The scheduler's tick: the hint's steps are this long.
pub const STEP_MS: u64 = 100;
/// How far ahead the scheduler looks: 2 s, Lovense Remote's `timeSec`
/// bound (a pattern sent from these steps never outlives it).
pub const STEPS: usize = 20;

/// Ticks a hint reaches back: a motor that took its turn late still wrote
/// a level the hint knows (two motors taking turns at 10 writes a second
/// each lag up to three ticks).
pub const BACK: u64 = 4;

/// The coming `STEPS` ticks of `level_at` from offset `at` (ms), the hint
/// starting `BACK` ticks earlier, if they change other than by ending (a
/// steady level needs no steps sent ahead: its end is a stop anyway).
pub fn coming(level_at: impl Fn(u64) -> u8, at: u64, now: Instant) -> Option<Ahead> {
    let back = (at / STEP_MS).min(BACK);
    let from = at - back * STEP_MS;
    let start = now.checked_sub(std::time::Duration::from_millis(back * STEP_MS))?;
    // Two spare ticks: a hint a tick or two old still covers `STEPS`.
    let levels: Vec<u8> = (0..STEPS as u64 + back + 2)
        .map(|k| level_at(from + k * STEP_MS))
        .collect();
    let mut running = levels.iter().filter(|l| **l > 0);
    let first = running.next().copied();
    if running.all(|l| Some(*l) == first) {
        return None;
    }
    Some(Ahead {
        start,
        step_ms: STEP_MS,
        levels: levels.into(),
    })
}

/// Effect levels (0..=20) from `start`, one per `step_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahead {
    pub start: Instant,
    pub step_ms: u64,
    pub levels: Arc<[u8]>,
}

/// The same steps as output levels of one toy (cap and maps applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputsAhead {
    pub start: Instant,
    pub step_ms: u64,
    pub steps: Vec<Levels>,
}

impl OutputsAhead {
    /// The step due at `now`, if the hint reaches that far.
    pub fn index_at(&self, now: Instant) -> Option<usize> {
        let since = now.checked_duration_since(self.start)?.as_millis() as u64;
        let i = usize::try_from(since / self.step_ms.max(1)).ok()?;
        (i < self.steps.len()).then_some(i)
    }

    /// The steps from the one due at `now` on.
    pub fn from(&self, now: Instant) -> &[Levels] {
        self.index_at(now).map_or(&[], |i| &self.steps[i..])
    }

    /// Whether output `output` at `value` is what the hint foresaw around
    /// `now`: the step due, or one of the `BACK` before it (the driver paces
    /// writes, and motors take turns), or the next one.
    pub fn foresaw(&self, now: Instant, output: usize, value: u8) -> bool {
        let Some(i) = self.index_at(now) else {
            return false;
        };
        let back = i.saturating_sub(BACK as usize);
        let steps = &self.steps[back..(i + 2).min(self.steps.len())];
        steps
            .iter()
            .any(|s| s.values().get(output).copied() == Some(value))
    }

    /// Whether `other` foresees the same levels as this hint over the time
    /// both cover from `now` on (steps compared at the same moments, the
    /// starts matched to the nearest step: a timer wakes a little late).
    pub fn agrees_with(&self, other: &OutputsAhead, now: Instant) -> bool {
        let step = self.step_ms.max(1);
        if other.step_ms != self.step_ms {
            return false;
        }
        let Some(from) = self.index_at(now) else {
            return false;
        };
        let ms = |a: Instant, b: Instant| a.saturating_duration_since(b).as_millis() as i64;
        let shift = ms(other.start, self.start) - ms(self.start, other.start);
        // Other's step j is this hint's step j + k.
        let k = (shift + step as i64 / 2).div_euclid(step as i64);
        (from..self.steps.len()).all(|i| {
            let j = i as i64 - k;
            usize::try_from(j)
                .ok()
                .and_then(|j| other.steps.get(j))
                .is_none_or(|o| *o == self.steps[i])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn hint(start: Instant, values: &[u8]) -> OutputsAhead {
        OutputsAhead {
            start,
            step_ms: STEP_MS,
            steps: values.iter().map(|v| Levels::new(&[*v])).collect(),
        }
    }

    #[test]
    fn steps_are_found_by_time_and_a_late_write_is_still_foreseen() {
        let t0 = Instant::now();
        let h = hint(t0, &[1, 2, 3, 4, 5]);
        let at = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(h.index_at(at(0)), Some(0));
        assert_eq!(h.index_at(at(250)), Some(2));
        assert_eq!(h.index_at(at(500)), None, "beyond the hint");
        assert_eq!(h.from(at(300)).len(), 2);
        let h = hint(t0, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(h.foresaw(at(500), 0, 7), "the next step");
        assert!(h.foresaw(at(500), 0, 2), "four steps late");
        assert!(!h.foresaw(at(500), 0, 1), "five steps late");
        assert!(!h.foresaw(at(500), 0, 8), "two steps early");
        assert!(!h.foresaw(at(300), 0, 9));
        assert!(!h.foresaw(at(300), 1, 4), "no such output");
    }

    #[test]
    fn two_hints_agree_only_on_the_same_levels_at_the_same_moments() {
        let t0 = Instant::now();
        let a = hint(t0, &[1, 2, 3, 4, 5]);
        let shifted = hint(t0 + Duration::from_millis(200), &[3, 4, 5, 0]);
        let now = t0 + Duration::from_millis(250);
        assert!(a.agrees_with(&shifted, now));
        let changed = hint(t0 + Duration::from_millis(200), &[3, 9, 5]);
        assert!(!a.agrees_with(&changed, now));
        // A hint started 3 ms late is still on the same steps.
        let late = hint(t0 + Duration::from_millis(203), &[3, 4, 5, 0]);
        assert!(a.agrees_with(&late, t0 + Duration::from_millis(299)));
        assert!(a.agrees_with(&late, t0 + Duration::from_millis(301)));
    }
}
