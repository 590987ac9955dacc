//! Paying for a menu item in loyalty points over a real loopback socket:
//! concurrent purchases from one balance never overdraw it, the points are
//! held like tokens, burned on finish, back on refund, and a restart
//! rebuilds the same balance.

use crate::support::*;
use cuedeck::client::{RestClient, RoomStream, StreamEvent, StreamOptions};
use cuedeck::domain::EventKind;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn call(
    client: &RestClient,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let body = (!body.is_null()).then(|| serde_json::to_vec(&body).unwrap());
    client.raw(method, path, key, body).await.unwrap()
}

async fn points(t: &TestServer, user: &str) -> u64 {
    let path = format!("/api/v1/points/balance/{user}");
    let (_, answer) = call(&t.client(ADMIN), Method::GET, &path, None, Value::Null).await;
    answer["balance"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_redeems_never_overdraw_and_points_burn_or_come_back() {
    let mut t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    let menu = json!({"name": "Rewards", "queueMode": "on", "items": [
        {"title": "Song", "baseTokens": 10, "pointsPrice": 30}]});
    let (status, made) = call(
        &performer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/menus"),
        None,
        menu,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let item = made["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(made["items"][0]["pointsPrice"], 30, "{made}");
    let earn =
        json!({"user": "u1", "amount": 100, "sourceEventId": "signup-u1", "reason": "signup"});
    let integration = t.client(&t.tokens.integration);
    let (status, _) = call(
        &integration,
        Method::POST,
        "/api/v1/points/earn",
        None,
        earn,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tokens_before = t.client(ADMIN).balance(&"u1".into()).await.unwrap().tokens;

    let purchase = format!("/api/v1/rooms/{ROOM}/menus/m1/items/{item}/purchase");
    let mut stream = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        ROOM.into(),
        None,
        StreamOptions::default(),
    );
    // Subscribed before anything is bought, so no announcement is missed.
    loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
            .await
            .expect("subscribed in time")
            .expect("stream open");
        if matches!(event, StreamEvent::Snapshot(_)) {
            break;
        }
    }
    let mut tasks = Vec::new();
    for n in 0..10 {
        let viewer = t.client(&t.tokens.viewer);
        let path = purchase.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("redeem-{n}");
            call(
                &viewer,
                Method::POST,
                &path,
                Some(&key),
                json!({"payWith": "points"}),
            )
            .await
        }));
    }
    let mut items = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (status, answer) = task.await.unwrap();
        match status {
            StatusCode::OK => {
                assert_eq!(
                    (answer["price"].as_u64(), answer["pointsPrice"].as_u64()),
                    (Some(0), Some(30)),
                    "{answer}"
                );
                items.push(answer["queueItem"].as_u64().unwrap());
            }
            StatusCode::PAYMENT_REQUIRED => {
                assert_eq!(answer["code"], "insufficient_points", "{answer}");
                refused += 1;
            }
            other => panic!("{other}: {answer}"),
        }
    }
    assert_eq!(
        (items.len(), refused),
        (3, 7),
        "100 points buy three 30-point items"
    );
    assert_eq!(points(&t, "u1").await, 10);
    // The room's chat says redeemed, not bought for 0 tokens.
    let mut keys = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while keys.len() < 3 {
        let event = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the announcements in time")
            .expect("stream open");
        if let StreamEvent::Event { event, .. } = event
            && let EventKind::Announcement { key, .. } = &event.kind
        {
            keys.push(key.to_string());
        }
    }
    assert_eq!(keys, ["menu.redeem"; 3]);
    stream.close();
    assert_eq!(
        t.client(ADMIN).balance(&"u1".into()).await.unwrap().tokens,
        tokens_before,
        "no token moved"
    );

    // The first is performed (burned), the second refunded (back).
    items.sort();
    let (status, _) = call(
        &performer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/start"),
        Some("s1"),
        json!({"item": items[0]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &performer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/finish"),
        Some("f1"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let refund = json!({"item": items[1], "reason": "goodwill"});
    let (status, answer) = call(
        &performer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/refund"),
        Some("r1"),
        refund,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(points(&t, "u1").await, 40);

    let viewer = t.client(&t.tokens.viewer);
    let (_, history) = call(
        &viewer,
        Method::GET,
        "/api/v1/points/transactions",
        None,
        Value::Null,
    )
    .await;
    let kinds: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "hold").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(kinds[..2], ["refund", "redeem"], "{kinds:?}");
    let sum: i64 = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 40, "the history adds up to the balance");

    // A redeem lock refuses by name.
    let lock = json!({"user": "u1", "lock": "redeem", "reason": "chargeback"});
    call(
        &t.client(ADMIN),
        Method::POST,
        "/api/v1/points/locks",
        None,
        lock,
    )
    .await;
    let (status, answer) = call(
        &viewer,
        Method::POST,
        &purchase,
        Some("after-lock"),
        json!({"payWith": "points"}),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("points_locked")),
        "{answer}"
    );

    t.restart().await;
    assert_eq!(points(&t, "u1").await, 40);
}
