//! What the simulated viewers buy: the performer's chip menus as shipped in
//! `config/menus/` (seed 002's Quick Fun, Private Energy and VIP
//! Experience), read from the same templates the server offers, and a few
//! private requests of the simulator's own. Which viewers may buy from a
//! subscribers-only menu is decided by the room's subscriber list, not by
//! the viewer's tier.

use std::sync::OnceLock;

use crate::domain::toy_effect::{Pattern, Timing, ToyEffect};
use crate::menus::{MenuSpec, QueueMode, Visibility, templates};

/// A toy sub-effect of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect {
    pub timing: Timing,
    pub intensity: u8,
    pub duration_ms: Option<u64>,
    pub pattern: Pattern,
}

impl Effect {
    fn from_toy(toy: &ToyEffect) -> Option<Effect> {
        toy.enabled.then(|| Effect {
            timing: toy.timing,
            intensity: toy.intensity.unwrap_or(10),
            duration_ms: toy.duration_ms,
            pattern: toy.shape(),
        })
    }
}

/// One thing a viewer can buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: String,
    pub title: String,
    pub description: String,
    pub tokens: u64,
    pub duration_ms: u64,
    pub effects: Vec<Effect>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub name: String,
    /// Queue mode OFF: purchases settle at once (`?mode=instant`).
    pub instant: bool,
    /// Only viewers on the room's subscriber list may buy from it.
    pub subscribers_only: bool,
    pub items: Vec<Offer>,
}

/// The queue's default duration, for items that name none.
const DEFAULT_DURATION_MS: u64 = 90_000;

impl Menu {
    /// A shipped menu as the simulator buys from it: visible items at the
    /// menu's multiplier, ids as the server gives them (`m<n>-<k>`).
    fn from_spec(no: usize, spec: &MenuSpec) -> Menu {
        let items = spec
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| !item.hidden)
            .map(|(k, item)| Offer {
                id: format!("m{}-{}", no + 1, k + 1),
                title: item.title.clone(),
                description: item.description.clone(),
                tokens: crate::menus::price(item.base_tokens, spec.multiplier),
                duration_ms: item.duration_hint_ms.unwrap_or(DEFAULT_DURATION_MS),
                effects: item.toy.iter().filter_map(Effect::from_toy).collect(),
            })
            .collect();
        Menu {
            name: spec.name.clone(),
            instant: spec.queue_mode == QueueMode::Off,
            subscribers_only: spec.visibility == Visibility::SubscribersOnly,
            items,
        }
    }
}

/// Every shipped menu a viewer may see (private menus are for their
/// whitelists, which the simulator does not fill).
pub fn menus() -> &'static [Menu] {
    static MENUS: OnceLock<Vec<Menu>> = OnceLock::new();
    MENUS.get_or_init(|| {
        templates()
            .iter()
            .enumerate()
            .filter(|(_, spec)| spec.visibility != Visibility::Private)
            .map(|(no, spec)| Menu::from_spec(no, spec))
            .filter(|menu| !menu.items.is_empty())
            .collect()
    })
}

/// The offers of the queue-mode-OFF menus (instant purchases).
pub fn instant_offers() -> &'static [Offer] {
    static OFFERS: OnceLock<Vec<Offer>> = OnceLock::new();
    OFFERS.get_or_init(|| {
        menus()
            .iter()
            .filter(|m| m.instant && !m.subscribers_only)
            .flat_map(|m| m.items.iter().cloned())
            .collect()
    })
}

const fn fx(timing: Timing, intensity: u8, duration_ms: u64, pattern: Pattern) -> Effect {
    Effect {
        timing,
        intensity,
        duration_ms: Some(duration_ms),
        pattern,
    }
}

fn offer(
    id: &str,
    title: &str,
    description: &str,
    tokens: u64,
    duration_s: u64,
    effects: &[Effect],
) -> Offer {
    Offer {
        id: id.into(),
        title: title.into(),
        description: description.into(),
        tokens,
        duration_ms: duration_s * 1000,
        effects: effects.to_vec(),
    }
}

use Pattern::{Pulse, Wave};
use Timing::{P50, Start};

/// Private requests (`actionType: private_request`): they go to position 2.
pub fn private_requests() -> &'static [Offer] {
    static REQUESTS: OnceLock<Vec<Offer>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        vec![
            offer(
                "pr-pose",
                "Private request: a pose",
                "A pose you describe",
                120,
                60,
                &[],
            ),
            offer(
                "pr-message",
                "Private request: a message",
                "A sweet message, spoken",
                100,
                45,
                &[],
            ),
            offer(
                "pr-vibe",
                "Private request: your rhythm",
                "A minute to your rhythm",
                180,
                60,
                &[fx(Start, 9, 4_000, Wave), fx(P50, 15, 4_000, Pulse)],
            ),
            offer(
                "pr-outfit",
                "Private request: an outfit",
                "Wear what you ask",
                250,
                120,
                &[],
            ),
        ]
    })
}

/// The queued menus a viewer may buy from: the subscribers-only ones only
/// for a viewer on the room's subscriber list.
pub fn queued_menus(subscriber: bool) -> impl Iterator<Item = &'static Menu> {
    menus()
        .iter()
        .filter(move |m| !m.instant && (!m.subscribers_only || subscriber))
}

/// Display names for synthetic viewers (never a real name).
pub const NAME_PARTS: (&[&str], &[&str]) = (
    &[
        "Lucky", "Blue", "Silent", "Happy", "Night", "Velvet", "Neon", "Cosmic", "Golden", "Shy",
    ],
    &[
        "Star", "Fox", "Owl", "Tiger", "Wave", "Comet", "Panda", "Rider", "Moon", "Spark",
    ],
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intake::{IntakeLimits, IntakePayload, MAX_TITLE_CHARS};

    #[test]
    fn the_shipped_menus_are_the_catalog() {
        let names: Vec<&str> = menus().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Quick Fun", "Private Energy", "VIP Experience"]);
        let by_name = |name: &str| menus().iter().find(|m| m.name == name).unwrap();
        assert!(by_name("Quick Fun").instant);
        assert!(!by_name("Private Energy").instant);
        assert!(by_name("VIP Experience").subscribers_only);
        for (menu, spec) in menus().iter().zip(templates()) {
            let visible = spec.items.iter().filter(|i| !i.hidden).count();
            assert_eq!(menu.items.len(), visible, "{}", menu.name);
        }
        assert!(!instant_offers().is_empty());
        assert_eq!(queued_menus(false).count(), 1);
        assert_eq!(queued_menus(true).count(), 2);
    }

    #[test]
    fn every_offer_makes_a_valid_payload() {
        let all = menus()
            .iter()
            .flat_map(|m| m.items.iter())
            .chain(private_requests().iter());
        let mut ids = std::collections::HashSet::new();
        for offer in all {
            assert!(ids.insert(offer.id.clone()), "duplicate id {}", offer.id);
            assert!(offer.title.chars().count() <= MAX_TITLE_CHARS);
            let payload = super::super::shop::payload_for(
                "perf-1",
                "viewer-1",
                "BlueFox",
                "key-1",
                offer,
                false,
                "2026-11-21T00:00:00.000000Z",
            );
            let bytes = serde_json::to_vec(&payload).unwrap();
            IntakePayload::from_json(&bytes, &IntakeLimits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", offer.id));
        }
    }
}
