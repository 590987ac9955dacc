//! Latency percentiles for load mode.

use std::fmt;

/// Nearest-rank percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percentiles {
    pub count: usize,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub mean_us: u64,
}

impl Percentiles {
    /// `None` for no samples. Sorts `samples` in place.
    pub fn of(samples: &mut [u64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let rank = |p: f64| {
            // Nearest rank: the smallest value with at least p% at or below it.
            let n = samples.len();
            let r = ((p / 100.0) * n as f64).ceil() as usize;
            samples[r.clamp(1, n) - 1]
        };
        let sum: u128 = samples.iter().map(|s| u128::from(*s)).sum();
        Some(Percentiles {
            count: samples.len(),
            p50_us: rank(50.0),
            p90_us: rank(90.0),
            p99_us: rank(99.0),
            max_us: samples[samples.len() - 1],
            mean_us: (sum / samples.len() as u128) as u64,
        })
    }
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |us: u64| us as f64 / 1000.0;
        write!(
            f,
            "p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms mean={:.2}ms",
            ms(self.p50_us),
            ms(self.p90_us),
            ms(self.p99_us),
            ms(self.max_us),
            ms(self.mean_us)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut samples: Vec<u64> = (1..=100).rev().collect();
        let p = Percentiles::of(&mut samples).unwrap();
        assert_eq!((p.p50_us, p.p90_us, p.p99_us, p.max_us), (50, 90, 99, 100));
        assert_eq!(p.mean_us, 50);
        let mut one = vec![7];
        let p = Percentiles::of(&mut one).unwrap();
        assert_eq!((p.p50_us, p.p99_us, p.max_us), (7, 7, 7));
        assert!(Percentiles::of(&mut []).is_none());
    }
}
