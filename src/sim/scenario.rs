//! Scenarios: how an audience and its performer behave, from TOML.
//!
//! The shipped scenarios (`config/scenarios/*.toml`) are embedded in the
//! binary, so `--scenario quiet` works from any directory; a path to a file
//! works too. Parsing is strict: unknown keys are refused, and every range
//! is checked while parsing, so the error names the file, the line and the
//! bad value.

use std::path::Path;

use serde::Deserialize;

pub use super::scenario_values::{Factor, Probability, Span, TierTable, TokenRange};

/// The scenarios that ship with cuedeck, by name.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("quiet", include_str!("../../config/scenarios/quiet.toml")),
    (
        "rush-hour",
        include_str!("../../config/scenarios/rush-hour.toml"),
    ),
    ("chaos", include_str!("../../config/scenarios/chaos.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(
        "no scenario named {name:?}; the built-in ones are {}, or give a path to a .toml file",
        built_in_names()
    )]
    Unknown { name: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

fn built_in_names() -> String {
    BUILT_IN
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A whole scenario. Every section may be left out; the defaults are a calm
/// room (the `quiet` scenario spells them out).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// The name it was loaded as (set by the loader, not read from the file).
    #[serde(skip)]
    pub name: String,
    /// One line for humans.
    pub description: String,
    pub audience: Audience,
    pub purchases: Purchases,
    pub churn: Churn,
    pub performer: Performer,
    /// Periods when purchases come faster.
    pub bursts: Vec<Burst>,
    /// Tippers (off unless a rate is given).
    pub tips: super::tippers::Tips,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "default".into(),
            description: String::new(),
            audience: Audience::default(),
            purchases: Purchases::default(),
            churn: Churn::default(),
            performer: Performer::default(),
            bursts: Vec::new(),
            tips: super::tippers::Tips::default(),
        }
    }
}

impl Scenario {
    /// A built-in scenario by name, or a file when `name_or_path` looks like
    /// a path (contains a `/` or ends in `.toml`).
    pub fn load(name_or_path: &str) -> Result<Self, ScenarioError> {
        if name_or_path.contains('/') || name_or_path.ends_with(".toml") {
            return Self::load_file(Path::new(name_or_path));
        }
        let (name, text) = BUILT_IN
            .iter()
            .find(|(name, _)| *name == name_or_path)
            .ok_or_else(|| ScenarioError::Unknown {
                name: name_or_path.to_string(),
            })?;
        Self::parse(
            text,
            &format!("config/scenarios/{name}.toml (built in)"),
            name,
        )
    }

    pub fn load_file(path: &Path) -> Result<Self, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: shown.clone(),
            source,
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        Self::parse(&text, &shown, &name)
    }

    /// Parse scenario text; `path` only names the source in errors.
    pub fn parse(text: &str, path: &str, name: &str) -> Result<Self, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        scenario.name = name.to_string();
        Ok(scenario)
    }

    /// The purchase rate multiplier at virtual time `t_ms` (bursts stack).
    pub fn rate_factor_at(&self, t_ms: u64) -> f64 {
        let t = t_ms as f64 / 1000.0;
        let mut factor = self.audience.rate_factor.0;
        for burst in &self.bursts {
            if burst.covers(t) {
                factor *= burst.factor.0;
            }
        }
        factor
    }
}

/// Who is watching, how much they hold, how often they buy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Audience {
    /// How viewers split into membership tiers (weights).
    pub tiers: TierTable<u32>,
    /// Tokens minted into each new viewer's wallet, by tier: `[min, max]`.
    pub wallets: TierTable<TokenRange>,
    /// How much more likely a viewer of each tier is to be the next buyer.
    pub spend: TierTable<u32>,
    /// When viewers join, in seconds from the start: `[min, max]`.
    pub arrival_s: Span,
    /// Multiplies `--rate`.
    pub rate_factor: Factor,
}

impl Default for Audience {
    fn default() -> Self {
        Audience {
            tiers: TierTable {
                free: 55,
                basic: 25,
                premium: 12,
                vip: 8,
            },
            wallets: TierTable {
                free: TokenRange(30, 150),
                basic: TokenRange(100, 400),
                premium: TokenRange(300, 1_000),
                vip: TokenRange(800, 3_000),
            },
            spend: TierTable {
                free: 1,
                basic: 2,
                premium: 3,
                vip: 5,
            },
            arrival_s: Span(0.0, 10.0),
            rate_factor: Factor(1.0),
        }
    }
}

/// What viewers buy and how their clients misbehave.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "PurchasesRaw")]
pub struct Purchases {
    /// Weight of instant purchases (the Quick Fun menu, queue mode OFF).
    pub instant: u32,
    /// Weight of queued purchases (Private Energy, VIP Experience).
    pub queued: u32,
    /// Weight of private requests (they go to position 2).
    pub private_request: u32,
    /// Chance that the client times out on an accepted purchase and sends
    /// it again with the same idempotency key.
    pub timeout_retry: Probability,
    /// When that retry goes out, seconds after the purchase.
    pub retry_after_s: Span,
    /// Chance that a viewer refused for insufficient funds tops up and
    /// retries the same purchase with the same key.
    pub top_up: Probability,
    pub top_up_after_s: Span,
    /// Chance that a buggy client reuses a purchase's key for a different
    /// purchase (the server must refuse it with `idempotency_conflict`).
    pub key_conflict: Probability,
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PurchasesRaw {
    instant: u32,
    queued: u32,
    private_request: u32,
    timeout_retry: Probability,
    retry_after_s: Span,
    top_up: Probability,
    top_up_after_s: Span,
    key_conflict: Probability,
}

impl Default for PurchasesRaw {
    fn default() -> Self {
        PurchasesRaw {
            instant: 35,
            queued: 55,
            private_request: 10,
            timeout_retry: Probability(0.03),
            retry_after_s: Span(1.0, 5.0),
            top_up: Probability(0.2),
            top_up_after_s: Span(3.0, 15.0),
            key_conflict: Probability(0.0),
        }
    }
}

impl TryFrom<PurchasesRaw> for Purchases {
    type Error = String;

    fn try_from(raw: PurchasesRaw) -> Result<Self, String> {
        if raw.instant == 0 && raw.queued == 0 && raw.private_request == 0 {
            return Err(
                "instant, queued and private_request are all 0: viewers would buy nothing".into(),
            );
        }
        Ok(Purchases {
            instant: raw.instant,
            queued: raw.queued,
            private_request: raw.private_request,
            timeout_retry: raw.timeout_retry,
            retry_after_s: raw.retry_after_s,
            top_up: raw.top_up,
            top_up_after_s: raw.top_up_after_s,
            key_conflict: raw.key_conflict,
        })
    }
}

impl Default for Purchases {
    fn default() -> Self {
        Purchases::try_from(PurchasesRaw::default()).expect("defaults are valid")
    }
}

/// Viewers who leave, drop out and dispute.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Churn {
    /// Chance, after a queued purchase, that the viewer leaves for good
    /// (their waiting items are refunded by the server after its grace
    /// period).
    pub leave_before_turn: Probability,
    pub leave_after_s: Span,
    /// Chance, after a purchase, of a short disconnect: leave, then join
    /// again after `disconnect_s` (within the server's grace, nothing is
    /// refunded).
    pub disconnect: Probability,
    pub disconnect_s: Span,
    /// Chance that a viewer disputes an accepted queued purchase; the
    /// performer then refunds it (reason `dispute`, half or all).
    pub dispute: Probability,
    pub dispute_after_s: Span,
}

impl Default for Churn {
    fn default() -> Self {
        Churn {
            leave_before_turn: Probability(0.0),
            leave_after_s: Span(1.0, 10.0),
            disconnect: Probability(0.0),
            disconnect_s: Span(2.0, 20.0),
            dispute: Probability(0.0),
            dispute_after_s: Span(5.0, 40.0),
        }
    }
}

/// The simulated performer: how long items take, how often they refund.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Performer {
    /// Pause between items, seconds.
    pub pause_s: Span,
    /// Time spent on an item as a fraction of its duration D (above 1 runs
    /// into overtime).
    pub perform: Span,
    /// Chance that an item is refunded instead of finished.
    pub refund: Probability,
    /// Chance that such a refund is partial (half the cost).
    pub partial: Probability,
    /// Why the performer refunds (weights); `other` comes with a note.
    pub reasons: Reasons,
    /// The broadcast drops about this often (seconds; 0 = never)...
    pub broadcast_drop_every_s: f64,
    /// ...for this long.
    pub broadcast_drop_s: Span,
}

impl Default for Performer {
    fn default() -> Self {
        Performer {
            pause_s: Span(1.0, 4.0),
            perform: Span(0.1, 0.3),
            refund: Probability(0.05),
            partial: Probability(0.3),
            reasons: Reasons {
                goodwill: 6,
                moderation: 1,
                other: 1,
            },
            broadcast_drop_every_s: 0.0,
            broadcast_drop_s: Span(5.0, 15.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ReasonsRaw")]
pub struct Reasons {
    pub goodwill: u32,
    pub moderation: u32,
    pub other: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonsRaw {
    #[serde(default)]
    goodwill: u32,
    #[serde(default)]
    moderation: u32,
    #[serde(default)]
    other: u32,
}

impl TryFrom<ReasonsRaw> for Reasons {
    type Error = String;

    fn try_from(raw: ReasonsRaw) -> Result<Self, String> {
        if raw.goodwill == 0 && raw.moderation == 0 && raw.other == 0 {
            return Err("at least one refund reason needs a weight above 0".into());
        }
        Ok(Reasons {
            goodwill: raw.goodwill,
            moderation: raw.moderation,
            other: raw.other,
        })
    }
}

/// A period of faster buying: from `at_s` for `length_s` seconds, the rate
/// is multiplied by `factor`; repeated every `every_s` seconds when given.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "BurstRaw")]
pub struct Burst {
    pub at_s: f64,
    pub length_s: f64,
    pub factor: Factor,
    pub every_s: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BurstRaw {
    at_s: f64,
    length_s: f64,
    factor: Factor,
    every_s: Option<f64>,
}

impl TryFrom<BurstRaw> for Burst {
    type Error = String;

    fn try_from(raw: BurstRaw) -> Result<Self, String> {
        if !(raw.at_s.is_finite() && raw.at_s >= 0.0) {
            return Err(format!("at_s = {} must be 0 or more", raw.at_s));
        }
        if !(raw.length_s.is_finite() && raw.length_s > 0.0) {
            return Err(format!("length_s = {} must be above 0", raw.length_s));
        }
        if let Some(every) = raw.every_s
            && !(every.is_finite() && every > raw.length_s)
        {
            return Err(format!(
                "every_s = {every} must be longer than length_s = {}",
                raw.length_s
            ));
        }
        Ok(Burst {
            at_s: raw.at_s,
            length_s: raw.length_s,
            factor: raw.factor,
            every_s: raw.every_s,
        })
    }
}

impl Burst {
    pub fn covers(&self, t_s: f64) -> bool {
        if t_s < self.at_s {
            return false;
        }
        let since = t_s - self.at_s;
        let into = match self.every_s {
            Some(every) => since % every,
            None => since,
        };
        into < self.length_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_scenario_parses() {
        for (name, _) in BUILT_IN {
            let scenario = Scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(scenario.name, name);
            assert!(
                !scenario.description.is_empty(),
                "{name} has no description"
            );
        }
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let scenario = Scenario::parse("", "x.toml", "x").unwrap();
        assert_eq!(scenario.purchases, Purchases::default());
        assert_eq!(scenario.performer, Performer::default());
    }

    #[test]
    fn bursts_repeat() {
        let burst = Burst {
            at_s: 10.0,
            length_s: 5.0,
            factor: Factor(4.0),
            every_s: Some(30.0),
        };
        assert!(!burst.covers(9.9));
        assert!(burst.covers(10.0));
        assert!(burst.covers(14.9));
        assert!(!burst.covers(15.0));
        assert!(burst.covers(41.0));
    }
}
