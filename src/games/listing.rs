//! What a verifier lists (docs/FAIRNESS.md "Finding and ordering the
//! spins"): a game's commitments over time with the configuration hashes
//! each was used with and every stamp, and pages of spins with their
//! receipts; a viewer's own spins summed up per server seed.

use serde::{Deserialize, Serialize};

use crate::domain::time::Stamp;
use crate::domain::{RoomId, UserId};

use super::config::GameKind;
use super::receipt::Receipt;

/// A configuration version as published: its hash and when it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishedConfig {
    pub version: u64,
    pub config_hash: String,
    pub published_at: Stamp,
}

/// One server seed of a game's history: its commitment and when it was
/// published, the seed and when it was revealed (both `null` while it
/// draws), and every configuration in force while it did (the one current
/// when it was committed, then each saved before it was revealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommitmentRecord {
    pub commitment: String,
    pub committed_at: Stamp,
    pub revealed_at: Option<Stamp>,
    pub server_seed: Option<String>,
    pub configs: Vec<PublishedConfig>,
}

impl CommitmentRecord {
    /// The configuration `hash` as this seed published it, if it did.
    pub fn config(&self, hash: &str) -> Option<&PublishedConfig> {
        self.configs.iter().find(|c| c.config_hash == hash)
    }
}

/// A page of a game's commitment history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub history: Vec<CommitmentRecord>,
    /// The `after` of the next page; `null` on the last.
    pub next: Option<u64>,
}

/// One spin in a listing, with its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpinEntry {
    pub spin_id: String,
    pub spun_at: Stamp,
    pub room: RoomId,
    pub game: GameKind,
    pub commitment: String,
    pub client_seed: String,
    pub nonce: u64,
    pub receipt: Receipt,
}

/// `GET .../games/{game}/spins` (no token): a room's game's spins, oldest
/// first; no user ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpinPage {
    pub room: RoomId,
    pub game: GameKind,
    pub spins: Vec<SpinEntry>,
    /// The `after` of the next page; `null` on the last.
    pub next: Option<u64>,
}

/// A viewer's spins under one server seed of one room's game: their
/// nonces must be exactly `0..spins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NonceSequence {
    pub room: RoomId,
    pub game: GameKind,
    pub commitment: String,
    /// Every client seed the viewer spun with under this seed.
    pub client_seeds: Vec<String>,
    pub spins: u64,
    pub first_nonce: u64,
    pub last_nonce: u64,
    /// Nonces below `lastNonce` that no spin used.
    pub gaps: u64,
    /// Spins that used a nonce another spin used too.
    pub repeats: u64,
    pub first_at: Stamp,
    pub last_at: Stamp,
    /// The nonce the viewer's next spin takes, while this seed draws.
    pub next_nonce: Option<u64>,
}

impl NonceSequence {
    /// Whether every nonce from 0 was used exactly once (and the next one
    /// follows the last).
    pub fn is_whole(&self) -> bool {
        self.gaps == 0
            && self.repeats == 0
            && self.first_nonce == 0
            && self.next_nonce.is_none_or(|n| n == self.last_nonce + 1)
    }
}

/// `GET /api/v1/me/spins` (viewer): the viewer's own spins in every room
/// and game, oldest first, and their nonces per server seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewerSpins {
    pub user: UserId,
    /// Every server seed the viewer spun under (not paged).
    pub sequences: Vec<NonceSequence>,
    pub spins: Vec<SpinEntry>,
    pub next: Option<u64>,
}

/// The configurations in force from `from` until `until` (inclusive, or
/// on): the last one saved at or before `from`, then every one saved
/// after it up to `until`. `versions` is oldest first.
pub fn configs_in_force(
    versions: &[PublishedConfig],
    from: Stamp,
    until: Option<Stamp>,
) -> Vec<PublishedConfig> {
    let first = versions
        .iter()
        .rposition(|v| v.published_at <= from)
        .unwrap_or(0);
    versions[first.min(versions.len())..]
        .iter()
        .filter(|v| until.is_none_or(|end| v.published_at <= end))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(version: u64, at: i64) -> PublishedConfig {
        PublishedConfig {
            version,
            config_hash: format!("h{version}"),
            published_at: Stamp(at),
        }
    }

    #[test]
    fn a_seed_lists_the_config_current_at_its_commit_and_each_saved_before_its_reveal() {
        let versions = [published(1, 10), published(2, 20), published(3, 30)];
        let versions_of = |from: i64, until: Option<i64>| {
            configs_in_force(&versions, Stamp(from), until.map(Stamp))
                .iter()
                .map(|c| c.version)
                .collect::<Vec<_>>()
        };
        assert_eq!(versions_of(10, Some(15)), [1]);
        assert_eq!(versions_of(15, Some(25)), [1, 2]);
        assert_eq!(versions_of(20, Some(20)), [2]);
        assert_eq!(versions_of(25, None), [2, 3]);
        assert_eq!(versions_of(31, None), [3]);
    }

    #[test]
    fn a_sequence_is_whole_only_from_zero_without_gaps_or_repeats() {
        let mut s = NonceSequence {
            room: RoomId::new("r1"),
            game: GameKind::SpinWheel,
            commitment: "c".into(),
            client_seeds: vec!["a".into()],
            spins: 3,
            first_nonce: 0,
            last_nonce: 2,
            gaps: 0,
            repeats: 0,
            first_at: Stamp(1),
            last_at: Stamp(3),
            next_nonce: Some(3),
        };
        assert!(s.is_whole());
        s.next_nonce = Some(4);
        assert!(!s.is_whole(), "a nonce skipped after the last listed");
        s.next_nonce = None;
        s.repeats = 1;
        assert!(!s.is_whole());
        s.repeats = 0;
        s.first_nonce = 1;
        assert!(!s.is_whole());
    }
}
