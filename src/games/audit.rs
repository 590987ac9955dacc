//! Checks beyond one receipt's draw (docs/FAIRNESS.md "Finding and
//! ordering the spins"): a listed spin against the game's published
//! history (its commitment and configuration published at or before it,
//! its seed revealed at or after it, the seed the history reveals), and a
//! viewer's nonces under each seed (exactly 0, 1, 2, ... with no gap and
//! no repeat). Pure: the caller fetches the listings.

use std::collections::BTreeMap;

use super::fairness::ServerSeed;
use super::listing::{CommitmentRecord, SpinEntry};
use super::verify::verify;

/// What one listed spin came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpinCheck {
    /// Recomputed from the revealed seed; everything matches.
    Fair,
    /// Its seed still draws: the order and the published hashes check,
    /// the draw waits for the reveal.
    Pending,
    /// What does not match.
    Unfair(Vec<String>),
}

/// Check a listed spin against its game's whole commitment history.
pub fn check_spin(entry: &SpinEntry, history: &[CommitmentRecord]) -> SpinCheck {
    let mut problems = Vec::new();
    let receipt = &entry.receipt;
    let listed = [
        ("spinId", entry.spin_id == receipt.spin_id),
        ("nonce", entry.nonce == receipt.nonce),
        ("clientSeed", entry.client_seed == receipt.client_seed),
        (
            "commitment",
            entry.commitment == receipt.server_seed_commitment,
        ),
        ("spunAt", receipt.spun_at == Some(entry.spun_at)),
    ];
    for (field, agrees) in listed {
        if !agrees {
            problems.push(format!("the listing's {field} differs from the receipt's"));
        }
    }
    let Some(seed) = history.iter().find(|c| c.commitment == entry.commitment) else {
        problems.push(format!(
            "commitment {} was never published",
            entry.commitment
        ));
        return SpinCheck::Unfair(problems);
    };
    if entry.spun_at < seed.committed_at {
        problems.push(format!(
            "spun at {} before its commitment was published at {}",
            entry.spun_at.0, seed.committed_at.0
        ));
    }
    if let Some(revealed) = seed.revealed_at
        && entry.spun_at > revealed
    {
        problems.push(format!(
            "spun at {} after its seed was revealed at {}",
            entry.spun_at.0, revealed.0
        ));
    }
    match seed.config(&receipt.config_hash) {
        None => problems.push(format!(
            "config hash {} was not published with commitment {}",
            receipt.config_hash, seed.commitment
        )),
        Some(config) => {
            if config.published_at > entry.spun_at {
                problems.push(format!(
                    "spun at {} before its configuration was published at {}",
                    entry.spun_at.0, config.published_at.0
                ));
            }
            if receipt.config_version.is_some_and(|v| v != config.version) {
                problems.push(format!(
                    "the receipt's config version differs from version {} published with hash {}",
                    config.version, config.config_hash
                ));
            }
        }
    }
    let Some(hex) = &seed.server_seed else {
        return if problems.is_empty() {
            SpinCheck::Pending
        } else {
            SpinCheck::Unfair(problems)
        };
    };
    if receipt.server_seed.as_ref().is_some_and(|s| s != hex) {
        problems.push("the receipt's serverSeed differs from the one the history reveals".into());
    }
    match ServerSeed::from_hex(hex) {
        Ok(seed) => problems.extend(
            verify(receipt, &seed)
                .mismatches()
                .iter()
                .map(ToString::to_string),
        ),
        Err(e) => problems.push(format!("the revealed seed: {e}")),
    }
    if problems.is_empty() {
        SpinCheck::Fair
    } else {
        SpinCheck::Unfair(problems)
    }
}

/// What is wrong with a history itself: a revealed seed that does not hash
/// to its commitment, a reveal before its commit, a seed committed before
/// the previous one was revealed, a current seed that is not last.
pub fn check_history(history: &[CommitmentRecord]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, c) in history.iter().enumerate() {
        match (&c.server_seed, c.revealed_at) {
            (Some(hex), Some(at)) => {
                match ServerSeed::from_hex(hex) {
                    Ok(seed) if seed.commitment() == c.commitment => {}
                    Ok(_) => problems.push(format!(
                        "seed revealed for {} does not hash to it",
                        c.commitment
                    )),
                    Err(e) => problems.push(format!("seed revealed for {}: {e}", c.commitment)),
                }
                if at < c.committed_at {
                    problems.push(format!("{} revealed before it was committed", c.commitment));
                }
            }
            (None, None) if i + 1 == history.len() => {}
            _ => problems.push(format!(
                "{} is neither revealed nor the current seed",
                c.commitment
            )),
        }
        if let Some(next) = history.get(i + 1)
            && c.revealed_at.is_none_or(|at| next.committed_at < at)
        {
            problems.push(format!(
                "{} was committed before {} was revealed",
                next.commitment, c.commitment
            ));
        }
    }
    problems
}

/// A viewer's nonce sequences: for each (room, game, commitment), the
/// nonces of their listed spins must be exactly `0..n`. One line per
/// sequence that is not.
pub fn check_nonces<'a>(spins: impl IntoIterator<Item = &'a SpinEntry>) -> Vec<String> {
    let mut by_seed: BTreeMap<(String, String, &str), Vec<u64>> = BTreeMap::new();
    for s in spins {
        by_seed
            .entry((s.room.to_string(), s.game.to_string(), &s.commitment))
            .or_default()
            .push(s.nonce);
    }
    let mut problems = Vec::new();
    for ((room, game, commitment), mut nonces) in by_seed {
        nonces.sort_unstable();
        let repeats = nonces.windows(2).filter(|w| w[0] == w[1]).count();
        nonces.dedup();
        let missing: Vec<u64> = (0..nonces.last().map_or(0, |l| l + 1))
            .filter(|n| nonces.binary_search(n).is_err())
            .collect();
        if repeats > 0 || !missing.is_empty() {
            problems.push(format!(
                "{game} in room {room}, commitment {commitment}: {repeats} repeated nonce(s), \
                 missing {missing:?}"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::Stamp;
    use crate::games::listing::PublishedConfig;

    fn seed(n: u8, from: i64, until: Option<i64>) -> CommitmentRecord {
        let seed = ServerSeed::from_bytes([n; 32]);
        CommitmentRecord {
            commitment: seed.commitment(),
            committed_at: Stamp(from),
            revealed_at: until.map(Stamp),
            server_seed: until.map(|_| seed.to_hex()),
            configs: vec![PublishedConfig {
                version: 1,
                config_hash: "h".into(),
                published_at: Stamp(0),
            }],
        }
    }

    #[test]
    fn a_history_chains_reveals_to_commits_and_ends_with_the_current_seed() {
        let good = [
            seed(1, 0, Some(10)),
            seed(2, 10, Some(20)),
            seed(3, 20, None),
        ];
        assert_eq!(check_history(&good), Vec::<String>::new());
        let mut early = good.clone();
        early[1].committed_at = Stamp(5);
        assert_eq!(
            check_history(&early).len(),
            1,
            "committed before the reveal"
        );
        let mut wrong = good.clone();
        wrong[0].server_seed = Some(ServerSeed::from_bytes([9; 32]).to_hex());
        assert!(check_history(&wrong)[0].contains("does not hash"));
        let unrevealed = [seed(1, 0, None), seed(2, 10, None)];
        assert_eq!(check_history(&unrevealed).len(), 2);
    }
}
