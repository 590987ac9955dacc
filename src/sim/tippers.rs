//! Simulated tippers: tips at the amounts real rooms see (many small, a few
//! large, some exact amounts that hit the presets), drawn from their own
//! stream of the seed so a run with tips repeats exactly and a run without
//! them draws as it always did.

use rand::RngExt;
use rand::rngs::StdRng;
use serde::Deserialize;

/// The exact amounts `config/tips/presets.toml` plays as specials.
pub const SPECIAL_AMOUNTS: [u64; 6] = [33, 69, 111, 444, 888, 2222];

/// How often the audience tips (`[tips]` in a scenario; off by default).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tips {
    /// Tips per minute across the room.
    pub per_min: f64,
    /// Share of tips at an exact special amount.
    pub special: f64,
    /// Share of large tips (100 tokens and up).
    pub large: f64,
}

impl Default for Tips {
    fn default() -> Self {
        Tips {
            per_min: 0.0,
            special: 0.05,
            large: 0.05,
        }
    }
}

impl Tips {
    pub fn check(&self) -> Result<(), String> {
        if !(self.per_min.is_finite() && self.per_min >= 0.0) {
            return Err(format!("tips.per_min {} is not a rate", self.per_min));
        }
        for (name, share) in [("tips.special", self.special), ("tips.large", self.large)] {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("{name} {share} is not within 0..=1"));
            }
        }
        if self.special + self.large > 1.0 {
            return Err("tips.special and tips.large add up to more than 1".into());
        }
        Ok(())
    }

    /// One tip's amount: an exact special, a large tip (100..=1000, the
    /// smaller the likelier) or a small one (1..=99, mostly under 25).
    pub fn amount(&self, rng: &mut StdRng) -> u64 {
        let roll: f64 = rng.random();
        if roll < self.special {
            return SPECIAL_AMOUNTS[rng.random_range(0..SPECIAL_AMOUNTS.len())];
        }
        if roll < self.special + self.large {
            let u: f64 = rng.random();
            return 100 + (900.0 * u * u * u) as u64;
        }
        if rng.random_bool(0.8) {
            rng.random_range(1..=24)
        } else {
            rng.random_range(25..=99)
        }
    }

    /// The gap to the next tip, in ms (exponential: tips come at random).
    pub fn gap_ms(&self, rng: &mut StdRng) -> Option<u64> {
        if self.per_min <= 0.0 {
            return None;
        }
        let u: f64 = rng.random();
        let gap = -(1.0 - u).ln() / (self.per_min / 60_000.0);
        Some(gap.clamp(1.0, 1e12).ceil() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn amounts_repeat_per_seed_and_look_like_a_room() {
        let tips = Tips {
            per_min: 10.0,
            ..Tips::default()
        };
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..5_000)
                .map(|_| tips.amount(&mut rng))
                .collect::<Vec<u64>>()
        };
        let a = draw(7);
        assert_eq!(a, draw(7), "deterministic per seed");
        assert_ne!(a, draw(8));
        let small = a.iter().filter(|&&x| x < 25).count();
        let large = a
            .iter()
            .filter(|&&x| x >= 100 && !SPECIAL_AMOUNTS.contains(&x))
            .count();
        let special = a.iter().filter(|x| SPECIAL_AMOUNTS.contains(x)).count();
        assert!(small > 3_000, "many small: {small}");
        assert!((100..=500).contains(&large), "a few large: {large}");
        assert!(
            (120..=400).contains(&special),
            "some exact specials: {special}"
        );
        assert!(a.iter().all(|&x| (1..=2222).contains(&x)));
    }

    #[test]
    fn tips_are_off_unless_a_rate_is_given() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(Tips::default().gap_ms(&mut rng), None);
        let on = Tips {
            per_min: 60.0,
            ..Tips::default()
        };
        let gaps: Vec<u64> = (0..2_000).filter_map(|_| on.gap_ms(&mut rng)).collect();
        let mean = gaps.iter().sum::<u64>() as f64 / gaps.len() as f64;
        assert!(
            (900.0..=1_100.0).contains(&mean),
            "about a second apart: {mean}"
        );
        assert!(
            Tips {
                special: 0.7,
                large: 0.5,
                ..on
            }
            .check()
            .is_err()
        );
    }
}
