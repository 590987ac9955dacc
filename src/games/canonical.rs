//! The canonical form of a game's configuration: the part that decides a
//! draw, written as one exact byte string whose SHA-256 is the config hash.
//!
//! Compact JSON (no whitespace, no trailing newline, UTF-8), keys in the
//! order of the fields below, prizes sorted by id, every prize's weights
//! written out (derived or explicit), integers in plain decimal. Strings
//! are JSON strings with `"` and `\` escaped as `\"` and `\\` (titles hold
//! no control characters) and every other character as itself.
//! docs/FAIRNESS.md, "Canonical configuration", is the specification.

use serde::{Deserialize, Serialize};

use super::config::GameKind;
use super::fairness::{SCHEME, sha256_hex};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanonicalConfig {
    /// Always [`SCHEME`].
    pub scheme: String,
    pub game: GameKind,
    pub version: u64,
    /// Tier costs in tokens, tier 1 first.
    pub tiers: Vec<u64>,
    /// Every prize, hidden ones too, by ascending id.
    pub prizes: Vec<CanonicalPrize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanonicalPrize {
    pub id: u32,
    pub title: String,
    pub rank: u8,
    pub hidden: bool,
    /// One weight per tier, tier 1 first.
    pub weights: Vec<u32>,
}

/// A prize the draw found: where it sits in the canonical list and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'a> {
    pub prize: &'a CanonicalPrize,
    /// The prize's cumulative weight range at the tier: `[low, high)`.
    pub low: u64,
    pub high: u64,
}

impl CanonicalConfig {
    /// The exact bytes that are hashed.
    pub fn to_text(&self) -> String {
        // Plain structs of strings and integers always serialize.
        serde_json::to_string(self).expect("a canonical config serializes")
    }

    /// Parse canonical text, refusing anything that is not byte for byte
    /// what [`CanonicalConfig::to_text`] writes.
    pub fn parse(text: &str) -> Result<CanonicalConfig, String> {
        let config: CanonicalConfig =
            serde_json::from_str(text).map_err(|e| format!("not a canonical config: {e}"))?;
        if config.scheme != SCHEME {
            return Err(format!(
                "scheme {:?} is not {SCHEME:?}",
                config.scheme.as_str()
            ));
        }
        if config.to_text() != text {
            return Err("not in canonical form (key order, spacing or prize order)".into());
        }
        if !config.prizes.windows(2).all(|w| w[0].id < w[1].id) {
            return Err("prizes are not in ascending id order".into());
        }
        if let Some(p) = config
            .prizes
            .iter()
            .find(|p| p.weights.len() != config.tiers.len())
        {
            return Err(format!(
                "prize {} has {} weights for {} tiers",
                p.id,
                p.weights.len(),
                config.tiers.len()
            ));
        }
        Ok(config)
    }

    /// SHA-256 of the canonical text, lowercase hex.
    pub fn hash(&self) -> String {
        sha256_hex(self.to_text().as_bytes())
    }

    /// The sum of the visible prizes' weights at `tier` (from 1).
    pub fn total(&self, tier: usize) -> u64 {
        self.visible_weights(tier).map(|(_, w)| w).sum()
    }

    fn visible_weights(&self, tier: usize) -> impl Iterator<Item = (&CanonicalPrize, u64)> {
        self.prizes.iter().filter(|p| !p.hidden).map(move |p| {
            let w = p.weights.get(tier.wrapping_sub(1)).copied().unwrap_or(0);
            (p, u64::from(w))
        })
    }

    /// The prize of `roll` at `tier`: walking the visible prizes by id, the
    /// first whose cumulative weight exceeds the roll.
    pub fn find(&self, tier: usize, roll: u64) -> Option<Found<'_>> {
        let mut low = 0u64;
        for (prize, weight) in self.visible_weights(tier) {
            let high = low + weight;
            if roll < high {
                return Some(Found { prize, low, high });
            }
            low = high;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CanonicalConfig {
        let prize = |id, title: &str, rank, hidden, weights: &[u32]| CanonicalPrize {
            id,
            title: title.into(),
            rank,
            hidden,
            weights: weights.to_vec(),
        };
        CanonicalConfig {
            scheme: SCHEME.into(),
            game: GameKind::SpinWheel,
            version: 2,
            tiers: vec![5, 20],
            prizes: vec![
                prize(1, "Wink \"hi\"", 1, false, &[3, 1]),
                prize(2, "Gone", 9, true, &[1, 1]),
                prize(4, "Dance", 5, false, &[2, 2]),
                prize(7, "Show", 10, false, &[1, 3]),
            ],
        }
    }

    #[test]
    fn the_text_is_compact_json_in_field_order() {
        let text = sample().to_text();
        assert!(text.starts_with(
            r#"{"scheme":"cuedeck-fair-v1","game":"spin_wheel","version":2,"tiers":[5,20],"prizes":[{"id":1,"title":"Wink \"hi\"","rank":1,"hidden":false,"weights":[3,1]}"#
        ));
        assert_eq!(CanonicalConfig::parse(&text).unwrap(), sample());
        let mut accented = sample();
        accented.prizes[0].title = "Café / bis \\ ok".into();
        assert!(accented.to_text().contains(r#""title":"Café / bis \\ ok""#));
        let spaced = text.replacen(",", ", ", 1);
        assert!(CanonicalConfig::parse(&spaced).is_err());
    }

    #[test]
    fn the_walk_skips_hidden_prizes() {
        let config = sample();
        assert_eq!(config.total(1), 6);
        let ids: Vec<u32> = (0..6)
            .map(|r| config.find(1, r).unwrap().prize.id)
            .collect();
        assert_eq!(ids, [1, 1, 1, 4, 4, 7]);
        assert!(config.find(1, 6).is_none());
        let found = config.find(2, 3).unwrap();
        assert_eq!((found.prize.id, found.low, found.high), (7, 3, 6));
    }
}
