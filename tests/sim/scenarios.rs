//! Scenario files are parsed strictly: every error names the file, the
//! line and the bad value.

use cuedeck::sim::scenario::{BUILT_IN, Scenario, ScenarioError};

/// Write `text` to a file and load it; the error text.
fn error_of(text: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evening.toml");
    std::fs::write(&path, text).unwrap();
    let err = Scenario::load_file(&path).expect_err("must be refused");
    (err.to_string(), path.display().to_string())
}

#[test]
fn bad_values_name_the_file_the_line_and_the_value() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "probability out of range",
            "description = \"x\"\n[purchases]\ninstant = 3\ntimeout_retry = 1.5\n",
            &["line 4", "1.5", "probability"],
        ),
        (
            "a span the wrong way round",
            "[churn]\ndisconnect_s = [9, 2]\n",
            &["line 2", "[9, 2]"],
        ),
        (
            "a string for a number",
            "[performer]\n\nrefund = \"often\"\n",
            &["line 3", "often"],
        ),
        (
            "an unknown tier",
            "[audience]\ntiers = { free = 1, basic = 1, premium = 1, vip = 1, gold = 3 }\n",
            &["line 2", "gold"],
        ),
        (
            "an unknown key",
            "description = \"x\"\ncolour = \"red\"\n",
            &["line 2", "colour"],
        ),
        (
            "an unknown section",
            "[weather]\nrain = true\n",
            &["line 1", "weather"],
        ),
        (
            "nothing to buy",
            "[purchases]\ninstant = 0\nqueued = 0\nprivate_request = 0\n",
            &["line 1", "buy nothing"],
        ),
        (
            "a burst longer than its period",
            "[[bursts]]\nat_s = 1\nlength_s = 10\nfactor = 2\nevery_s = 5\n",
            &["line 1", "every_s = 5"],
        ),
        (
            "a zero factor",
            "[audience]\nrate_factor = 0\n",
            &["line 2", "0"],
        ),
        (
            "a wallet range the wrong way round",
            "[audience]\nwallets = { free = [10, 1], basic = [1, 2], premium = [1, 2], vip = [1, 2] }\n",
            &["line 2", "[10, 1]"],
        ),
        (
            "no refund reason",
            "[performer]\nreasons = { goodwill = 0 }\n",
            &["line 2", "refund reason"],
        ),
        ("not TOML", "[purchases\n", &["line 1"]),
    ];
    for (what, text, wanted) in cases {
        let (err, path) = error_of(text);
        assert!(err.contains(&path), "{what}: no file name in {err}");
        for want in *wanted {
            assert!(err.contains(want), "{what}: {want:?} missing from {err}");
        }
    }
}

#[test]
fn unknown_names_list_the_built_in_ones() {
    let err = Scenario::load("rushhour").unwrap_err();
    assert!(matches!(err, ScenarioError::Unknown { .. }));
    let text = err.to_string();
    for (name, _) in BUILT_IN {
        assert!(text.contains(name), "{text}");
    }
    let err = Scenario::load("./missing.toml").unwrap_err();
    assert!(matches!(err, ScenarioError::Read { .. }), "{err}");
    assert!(err.to_string().contains("missing.toml"));
}

#[test]
fn the_shipped_files_are_the_embedded_ones() {
    for (name, embedded) in BUILT_IN {
        let path = format!(
            "{}/config/scenarios/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(on_disk, embedded, "{path}");
        let from_file = Scenario::load(&path).unwrap();
        let built_in = Scenario::load(name).unwrap();
        assert_eq!(from_file.audience, built_in.audience);
        assert_eq!(from_file.purchases, built_in.purchases);
    }
}

#[test]
fn the_scenarios_differ_where_their_names_say() {
    let quiet = Scenario::load("quiet").unwrap();
    let rush = Scenario::load("rush-hour").unwrap();
    let chaos = Scenario::load("chaos").unwrap();
    // quiet spells out the defaults.
    let defaults = Scenario::parse("", "defaults", "defaults").unwrap();
    assert_eq!(quiet.audience, defaults.audience);
    assert_eq!(quiet.purchases, defaults.purchases);
    assert_eq!(quiet.churn, defaults.churn);
    assert_eq!(quiet.performer, defaults.performer);
    assert!(quiet.bursts.is_empty());
    // rush-hour has bursts.
    assert!(!rush.bursts.is_empty());
    assert!(rush.rate_factor_at(25_000) > 4.0 * rush.rate_factor_at(5_000));
    // chaos has leavers, disconnects, disputes, retries, key reuse, drops.
    assert!(chaos.churn.leave_before_turn.0 > 0.0);
    assert!(chaos.churn.disconnect.0 > 0.0);
    assert!(chaos.churn.dispute.0 > 0.0);
    assert!(chaos.purchases.timeout_retry.0 > quiet.purchases.timeout_retry.0);
    assert!(chaos.purchases.key_conflict.0 > 0.0);
    assert!(chaos.performer.broadcast_drop_every_s > 0.0);
}
