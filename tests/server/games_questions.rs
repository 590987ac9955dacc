//! What docs/PROTOCOL.md ("Slot machine and spin wheel") answers about the
//! games where a client would otherwise have to guess: a game never saved,
//! bad path segments, unknown templates, a save without `version`, the
//! shape of `odds` and of a revealed seed, a spin's mode, a retried spin's
//! `position` and `state`, and where `metadata.betTier` reads back.

use super::games_api::{WHEEL, call, fast_wheel, game_path, put_game, spin, viewer};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test(flavor = "multi_thread")]
async fn a_game_never_saved_and_bad_segments_answer_as_documented() {
    let t = TestServer::start().await;
    let v = viewer(&t, "u1").await;
    let performer = t.tokens.performer.clone();
    let slot = game_path("slot_machine");
    let unsaved: [(&str, Method, String, Option<Value>); 5] = [
        (&performer, Method::GET, slot.clone(), None),
        (&performer, Method::POST, format!("{slot}/rotate"), None),
        ("", Method::GET, format!("{slot}/fairness"), None),
        (&v, Method::GET, format!("{slot}/client-seed"), None),
        (
            &v,
            Method::POST,
            format!("{slot}/spin"),
            Some(json!({"tier": 1})),
        ),
    ];
    for (token, method, path, body) in unsaved {
        let (status, answer) = call(&t, token, method, &path, Some("k"), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {answer}");
        assert_eq!(answer["code"], "game_unavailable", "{path}: {answer}");
    }

    // An unknown template names `name` and lists the shipped ones.
    let (status, answer) = call(
        &t,
        &performer,
        Method::POST,
        &format!("{slot}/template"),
        None,
        Some(json!({"name": "no-such-template", "version": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        (&answer["code"], &answer["field"]),
        (&json!("invalid_field"), &json!("name"))
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("slot_lucky_four"),
        "{answer}"
    );

    // Bad `{game}` and `{switch}` segments name their parameter.
    let (status, answer) = call(
        &t,
        &performer,
        Method::GET,
        &game_path("roulette"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        (&answer["code"], &answer["field"]),
        (&json!("invalid_field"), &json!("game"))
    );
    let (status, answer) = call(
        &t,
        ADMIN,
        Method::PUT,
        "/api/v1/switches/galaxy",
        None,
        Some(json!({"on": true})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        (&answer["code"], &answer["field"]),
        (&json!("invalid_field"), &json!("switch"))
    );

    // `version` may be left out of the first save only.
    let mut unversioned = fast_wheel(0);
    unversioned.as_object_mut().unwrap().remove("version");
    let (status, saved) = put_game(&t, WHEEL, unversioned.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 1);
    let (status, answer) = put_game(&t, WHEEL, unversioned).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(
        (&answer["code"], &answer["field"]),
        (&json!("version_conflict"), &json!("version"))
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spin_is_queued_and_its_retry_says_where_it_entered_and_how_it_is_now() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let v = viewer(&t, "u1").await;
    t.intake("u2", "ahead", 10).await;
    let (status, first) = spin(&t, &v, WHEEL, "a", json!({"tier": 2})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (&first["mode"], &first["state"]),
        (&json!("queued"), &json!("queued"))
    );
    assert_eq!(first["position"], 2);

    // `metadata.betTier` reads back through the item's source event.
    let item = first["queueItem"].as_u64().unwrap();
    let (_, record) = call(
        &t,
        &t.tokens.performer,
        Method::GET,
        &format!("/api/v1/rooms/{ROOM}/items/{item}"),
        None,
        None,
    )
    .await;
    assert_eq!(record["view"]["sourceEventId"], first["spinId"], "{record}");
    let (status, receipt) = call(
        &t,
        "",
        Method::GET,
        &format!("/api/v1/spins/{}", first["spinId"].as_str().unwrap()),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["tier"], 2);

    // The intake ahead finishes, the spin goes on stage: a retry keeps
    // the position it entered at and says where it is now.
    let performer = t.client(&t.tokens.performer);
    performer.start(&ROOM.into(), None, "s1").await.unwrap();
    performer.finish(&ROOM.into(), None, "f1").await.unwrap();
    performer.start(&ROOM.into(), None, "s2").await.unwrap();
    let (status, again) = spin(&t, &v, WHEEL, "a", json!({"tier": 2})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (&again["position"], &again["state"]),
        (&json!(2), &json!("in_progress"))
    );
    assert_eq!(again["spinId"], first["spinId"]);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn odds_and_revealed_seeds_have_the_documented_shapes() {
    let t = TestServer::start().await;
    put_game(&t, WHEEL, fast_wheel(0)).await;
    let (status, game) = call(
        &t,
        &t.tokens.performer,
        Method::GET,
        &game_path(WHEEL),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{game}");
    let odds = game["odds"].as_array().unwrap();
    assert_eq!(odds.len(), 2, "one entry per tier");
    for (n, tier) in odds.iter().enumerate() {
        assert_eq!(
            keys(tier),
            ["cost", "expectedRank", "rows", "tier", "total"]
        );
        assert_eq!(tier["tier"], n + 1);
        let rows = tier["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 5, "every prize, hidden ones included");
        for row in rows {
            assert_eq!(
                keys(row),
                ["hidden", "id", "percent", "rank", "title", "weight"]
            );
        }
        let hidden = rows.iter().find(|r| r["hidden"] == true).unwrap();
        assert_eq!(
            (&hidden["weight"], hidden["percent"].as_f64()),
            (&json!(0), Some(0.0))
        );
        let total: u64 = rows.iter().map(|r| r["weight"].as_u64().unwrap()).sum();
        assert_eq!(tier["total"], total);
    }

    let (status, rotated) = call(
        &t,
        &t.tokens.performer,
        Method::POST,
        &format!("{}/rotate", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let shape = ["commitment", "committedAt", "revealedAt", "serverSeed"];
    assert_eq!(keys(&rotated["revealed"]), shape);
    let (_, fairness) = call(
        &t,
        "",
        Method::GET,
        &format!("{}/fairness", game_path(WHEEL)),
        None,
        None,
    )
    .await;
    assert_eq!(fairness["revealed"][0], rotated["revealed"]);
    assert_eq!(keys(&fairness["revealed"][0]), shape);
    t.stop().await;
}
