//! How each tier's private messages are delivered: priority and delay per
//! tier, how long an undelivered message is kept, how retries back off.
//! All of it is configuration (`[messages]` in the server's file).

use serde::{Deserialize, Serialize};

use crate::domain::messages::Tier;

/// One tier's delivery: higher priority goes first among messages due at
/// the same moment; the delay counts from the message's creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct TierRule {
    pub priority: u8,
    pub delay_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "snake_case")]
pub struct DeliveryPolicy {
    pub vip: TierRule,
    pub premium: TierRule,
    pub basic: TierRule,
    pub free: TierRule,
    /// A message not delivered this long after its creation fails
    /// (`retention_expired`).
    pub retention_ms: u64,
    /// The first retry waits this long; each further one twice as long.
    pub retry_base_ms: u64,
    /// The longest wait between two attempts.
    pub retry_max_ms: u64,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            vip: TierRule {
                priority: 10,
                delay_ms: 0,
            },
            premium: TierRule {
                priority: 8,
                delay_ms: 1_000,
            },
            basic: TierRule {
                priority: 5,
                delay_ms: 5_000,
            },
            free: TierRule {
                priority: 3,
                delay_ms: 30_000,
            },
            retention_ms: 24 * 3600 * 1000,
            retry_base_ms: 1_000,
            retry_max_ms: 60_000,
        }
    }
}

impl DeliveryPolicy {
    pub fn rule(&self, tier: Tier) -> TierRule {
        match tier {
            Tier::Vip => self.vip,
            Tier::Premium => self.premium,
            Tier::Basic => self.basic,
            Tier::Free => self.free,
        }
    }

    /// The wait before attempt `attempts + 1` (after `attempts` failed).
    pub fn backoff_ms(&self, attempts: u32) -> u64 {
        let doublings = attempts.saturating_sub(1).min(32);
        self.retry_base_ms
            .saturating_mul(1u64 << doublings)
            .min(self.retry_max_ms)
    }

    /// The first field that makes no sense, with what is wrong.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        for (name, rule) in [
            ("vip", self.vip),
            ("premium", self.premium),
            ("basic", self.basic),
            ("free", self.free),
        ] {
            if !(1..=10).contains(&rule.priority) {
                return Some((name, "priority must be 1..=10"));
            }
            if rule.delay_ms >= self.retention_ms {
                return Some((name, "delay_ms must be shorter than retention_ms"));
            }
        }
        if self.retry_base_ms == 0 || self.retry_max_ms < self.retry_base_ms {
            return Some(("retry_base_ms", "must be above 0 and at most retry_max_ms"));
        }
        None
    }
}
