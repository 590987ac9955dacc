//! A game's server seeds over time: the one committed now, the nonces its
//! viewers have used under it, and every seed revealed by a rotation.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::UserId;
use crate::domain::time::Stamp;

use super::fairness::ServerSeed;

/// A seed that no longer draws, published so receipts can be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevealedSeed {
    pub commitment: String,
    /// Lowercase hex of the 32 seed bytes.
    pub server_seed: String,
    pub committed_at: Stamp,
    pub revealed_at: Stamp,
}

#[derive(Debug, Clone)]
pub struct SeedState {
    current: ServerSeed,
    committed_at: Stamp,
    /// The next nonce of each viewer under the current seed.
    nonces: HashMap<UserId, u64>,
    revealed: Vec<RevealedSeed>,
    /// Where each revealed commitment is in `revealed`: receipts look
    /// seeds up by commitment, however many rotations there were.
    by_commitment: HashMap<String, usize>,
}

impl SeedState {
    /// Commit to a first seed; its commitment is published before any spin.
    pub fn commit(seed: ServerSeed, at: Stamp) -> SeedState {
        SeedState {
            current: seed,
            committed_at: at,
            nonces: HashMap::new(),
            revealed: Vec::new(),
            by_commitment: HashMap::new(),
        }
    }

    /// Rebuild the state a store kept: the current seed, when it was
    /// committed, the revealed seeds (oldest first) and each viewer's next
    /// nonce under the current seed.
    pub fn restore(
        seed: ServerSeed,
        committed_at: Stamp,
        revealed: Vec<RevealedSeed>,
        nonces: impl IntoIterator<Item = (UserId, u64)>,
    ) -> SeedState {
        SeedState {
            current: seed,
            committed_at,
            nonces: nonces.into_iter().collect(),
            by_commitment: index(&revealed),
            revealed,
        }
    }

    pub fn seed(&self) -> &ServerSeed {
        &self.current
    }

    pub fn commitment(&self) -> String {
        self.current.commitment()
    }

    pub fn committed_at(&self) -> Stamp {
        self.committed_at
    }

    /// The nonce the viewer's next spin would use (0 for their first).
    pub fn next_nonce(&self, viewer: &UserId) -> u64 {
        self.nonces.get(viewer).copied().unwrap_or(0)
    }

    /// Use up the viewer's next nonce: call once per accepted spin.
    pub fn take_nonce(&mut self, viewer: &UserId) -> u64 {
        let next = self.nonces.entry(viewer.clone()).or_insert(0);
        let nonce = *next;
        *next += 1;
        nonce
    }

    /// Reveal the current seed and commit to `next`; every viewer's nonce
    /// starts again from 0 under the new seed.
    pub fn rotate(&mut self, next: ServerSeed, at: Stamp) -> &RevealedSeed {
        let old = std::mem::replace(&mut self.current, next);
        let commitment = old.commitment();
        self.by_commitment
            .insert(commitment.clone(), self.revealed.len());
        self.revealed.push(RevealedSeed {
            commitment,
            server_seed: old.to_hex(),
            committed_at: self.committed_at,
            revealed_at: at,
        });
        self.committed_at = at;
        self.nonces.clear();
        self.revealed.last().expect("just pushed")
    }

    /// Every revealed seed, oldest first.
    pub fn revealed(&self) -> &[RevealedSeed] {
        &self.revealed
    }

    /// The revealed seed behind a commitment, if it has been revealed.
    pub fn find_revealed(&self, commitment: &str) -> Option<&RevealedSeed> {
        self.by_commitment
            .get(commitment)
            .map(|&at| &self.revealed[at])
    }
}

fn index(revealed: &[RevealedSeed]) -> HashMap<String, usize> {
    revealed
        .iter()
        .enumerate()
        .map(|(at, seed)| (seed.commitment.clone(), at))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_reveals_the_old_seed_and_restarts_nonces() {
        let first = ServerSeed::from_bytes([1; 32]);
        let second = ServerSeed::from_bytes([2; 32]);
        let mut seeds = SeedState::commit(first.clone(), Stamp(10));
        let viewer = UserId::from("v1");
        assert_eq!(seeds.take_nonce(&viewer), 0);
        assert_eq!(seeds.take_nonce(&viewer), 1);
        assert_eq!(seeds.next_nonce(&UserId::from("v2")), 0);
        let old = seeds.commitment();
        let revealed = seeds.rotate(second.clone(), Stamp(20)).clone();
        assert_eq!(revealed.server_seed, first.to_hex());
        assert_eq!(revealed.commitment, old);
        assert_eq!(
            (revealed.committed_at, revealed.revealed_at),
            (Stamp(10), Stamp(20))
        );
        assert_eq!(seeds.commitment(), second.commitment());
        assert_eq!(seeds.next_nonce(&viewer), 0);
        assert_eq!(seeds.find_revealed(&old), Some(&revealed));
        assert!(seeds.find_revealed(&second.commitment()).is_none());
        let again = SeedState::restore(
            second.clone(),
            Stamp(20),
            seeds.revealed().to_vec(),
            [(viewer.clone(), 4)],
        );
        assert_eq!(again.next_nonce(&viewer), 4);
        assert_eq!(again.revealed(), seeds.revealed());
        assert_eq!(again.commitment(), seeds.commitment());
        assert_eq!(again.find_revealed(&old), Some(&revealed));
    }

    #[test]
    fn every_revealed_seed_is_found_by_its_commitment() {
        let mut seeds = SeedState::commit(ServerSeed::from_bytes([0; 32]), Stamp(0));
        let mut commitments = Vec::new();
        for n in 1..=50u8 {
            commitments.push(seeds.commitment());
            seeds.rotate(ServerSeed::from_bytes([n; 32]), Stamp(i64::from(n)));
        }
        for (n, commitment) in commitments.iter().enumerate() {
            let found = seeds.find_revealed(commitment).expect("revealed");
            assert_eq!(
                found.server_seed,
                ServerSeed::from_bytes([n as u8; 32]).to_hex()
            );
        }
        assert!(seeds.find_revealed(&seeds.commitment()).is_none());
    }
}
