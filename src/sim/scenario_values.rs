//! The checked values a scenario is made of: probabilities, factors,
//! spans of seconds, token ranges and per-tier tables. Each refuses a bad
//! value while the file is parsed, so the error names the line.

use serde::Deserialize;

/// One value per membership tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierTable<T> {
    pub free: T,
    pub basic: T,
    pub premium: T,
    pub vip: T,
}

impl<T: Copy> TierTable<T> {
    pub fn get(&self, tier: crate::domain::Tier) -> T {
        use crate::domain::Tier;
        match tier {
            Tier::Free => self.free,
            Tier::Basic => self.basic,
            Tier::Premium => self.premium,
            Tier::Vip => self.vip,
        }
    }
}

/// A chance, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Probability(pub f64);

impl TryFrom<f64> for Probability {
    type Error = String;

    fn try_from(p: f64) -> Result<Self, String> {
        if (0.0..=1.0).contains(&p) {
            Ok(Probability(p))
        } else {
            Err(format!("{p} is not a probability: it must be within 0..=1"))
        }
    }
}

/// A multiplier above 0 and at most 100.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Factor(pub f64);

impl TryFrom<f64> for Factor {
    type Error = String;

    fn try_from(f: f64) -> Result<Self, String> {
        if f > 0.0 && f <= 100.0 {
            Ok(Factor(f))
        } else {
            Err(format!(
                "{f} is not a usable factor: it must be above 0 and at most 100"
            ))
        }
    }
}

/// `[min, max]`, both 0 or more, min not above max (seconds, or a fraction).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "[f64; 2]")]
pub struct Span(pub f64, pub f64);

impl TryFrom<[f64; 2]> for Span {
    type Error = String;

    fn try_from([min, max]: [f64; 2]) -> Result<Self, String> {
        if !(min.is_finite() && max.is_finite() && min >= 0.0 && max <= 86_400.0) {
            return Err(format!("[{min}, {max}] must lie within 0..=86400"));
        }
        if min > max {
            return Err(format!(
                "[{min}, {max}]: the first value is above the second"
            ));
        }
        Ok(Span(min, max))
    }
}

/// `[min, max]` tokens, min not above max.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "[u64; 2]")]
pub struct TokenRange(pub u64, pub u64);

impl TryFrom<[u64; 2]> for TokenRange {
    type Error = String;

    fn try_from([min, max]: [u64; 2]) -> Result<Self, String> {
        if min > max {
            return Err(format!(
                "[{min}, {max}]: the first value is above the second"
            ));
        }
        if max > 1_000_000_000 {
            return Err(format!("[{min}, {max}]: at most 1000000000 tokens"));
        }
        Ok(TokenRange(min, max))
    }
}
