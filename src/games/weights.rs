//! The weight table: how likely each prize is at each tier.
//!
//! The derived rule (docs/FAIRNESS.md, "Derived weights"): for a game with
//! `T` tiers, tier `t` (from 1) has the tilt
//! `h = 0` when `t = 1`, else `h = 2 (t - 1) / (T - 1)` (so 0 | 0,2 | 0,1,2),
//! and a prize of rank `r` weighs `(11 - r)^(2 - h) * r^h`.
//! Tier 1 favours low ranks (`(11 - r)^2`), the top tier of a game with two
//! or three favours high ranks (`r^2`), every weight is at least 1, and the
//! expected rank rises strictly with the tier whenever the visible prizes do
//! not all share one rank.

use super::error::ConfigError;

pub const MIN_RANK: u8 = 1;
pub const MAX_RANK: u8 = 10;
/// Keeps a tier's total far below 2^32, so rejections stay rare.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// Weights indexed `[tier - 1][prize]`, prizes in configuration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightTable {
    rows: Vec<Vec<u32>>,
}

/// The tilt of tier `tier` (from 1) of a game with `tiers` tiers.
fn tilt(tier: usize, tiers: usize) -> u32 {
    if tier <= 1 || tiers <= 1 {
        0
    } else {
        // Exact for 2 and 3 tiers: 2 and 1, 2.
        (2 * (tier - 1) / (tiers - 1)) as u32
    }
}

/// The derived weight of a prize of `rank` at `tier` (from 1) of `tiers`.
pub fn derived_weight(rank: u8, tier: usize, tiers: usize) -> u32 {
    let r = u32::from(rank.clamp(MIN_RANK, MAX_RANK));
    let h = tilt(tier, tiers);
    (11 - r).pow(2 - h) * r.pow(h)
}

impl WeightTable {
    /// The derived table for prizes of these ranks.
    pub fn derived(ranks: &[u8], tiers: usize) -> WeightTable {
        let rows = (1..=tiers)
            .map(|tier| {
                ranks
                    .iter()
                    .map(|&rank| derived_weight(rank, tier, tiers))
                    .collect()
            })
            .collect();
        WeightTable { rows }
    }

    /// A table from rows already checked to be positive.
    pub fn from_rows(rows: Vec<Vec<u32>>) -> WeightTable {
        WeightTable { rows }
    }

    pub fn tiers(&self) -> usize {
        self.rows.len()
    }

    /// The weight of prize `index` (configuration order) at `tier` (from 1).
    pub fn weight(&self, tier: usize, index: usize) -> u32 {
        self.rows
            .get(tier.wrapping_sub(1))
            .and_then(|row| row.get(index))
            .copied()
            .unwrap_or(0)
    }

    /// The sum of the weights of the prizes `visible` says can come out.
    pub fn total(&self, tier: usize, visible: &[bool]) -> u64 {
        visible
            .iter()
            .enumerate()
            .filter(|(_, v)| **v)
            .map(|(i, _)| u64::from(self.weight(tier, i)))
            .sum()
    }

    /// Expected rank at `tier` as the fraction (sum of w*r, sum of w) over
    /// the visible prizes.
    pub fn expected_rank(&self, tier: usize, ranks: &[u8], visible: &[bool]) -> (u64, u64) {
        let mut num = 0u64;
        let mut den = 0u64;
        for (i, (&rank, &shown)) in ranks.iter().zip(visible).enumerate() {
            if shown {
                let w = u64::from(self.weight(tier, i));
                num += w * u64::from(rank);
                den += w;
            }
        }
        (num, den)
    }

    /// The expected rank must rise strictly from each tier to the next.
    pub fn check_rising(&self, ranks: &[u8], visible: &[bool]) -> Result<(), ConfigError> {
        for tier in 2..=self.tiers() {
            let (lo_num, lo_den) = self.expected_rank(tier - 1, ranks, visible);
            let (hi_num, hi_den) = self.expected_rank(tier, ranks, visible);
            // hi_num / hi_den > lo_num / lo_den, in integers.
            let rises =
                u128::from(hi_num) * u128::from(lo_den) > u128::from(lo_num) * u128::from(hi_den);
            if !rises {
                let shown = |n: u64, d: u64| n as f64 / d.max(1) as f64;
                return Err(ConfigError::new(
                    format!("tiers[{}]", tier - 1),
                    format!(
                        "the expected rank must rise with the tier: tier {tier} gives {:.3}, \
                         tier {} gives {:.3} (over the visible prizes)",
                        shown(hi_num, hi_den),
                        tier - 1,
                        shown(lo_num, lo_den)
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_rule_by_hand() {
        // Three tiers: (11-r)^2, (11-r)*r, r^2.
        let table = WeightTable::derived(&[1, 5, 10], 3);
        assert_eq!(
            table.rows,
            vec![vec![100, 36, 1], vec![10, 30, 10], vec![1, 25, 100]]
        );
        // Two tiers skip the middle; one tier is the low end.
        let table = WeightTable::derived(&[1, 5, 10], 2);
        assert_eq!(table.rows, vec![vec![100, 36, 1], vec![1, 25, 100]]);
        let table = WeightTable::derived(&[1, 5, 10], 1);
        assert_eq!(table.rows, vec![vec![100, 36, 1]]);
    }

    #[test]
    fn derived_weights_rise_for_every_mix_of_two_ranks() {
        for low in MIN_RANK..MAX_RANK {
            for high in low + 1..=MAX_RANK {
                let ranks = [low, high, low, high];
                let table = WeightTable::derived(&ranks, 3);
                table.check_rising(&ranks, &[true; 4]).unwrap();
            }
        }
    }

    #[test]
    fn one_shared_rank_cannot_rise() {
        let ranks = [4, 4, 4, 4];
        let table = WeightTable::derived(&ranks, 2);
        let err = table.check_rising(&ranks, &[true; 4]).unwrap_err();
        assert_eq!(err.field, "tiers[1]");
        // With one tier there is nothing to rise.
        WeightTable::derived(&ranks, 1)
            .check_rising(&ranks, &[true; 4])
            .unwrap();
    }

    #[test]
    fn hidden_prizes_do_not_count() {
        let ranks = [1, 10];
        let table = WeightTable::from_rows(vec![vec![1, 1], vec![1, 2]]);
        assert_eq!(table.total(2, &[true, false]), 1);
        assert_eq!(table.expected_rank(2, &ranks, &[true, true]), (21, 3));
        assert!(table.check_rising(&ranks, &[true, true]).is_ok());
        assert!(table.check_rising(&ranks, &[true, false]).is_err());
    }
}
