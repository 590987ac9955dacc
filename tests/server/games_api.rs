//! The slot machine and the spin wheel over a real loopback server:
//! configuration with versions and refusals naming the field, the spin's
//! checks (live, cooldown under concurrency, idempotent retries, no client
//! prices) and queued items that never change with the configuration, with
//! the ledger checked after each step. The helpers serve games_fairness too.

use crate::support::*;
use cuedeck::games::Receipt;
use cuedeck::games::api::{GameView, SpinResult};
use cuedeck::protocol::CreateToken;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

type Change = Box<dyn Fn(&mut Value)>;

pub(super) const SLOT: &str = "slot_machine";
pub(super) const WHEEL: &str = "spin_wheel";

pub(super) async fn viewer(t: &TestServer, user: &str) -> String {
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

pub(super) async fn call(
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

pub(super) fn game_path(game: &str) -> String {
    format!("/api/v1/rooms/{ROOM}/games/{game}")
}

pub(super) async fn template(t: &TestServer, game: &str, name: &str, version: u64) -> GameView {
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
pub(super) fn fast_wheel(version: u64) -> Value {
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

pub(super) async fn put_game(t: &TestServer, game: &str, config: Value) -> (StatusCode, Value) {
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

pub(super) async fn spin(
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

pub(super) async fn spun(
    t: &TestServer,
    token: &str,
    game: &str,
    key: &str,
    tier: u8,
) -> SpinResult {
    let (status, body) = spin(t, token, game, key, json!({"tier": tier})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

pub(super) async fn tokens_of(t: &TestServer, user: &str) -> u64 {
    t.client(ADMIN).balance(&user.into()).await.unwrap().tokens
}

/// Wallets + escrow + earned = minted (30,000 for u1..u3).
pub(super) async fn assert_conserved(t: &TestServer) {
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

pub(super) async fn receipt(t: &TestServer, spin_id: &str) -> Receipt {
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
