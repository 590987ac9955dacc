//! Loyalty points over a real loopback socket: award limits at each
//! boundary, adjustments that wait for a second admin, locks that refuse
//! and expire, earn events that enter once; a restart after each rebuilds
//! the same balances.

use crate::support::*;
use cuedeck::client::RestClient;
use cuedeck::domain::points::{AwardLimits, PointsConfig};
use cuedeck::domain::time::Clock;
use cuedeck::domain::{Stamp, Tier};
use cuedeck::server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn call(client: &RestClient, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
    let body = (!body.is_null()).then(|| serde_json::to_vec(&body).unwrap());
    client.raw(method, path, None, body).await.unwrap()
}

async fn ok(client: &RestClient, method: Method, path: &str, body: Value) -> Value {
    let (status, answer) = call(client, method, path, body).await;
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    answer
}

async fn token(t: &TestServer, spec: Value) -> String {
    let admin = t.client(ADMIN);
    ok(&admin, Method::POST, "/api/v1/tokens", spec).await["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn points(t: &TestServer, user: &str) -> u64 {
    let path = format!("/api/v1/points/balance/{user}");
    ok(&t.client(ADMIN), Method::GET, &path, Value::Null).await["balance"]
        .as_u64()
        .unwrap()
}

async fn balances(t: &TestServer) -> Vec<u64> {
    let mut all = Vec::new();
    for user in ["u1", "u2", "u3"] {
        all.push(points(t, user).await);
    }
    all
}

/// 01:00 UTC of a fixed day, so the hour and the day are the test's.
const DAY_START: i64 = 1_893_456_000 * 1_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn each_award_limit_refuses_at_its_boundary_by_name() {
    let clock = Clock::default();
    clock.set(Stamp(DAY_START + 3_600_000_000));
    let config = ServerConfig {
        clock: clock.clone(),
        points: PointsConfig {
            awards: AwardLimits {
                per_viewer: 100,
                per_broadcast: 250,
                per_hour: 200,
                per_day: 240,
                velocity_count: 2,
                velocity_window_secs: 60,
            },
            ..PointsConfig::default()
        },
        ..ServerConfig::default()
    };
    let mut t = TestServer::start_with(config).await;
    let admin = t.client(ADMIN);
    for user in ["u1", "u2", "u3"] {
        let viewer = token(&t, json!({"role": "viewer", "user": user})).await;
        t.client(&viewer)
            .join(&ROOM.into(), Tier::default())
            .await
            .unwrap();
    }
    let body = json!({"performer": PERFORMER, "amount": 10_000});
    ok(&admin, Method::POST, "/api/v1/points/allowances", body).await;
    let performer = t.client(&t.tokens.performer);
    let awards = format!("/api/v1/rooms/{ROOM}/points/awards");
    let award = |user: &str, amount: u64| json!({"user": user, "amount": amount, "note": "thanks"});
    let refused = |answer: &Value, limit: &str, left: u64| {
        assert_eq!(answer["code"], "award_limit", "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains(limit) && message.contains(&format!("leaves {left} points")),
            "{message}"
        );
    };

    let left = ok(
        &performer,
        Method::GET,
        &format!("{awards}/u1/left"),
        Value::Null,
    )
    .await;
    assert_eq!(left["most"], 100, "{left}");
    let (status, answer) = call(&performer, Method::POST, &awards, award("u1", 101)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    refused(&answer, "per_viewer", 100);
    ok(&performer, Method::POST, &awards, award("u1", 100)).await;
    let (_, answer) = call(&performer, Method::POST, &awards, award("u1", 1)).await;
    refused(&answer, "per_viewer", 0);

    // Velocity: the third award to one viewer within a minute.
    ok(&performer, Method::POST, &awards, award("u2", 30)).await;
    ok(&performer, Method::POST, &awards, award("u2", 30)).await;
    let (_, answer) = call(&performer, Method::POST, &awards, award("u2", 1)).await;
    refused(&answer, "velocity", 0);

    // The hour: 160 awarded of 200.
    clock.set(Stamp(DAY_START + 3_661_000_000));
    let (_, answer) = call(&performer, Method::POST, &awards, award("u3", 41)).await;
    refused(&answer, "per_hour", 40);
    ok(&performer, Method::POST, &awards, award("u3", 40)).await;

    // An hour on: the day has 40 left of 240.
    clock.set(Stamp(DAY_START + 7_300_000_000));
    let (_, answer) = call(&performer, Method::POST, &awards, award("u3", 41)).await;
    refused(&answer, "per_day", 40);
    ok(&performer, Method::POST, &awards, award("u3", 40)).await;

    // The next day: the broadcast has 10 left of 250.
    clock.set(Stamp(DAY_START + 90_000_000_000));
    let (_, answer) = call(&performer, Method::POST, &awards, award("u2", 11)).await;
    refused(&answer, "per_broadcast", 10);
    ok(&performer, Method::POST, &awards, award("u2", 10)).await;
    // A new broadcast starts the per-broadcast and per-viewer counts again.
    admin.broadcast(&ROOM.into(), false).await.unwrap();
    admin.broadcast(&ROOM.into(), true).await.unwrap();
    ok(&performer, Method::POST, &awards, award("u1", 100)).await;

    let before = balances(&t).await;
    assert_eq!(before, vec![200, 70, 80]);
    let history = ok(&performer, Method::GET, &awards, Value::Null).await;
    assert_eq!(history["entries"].as_array().unwrap().len(), 7, "{history}");
    t.restart().await;
    assert_eq!(balances(&t).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_adjustment_above_the_threshold_waits_for_a_second_admin() {
    let mut t = TestServer::start().await;
    let first = t.client(ADMIN);
    let second_token = token(&t, json!({"role": "admin"})).await;
    let second = t.client(&second_token);
    let path = "/api/v1/points/adjustments";
    let adjust = |amount: i64| json!({"user": "u1", "amount": amount, "reason": "service_credit", "ticket": "CS-7"});

    let small = ok(&first, Method::POST, path, adjust(1000)).await;
    assert_eq!(small["adjustment"]["state"], "applied");
    let big = ok(&first, Method::POST, path, adjust(1001)).await;
    assert_eq!(big["adjustment"]["state"], "pending");
    assert_eq!(points(&t, "u1").await, 1000, "nothing moves while pending");
    let id = big["adjustment"]["id"].as_u64().unwrap();
    let (status, answer) = call(
        &first,
        Method::POST,
        &format!("{path}/{id}/approve"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("self_approval"))
    );
    assert_eq!(points(&t, "u1").await, 1000);
    let approved = ok(
        &second,
        Method::POST,
        &format!("{path}/{id}/approve"),
        Value::Null,
    )
    .await;
    assert_eq!(approved["adjustment"]["state"], "applied");
    assert_eq!(points(&t, "u1").await, 2001);
    let (_, again) = call(
        &second,
        Method::POST,
        &format!("{path}/{id}/approve"),
        Value::Null,
    )
    .await;
    assert_eq!(again["code"], "adjustment_decided");

    let down = ok(&first, Method::POST, path, adjust(-1500)).await;
    let id = down["adjustment"]["id"].as_u64().unwrap();
    ok(
        &second,
        Method::POST,
        &format!("{path}/{id}/reject"),
        Value::Null,
    )
    .await;
    assert_eq!(
        points(&t, "u1").await,
        2001,
        "a rejected adjustment moves nothing"
    );
    let list = ok(&first, Method::GET, path, Value::Null).await;
    let states: Vec<&str> = list["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "applied", "rejected"]);

    let (status, answer) = call(
        &first,
        Method::POST,
        path,
        json!({"user": "u1", "amount": 5, "reason": "whim", "ticket": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "reason", "{answer}");

    t.restart().await;
    assert_eq!(points(&t, "u1").await, 2001);
    assert_eq!(ok(&first, Method::GET, path, Value::Null).await, list);
}

#[tokio::test(flavor = "multi_thread")]
async fn locks_refuse_by_name_expire_and_are_audited() {
    let clock = Clock::default();
    let mut t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    let admin = t.client(ADMIN);
    let integration = t.client(&t.tokens.integration);
    let earn = |event: &str| json!({"user": "u1", "amount": 10, "sourceEventId": event, "reason": "watch_time"});
    let lock = json!({"user": "u1", "lock": "full", "reason": "fraud", "expiresInSecs": 60});
    ok(&admin, Method::POST, "/api/v1/points/locks", lock).await;
    let (status, answer) = call(
        &integration,
        Method::POST,
        "/api/v1/points/earn",
        earn("e1"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["code"], "points_locked");
    assert!(
        answer["message"].as_str().unwrap().contains("full"),
        "{answer}"
    );
    let balance = ok(
        &admin,
        Method::GET,
        "/api/v1/points/balance/u1",
        Value::Null,
    )
    .await;
    assert_eq!(balance["locks"][0]["kind"], "full");

    clock.set(clock.now().plus_millis(61_000));
    ok(
        &integration,
        Method::POST,
        "/api/v1/points/earn",
        earn("e1"),
    )
    .await;
    // The same source event again: its first answer, nothing more.
    let again = ok(
        &integration,
        Method::POST,
        "/api/v1/points/earn",
        earn("e1"),
    )
    .await;
    assert_eq!(again["balance"], 10);
    assert_eq!(points(&t, "u1").await, 10);

    let lock = json!({"user": "u1", "lock": "award", "reason": "abuse"});
    ok(&admin, Method::POST, "/api/v1/points/locks", lock).await;
    ok(
        &admin,
        Method::DELETE,
        "/api/v1/points/locks/u1/award",
        Value::Null,
    )
    .await;
    let (_, answer) = call(
        &admin,
        Method::DELETE,
        "/api/v1/points/locks/u1/award",
        Value::Null,
    )
    .await;
    assert_eq!(answer["code"], "not_locked");
    let log = ok(
        &admin,
        Method::GET,
        "/api/v1/moderation?target=u1",
        Value::Null,
    )
    .await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["points_unlock", "points_lock", "points_lock"]);

    t.restart().await;
    assert_eq!(points(&t, "u1").await, 10);
    let csv = admin
        .raw(
            Method::GET,
            "/api/v1/points/transactions?format=csv",
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(csv.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_earn_event_enters_once_even_after_the_engine_let_it_go() {
    let clock = Clock::default();
    let mut t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    let integration = t.client(&t.tokens.integration);
    let earn = |amount: u64| json!({"user": "u2", "amount": amount, "sourceEventId": "old-1", "reason": "signup"});
    let first = ok(&integration, Method::POST, "/api/v1/points/earn", earn(15)).await;
    // Two days on: past the engine's retention window, and across a restart.
    clock.set(clock.now().plus_millis(2 * 86_400_000));
    t.restart().await;
    let integration = t.client(&t.tokens.integration);
    let again = ok(&integration, Method::POST, "/api/v1/points/earn", earn(15)).await;
    assert_eq!(again, first, "the first answer, from the store");
    let (status, answer) = call(&integration, Method::POST, "/api/v1/points/earn", earn(16)).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_source_event"))
    );
    assert_eq!(points(&t, "u2").await, 15);
}
