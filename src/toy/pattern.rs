//! Patterns as levels over time, sampled on 100 ms ticks from the effect's
//! start, so a pattern never asks for more than 10 updates per second.

use crate::domain::toy_effect::Pattern;

/// One rendering step.
pub const TICK_MS: u64 = 100;
/// Pulse: on for half of each second.
pub const PULSE_PERIOD_MS: u64 = 1000;
/// Wave: one rise and fall every two seconds.
pub const WAVE_PERIOD_MS: u64 = 2000;

/// The level `elapsed_ms` into an effect `length_ms` long peaking at `peak`.
/// Never above `peak`.
pub fn level_at(pattern: Pattern, peak: u8, elapsed_ms: u64, length_ms: u64) -> u8 {
    let t = elapsed_ms / TICK_MS * TICK_MS;
    let level = match pattern {
        Pattern::Constant => peak,
        Pattern::Pulse => {
            if t % PULSE_PERIOD_MS < PULSE_PERIOD_MS / 2 {
                peak
            } else {
                0
            }
        }
        Pattern::Wave => {
            // Starts half way up and rising, so the effect is felt at once.
            let phase = (t % WAVE_PERIOD_MS) as f64 / WAVE_PERIOD_MS as f64;
            let x = (1.0 + (phase * std::f64::consts::TAU).sin()) / 2.0;
            (f64::from(peak) * x).round() as u8
        }
        Pattern::Ramp => {
            // Up in equal steps, reaching the peak on the last tick.
            let ticks = length_ms.div_ceil(TICK_MS).max(1);
            let k = (t / TICK_MS + 1).min(ticks);
            (u64::from(peak) * k).div_ceil(ticks) as u8
        }
    };
    level.min(peak)
}

/// Whether the level changes within an effect (needs ticks).
pub fn is_dynamic(pattern: Pattern) -> bool {
    pattern != Pattern::Constant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let at = |p, ms| level_at(p, 10, ms, 1000);
        assert_eq!(at(Pattern::Constant, 0), 10);
        assert_eq!(
            (
                at(Pattern::Pulse, 0),
                at(Pattern::Pulse, 499),
                at(Pattern::Pulse, 500)
            ),
            (10, 10, 0)
        );
        assert_eq!(
            (
                at(Pattern::Wave, 0),
                at(Pattern::Wave, 500),
                at(Pattern::Wave, 1500)
            ),
            (5, 10, 0)
        );
        let ramp: Vec<u8> = (0..10).map(|k| at(Pattern::Ramp, k * 100)).collect();
        assert_eq!(ramp, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(at(Pattern::Ramp, 5000), 10);
    }
}
