//! Recompute a spin from its receipt and the revealed server seed, and say
//! whether it was fair or exactly what does not match.

use std::fmt;

use super::canonical::CanonicalConfig;
use super::config::GameKind;
use super::fairness::{ClientSeed, SCHEME, ServerSeed, Word, roll, sha256_hex};
use super::receipt::{Receipt, ReceiptPrize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Fair,
    /// What does not match, in the order checked. A mismatch that makes the
    /// rest uncheckable (seed, config) ends the list.
    Unfair(Vec<Mismatch>),
}

impl Verdict {
    pub fn is_fair(&self) -> bool {
        matches!(self, Verdict::Fair)
    }

    pub fn mismatches(&self) -> &[Mismatch] {
        match self {
            Verdict::Fair => &[],
            Verdict::Unfair(list) => list,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("scheme: the receipt says {found:?}; this verifier checks {SCHEME:?}")]
    Scheme { found: String },
    #[error("server seed: its SHA-256 is {computed}, but the receipt commits to {receipt}")]
    Commitment { receipt: String, computed: String },
    #[error(
        "config hash: the canonical config hashes to {computed}, but the receipt says {receipt}"
    )]
    ConfigHash { receipt: String, computed: String },
    #[error("canonical config: {0}")]
    Config(String),
    #[error("config version: the receipt says {receipt}, the canonical config is version {config}")]
    ConfigVersion { receipt: u64, config: u64 },
    #[error("game: the receipt says {receipt}, the canonical config is a {config}")]
    Game { receipt: GameKind, config: GameKind },
    #[error("tier: {tier} is not one of the config's tiers 1..={tiers}")]
    Tier { tier: u8, tiers: usize },
    #[error("cost: the receipt says {receipt} tokens, tier {tier} costs {config}")]
    Cost { tier: u8, receipt: u64, config: u64 },
    #[error("client seed: {0}")]
    ClientSeed(String),
    #[error("total weight: the receipt says {receipt}, the tier's visible prizes weigh {computed}")]
    Total { receipt: u32, computed: u64 },
    #[error("draw words: the receipt lists {}, the seed gives {}", Words(.receipt), Words(.computed))]
    Words {
        receipt: Vec<Word>,
        computed: Vec<Word>,
    },
    #[error("draw value: the receipt says {receipt}, the seed gives {computed}")]
    Value { receipt: u32, computed: u32 },
    #[error("prize: the receipt says {}, the draw gives {}", Prize(.receipt), Prize(.computed))]
    Prize {
        receipt: ReceiptPrize,
        computed: ReceiptPrize,
    },
}

struct Words<'a>(&'a [Word]);

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, w) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(
                f,
                "{sep}{} (cursor {}, word {})",
                w.value, w.cursor, w.index
            )?;
        }
        f.write_str("]")
    }
}

struct Prize<'a>(&'a ReceiptPrize);

impl fmt::Display for Prize<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {:?} (rank {})",
            self.0.id, self.0.title, self.0.rank
        )
    }
}

/// Check a receipt against the revealed seed.
pub fn verify(receipt: &Receipt, seed: &ServerSeed) -> Verdict {
    let mut found = Vec::new();
    check(receipt, seed, &mut found);
    if found.is_empty() {
        Verdict::Fair
    } else {
        Verdict::Unfair(found)
    }
}

/// Pushes mismatches; returns early where nothing further can be checked.
fn check(receipt: &Receipt, seed: &ServerSeed, found: &mut Vec<Mismatch>) {
    if receipt.scheme != SCHEME {
        found.push(Mismatch::Scheme {
            found: receipt.scheme.clone(),
        });
        return;
    }
    let commitment = seed.commitment();
    if !commitment.eq_ignore_ascii_case(&receipt.server_seed_commitment) {
        found.push(Mismatch::Commitment {
            receipt: receipt.server_seed_commitment.clone(),
            computed: commitment,
        });
        return;
    }
    let hash = sha256_hex(receipt.canonical_config.as_bytes());
    if !hash.eq_ignore_ascii_case(&receipt.config_hash) {
        found.push(Mismatch::ConfigHash {
            receipt: receipt.config_hash.clone(),
            computed: hash,
        });
        return;
    }
    let config = match CanonicalConfig::parse(&receipt.canonical_config) {
        Ok(config) => config,
        Err(problem) => return found.push(Mismatch::Config(problem)),
    };
    if let Some(version) = receipt.config_version
        && version != config.version
    {
        found.push(Mismatch::ConfigVersion {
            receipt: version,
            config: config.version,
        });
    }
    if config.game != receipt.game {
        found.push(Mismatch::Game {
            receipt: receipt.game,
            config: config.game,
        });
    }
    let tier = usize::from(receipt.tier);
    let Some(&cost) = tier.checked_sub(1).and_then(|i| config.tiers.get(i)) else {
        return found.push(Mismatch::Tier {
            tier: receipt.tier,
            tiers: config.tiers.len(),
        });
    };
    if cost != receipt.cost {
        found.push(Mismatch::Cost {
            tier: receipt.tier,
            receipt: receipt.cost,
            config: cost,
        });
    }
    let client_seed = match ClientSeed::new(&receipt.client_seed) {
        Ok(seed) => seed,
        Err(problem) => return found.push(Mismatch::ClientSeed(problem.to_string())),
    };
    let total = config.total(tier);
    let Some(total32) = u32::try_from(total).ok().filter(|t| *t > 0) else {
        return found.push(Mismatch::Config(format!(
            "tier {tier}'s visible prizes weigh {total}, outside 1..2^32"
        )));
    };
    if total32 != receipt.draw.total {
        found.push(Mismatch::Total {
            receipt: receipt.draw.total,
            computed: total,
        });
    }
    let computed = roll(seed, &client_seed, receipt.nonce, total32);
    if computed.words != receipt.draw.words {
        found.push(Mismatch::Words {
            receipt: receipt.draw.words.clone(),
            computed: computed.words.clone(),
        });
    }
    if computed.value != receipt.draw.value {
        found.push(Mismatch::Value {
            receipt: receipt.draw.value,
            computed: computed.value,
        });
    }
    let Some(prize) = config.find(tier, u64::from(computed.value)) else {
        return found.push(Mismatch::Config(format!(
            "no visible prize covers value {}",
            computed.value
        )));
    };
    let computed = ReceiptPrize {
        id: prize.prize.id,
        title: prize.prize.title.clone(),
        rank: prize.prize.rank,
    };
    if computed != receipt.prize {
        found.push(Mismatch::Prize {
            receipt: receipt.prize.clone(),
            computed,
        });
    }
}
