//! What changed between two versions of a game, in the performer's words,
//! for the version-conflict dialog.

use crate::games::{GameConfig, PrizeSpec};

/// One line per change from `before` to `after`.
pub fn changes(before: &GameConfig, after: &GameConfig) -> Vec<String> {
    let mut out = Vec::new();
    let prices = |c: &GameConfig| {
        c.tiers
            .iter()
            .map(|t| t.cost.to_string())
            .collect::<Vec<_>>()
            .join(" / ")
    };
    if before.tiers != after.tiers {
        out.push(format!(
            "prices {} tk -> {} tk",
            prices(before),
            prices(after)
        ));
    }
    if before.cooldown_secs != after.cooldown_secs {
        let secs = |c: &GameConfig| {
            c.cooldown_secs
                .map_or("default".into(), |s| format!("{s} s"))
        };
        out.push(format!("cooldown {} -> {}", secs(before), secs(after)));
    }
    if before.theme != after.theme {
        out.push("theme colours changed".into());
    }
    let find = |c: &'_ GameConfig, id: u32| c.prizes.iter().find(|p| p.id == id).cloned();
    for prize in &after.prizes {
        match find(before, prize.id) {
            None => out.push(format!("added {:?} (rank {})", prize.title, prize.rank)),
            Some(old) => out.extend(prize_changes(&old, prize)),
        }
    }
    for prize in &before.prizes {
        if find(after, prize.id).is_none() {
            out.push(format!("deleted {:?}", prize.title));
        }
    }
    let order = |c: &GameConfig| c.prizes.iter().map(|p| p.id).collect::<Vec<_>>();
    let same_set = {
        let (mut a, mut b) = (order(before), order(after));
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    if same_set && order(before) != order(after) {
        out.push("prizes reordered".into());
    }
    out
}

fn prize_changes(old: &PrizeSpec, new: &PrizeSpec) -> Vec<String> {
    let mut out = Vec::new();
    if old.title != new.title {
        out.push(format!("{:?} renamed {:?}", old.title, new.title));
    }
    if old.rank != new.rank {
        out.push(format!("{:?} rank {} -> {}", new.title, old.rank, new.rank));
    }
    if old.hidden != new.hidden {
        let now = if new.hidden { "hidden" } else { "shown" };
        out.push(format!("{:?} {now}", new.title));
    }
    let rest = |p: &PrizeSpec| {
        (
            p.description.clone(),
            p.duration_hint_ms,
            p.weights.clone(),
            p.toy.clone(),
        )
    };
    if rest(old) != rest(new) {
        out.push(format!("{:?} edited", new.title));
    }
    out
}
