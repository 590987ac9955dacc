//! The draw against its stated odds: 100,000 seeded spins per tier of
//! every shipped template, a chi-square test per tier, every visible prize
//! possible at every tier, hidden prizes never, and the expected rank
//! rising with the tier.

use cuedeck::games::{ClientSeed, Game, GameKind, PrizeSpec, ServerSeed, TierSpec, odds_table};

use super::games_chi_square::{p_value, statistic};
use super::games_config::templates;

const SPINS_PER_TIER: u64 = 100_000;

/// How often each prize (configuration order) came out at `tier`.
fn counts(game: &Game, tier: u8, seed: &ServerSeed, client: &ClientSeed) -> Vec<u64> {
    let mut counts = vec![0u64; game.config().prizes.len()];
    for nonce in 0..SPINS_PER_TIER {
        let draw = game.draw(seed, tier, client, nonce).unwrap();
        counts[draw.prize.index] += 1;
    }
    counts
}

fn check_game(name: &str, game: &Game, seed_byte: u8) {
    let seed = ServerSeed::from_bytes([seed_byte; 32]);
    let client = ClientSeed::new(&format!("chi-{name}")).unwrap();
    let odds = odds_table(game);
    let mut mean_ranks = Vec::new();
    for tier in &odds {
        let observed = counts(game, tier.tier, &seed, &client);
        let stated: Vec<f64> = tier.rows.iter().map(|r| r.percent / 100.0).collect();
        let (x, df) = statistic(&observed, &stated);
        let p = p_value(x, df);
        println!(
            "{name} tier {}: chi-square {x:.2}, {df} df, p = {p:.3}",
            tier.tier
        );
        assert!(
            p > 0.001,
            "{name} tier {}: chi-square {x:.2} with {df} df, p = {p:.2e}; counts {observed:?}",
            tier.tier
        );
        for (row, &count) in tier.rows.iter().zip(&observed) {
            if row.hidden {
                assert_eq!(count, 0, "{name}: hidden prize {} came out", row.id);
            } else {
                assert!(row.weight >= 1, "{name}: prize {} impossible", row.id);
                assert!(
                    count > 0,
                    "{name} tier {}: prize {} never came out",
                    tier.tier,
                    row.id
                );
            }
        }
        let ranks: u64 = tier
            .rows
            .iter()
            .zip(&observed)
            .map(|(row, &count)| u64::from(row.rank) * count)
            .sum();
        mean_ranks.push(ranks as f64 / SPINS_PER_TIER as f64);
    }
    for pair in odds.windows(2) {
        assert!(
            pair[1].expected_rank > pair[0].expected_rank,
            "{name}: expected rank {} at tier {} after {} at tier {}",
            pair[1].expected_rank,
            pair[1].tier,
            pair[0].expected_rank,
            pair[0].tier
        );
    }
    for pair in mean_ranks.windows(2) {
        assert!(pair[1] > pair[0], "{name}: mean ranks drawn {mean_ranks:?}");
    }
}

#[test]
fn every_template_draws_at_its_stated_odds() {
    for (i, (name, text)) in templates().into_iter().enumerate() {
        let game = Game::from_toml(text).unwrap();
        check_game(name, &game, i as u8 + 1);
    }
}

#[test]
fn hidden_prizes_never_come_out_and_the_rest_keep_their_odds() {
    let (_, text) = templates()[0];
    let mut config = Game::from_toml(text).unwrap().config().clone();
    // Hide the most and the least likely prize at tier 1.
    config.prizes[0].hidden = true;
    config.prizes[6].hidden = true;
    let game = Game::new(config).unwrap();
    check_game("slot_classic-two-hidden", &game, 42);
}

proptest::proptest! {
    /// The derived rule keeps its promises for any mix of ranks, hidden
    /// flags and tier counts: every weight at least 1, the expected rank
    /// rising, and only a single shared rank refused.
    #[test]
    fn derived_weights_always_rise_unless_one_rank_is_shared(
        wheel in proptest::bool::ANY,
        prizes in proptest::collection::vec((1u8..=10, proptest::bool::weighted(0.2)), 4..=10),
        tiers in 1usize..=3,
    ) {
        let config = cuedeck::games::GameConfig {
            game: if wheel { GameKind::SpinWheel } else { GameKind::SlotMachine },
            version: 1,
            cooldown_secs: None,
            theme: Default::default(),
            tiers: (1..=tiers as u64).map(|t| TierSpec { cost: 10 * t }).collect(),
            prizes: prizes
                .iter()
                .zip(1u32..)
                .map(|(&(rank, hidden), id)| PrizeSpec {
                    id,
                    title: format!("Prize {id}"),
                    description: String::new(),
                    rank,
                    hidden,
                    duration_hint_ms: None,
                    weights: None,
                    toy: None,
                })
                .collect(),
        };
        let visible: Vec<u8> = prizes.iter().filter(|p| !p.1).map(|p| p.0).collect();
        let one_rank = visible.windows(2).all(|w| w[0] == w[1]);
        let available = visible.len() >= config.game.min_visible();
        let result = Game::new(config);
        if tiers > 1 && available && one_rank {
            let err = result.unwrap_err();
            proptest::prop_assert!(err.field.starts_with("tiers["), "{err}");
        } else {
            let game = result.unwrap();
            let odds = odds_table(&game);
            for tier in &odds {
                for row in tier.rows.iter().filter(|r| !r.hidden) {
                    proptest::prop_assert!(row.weight >= 1);
                }
            }
            if available && !one_rank {
                for pair in odds.windows(2) {
                    proptest::prop_assert!(pair[1].expected_rank > pair[0].expected_rank);
                }
            }
        }
    }
}
