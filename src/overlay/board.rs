//! The levels board: a room's tip levels as viewers read them on stream,
//! each range with its strength word and duration, then the specials.
//! Pure: the task fetches the levels and hands them in.

use super::views::{LevelRow, LevelsView, SpecialRow};
use crate::domain::tips::{SpecialAction, TipLevels};

/// `10-24`, or `100+` for the open-ended last level.
fn range(min: u64, max: Option<u64>) -> String {
    match max {
        Some(max) if max == min => min.to_string(),
        Some(max) => format!("{min}-{max}"),
        None => format!("{min}+"),
    }
}

fn special_does(action: &SpecialAction) -> String {
    match action {
        SpecialAction::Preset {
            pattern,
            duration_s,
            ..
        } => format!("{} for {duration_s} s", pattern.name()),
        SpecialAction::RandomLevel {} => "a random level".into(),
        SpecialAction::RandomDuration { min_s, max_s, .. } => {
            format!("random {min_s}-{max_s} s")
        }
    }
}

/// The board for `levels`, ranges and specials each by amount.
pub fn board(levels: &TipLevels, live: bool) -> LevelsView {
    if !live {
        return LevelsView {
            live,
            levels: Vec::new(),
            specials: Vec::new(),
        };
    }
    let mut ladder: Vec<_> = levels.levels.iter().collect();
    ladder.sort_by_key(|l| l.min);
    let mut specials: Vec<_> = levels.specials.iter().collect();
    specials.sort_by_key(|s| s.amount);
    LevelsView {
        live,
        levels: ladder
            .into_iter()
            .map(|l| LevelRow {
                range: range(l.min, l.max),
                word: l.label.to_string(),
                strength: l.intensity.peak(),
                duration_s: l.duration_s,
                pattern: l.pattern.as_ref().map(|p| p.name().to_string()),
            })
            .collect(),
        specials: specials
            .into_iter()
            .map(|s| SpecialRow {
                amount: s.amount,
                label: s.label.to_string(),
                what: special_does(&s.action),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_lists_ranges_in_order_and_specials_by_amount() {
        let levels: TipLevels = toml::from_str(include_str!("../../config/tips/presets.toml"))
            .expect("the shipped template parses");
        let view = board(&levels, true);
        let ranges: Vec<(&str, &str, u32)> = view
            .levels
            .iter()
            .map(|l| (l.range.as_str(), l.word.as_str(), l.duration_s))
            .collect();
        assert_eq!(
            ranges,
            [
                ("1-9", "low", 3),
                ("10-24", "medium", 5),
                ("25-49", "high", 7),
                ("50-99", "very high", 10),
                ("100+", "max", 15),
            ]
        );
        assert_eq!(view.levels[4].strength, 20);
        let amounts: Vec<u64> = view.specials.iter().map(|s| s.amount).collect();
        let mut sorted = amounts.clone();
        sorted.sort_unstable();
        assert_eq!(amounts, sorted);
        let pulse = view.specials.iter().find(|s| s.amount == 111).unwrap();
        assert_eq!(
            (pulse.label.as_str(), pulse.what.as_str()),
            ("pulse", "pulse for 10 s")
        );
        assert!(
            view.specials
                .iter()
                .any(|s| s.what == "a random level" || s.what.starts_with("random ")),
            "{view:?}"
        );
    }

    #[test]
    fn an_offline_board_is_empty() {
        let levels: TipLevels =
            toml::from_str(include_str!("../../config/tips/classic.toml")).unwrap();
        assert_eq!(board(&levels, false).levels, Vec::new());
    }
}
