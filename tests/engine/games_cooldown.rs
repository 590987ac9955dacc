//! The per-viewer cooldown, with time passed in: the slot machine's fixed
//! two minutes, the wheel's configured wait, and refusals that start none.

use cuedeck::domain::UserId;
use cuedeck::domain::time::Stamp;
use cuedeck::games::Game;
use cuedeck::games::cooldown::{CooldownBook, SLOT_COOLDOWN_SECS, check};

use super::games_config::templates;

#[test]
fn the_first_spin_is_always_allowed_and_the_boundary_is_inclusive() {
    let t0 = Stamp::from_secs(1_000);
    assert!(check(120, None, t0).is_ok());
    let err = check(120, Some(t0), Stamp::from_secs(1_119)).unwrap_err();
    assert_eq!(err.ready_at, Stamp::from_secs(1_120));
    assert_eq!(err.retry_after_ms, 1_000);
    assert!(check(120, Some(t0), Stamp::from_secs(1_120)).is_ok());
    // A part of a millisecond still to wait rounds up.
    let err = check(120, Some(t0), Stamp(Stamp::from_secs(1_120).0 - 1)).unwrap_err();
    assert_eq!(err.retry_after_ms, 1);
    // No cooldown at all.
    assert!(check(0, Some(t0), t0).is_ok());
}

#[test]
fn each_game_uses_its_own_cooldown() {
    let cooldowns: Vec<(&str, u32)> = templates()
        .iter()
        .map(|(name, text)| (*name, Game::from_toml(text).unwrap().cooldown_secs()))
        .collect();
    assert_eq!(
        cooldowns,
        [
            ("slot_classic", SLOT_COOLDOWN_SECS),
            ("slot_lucky_four", 120),
            ("wheel_party", 60),
            ("wheel_quick_six", 15)
        ]
    );
}

#[test]
fn only_accepted_spins_start_a_cooldown() {
    let mut book = CooldownBook::default();
    let (alice, bob) = (UserId::from("alice"), UserId::from("bob"));
    let at = Stamp::from_secs;
    assert!(book.check(120, &alice, at(0)).is_ok());
    book.accepted(&alice, at(0));
    // Refused at 60 s: the refusal does not move the clock on.
    assert!(book.check(120, &alice, at(60)).is_err());
    assert!(book.check(120, &alice, at(119)).is_err());
    assert!(book.check(120, &alice, at(120)).is_ok());
    // Another viewer spins back to back with no wait.
    assert!(book.check(120, &bob, at(1)).is_ok());
    book.accepted(&bob, at(1));
    // A spin allowed by the cooldown but refused later (no funds) is never
    // recorded, so the next try is still allowed.
    assert!(book.check(120, &alice, at(130)).is_ok());
    assert!(book.check(120, &alice, at(131)).is_ok());
    book.accepted(&alice, at(131));
    assert_eq!(book.last(&alice), Some(at(131)));
    assert!(book.check(120, &alice, at(250)).is_err());
}
