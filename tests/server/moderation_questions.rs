//! What docs/PROTOCOL.md ("Moderation") answers about moderation where a
//! client would otherwise have to guess: how the log names a token, how
//! many rows a ban writes, what a moderator sees of other rooms and of
//! switches, what `before` takes, the shape of a ban entry, the bounds of
//! a ban's expiry, and which code each kill switch gives a purchase, a spin
//! and a canonical intake.

use super::games_api::{WHEEL, call, spin};
use super::moderation::token;
use super::race_answers::shop;
use crate::support::*;
use cuedeck::domain::Source;
use cuedeck::domain::builder::PayloadBuilder;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn log(t: &TestServer, token: &str, query: &str) -> (StatusCode, Value) {
    call(
        t,
        token,
        Method::GET,
        &format!("/api/v1/moderation?{query}"),
        None,
        None,
    )
    .await
}

fn entries(page: &Value) -> &Vec<Value> {
    page["entries"].as_array().expect("entries")
}

async fn ban(t: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/rooms/{ROOM}/bans");
    call(t, token, Method::POST, &path, None, Some(body)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_names_tokens_by_hash_counts_rows_per_room_and_keeps_to_scope() {
    let t = TestServer::start().await;
    t.intake("u2", "waiting", 10).await;
    let both = token(&t, "moderator", &[ROOM, OTHER_ROOM], None).await;
    let (status, reply) = ban(
        &t,
        &both,
        json!({"user": "u2", "scope": "all", "reason": "spam"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(
        (&reply["rooms"], &reply["refunded"]),
        (&json!([ROOM, OTHER_ROOM]), &json!(1))
    );

    // One ban row per room, one refund row per refunded item.
    let (_, bans) = log(&t, ADMIN, "action=ban&target=u2").await;
    assert_eq!(entries(&bans).len(), 2, "{bans}");
    let (_, refunds) = log(&t, ADMIN, "action=refund&target=u2").await;
    assert_eq!(entries(&refunds).len(), 1, "{refunds}");
    // The token id: the first 8 hex digits of the token's SHA-256.
    let id = &hex::encode(Sha256::digest(both.as_bytes()))[..8];
    for row in entries(&bans).iter().chain(entries(&refunds)) {
        assert_eq!(row["by"], json!({"role": "moderator", "id": id}), "{row}");
    }

    // The ban entry's shape.
    let (_, list) = call(
        &t,
        ADMIN,
        Method::GET,
        &format!("/api/v1/rooms/{ROOM}/bans"),
        None,
        None,
    )
    .await;
    let entry = &list["bans"][0];
    let mut keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["at", "by", "reason", "user"], "{entry}");
    assert_eq!(
        (&entry["user"], &entry["reason"]),
        (&json!("u2"), &json!("spam"))
    );

    // A moderator of r1 only: r2 is forbidden, switch rows are not theirs.
    let (status, answer) = log(&t, &t.tokens.moderator, &format!("room={OTHER_ROOM}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["code"], "forbidden");
    for on in [true, false] {
        let (status, _) = call(
            &t,
            ADMIN,
            Method::PUT,
            "/api/v1/switches/purchases",
            None,
            Some(json!({"on": on})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, admin_sees) = log(&t, ADMIN, "action=switch").await;
    assert_eq!(entries(&admin_sees).len(), 2);
    let (status, moderator_sees) = log(&t, &t.tokens.moderator, "action=switch").await;
    assert_eq!(status, StatusCode::OK);
    assert!(entries(&moderator_sees).is_empty(), "{moderator_sees}");

    // `before`: rows with a smaller id; -1 is no error, just nothing.
    let (_, all) = log(&t, ADMIN, "").await;
    let newest = entries(&all)[0]["id"].as_i64().unwrap();
    let (_, older) = log(&t, ADMIN, &format!("before={newest}")).await;
    assert_eq!(entries(&older).len(), entries(&all).len() - 1);
    assert!(
        entries(&older)
            .iter()
            .all(|r| r["id"].as_i64().unwrap() < newest)
    );
    let (status, none) = log(&t, ADMIN, "before=-1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(entries(&none).is_empty(), "{none}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bans_expiry_has_bounds_and_a_past_one_is_refused() {
    let t = TestServer::start().await;
    let performer = t.tokens.performer.clone();
    let refused = [
        (json!({"expiresInSecs": 0}), "expiresInSecs"),
        (json!({"expiresInSecs": 315_360_001u64}), "expiresInSecs"),
        (json!({"expiresAt": 1}), "expiresAt"),
        (
            json!({"expiresAt": 4_102_444_800_000_000i64, "expiresInSecs": 60}),
            "expiresInSecs",
        ),
    ];
    for (expiry, field) in refused {
        let mut body = json!({"user": "u3", "reason": "spam"});
        body.as_object_mut()
            .unwrap()
            .extend(expiry.as_object().unwrap().clone());
        let (status, answer) = ban(&t, &performer, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(
            (&answer["code"], &answer["field"]),
            (&json!("invalid_field"), &json!(field))
        );
    }
    let (status, _) = ban(
        &t,
        &performer,
        json!({"user": "u3", "reason": "spam", "expiresInSecs": 315_360_000u64}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(
        &t,
        ADMIN,
        Method::GET,
        &format!("/api/v1/rooms/{ROOM}/bans"),
        None,
        None,
    )
    .await;
    assert!(list["bans"][0]["expiresAt"].as_i64().is_some(), "{list}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_switch_gives_purchases_spins_and_intakes_its_own_code() {
    let t = TestServer::start().await;
    let viewers = shop(&t).await;
    let switch = |name: &'static str, on: bool| {
        let t = &t;
        async move {
            let (status, body) = call(
                t,
                ADMIN,
                Method::PUT,
                &format!("/api/v1/switches/{name}"),
                None,
                Some(json!({"on": on})),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    let purchase = |key: &'static str| {
        let (t, token) = (&t, viewers[0].clone());
        async move {
            let path = format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase");
            call(t, &token, Method::POST, &path, Some(key), Some(json!({}))).await
        }
    };
    let canonical = |source: Source, key: &'static str| {
        let t = &t;
        async move {
            let body = PayloadBuilder::new(PERFORMER, "u2", key, 5)
                .source(source)
                .json();
            let path = format!("/api/v1/rooms/{ROOM}/intake");
            call(
                t,
                &t.tokens.integration,
                Method::POST,
                &path,
                Some(key),
                Some(body),
            )
            .await
        }
    };
    let code = |answer: &(StatusCode, Value)| answer.1["code"].as_str().unwrap_or("").to_string();

    // `intakes` first: on its own or with `purchases`.
    switch("intakes", true).await;
    assert_eq!(code(&purchase("p1").await), "kill_switch_intakes");
    assert_eq!(
        code(&spin(&t, &viewers[0], WHEEL, "s1", json!({"tier": 1})).await),
        "kill_switch_intakes"
    );
    switch("purchases", true).await;
    let answer = purchase("p2").await;
    assert_eq!(
        (answer.0, code(&answer)),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "kill_switch_intakes".into()
        )
    );
    switch("intakes", false).await;

    // `purchases` alone: purchases, spins and canonical purchase sources.
    assert_eq!(code(&purchase("p3").await), "kill_switch_purchases");
    assert_eq!(
        code(&spin(&t, &viewers[0], WHEEL, "s2", json!({"tier": 1})).await),
        "kill_switch_purchases"
    );
    for (source, key) in [
        (Source::ChipMenu, "c1"),
        (Source::SlotMachine, "c2"),
        (Source::SpinWheel, "c3"),
    ] {
        assert_eq!(
            code(&canonical(source, key).await),
            "kill_switch_purchases",
            "{source:?}"
        );
    }
    let (status, taken) = canonical(Source::Admin, "c4").await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    switch("purchases", false).await;
    assert_eq!(purchase("p4").await.0, StatusCode::OK);
    t.stop().await;
}
