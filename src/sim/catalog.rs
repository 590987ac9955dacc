//! What the simulated viewers buy: the three chip menus of seed 002 (Quick
//! Fun, Private Energy, VIP Experience; seven items each) and a few private
//! requests. Seed 002 names the menus and their rules (Quick Fun is queue
//! mode OFF, the other two ON, VIP Experience is for subscribers); the
//! titles, prices, durations and toy effects here are ours.
//!
//! When the menus issue ships `config/menus/` and a viewer purchase
//! endpoint, the simulator can read the performer's menus from the server
//! instead (see `shop.rs`).

use crate::domain::Tier;
use crate::domain::toy_effect::{Pattern, Timing};

/// A toy sub-effect of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effect {
    pub timing: Timing,
    pub intensity: u8,
    pub duration_ms: Option<u64>,
    pub pattern: Pattern,
}

/// One thing a viewer can buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub tokens: u64,
    pub duration_ms: u64,
    pub effects: &'static [Effect],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Menu {
    pub name: &'static str,
    /// Queue mode OFF: purchases settle at once (`?mode=instant`).
    pub instant: bool,
    /// Only premium and vip viewers (the subscribers) may buy from it.
    pub subscribers_only: bool,
    pub items: &'static [Offer],
}

const fn fx(timing: Timing, intensity: u8, duration_ms: u64, pattern: Pattern) -> Effect {
    Effect {
        timing,
        intensity,
        duration_ms: Some(duration_ms),
        pattern,
    }
}

const fn offer(
    id: &'static str,
    title: &'static str,
    description: &'static str,
    tokens: u64,
    duration_s: u64,
    effects: &'static [Effect],
) -> Offer {
    Offer {
        id,
        title,
        description,
        tokens,
        duration_ms: duration_s * 1000,
        effects,
    }
}

use Pattern::{Constant, Pulse, Ramp, Wave};
use Timing::{End, P25, P50, P75, Start};

pub const QUICK_FUN: Menu = Menu {
    name: "Quick Fun",
    instant: true,
    subscribers_only: false,
    items: &[
        offer("qf-wink", "Wink", "A wink to the camera", 5, 5, &[]),
        offer("qf-smile", "Big smile", "A smile just for you", 8, 5, &[]),
        offer(
            "qf-kiss",
            "Blow a kiss",
            "A kiss with a little buzz",
            10,
            5,
            &[fx(Start, 5, 2_000, Pulse)],
        ),
        offer("qf-name", "Say my name", "Your name, out loud", 15, 10, &[]),
        offer("qf-spin", "Spin around", "One slow turn", 20, 10, &[]),
        offer(
            "qf-buzz",
            "Quick buzz",
            "Five seconds of vibration",
            25,
            5,
            &[fx(Start, 10, 5_000, Constant)],
        ),
        offer("qf-dance", "Ten-second dance", "A short dance", 30, 10, &[]),
    ],
};

pub const PRIVATE_ENERGY: Menu = Menu {
    name: "Private Energy",
    instant: false,
    subscribers_only: false,
    items: &[
        offer(
            "pe-tshirt",
            "Take off T-shirt",
            "Slow, with music",
            50,
            45,
            &[fx(P50, 12, 3_000, Pulse)],
        ),
        offer(
            "pe-slow-dance",
            "Slow dance",
            "One song, slow",
            60,
            60,
            &[fx(P50, 8, 4_000, Wave)],
        ),
        offer(
            "pe-song",
            "Dance to your song",
            "You pick the song",
            75,
            90,
            &[],
        ),
        offer("pe-feet", "Feet show", "A minute of feet", 80, 60, &[]),
        offer(
            "pe-tease",
            "Tease and vibe",
            "Builds up over a minute",
            90,
            60,
            &[
                fx(Start, 6, 3_000, Ramp),
                fx(P50, 12, 3_000, Pulse),
                fx(End, 18, 3_000, Wave),
            ],
        ),
        offer(
            "pe-oil",
            "Oil show",
            "Two minutes, with oil",
            120,
            120,
            &[fx(P25, 10, 3_000, Pulse), fx(P75, 14, 3_000, Wave)],
        ),
        offer(
            "pe-roleplay",
            "Roleplay scene",
            "Three minutes, your script",
            200,
            180,
            &[],
        ),
    ],
};

pub const VIP_EXPERIENCE: Menu = Menu {
    name: "VIP Experience",
    instant: false,
    subscribers_only: true,
    items: &[
        offer(
            "vip-qa",
            "VIP Q&A",
            "Two minutes of your questions",
            200,
            120,
            &[],
        ),
        offer(
            "vip-shoutout",
            "Personal shout-out",
            "A minute, all about you",
            250,
            60,
            &[],
        ),
        offer(
            "vip-dance",
            "VIP private dance",
            "Three minutes, just for VIPs",
            300,
            180,
            &[fx(P50, 15, 5_000, Wave)],
        ),
        offer(
            "vip-outfit",
            "Outfit of your choice",
            "Change into your pick",
            350,
            120,
            &[],
        ),
        offer(
            "vip-control",
            "Control the toy",
            "One minute, five steps up",
            400,
            60,
            &[
                fx(Start, 8, 5_000, Pulse),
                fx(P25, 11, 5_000, Pulse),
                fx(P50, 14, 5_000, Wave),
                fx(P75, 17, 5_000, Wave),
                fx(End, 20, 3_000, Ramp),
            ],
        ),
        offer(
            "vip-candle",
            "Candle-lit tease",
            "Four minutes by candle light",
            500,
            240,
            &[fx(P75, 16, 5_000, Wave)],
        ),
        offer(
            "vip-ultimate",
            "Ultimate experience",
            "Five minutes, everything",
            800,
            300,
            &[
                fx(Start, 10, 3_000, Ramp),
                fx(P50, 16, 5_000, Pulse),
                fx(End, 20, 5_000, Wave),
            ],
        ),
    ],
};

pub const MENUS: [Menu; 3] = [QUICK_FUN, PRIVATE_ENERGY, VIP_EXPERIENCE];

/// Private requests (`actionType: private_request`): they go to position 2.
pub const PRIVATE_REQUESTS: &[Offer] = &[
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
];

/// The queued menus a viewer of `tier` may buy from.
pub fn queued_menus(tier: Tier) -> impl Iterator<Item = &'static Menu> {
    MENUS
        .iter()
        .filter(move |m| !m.instant && (!m.subscribers_only || is_subscriber(tier)))
}

/// Premium and vip viewers count as subscribers.
pub fn is_subscriber(tier: Tier) -> bool {
    matches!(tier, Tier::Premium | Tier::Vip)
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
    fn three_menus_of_seven() {
        assert_eq!(MENUS.len(), 3);
        for menu in MENUS {
            assert_eq!(menu.items.len(), 7, "{}", menu.name);
        }
        const {
            assert!(QUICK_FUN.instant && !PRIVATE_ENERGY.instant && VIP_EXPERIENCE.subscribers_only)
        };
        assert_eq!(queued_menus(Tier::Free).count(), 1);
        assert_eq!(queued_menus(Tier::Vip).count(), 2);
    }

    #[test]
    fn every_offer_makes_a_valid_payload() {
        let all = MENUS
            .iter()
            .flat_map(|m| m.items.iter())
            .chain(PRIVATE_REQUESTS.iter());
        let mut ids = std::collections::HashSet::new();
        for offer in all {
            assert!(ids.insert(offer.id), "duplicate id {}", offer.id);
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
