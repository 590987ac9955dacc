//! The odds table: per tier, each prize's chance as a percentage of the
//! tier's visible weight, for the game editor and the viewer's info panel.

use serde::{Deserialize, Serialize};

use super::game::Game;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierOdds {
    /// From 1.
    pub tier: u8,
    pub cost: u64,
    /// The visible prizes' total weight.
    pub total: u64,
    /// The expected rank of a spin at this tier.
    pub expected_rank: f64,
    /// In configuration (display) order, hidden prizes included at 0 %.
    pub rows: Vec<PrizeOdds>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrizeOdds {
    pub id: u32,
    pub title: String,
    pub rank: u8,
    pub hidden: bool,
    /// The weight the draw uses: the configured one, or 0 when hidden.
    pub weight: u32,
    /// `weight * 100 / total`.
    pub percent: f64,
}

/// The odds of every prize at every tier of `game`.
pub fn odds_table(game: &Game) -> Vec<TierOdds> {
    let prizes = &game.config().prizes;
    let ranks: Vec<u8> = prizes.iter().map(|p| p.rank).collect();
    let visible: Vec<bool> = prizes.iter().map(|p| !p.hidden).collect();
    let weights = game.weights();
    game.config()
        .tiers
        .iter()
        .zip(1u8..)
        .map(|(spec, tier)| {
            let t = usize::from(tier);
            let total = weights.total(t, &visible);
            let (num, den) = weights.expected_rank(t, &ranks, &visible);
            let rows = prizes
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let weight = if p.hidden { 0 } else { weights.weight(t, i) };
                    PrizeOdds {
                        id: p.id,
                        title: p.title.clone(),
                        rank: p.rank,
                        hidden: p.hidden,
                        weight,
                        percent: ratio(u64::from(weight) * 100, total),
                    }
                })
                .collect();
            TierOdds {
                tier,
                cost: spec.cost,
                total,
                expected_rank: ratio(num, den),
                rows,
            }
        })
        .collect()
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}
