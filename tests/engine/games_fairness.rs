//! The provably fair draw end to end: the worked example of
//! docs/FAIRNESS.md recomputed from the page, receipts verified across a
//! rotation, and tampered receipts caught with the right reason.

use std::collections::BTreeMap;

use cuedeck::domain::RoomId;
use cuedeck::domain::time::Stamp;
use cuedeck::games::fairness::{acceptance_bound, block_words, message};
use cuedeck::games::weights::derived_weight;
use cuedeck::games::{ClientSeed, Game, Mismatch, Receipt, SeedState, ServerSeed, Verdict, verify};

const FAIRNESS_MD: &str = include_str!("../../docs/FAIRNESS.md");
const EXAMPLE_RECEIPT: &str = include_str!("../../docs/fairness-example-receipt.json");

/// The worked example's wheel: the table in docs/FAIRNESS.md, "Worked example".
const EXAMPLE_WHEEL: &str = r#"
game = "spin_wheel"
version = 1
tiers = [{ cost = 5 }, { cost = 20 }]
prizes = [
  { id = 1, title = "Smile", rank = 1, weights = [4, 1] },
  { id = 2, title = "Wink", rank = 3, weights = [3, 2] },
  { id = 3, title = "Dance", rank = 6, weights = [2, 3] },
  { id = 4, title = "Show", rank = 9, weights = [1, 4] },
  { id = 5, title = "Encore", rank = 10, hidden = true, weights = [1, 1] },
]
"#;

/// Every `name = value` line of the fenced blocks of the "Worked example"
/// section.
fn worked_example_lines() -> BTreeMap<String, String> {
    let section = FAIRNESS_MD
        .split("## Worked example")
        .nth(1)
        .expect("docs/FAIRNESS.md has a worked example");
    let mut lines = BTreeMap::new();
    let mut in_block = false;
    for line in section.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
        } else if in_block && let Some((name, value)) = line.split_once(" = ") {
            lines.insert(name.trim().to_string(), value.trim().to_string());
        }
    }
    lines
}

fn example_seed() -> ServerSeed {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = i as u8;
    }
    ServerSeed::from_bytes(bytes)
}

#[test]
fn the_worked_example_is_what_the_code_computes() {
    let doc = worked_example_lines();
    let mut expected = BTreeMap::new();
    let seed = example_seed();
    let game = Game::from_toml(EXAMPLE_WHEEL).unwrap();
    let alice = ClientSeed::new("alice").unwrap();
    expected.insert("server seed".to_string(), seed.to_hex());
    expected.insert("commitment".into(), seed.commitment());
    expected.insert("canonical config".into(), game.canonical_text().to_string());
    expected.insert("config hash".into(), game.config_hash().to_string());
    for (spin, nonce, tier) in [(1, 0u64, 1u8), (2, 1, 2)] {
        let draw = game.draw(&seed, tier, &alice, nonce).unwrap();
        let block = seed.block(&alice, nonce, 0);
        let first = block_words(&block, 0).next().unwrap();
        assert_eq!(draw.roll.words, [first], "spin {spin} needs one word");
        let mut put = |name: &str, value: String| {
            expected.insert(format!("spin {spin} {name}"), value);
        };
        put("message", message(&alice, nonce, 0));
        put("block", hex::encode(block));
        put("word", first.value.to_string());
        put("total", draw.total.to_string());
        put("bound", acceptance_bound(draw.total).to_string());
        put("value", draw.roll.value.to_string());
        put("prize", draw.prize.id.to_string());
    }
    assert_eq!(
        doc, expected,
        "docs/FAIRNESS.md's worked example is out of date"
    );
}

#[test]
fn the_derived_weight_table_in_the_doc_is_the_rule() {
    // Rows `| h = 0 | 100 | 81 | ...` of "Derived weights": tilt h is
    // tier h + 1 of a three-tier game.
    let mut rows = 0;
    for line in FAIRNESS_MD.lines() {
        let Some(rest) = line.strip_prefix("| h = ") else {
            continue;
        };
        let cells: Vec<u32> = rest
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| c.parse().unwrap())
            .collect();
        let tier = cells[0] as usize + 1;
        let rule: Vec<u32> = (1..=10).map(|rank| derived_weight(rank, tier, 3)).collect();
        assert_eq!(cells[1..], rule, "docs/FAIRNESS.md row h = {}", cells[0]);
        rows += 1;
    }
    assert_eq!(rows, 3);
}

#[test]
fn the_example_receipt_in_docs_is_spin_one_and_fair() {
    let seed = example_seed();
    let game = Game::from_toml(EXAMPLE_WHEEL).unwrap();
    let alice = ClientSeed::new("alice").unwrap();
    let draw = game.draw(&seed, 1, &alice, 0).unwrap();
    let mut receipt = draw.receipt(&game, &RoomId::from("demo"), "spin-1");
    receipt.server_seed = Some(seed.to_hex());
    let text = format!("{}\n", receipt.to_json_pretty());
    assert_eq!(
        EXAMPLE_RECEIPT, text,
        "docs/fairness-example-receipt.json should read:\n{text}"
    );
    let parsed = Receipt::from_json(EXAMPLE_RECEIPT).unwrap();
    assert_eq!(verify(&parsed, &seed), Verdict::Fair);
}

fn wheel() -> Game {
    Game::from_toml(include_str!("../../config/games/wheel_party.toml")).unwrap()
}

/// Receipts of spins by three viewers under one seed, then another seed.
fn spins_across_a_rotation() -> Vec<(Receipt, String)> {
    let game = wheel();
    let room = RoomId::from("r1");
    let mut seeds = SeedState::commit(ServerSeed::from_bytes([9; 32]), Stamp(0));
    let viewers = ["v1", "v2", "v3"].map(cuedeck::domain::UserId::from);
    let mut receipts = Vec::new();
    let mut spin = 0;
    for round in 0..2 {
        for i in 0..30 {
            let viewer = &viewers[i % 3];
            let client = ClientSeed::new(&format!("client-{viewer}")).unwrap();
            let nonce = seeds.take_nonce(viewer);
            let tier = (i % 3 + 1) as u8;
            let draw = game.draw(seeds.seed(), tier, &client, nonce).unwrap();
            spin += 1;
            receipts.push((draw.receipt(&game, &room, &format!("s{spin}")), round));
        }
        let next = ServerSeed::from_bytes([10 + round as u8; 32]);
        seeds.rotate(next, Stamp(1_000 * (round + 1)));
    }
    // Pair each receipt with the seed revealed for its commitment.
    receipts
        .into_iter()
        .map(|(receipt, round)| {
            let revealed = &seeds.revealed()[round as usize];
            assert_eq!(
                seeds.find_revealed(&receipt.server_seed_commitment),
                Some(revealed)
            );
            (receipt, revealed.server_seed.clone())
        })
        .collect()
}

#[test]
fn every_receipt_verifies_with_its_revealed_seed() {
    let spins = spins_across_a_rotation();
    assert_eq!(spins.len(), 60);
    for (receipt, seed_hex) in &spins {
        let seed = ServerSeed::from_hex(seed_hex).unwrap();
        assert_eq!(verify(receipt, &seed), Verdict::Fair, "{}", receipt.spin_id);
    }
    // Nonces restart at 0 under the new seed.
    let nonces: Vec<u64> = spins.iter().map(|(r, _)| r.nonce).collect();
    assert_eq!(nonces[..3], [0, 0, 0]);
    assert_eq!(nonces[30..33], [0, 0, 0]);
    assert_eq!(nonces[29], 9);
}

fn first_reason(receipt: &Receipt, seed: &ServerSeed) -> Mismatch {
    match verify(receipt, seed) {
        Verdict::Fair => panic!("a tampered receipt passed: {receipt:?}"),
        Verdict::Unfair(list) => list[0].clone(),
    }
}

#[test]
fn tampered_receipts_are_unfair_for_the_right_reason() {
    let spins = spins_across_a_rotation();
    let (receipt, seed_hex) = &spins[4];
    let seed = ServerSeed::from_hex(seed_hex).unwrap();

    let mut nonce = receipt.clone();
    nonce.nonce += 1;
    assert!(matches!(
        first_reason(&nonce, &seed),
        Mismatch::Words { .. }
    ));

    // The other round's seed does not match this receipt's commitment.
    let other = ServerSeed::from_hex(&spins[40].1).unwrap();
    assert!(matches!(
        first_reason(receipt, &other),
        Mismatch::Commitment { .. }
    ));

    let mut config = receipt.clone();
    config.canonical_config =
        config
            .canonical_config
            .replacen("\"weights\":[", "\"weights\":[9", 1);
    assert!(matches!(
        first_reason(&config, &seed),
        Mismatch::ConfigHash { .. }
    ));

    let mut hash = receipt.clone();
    hash.config_hash = "00".repeat(32);
    assert!(matches!(
        first_reason(&hash, &seed),
        Mismatch::ConfigHash { .. }
    ));

    let mut prize = receipt.clone();
    prize.prize.rank = prize.prize.rank % 10 + 1;
    let reasons = verify(&prize, &seed);
    assert_eq!(reasons.mismatches().len(), 1, "{reasons:?}");
    assert!(matches!(reasons.mismatches()[0], Mismatch::Prize { .. }));

    let mut cost = receipt.clone();
    cost.cost = 1;
    assert!(matches!(first_reason(&cost, &seed), Mismatch::Cost { .. }));

    let mut client = receipt.clone();
    client.client_seed.push('x');
    assert!(matches!(
        first_reason(&client, &seed),
        Mismatch::Words { .. }
    ));

    let mut value = receipt.clone();
    value.draw.value += 1;
    assert!(matches!(
        first_reason(&value, &seed),
        Mismatch::Value { .. }
    ));
}

#[test]
fn a_mismatch_says_what_differs() {
    let spins = spins_across_a_rotation();
    let (receipt, seed_hex) = &spins[0];
    let seed = ServerSeed::from_hex(seed_hex).unwrap();
    let mut prize = receipt.clone();
    prize.prize.title = "Anything".into();
    let text = first_reason(&prize, &seed).to_string();
    assert!(text.starts_with("prize: the receipt says #"), "{text}");
    assert!(text.contains("\"Anything\""), "{text}");
    let wrong = ServerSeed::from_bytes([0; 32]);
    let text = first_reason(receipt, &wrong).to_string();
    assert!(text.contains(&wrong.commitment()), "{text}");
    assert!(text.contains(&receipt.server_seed_commitment), "{text}");
}
