//! Game configurations: the shipped templates, refusals that name the
//! field, the canonical form and its hash, and the odds table.

use cuedeck::games::{ClientSeed, DrawError, Game, GameConfig, GameKind, ServerSeed, odds_table};
use serde_json::{Value, json};

/// Every file in config/games, by name.
pub fn templates() -> [(&'static str, &'static str); 4] {
    [
        (
            "slot_classic",
            include_str!("../../config/games/slot_classic.toml"),
        ),
        (
            "slot_lucky_four",
            include_str!("../../config/games/slot_lucky_four.toml"),
        ),
        (
            "wheel_party",
            include_str!("../../config/games/wheel_party.toml"),
        ),
        (
            "wheel_quick_six",
            include_str!("../../config/games/wheel_quick_six.toml"),
        ),
    ]
}

#[test]
fn the_shipped_templates_all_validate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/config/games");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = templates()
        .iter()
        .map(|(n, _)| format!("{n}.toml"))
        .collect();
    assert_eq!(
        on_disk, listed,
        "templates() must list every file in config/games"
    );
    let mut kinds = Vec::new();
    for (name, text) in templates() {
        let game = Game::from_toml(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(game.is_available(), "{name}");
        kinds.push(game.kind());
    }
    kinds.sort();
    let two_each = [
        GameKind::SlotMachine,
        GameKind::SlotMachine,
        GameKind::SpinWheel,
        GameKind::SpinWheel,
    ];
    assert_eq!(kinds, two_each);
}

fn valid() -> Value {
    let prize = |id: u32, rank: u8| json!({"id": id, "title": format!("Prize {id}"), "rank": rank});
    json!({
        "game": "slot_machine",
        "version": 3,
        "theme": {"primary": "#ff3366"},
        "tiers": [{"cost": 10}, {"cost": 25}],
        "prizes": [prize(1, 1), prize(2, 3), prize(3, 5), prize(4, 8)],
    })
}

fn refusal(config: Value) -> (String, String) {
    let err = Game::from_json(&config.to_string()).expect_err("a bad config was accepted");
    (err.field, err.problem)
}

#[test]
fn bad_configs_are_refused_with_the_field_named() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let explicit = |v: &mut Value| {
        for (i, p) in v["prizes"].as_array_mut().unwrap().iter_mut().enumerate() {
            p["weights"] = json!([8 - 2 * i as i64, 1 + 2 * i as i64]);
        }
    };
    let cases: Vec<(&str, Edit)> = vec![
        (
            "prizes",
            Box::new(|v| drop(v["prizes"].as_array_mut().unwrap().pop())),
        ),
        (
            "prizes",
            Box::new(|v| {
                let extra: Vec<Value> = (5..=11)
                    .map(|id| json!({"id": id, "title": "More", "rank": 2}))
                    .collect();
                v["prizes"].as_array_mut().unwrap().extend(extra);
            }),
        ),
        (
            "prizes[2].rank",
            Box::new(|v| v["prizes"][2]["rank"] = json!(0)),
        ),
        (
            "prizes[2].rank",
            Box::new(|v| v["prizes"][2]["rank"] = json!(11)),
        ),
        (
            "prizes[2].rank",
            Box::new(|v| v["prizes"][2]["rank"] = json!(-1)),
        ),
        (
            "prizes[1].weights[0]",
            Box::new(move |v| {
                explicit(v);
                v["prizes"][1]["weights"][0] = json!(0)
            }),
        ),
        (
            "prizes[1].weights[1]",
            Box::new(move |v| {
                explicit(v);
                v["prizes"][1]["weights"][1] = json!(-4)
            }),
        ),
        (
            "prizes[1].weights[1]",
            Box::new(move |v| {
                explicit(v);
                v["prizes"][1]["weights"][1] = json!(1.5)
            }),
        ),
        (
            "prizes[3].weights",
            Box::new(move |v| {
                explicit(v);
                v["prizes"][3]["weights"] = json!([1])
            }),
        ),
        (
            "prizes[2].weights",
            Box::new(move |v| {
                explicit(v);
                v["prizes"][2].as_object_mut().unwrap().remove("weights");
            }),
        ),
        (
            "tiers[1]",
            Box::new(move |v| {
                explicit(v);
                v["prizes"][0]["weights"] = json!([1, 50])
            }),
        ),
        (
            "theme.primary",
            Box::new(|v| v["theme"]["primary"] = json!("#ff336")),
        ),
        (
            "theme.primary",
            Box::new(|v| v["theme"]["primary"] = json!("red")),
        ),
        (
            "theme.text",
            Box::new(|v| v["theme"]["text"] = json!("#gg0000")),
        ),
        (
            "tiers[0].cost",
            Box::new(|v| v["tiers"][0]["cost"] = json!(0)),
        ),
        (
            "tiers[0].cost",
            Box::new(|v| v["tiers"][0]["cost"] = json!(-5)),
        ),
        (
            "tiers[1].cost",
            Box::new(|v| v["tiers"][1]["cost"] = json!(10)),
        ),
        ("tiers", Box::new(|v| v["tiers"] = json!([]))),
        (
            "tiers",
            Box::new(|v| v["tiers"] = json!([{"cost": 1}, {"cost": 2}, {"cost": 3}, {"cost": 4}])),
        ),
        ("cooldownSecs", Box::new(|v| v["cooldownSecs"] = json!(60))),
        (
            "prizes[3].id",
            Box::new(|v| v["prizes"][3]["id"] = json!(1)),
        ),
        (
            "prizes[0].id",
            Box::new(|v| v["prizes"][0]["id"] = json!(0)),
        ),
        (
            "prizes[0].title",
            Box::new(|v| v["prizes"][0]["title"] = json!(" ")),
        ),
        (
            "prizes[0].durationHintMs",
            Box::new(|v| v["prizes"][0]["durationHintMs"] = json!(10)),
        ),
        (
            "prizes[0].toy.intensity",
            Box::new(|v| {
                v["prizes"][0]["toy"] =
                    json!({"enabled": true, "timing": "start", "intensity": 21});
            }),
        ),
        (
            "prizes[0].colour",
            Box::new(|v| v["prizes"][0]["colour"] = json!("#ffffff")),
        ),
        ("game", Box::new(|v| v["game"] = json!("roulette"))),
    ];
    for (field, edit) in cases {
        let mut config = valid();
        edit(&mut config);
        let (named, problem) = refusal(config.clone());
        assert_eq!(named, field, "{problem} for {config}");
        assert!(!problem.is_empty());
    }
    // The config they all start from is fine.
    Game::from_json(&valid().to_string()).unwrap();
}

#[test]
fn the_wheel_has_its_own_limits() {
    let mut wheel = valid();
    wheel["game"] = json!("spin_wheel");
    let more: Vec<Value> = (5..=12)
        .map(|id| json!({"id": id, "title": "Segment", "rank": 4}))
        .collect();
    wheel["prizes"].as_array_mut().unwrap().extend(more);
    let game = Game::from_json(&wheel.to_string()).unwrap();
    assert_eq!(game.cooldown_secs(), 60, "the default cooldown");
    wheel["prizes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": 13, "title": "One too many", "rank": 4}));
    assert_eq!(refusal(wheel.clone()).0, "prizes");
    wheel["prizes"].as_array_mut().unwrap().pop();
    for (secs, ok) in [(0, true), (3600, true), (3601, false)] {
        wheel["cooldownSecs"] = json!(secs);
        let result = Game::from_json(&wheel.to_string());
        assert_eq!(result.is_ok(), ok, "cooldown {secs}: {result:?}");
    }
}

#[test]
fn a_toml_refusal_names_the_field_too() {
    let (_, text) = templates()[0];
    let bad = text.replacen("rank = 4", "rank = 0", 1);
    let err = Game::from_toml(&bad).unwrap_err();
    assert_eq!(err.field, "prizes[2].rank");
    let err = Game::from_toml("game = \"slot_machine\"\ntiers = [\n").unwrap_err();
    assert_eq!(err.field, "config");
}

#[test]
fn toml_and_json_give_the_same_game_and_hash() {
    for (name, text) in templates() {
        let game = Game::from_toml(text).unwrap();
        let json = serde_json::to_string(game.config()).unwrap();
        let again = Game::from_json(&json).unwrap();
        assert_eq!(again.config(), game.config(), "{name}");
        assert_eq!(again.config_hash(), game.config_hash(), "{name}");
        let toml = Game::from_toml(&game.config().to_toml()).unwrap();
        assert_eq!(toml.config_hash(), game.config_hash(), "{name}");
    }
}

#[test]
fn the_hash_covers_what_decides_the_draw_and_nothing_else() {
    let base = Game::from_json(&valid().to_string()).unwrap();
    let hash = |edit: &dyn Fn(&mut GameConfig)| {
        let mut config = base.config().clone();
        edit(&mut config);
        Game::new(config).unwrap().config_hash().to_string()
    };
    let same = base.config_hash().to_string();
    assert_eq!(
        hash(&|c| c.prizes[0].description = "new words".into()),
        same
    );
    assert_eq!(hash(&|c| c.theme.secondary = Some("#000000".into())), same);
    assert_eq!(
        hash(&|c| c.prizes.swap(0, 3)),
        same,
        "display order is not draw order"
    );
    assert_ne!(hash(&|c| c.prizes[0].rank = 2), same);
    assert_ne!(hash(&|c| c.prizes[0].title = "Other".into()), same);
    assert_ne!(hash(&|c| c.prizes[0].hidden = true), same);
    assert_ne!(hash(&|c| c.tiers[1].cost = 30), same);
    assert_ne!(hash(&|c| c.version = 4), same);
}

#[test]
fn the_odds_table_is_percentages_of_the_visible_weight() {
    let lucky = Game::from_toml(templates()[1].1).unwrap();
    let odds = odds_table(&lucky);
    let percents: Vec<Vec<f64>> = odds
        .iter()
        .map(|t| t.rows.iter().map(|r| r.percent).collect())
        .collect();
    assert_eq!(
        percents,
        [[50.0, 30.0, 15.0, 5.0], [20.0, 30.0, 30.0, 20.0]]
    );
    assert_eq!((odds[0].cost, odds[0].total, odds[1].cost), (15, 20, 40));
    assert_eq!((odds[0].expected_rank, odds[1].expected_rank), (2.75, 4.7));

    let quick = Game::from_toml(templates()[3].1).unwrap();
    let odds = odds_table(&quick);
    let rows = &odds[0].rows;
    let percents: Vec<f64> = rows.iter().map(|r| r.percent).collect();
    assert_eq!(percents, [30.0, 25.0, 20.0, 15.0, 10.0, 0.0]);
    assert!(rows[5].hidden && rows[5].weight == 0);

    // Derived: three tiers of slot_classic, by the rule in FAIRNESS.md.
    let classic = Game::from_toml(templates()[0].1).unwrap();
    let weights: Vec<Vec<u32>> = odds_table(&classic)
        .iter()
        .map(|t| t.rows.iter().map(|r| r.weight).collect())
        .collect();
    assert_eq!(
        weights,
        [
            vec![100, 81, 49, 36, 25, 9, 1],
            vec![10, 18, 28, 30, 30, 24, 10],
            vec![1, 4, 16, 25, 36, 64, 100]
        ]
    );
}

#[test]
fn too_few_visible_prizes_make_the_game_unavailable_not_invalid() {
    let mut config = valid();
    config["prizes"][0]["hidden"] = json!(true);
    let game = Game::from_json(&config.to_string()).unwrap();
    assert!(!game.is_available());
    let seed = ServerSeed::from_bytes([1; 32]);
    let client = ClientSeed::new("c").unwrap();
    let err = game.draw(&seed, 1, &client, 0).unwrap_err();
    assert_eq!(
        err,
        DrawError::Unavailable {
            game: GameKind::SlotMachine,
            visible: 3,
            min: 4
        }
    );
    let game = Game::from_json(&valid().to_string()).unwrap();
    for tier in [0, 3] {
        let err = game.draw(&seed, tier, &client, 0).unwrap_err();
        assert!(
            matches!(err, DrawError::NoSuchTier { tiers: 2, .. }),
            "{err}"
        );
    }
    assert_eq!(game.draw(&seed, 2, &client, 0).unwrap().cost, 25);
}
