//! Tip levels: validation at every boundary, matching at every boundary,
//! and a property test over random ladders.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

fn level(label: &str, min: u64, max: Option<u64>, intensity: u8, seconds: u32) -> TipLevel {
    TipLevel {
        label: label.into(),
        min,
        max,
        intensity: Intensity::All(intensity),
        duration_s: seconds,
        pattern: None,
    }
}

/// The classic five-level ladder.
fn classic() -> TipLevels {
    TipLevels {
        levels: vec![
            level("low", 1, Some(9), 5, 3),
            level("medium", 10, Some(24), 10, 5),
            level("high", 25, Some(49), 15, 7),
            level("very high", 50, Some(99), 18, 10),
            level("max", 100, None, 20, 15),
        ],
        specials: vec![
            TipSpecial {
                amount: 444,
                label: "pulse".into(),
                action: SpecialAction::Preset {
                    pattern: PatternRef::Builtin(BuiltinPattern::Pulse),
                    intensity: Intensity::All(16),
                    duration_s: 10,
                },
            },
            TipSpecial {
                amount: 77,
                label: "lucky".into(),
                action: SpecialAction::RandomLevel {},
            },
            TipSpecial {
                amount: 5,
                label: "surprise".into(),
                action: SpecialAction::RandomDuration {
                    intensity: Intensity::All(12),
                    min_s: 2,
                    max_s: 9,
                    pattern: None,
                },
            },
        ],
    }
}

fn none() -> BTreeSet<String> {
    BTreeSet::new()
}

fn field_of(levels: &TipLevels) -> String {
    levels
        .validate(1_000_000, &none())
        .unwrap_err()
        .field()
        .unwrap_or("?")
        .to_string()
}

fn label_of(m: TipMatch) -> Option<String> {
    match m {
        TipMatch::Toy(toy) => Some(toy.label.to_string()),
        TipMatch::Plain => None,
    }
}

#[test]
fn classic_ladder_is_valid_and_matches_every_boundary() {
    let ladder = classic();
    ladder.validate(1_000_000, &none()).unwrap();
    let cases = [
        (1, "low"),
        (9, "low"),
        (10, "medium"),
        (24, "medium"),
        (25, "high"),
        (49, "high"),
        (50, "very high"),
        (99, "very high"),
        (100, "max"),
        (1_000_000, "max"),
    ];
    for (amount, want) in cases {
        assert_eq!(
            label_of(ladder.match_amount(amount, 0)).as_deref(),
            Some(want),
            "{amount}"
        );
    }
    assert_eq!(ladder.match_amount(0, 0), TipMatch::Plain);
}

#[test]
fn a_level_fixes_its_intensity_duration_and_range_index() {
    let TipMatch::Toy(toy) = classic().match_amount(30, 0) else {
        panic!("30 is in a range");
    };
    assert_eq!(toy.matched, Matched::Level { index: 2 });
    assert_eq!(toy.intensity, Intensity::All(15));
    assert_eq!(toy.duration_ms, 7_000);
}

#[test]
fn specials_win_over_ranges() {
    let ladder = classic();
    let TipMatch::Toy(toy) = ladder.match_amount(444, 0) else {
        panic!("444 is special");
    };
    assert_eq!(
        toy.matched,
        Matched::Special {
            amount: 444,
            level: None
        }
    );
    assert_eq!(
        toy.pattern,
        Some(PatternRef::Builtin(BuiltinPattern::Pulse))
    );
    assert_eq!(toy.duration_ms, 10_000);
    // 443 and 445 fall back to the open-ended last range.
    assert_eq!(
        label_of(ladder.match_amount(443, 0)).as_deref(),
        Some("max")
    );
    assert_eq!(
        label_of(ladder.match_amount(445, 0)).as_deref(),
        Some("max")
    );
}

#[test]
fn random_specials_draw_within_their_bounds_and_repeat_for_the_same_draw() {
    let ladder = classic();
    let mut seen_levels = BTreeSet::new();
    let mut seen_seconds = BTreeSet::new();
    for draw in 0..200u64 {
        let TipMatch::Toy(toy) = ladder.match_amount(77, draw) else {
            panic!("77 is special");
        };
        let Matched::Special {
            level: Some(index), ..
        } = toy.matched
        else {
            panic!("a random level names its level");
        };
        assert_eq!(
            toy.duration_ms,
            u64::from(ladder.levels[index as usize].duration_s) * 1000
        );
        seen_levels.insert(index);
        let TipMatch::Toy(toy) = ladder.match_amount(5, draw) else {
            panic!("5 is special");
        };
        assert!(
            (2_000..=9_000).contains(&toy.duration_ms),
            "{}",
            toy.duration_ms
        );
        seen_seconds.insert(toy.duration_ms);
        assert_eq!(ladder.match_amount(5, draw), ladder.match_amount(5, draw));
    }
    assert_eq!(seen_levels.len(), 5, "every level can be drawn");
    assert_eq!(seen_seconds.len(), 8, "every second of 2..=9 can be drawn");
    let a = tip_draw("room", "ann", "evt-1", 77);
    assert_eq!(a, tip_draw("room", "ann", "evt-1", 77));
    assert_ne!(a, tip_draw("room", "ann", "evt-2", 77));
}

#[test]
fn a_gap_between_ranges_is_a_plain_tip() {
    let ladder = TipLevels {
        levels: vec![
            level("low", 10, Some(19), 5, 3),
            level("high", 30, None, 15, 7),
        ],
        specials: vec![],
    };
    ladder.validate(1_000, &none()).unwrap();
    assert_eq!(ladder.match_amount(9, 0), TipMatch::Plain);
    assert_eq!(ladder.match_amount(20, 0), TipMatch::Plain);
    assert_eq!(ladder.match_amount(29, 0), TipMatch::Plain);
    assert!(matches!(ladder.match_amount(30, 0), TipMatch::Toy(_)));
    assert_eq!(TipLevels::default().match_amount(50, 0), TipMatch::Plain);
}

#[test]
fn validation_names_the_field_at_fault() {
    let mut l = classic();
    l.levels[1].min = 9; // touches "low"'s 9
    assert_eq!(field_of(&l), "levels[1].min");

    let mut l = classic();
    l.levels[0].max = None; // an open end before the last
    assert_eq!(field_of(&l), "levels[1].min");

    let mut l = classic();
    l.levels[2].max = Some(24); // 25..=24
    assert_eq!(field_of(&l), "levels[2].max");

    let mut l = classic();
    l.levels[3].intensity = Intensity::All(21);
    assert_eq!(field_of(&l), "levels[3].intensity");
    l.levels[3].intensity = Intensity::All(20);
    assert_eq!(l.validate(1_000_000, &none()), Ok(()));

    let mut l = classic();
    l.levels[0].intensity = Intensity::PerOutput(OutputLevels {
        rotate: Some(21),
        ..OutputLevels::default()
    });
    assert_eq!(field_of(&l), "levels[0].intensity.rotate");
    l.levels[0].intensity = Intensity::PerOutput(OutputLevels::default());
    assert_eq!(field_of(&l), "levels[0].intensity");

    let mut l = classic();
    l.levels[4].duration_s = 0;
    assert_eq!(field_of(&l), "levels[4].durationS");
    l.levels[4].duration_s = 601;
    assert_eq!(field_of(&l), "levels[4].durationS");
    l.levels[4].duration_s = 600;
    assert_eq!(l.validate(1_000_000, &none()), Ok(()));

    let mut l = classic();
    l.levels[1].pattern = Some(PatternRef::Named("tease".into()));
    assert_eq!(field_of(&l), "levels[1].pattern");
    let known: BTreeSet<String> = ["tease".to_string()].into();
    assert_eq!(l.validate(1_000_000, &known), Ok(()));

    let l = classic();
    let err = l.validate(443, &none()).unwrap_err();
    assert_eq!(
        err.field(),
        Some("specials[0].amount"),
        "444 is beyond a limit of 443"
    );
    let l = classic();
    assert_eq!(
        l.validate(99, &none()).unwrap_err().field(),
        Some("levels[4].min")
    );

    let mut l = classic();
    l.specials[1].amount = 444;
    assert_eq!(field_of(&l), "specials[1].amount");

    let mut l = classic();
    l.specials[2].action = SpecialAction::RandomDuration {
        intensity: Intensity::All(3),
        min_s: 9,
        max_s: 2,
        pattern: None,
    };
    assert_eq!(field_of(&l), "specials[2].action.maxS");

    let mut l = classic();
    l.levels.clear();
    assert_eq!(field_of(&l), "specials[1].action.kind");

    let mut l = classic();
    l.levels[0].label = " ".into();
    assert_eq!(field_of(&l), "levels[0].label");
}

#[test]
fn levels_read_from_toml_and_json_alike() {
    let text = r#"
        [[levels]]
        label = "low"
        min = 1
        max = 9
        intensity = 5
        durationS = 3

        [[levels]]
        label = "max"
        min = 10
        intensity = { vibrate = 20, rotate = 10 }
        durationS = 15
        pattern = "wave"

        [[specials]]
        amount = 111
        label = "fireworks"
        action = { kind = "preset", pattern = "fireworks", intensity = 18, durationS = 8 }
    "#;
    let levels: TipLevels = toml::from_str(text).unwrap();
    levels.validate(1_000_000, &none()).unwrap();
    assert_eq!(levels.levels[1].max, None);
    assert_eq!(levels.levels[1].intensity.peak(), 20);
    let json = serde_json::to_string(&levels).unwrap();
    assert_eq!(serde_json::from_str::<TipLevels>(&json).unwrap(), levels);
    assert!(
        toml::from_str::<TipLevels>(
            "[[levels]]\nlabel='x'\nmin=1\nintensity=1\ndurationS=1\nextra=1"
        )
        .is_err()
    );
    let extra = "[[specials]]\namount=5\nlabel='x'\naction={kind='random_level',extra=1}";
    assert!(
        toml::from_str::<TipLevels>(extra).is_err(),
        "unknown fields of an action are refused"
    );
}

fn ladder_strategy() -> impl Strategy<Value = TipLevels> {
    // Random cut points make ranges that never overlap; some are dropped to
    // leave gaps; the last may be open-ended.
    (
        proptest::collection::btree_set(1u64..500, 1..8),
        proptest::collection::vec(any::<bool>(), 8),
        any::<bool>(),
        proptest::collection::btree_set(1u64..600, 0..5),
        proptest::collection::vec(0u8..3, 5),
    )
        .prop_map(|(cuts, keep, open, special_amounts, kinds)| {
            let cuts: Vec<u64> = cuts.into_iter().collect();
            let mut levels = Vec::new();
            for (i, &min) in cuts.iter().enumerate() {
                let max = cuts.get(i + 1).map(|next| next - 1);
                let max = if max.is_none() && !open {
                    Some(min + 10)
                } else {
                    max
                };
                if keep[i] || max.is_none() {
                    levels.push(level(
                        &format!("l{i}"),
                        min,
                        max,
                        (i * 3) as u8,
                        1 + i as u32,
                    ));
                }
            }
            let specials = special_amounts
                .into_iter()
                .zip(kinds)
                .map(|(amount, kind)| TipSpecial {
                    amount,
                    label: format!("s{amount}").into(),
                    action: match kind {
                        0 => SpecialAction::Preset {
                            pattern: PatternRef::Builtin(BuiltinPattern::Wave),
                            intensity: Intensity::All(9),
                            duration_s: 4,
                        },
                        1 if !levels.is_empty() => SpecialAction::RandomLevel {},
                        _ => SpecialAction::RandomDuration {
                            intensity: Intensity::All(9),
                            min_s: 1,
                            max_s: 600,
                            pattern: None,
                        },
                    },
                })
                .collect();
            TipLevels { levels, specials }
        })
}

proptest! {
    #[test]
    fn exactly_one_outcome_per_amount(ladder in ladder_strategy(), amount in 0u64..700, draw in any::<u64>()) {
        prop_assert_eq!(ladder.validate(1_000_000, &none()), Ok(()));
        let outcome = ladder.match_amount(amount, draw);
        let special = ladder.specials.iter().find(|s| s.amount == amount);
        let ranges: Vec<usize> = (0..ladder.levels.len()).filter(|&i| ladder.levels[i].contains(amount)).collect();
        prop_assert!(ranges.len() <= 1, "valid ranges never overlap");
        match (special, ranges.first(), outcome) {
            (Some(s), _, TipMatch::Toy(toy)) => {
                let is_special = matches!(toy.matched, Matched::Special { amount: a, .. } if a == s.amount);
                prop_assert!(is_special);
                prop_assert!((1_000..=600_000).contains(&toy.duration_ms));
            }
            (None, Some(&i), TipMatch::Toy(toy)) => {
                prop_assert_eq!(toy.matched, Matched::Level { index: i as u32 });
            }
            (None, None, TipMatch::Plain) => {}
            (s, r, o) => prop_assert!(false, "special {:?} range {:?} gave {:?}", s, r, o),
        }
    }

    /// Whatever the configuration (even one that fails validation), matching
    /// never panics.
    #[test]
    fn matching_never_panics(
        mins in proptest::collection::vec(any::<u64>(), 0..6),
        maxes in proptest::collection::vec(proptest::option::of(any::<u64>()), 6),
        random in proptest::collection::vec((any::<u64>(), any::<u32>(), any::<u32>()), 0..4),
        amount in any::<u64>(),
        draw in any::<u64>(),
    ) {
        let levels = mins.iter().zip(&maxes).map(|(&min, &max)| level("x", min, max, 25, 0)).collect();
        let specials = random.into_iter().map(|(amount, min_s, max_s)| TipSpecial {
            amount,
            label: "r".into(),
            action: if min_s % 2 == 0 { SpecialAction::RandomLevel {} } else {
                SpecialAction::RandomDuration { intensity: Intensity::All(1), min_s, max_s, pattern: None }
            },
        }).collect();
        let ladder = TipLevels { levels, specials };
        let _ = ladder.match_amount(amount, draw);
        let _ = ladder.validate(u64::MAX, &none());
    }
}

#[test]
fn the_shipped_templates_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/tips");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let levels: TipLevels = toml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        levels
            .validate(1_000_000, &none())
            .unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert!(!levels.levels.is_empty(), "{path:?}");
        seen += 1;
    }
    assert!(seen >= 3);
    let presets: TipLevels =
        toml::from_str(&std::fs::read_to_string(dir.join("presets.toml")).unwrap()).unwrap();
    for amount in [111, 444, 888, 2222] {
        let TipMatch::Toy(toy) = presets.match_amount(amount, 0) else {
            panic!("{amount} is a preset");
        };
        assert!(matches!(toy.matched, Matched::Special { .. }) && toy.pattern.is_some());
    }
    assert_eq!(
        label_of(presets.match_amount(110, 0)).as_deref(),
        Some("max")
    );
}
