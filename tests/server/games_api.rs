//! The slot machine and the spin wheel over a real loopback server:
//! configuration with versions and refusals naming the field, the spin's
//! checks (live, cooldown under concurrency, idempotent retries, no client
//! prices), queued items that never change with the configuration, the
//! fairness round trip with rotation and tampering, and seeds, nonces and
//! cooldowns across a restart, with the ledger checked after each step.

use crate::support::*;
use cuedeck::domain::Stamp;
use cuedeck::games::api::{ClientSeedView, Fairness, GameView, Rotated, SpinResult};
use cuedeck::games::{GameKind, Receipt, ServerSeed, verify};
use cuedeck::protocol::CreateToken;
use cuedeck::server::ServerConfig;
use cuedeck::server::config::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

type Change = Box<dyn Fn(&mut Value)>;

const SLOT: &str = "slot_machine";
const WHEEL: &str = "spin_wheel";

async fn viewer(t: &TestServer, user: &str) -> String {
    t.client(ADMIN)
        .create_token(&CreateToken {
            role: "viewer".into(),
            room: None,
            rooms: vec![],
            user: Some(user.into()),
            expires_at: None,
        })
        .await
        .unwrap()
        .token
}

async fn call(
    t: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    t.client(token)
        .raw(
            method,
            path,
            key,
            body.map(|b| serde_json::to_vec(&b).unwrap()),
        )
        .await
        .unwrap()
}

fn game_path(game: &str) -> String {
    format!("/api/v1/rooms/{ROOM}/games/{game}")
}

async fn template(t: &TestServer, game: &str, name: &str, version: u64) -> GameView {
    let (status, body) = call(
        t,
        &t.tokens.performer,
        Method::POST,
        &format!("{}/template", game_path(game)),
        None,
        Some(json!({"name": name, "version": version})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

/// A wheel without a cooldown, so one viewer can spin again and again.
fn fast_wheel(version: u64) -> Value {
    json!({
        "game": WHEEL, "version": version, "cooldownSecs": 0,
        "tiers": [{"cost": 5}, {"cost": 20}],
        "prizes": [
            {"id": 1, "title": "Smile", "rank": 1},
            {"id": 2, "title": "Wink", "rank": 3},
            {"id": 3, "title": "Dance", "rank": 6},
            {"id": 4, "title": "Show", "rank": 9},
            {"id": 5, "title": "Encore", "rank": 10, "hidden": true}
        ]
    })
}

async fn put_game(t: &TestServer, game: &str, config: Value) -> (StatusCode, Value) {
    call(
        t,
        &t.tokens.performer,
        Method::PUT,
        &game_path(game),
        None,
        Some(config),
    )
    .await
}

async fn spin(
    t: &TestServer,
    token: &str,
    game: &str,
    key: &str,
    body: Value,
) -> (StatusCode, Value) {
    call(
        t,
        token,
        Method::POST,
        &format!("{}/spin", game_path(game)),
        Some(key),
        Some(body),
    )
    .await
}

async fn spun(t: &TestServer, token: &str, game: &str, key: &str, tier: u8) -> SpinResult {
    let (status, body) = spin(t, token, game, key, json!({"tier": tier})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn tokens_of(t: &TestServer, user: &str) -> u64 {
    t.client(ADMIN).balance(&user.into()).await.unwrap().tokens
}

/// Wallets + escrow + earned = minted (30,000 for u1..u3).
async fn assert_conserved(t: &TestServer) {
    let admin = t.client(ADMIN);
    let mut total = 0;
    for user in ["u1", "u2", "u3"] {
        total += admin.balance(&user.into()).await.unwrap().tokens;
    }
    for room in [ROOM, OTHER_ROOM] {
        let totals = admin.snapshot(&room.into()).await.unwrap().totals;
        total += totals.escrow + totals.earned;
    }
    assert_eq!(total, 30_000, "tokens are conserved");
}

async fn receipt(t: &TestServer, spin_id: &str) -> Receipt {
    let (status, body) = call(
        t,
        ADMIN,
        Method::GET,
        &format!("/api/v1/spins/{spin_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_performer_configures_games_with_versions_and_bad_configs_name_the_field() {
    let t = TestServer::start().await;
    let (status, body) = call(
        &t,
        &t.tokens.performer,
        Method::GET,
        &game_path(SLOT),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("game_unavailable"))
    );

    let v1 = template(&t, SLOT, "slot_classic", 0).await;
    assert_eq!(
        (v1.version, v1.game.as_str(), v1.available),
        (1, SLOT, true)
    );
    assert_eq!(v1.odds.len(), 3, "one odds table per tier");
    assert_eq!(v1.commitment.len(), 64);

    // A save based on version 0 again is a conflict that says what is current.
    let (status, body) = put_game(
        &t,
        SLOT,
        serde_json::to_value(&v1.config)
            .map(|mut c| {
                c["version"] = json!(0);
                c
            })
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "version_conflict");
    assert_eq!(body["field"], "version");
    assert_eq!(
        (
            body["yourVersion"].as_u64(),
            body["currentVersion"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(body["current"]["version"], 1);
    assert!(
        body["history"][0]["changedBy"]
            .as_str()
            .unwrap()
            .starts_with("performer:")
    );

    // Based on the current version, it saves as the next one.
    let mut config = serde_json::to_value(&v1.config).unwrap();
    config["prizes"][0]["title"] = json!("Blow two kisses");
    let (status, body) = put_game(&t, SLOT, config.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    assert_ne!(
        body["configHash"],
        json!(v1.config_hash),
        "every version has its hash"
    );

    let base = || {
        let mut c = config.clone();
        c["version"] = json!(2);
        c
    };
    let prize = |id: u64, rank: u64| json!({"id": id, "title": format!("P{id}"), "rank": rank});
    let cases: Vec<(&str, Change)> = vec![
        (
            "prizes",
            Box::new(move |c| c["prizes"] = json!([prize(1, 1), prize(2, 2), prize(3, 3)])),
        ),
        (
            "prizes",
            Box::new(move |c| {
                c["prizes"] = Value::Array((1..=11).map(|i| prize(i, (i % 10) + 1)).collect())
            }),
        ),
        (
            "prizes[0].rank",
            Box::new(|c| c["prizes"][0]["rank"] = json!(0)),
        ),
        (
            "prizes[0].rank",
            Box::new(|c| c["prizes"][0]["rank"] = json!(11)),
        ),
        (
            "prizes[0].weights[0]",
            Box::new(|c| {
                for p in c["prizes"].as_array_mut().unwrap() {
                    p["weights"] = json!([5, 6, 7]);
                }
                c["prizes"][0]["weights"] = json!([0, 6, 7]);
            }),
        ),
        (
            "prizes[0].weights[0]",
            Box::new(|c| {
                for p in c["prizes"].as_array_mut().unwrap() {
                    p["weights"] = json!([5, 6, 7]);
                }
                c["prizes"][0]["weights"] = json!([-3, 6, 7]);
            }),
        ),
        (
            "theme.primary",
            Box::new(|c| c["theme"]["primary"] = json!("#ffcc0")),
        ),
        (
            "theme.primary",
            Box::new(|c| c["theme"]["primary"] = json!("red")),
        ),
        (
            "tiers[0].cost",
            Box::new(|c| c["tiers"][0]["cost"] = json!(0)),
        ),
    ];
    for (field, change) in cases {
        let mut bad = base();
        change(&mut bad);
        let (status, body) = put_game(&t, SLOT, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["code"], "invalid_field", "{body}");
        assert_eq!(body["field"], field, "{body}");
    }
    let (_, now) = call(
        &t,
        &t.tokens.performer,
        Method::GET,
        &game_path(SLOT),
        None,
        None,
    )
    .await;
    assert_eq!(now["version"], 2, "no refused config was saved");

    // Viewers and other rooms' performers do not configure.
    let v = viewer(&t, "u1").await;
    let (status, _) = call(&t, &v, Method::PUT, &game_path(SLOT), None, Some(base())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &t,
        &t.tokens.other_performer,
        Method::POST,
        &format!("{}/rotate", game_path(SLOT)),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spin_charges_once_queues_its_prize_and_retries_answer_the_same() {
    let t = TestServer::start().await;
    let classic = template(&t, SLOT, "slot_classic", 0).await;
    let v = viewer(&t, "u1").await;

    // A price in the body, or no key, is refused before anything happens.
    for body in [
        json!({"tier": 1, "price": 1}),
        json!({"tier": 1, "tokenCost": 1}),
    ] {
        let (status, err) = spin(&t, &v, SLOT, "k0", body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("forbidden_field")),
            "{err}"
        );
        assert!(err["field"].is_string());
    }
    let (status, err) = call(
        &t,
        &v,
        Method::POST,
        &format!("{}/spin", game_path(SLOT)),
        None,
        Some(json!({"tier": 1})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("missing_idempotency_key")
        )
    );
    let (status, err) = spin(&t, &v, SLOT, "k0", json!({"tier": 4})).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("tier"))
    );
    let (status, _) = spin(&t, &t.tokens.performer, SLOT, "k0", json!({"tier": 1})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only viewers spin");
    assert_eq!(tokens_of(&t, "u1").await, 10_000);

    let first = spun(&t, &v, SLOT, "k1", 2).await;
    assert_eq!((first.tier, first.cost), (2, 25));
    assert_eq!(first.receipt.nonce, 0);
    assert_eq!(first.receipt.server_seed_commitment, classic.commitment);
    assert!(
        first.receipt.server_seed.is_none(),
        "the seed stays secret until rotated"
    );
    assert_eq!(tokens_of(&t, "u1").await, 10_000 - 25);
    assert_conserved(&t).await;

    // The queue item is the prize, with its rank, linked to the spin.
    let item = t
        .client(ADMIN)
        .audit(&ROOM.into(), first.queue_item)
        .await
        .unwrap();
    assert_eq!(item.view.source.as_str(), SLOT);
    assert_eq!(&*item.view.source_event_id, first.spin_id.as_str());
    assert_eq!(item.view.action.rank, Some(first.prize.rank));
    assert_eq!(&*item.view.action.title, first.prize.title.as_str());
    assert_eq!(item.view.token_cost, 25);

    // A retry answers the same; the same key at another tier is a conflict.
    let again = spun(&t, &v, SLOT, "k1", 2).await;
    assert_eq!(again, first);
    let (status, err) = spin(&t, &v, SLOT, "k1", json!({"tier": 3})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("idempotency_conflict"))
    );
    assert_eq!(tokens_of(&t, "u1").await, 10_000 - 25);

    // Inside the cooldown a new spin is refused and charges nothing.
    let (status, err) = spin(&t, &v, SLOT, "k2", json!({"tier": 1})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("cooldown")),
        "{err}"
    );
    assert_eq!(tokens_of(&t, "u1").await, 10_000 - 25);
    assert_conserved(&t).await;

    // Another viewer is not held back by u1's cooldown.
    let u2 = viewer(&t, "u2").await;
    assert_eq!(spun(&t, &u2, SLOT, "k1", 1).await.receipt.nonce, 0);
    assert_conserved(&t).await;

    // Not live: refused.
    t.client(ADMIN)
        .broadcast(&ROOM.into(), false)
        .await
        .unwrap();
    let u3 = viewer(&t, "u3").await;
    let (status, err) = spin(&t, &u3, SLOT, "k1", json!({"tier": 1})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_live"))
    );
    let (status, err) = spin(&t, &u3, WHEEL, "k1", json!({"tier": 1})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_live"))
    );
    t.client(ADMIN).broadcast(&ROOM.into(), true).await.unwrap();
    let (status, err) = spin(&t, &u3, WHEEL, "k1", json!({"tier": 1})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("game_unavailable")),
        "no wheel yet"
    );
    assert_conserved(&t).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_spins_inside_the_cooldown_charge_exactly_once() {
    let t = TestServer::start().await;
    template(&t, SLOT, "slot_classic", 0).await;
    template(&t, WHEEL, "wheel_party", 0).await;
    let v = viewer(&t, "u2").await;
    for game in [SLOT, WHEEL] {
        let before = tokens_of(&t, "u2").await;
        let spins = (0..12).map(|i| {
            let (t, v) = (&t, v.clone());
            async move { spin(t, &v, game, &format!("{game}-c{i}"), json!({"tier": 1})).await }
        });
        let results = futures_util::future::join_all(spins).await;
        let ok: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .map(|(_, b)| b)
            .collect();
        let cooling = results
            .iter()
            .filter(|(_, b)| b["code"] == "cooldown")
            .count();
        assert_eq!((ok.len(), cooling), (1, 11), "{game}: {results:?}");
        let cost = ok[0]["cost"].as_u64().unwrap();
        assert_eq!(
            tokens_of(&t, "u2").await,
            before - cost,
            "{game}: charged once"
        );
        assert_conserved(&t).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_change_never_alters_a_queued_spin() {
    let t = TestServer::start().await;
    let (status, body) = put_game(&t, WHEEL, fast_wheel(0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v = viewer(&t, "u1").await;
    let first = spun(&t, &v, WHEEL, "a", 2).await;
    let before = t
        .client(ADMIN)
        .audit(&ROOM.into(), first.queue_item)
        .await
        .unwrap();

    let mut changed = fast_wheel(1);
    for p in changed["prizes"].as_array_mut().unwrap() {
        p["title"] = json!(format!("{} (new)", p["title"].as_str().unwrap()));
    }
    changed["tiers"] = json!([{"cost": 7}, {"cost": 30}]);
    let (status, body) = put_game(&t, WHEEL, changed).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let after = t
        .client(ADMIN)
        .audit(&ROOM.into(), first.queue_item)
        .await
        .unwrap();
    assert_eq!(
        after.view, before.view,
        "the queued item is as it was taken in"
    );
    assert_eq!(after.view.token_cost, 20);
    // Its receipt still names the configuration it was drawn under.
    let kept = receipt(&t, &first.spin_id).await;
    assert_eq!(kept.canonical_config, first.receipt.canonical_config);
    assert_eq!(kept.prize.title, first.prize.title);
    // New spins use the new prices.
    let second = spun(&t, &v, WHEEL, "b", 2).await;
    assert_eq!(second.cost, 30);
    assert!(second.prize.title.ends_with("(new)"));
    assert_conserved(&t).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_spin_verifies_after_rotation_and_a_tampered_one_does_not() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let viewers = [
        viewer(&t, "u1").await,
        viewer(&t, "u2").await,
        viewer(&t, "u3").await,
    ];
    let (status, _) = call(
        &t,
        &viewers[0],
        Method::PUT,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        Some(json!({"clientSeed": "alice"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = call(
        &t,
        &viewers[0],
        Method::PUT,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        Some(json!({"clientSeed": "a:b"})),
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("clientSeed"))
    );

    let mut spins = Vec::new();
    for round in 0..4 {
        for (i, v) in viewers.iter().enumerate() {
            let s = spun(&t, v, WHEEL, &format!("r{round}"), 1 + (round % 2) as u8).await;
            assert_eq!(
                s.receipt.nonce, round as u64,
                "nonces count each viewer's spins"
            );
            if i == 0 {
                assert_eq!(s.receipt.client_seed, "alice");
            }
            spins.push(s);
        }
    }
    // Before rotation, the fairness page shows the commitment, no seed.
    let (_, fair) = call(
        &t,
        ADMIN,
        Method::GET,
        &format!("{}/fairness", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let fair: Fairness = serde_json::from_value(fair).unwrap();
    assert!(fair.revealed.is_empty());
    assert_eq!(fair.commitment, spins[0].receipt.server_seed_commitment);
    assert!(receipt(&t, &spins[0].spin_id).await.server_seed.is_none());

    let (status, body) = call(
        &t,
        &t.tokens.performer,
        Method::POST,
        &format!("{}/rotate", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated: Rotated = serde_json::from_value(body).unwrap();
    assert_eq!(rotated.revealed.commitment, fair.commitment);
    assert_ne!(rotated.commitment, fair.commitment);

    for s in &spins {
        let r = receipt(&t, &s.spin_id).await;
        let seed = ServerSeed::from_hex(r.server_seed.as_deref().expect("revealed")).unwrap();
        assert!(verify(&r, &seed).is_fair(), "{}", s.spin_id);
        let mut nonce = r.clone();
        nonce.nonce += 1;
        assert!(
            !verify(&nonce, &seed).is_fair(),
            "a changed nonce is caught"
        );
        let mut config = r.clone();
        config.canonical_config = config.canonical_config.replace("Smile", "Smiles");
        assert!(
            !verify(&config, &seed).is_fair(),
            "a changed config is caught"
        );
        let other = ServerSeed::from_bytes([7; 32]);
        assert!(!verify(&r, &other).is_fair(), "another seed is caught");
    }
    // The next spin is under the new seed, from nonce 0.
    let next = spun(&t, &viewers[0], WHEEL, "after", 1).await;
    assert_eq!(
        (
            next.receipt.nonce,
            next.receipt.server_seed_commitment.as_str()
        ),
        (0, rotated.commitment.as_str())
    );

    // The public page needs no token and keeps every revealed seed.
    let http = reqwest::Client::new();
    let url = t.url().http(&format!("{}/fairness", game_path(WHEEL)));
    let fair: Fairness = http.get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(fair.revealed.len(), 1);
    assert_eq!(fair.revealed[0], rotated.revealed);
    assert_conserved(&t).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_nonces_cooldowns_and_client_seeds_survive_a_restart() {
    let clock = Clock::default();
    let mut t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    template(&t, SLOT, "slot_lucky_four", 0).await;
    let v = viewer(&t, "u1").await;
    call(
        &t,
        &v,
        Method::PUT,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        Some(json!({"clientSeed": "mine"})),
    )
    .await;
    let a = spun(&t, &v, WHEEL, "a", 1).await;
    let b = spun(&t, &v, WHEEL, "b", 2).await;
    let slot = spun(&t, &v, SLOT, "s", 1).await;
    assert_eq!((a.receipt.nonce, b.receipt.nonce), (0, 1));

    t.restart().await;
    let (_, seed) = call(
        &t,
        &v,
        Method::GET,
        &format!("{}/client-seed", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let seed: ClientSeedView = serde_json::from_value(seed).unwrap();
    assert_eq!((seed.client_seed.as_str(), seed.next_nonce), ("mine", 2));
    assert_eq!(seed.commitment, a.receipt.server_seed_commitment);
    let c = spun(&t, &v, WHEEL, "c", 1).await;
    assert_eq!(c.receipt.nonce, 2, "the nonce goes on after the restart");
    assert_eq!(
        spun(&t, &v, WHEEL, "a", 1).await,
        a,
        "a retry still answers the same"
    );
    let (status, _) = spin(&t, &v, SLOT, "s2", json!({"tier": 1})).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the slot's cooldown survives too"
    );
    assert_eq!(receipt(&t, &slot.spin_id).await.nonce, 0);

    // Two minutes after the last spin the slot takes a spin again.
    clock.set(Stamp(Stamp::now().0 + 121_000_000));
    let again = spun(&t, &v, SLOT, "s3", 1).await;
    assert_eq!(again.receipt.nonce, 1);

    // Ending the broadcast rotates both games' seeds.
    t.client(ADMIN)
        .broadcast(&ROOM.into(), false)
        .await
        .unwrap();
    let mut revealed = Vec::new();
    for _ in 0..200 {
        let (_, fair) = call(
            &t,
            ADMIN,
            Method::GET,
            &format!("{}/fairness", game_path(WHEEL)),
            None,
            None,
        )
        .await;
        let fair: Fairness = serde_json::from_value(fair).unwrap();
        if !fair.revealed.is_empty() {
            revealed = fair.revealed;
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(revealed.len(), 1, "rotated at broadcast end");
    assert_eq!(revealed[0].commitment, a.receipt.server_seed_commitment);
    t.restart().await;
    let r = receipt(&t, &a.spin_id).await;
    let seed = ServerSeed::from_hex(r.server_seed.as_deref().unwrap()).unwrap();
    assert!(verify(&r, &seed).is_fair());
    assert_conserved(&t).await;
}

/// A spin the engine refuses (no funds) keeps nothing: no receipt and no
/// nonce used, before and after a restart (which rebuilds nonces from the
/// stored spins).
#[tokio::test(flavor = "multi_thread")]
async fn a_spin_refused_for_funds_keeps_no_record() {
    let mut t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let broke = viewer(&t, "u9").await;
    let (status, err) = spin(&t, &broke, WHEEL, "no-funds", json!({"tier": 1})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYMENT_REQUIRED, Some("insufficient_funds")),
        "{err}"
    );
    let (room, user) = (ROOM.into(), "u9".into());
    let key = cuedeck::games::spin::viewer_key(&room, &user, &"no-funds".into());
    let spin_id = cuedeck::games::spin::spin_id(&room, GameKind::SpinWheel, &user, &key, 1);
    assert_eq!(
        stored_spin(&t, &broke, &spin_id).await,
        (0, StatusCode::NOT_FOUND)
    );
    t.restart().await;
    assert_eq!(
        stored_spin(&t, &broke, &spin_id).await,
        (0, StatusCode::NOT_FOUND),
        "nothing of the refused spin was stored"
    );
    // A charged spin keeps its record through a restart.
    let u1 = viewer(&t, "u1").await;
    let paid = spun(&t, &u1, WHEEL, "paid", 1).await;
    t.restart().await;
    assert_eq!(receipt(&t, &paid.spin_id).await, paid.receipt);
    assert_eq!(stored_spin(&t, &u1, &paid.spin_id).await.0, 1);
    assert_conserved(&t).await;
}

/// The viewer's next wheel nonce, and the status of `GET /spins/{spin_id}`.
async fn stored_spin(t: &TestServer, token: &str, spin_id: &str) -> (u64, StatusCode) {
    let path = format!("{}/client-seed", game_path(WHEEL));
    let (_, seed) = call(t, token, Method::GET, &path, None, None).await;
    let seed: ClientSeedView = serde_json::from_value(seed).unwrap();
    let path = format!("/api/v1/spins/{spin_id}");
    let (status, _) = call(t, ADMIN, Method::GET, &path, None, None).await;
    (seed.next_nonce, status)
}

/// `cuedeck verify --server URL SPINID`, the real binary: not revealed yet
/// (2), fair after the rotation (0).
#[tokio::test(flavor = "multi_thread")]
async fn cuedeck_verify_fetches_a_spin_from_the_server() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let v = viewer(&t, "u1").await;
    let s = spun(&t, &v, WHEEL, "v", 2).await;
    let url = t.url().http("");
    let verify_cli = |url: String, spin: String| async move {
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_cuedeck"))
                .args(["verify", "--server", &url, &spin])
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .await
        .unwrap()
    };
    let (code, _, err) = verify_cli(url.clone(), s.spin_id.clone()).await;
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not revealed yet"), "{err}");
    call(
        &t,
        &t.tokens.performer,
        Method::POST,
        &format!("{}/rotate", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    let (code, out, err) = verify_cli(url.clone(), s.spin_id.clone()).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("fair: spin "), "{out}");
    let (code, _, err) = verify_cli(url, "wheel-unknown".into()).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown_spin"), "{err}");
}
