//! The item timer: three equal phases of D, then overtime.

use serde::{Deserialize, Serialize};

use super::time::Stamp;

/// D when an item gives no duration hint.
pub const DEFAULT_DURATION_MS: u64 = 90_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// [0, D/3)
    Green,
    /// [D/3, 2D/3)
    Yellow,
    /// [2D/3, D)
    Red,
    /// D and after: still red, counting up.
    Overtime,
}

impl Phase {
    /// The phase as a word, so it reads without colour.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Green => "GREEN",
            Phase::Yellow => "YELLOW",
            Phase::Red => "RED",
            Phase::Overtime => "OVERTIME",
        }
    }
}

/// The phase `elapsed_us` microseconds into an item of `duration_ms`.
/// Integer arithmetic only, so the boundaries D/3, 2D/3 and D are exact.
pub fn phase_at(elapsed_us: i64, duration_ms: u64) -> Phase {
    let elapsed = i128::from(elapsed_us.max(0));
    let d = i128::from(duration_ms) * 1000;
    if elapsed * 3 < d {
        Phase::Green
    } else if elapsed * 3 < 2 * d {
        Phase::Yellow
    } else if elapsed < d {
        Phase::Red
    } else {
        Phase::Overtime
    }
}

/// What a console shows for a running item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerReading {
    pub phase: Phase,
    pub elapsed_ms: u64,
    /// Milliseconds left; in overtime, how far past D.
    pub remaining_ms: u64,
    pub overtime: bool,
}

pub fn read_timer(started_at: Stamp, duration_ms: u64, now: Stamp) -> TimerReading {
    let elapsed_us = now.micros_since(started_at).max(0);
    let elapsed_ms = (elapsed_us / 1000) as u64;
    let phase = phase_at(elapsed_us, duration_ms);
    let overtime = phase == Phase::Overtime;
    let remaining_ms = if overtime {
        elapsed_ms - duration_ms
    } else {
        // Round up so the display reaches 00:00 exactly at D.
        let left_us = (duration_ms as i64) * 1000 - elapsed_us;
        (left_us as u64).div_ceil(1000)
    };
    TimerReading {
        phase,
        elapsed_ms,
        remaining_ms,
        overtime,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_exact_for_the_default_duration() {
        let d = DEFAULT_DURATION_MS;
        assert_eq!(phase_at(0, d), Phase::Green);
        assert_eq!(phase_at(29_999_999, d), Phase::Green);
        assert_eq!(phase_at(30_000_000, d), Phase::Yellow);
        assert_eq!(phase_at(59_999_999, d), Phase::Yellow);
        assert_eq!(phase_at(60_000_000, d), Phase::Red);
        assert_eq!(phase_at(89_999_999, d), Phase::Red);
        assert_eq!(phase_at(90_000_000, d), Phase::Overtime);
        assert_eq!(phase_at(500_000_000, d), Phase::Overtime);
    }

    #[test]
    fn boundaries_are_exact_when_d_is_not_divisible_by_three() {
        // D = 10 s: D/3 = 3_333_333.33 us, 2D/3 = 6_666_666.67 us.
        let d = 10_000;
        assert_eq!(phase_at(3_333_333, d), Phase::Green);
        assert_eq!(phase_at(3_333_334, d), Phase::Yellow);
        assert_eq!(phase_at(6_666_666, d), Phase::Yellow);
        assert_eq!(phase_at(6_666_667, d), Phase::Red);
        assert_eq!(phase_at(9_999_999, d), Phase::Red);
        assert_eq!(phase_at(10_000_000, d), Phase::Overtime);
    }

    #[test]
    fn a_clock_behind_the_start_reads_as_the_start() {
        assert_eq!(phase_at(-5, 90_000), Phase::Green);
    }

    #[test]
    fn reading_counts_down_then_up() {
        let start = Stamp::from_secs(100);
        let r = read_timer(start, 90_000, Stamp::from_secs(100));
        assert_eq!(
            (r.phase, r.remaining_ms, r.overtime),
            (Phase::Green, 90_000, false)
        );
        let r = read_timer(start, 90_000, Stamp(100_000_000 + 89_999_500));
        assert_eq!((r.phase, r.remaining_ms), (Phase::Red, 1));
        let r = read_timer(start, 90_000, Stamp::from_secs(190));
        assert_eq!(
            (r.phase, r.remaining_ms, r.overtime),
            (Phase::Overtime, 0, true)
        );
        let r = read_timer(start, 90_000, Stamp::from_secs(195));
        assert_eq!((r.remaining_ms, r.overtime), (5_000, true));
    }
}
