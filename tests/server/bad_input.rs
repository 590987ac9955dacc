//! What a black-box test of the bank found, each case over a real loopback
//! socket: refused in the one documented error shape, nothing changed, the
//! server still takes commands, and a restart on the same database opens
//! and balances.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Balances and room totals: what a refused call must leave untouched.
async fn money(t: &TestServer) -> Value {
    let admin = t.client(ADMIN);
    let mut state = json!({});
    for user in ["u1", "u2", "u3"] {
        state[user] = json!(admin.balance(&user.into()).await.unwrap().tokens);
    }
    for room in [ROOM, OTHER_ROOM] {
        state[room] =
            serde_json::to_value(admin.snapshot(&room.into()).await.unwrap().totals).unwrap();
    }
    state
}

/// One refusal: the status, and the error's code and field.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
}

fn refusal(status: u16, code: &'static str, field: Option<&'static str>) -> Refusal {
    Refusal {
        status: StatusCode::from_u16(status).unwrap(),
        code,
        field,
    }
}

/// A case's name, method, path, body and what it must answer.
type RouteCase = (&'static str, Method, String, Option<Vec<u8>>, Refusal);
/// A case's name, token, path, idempotency key, body and answer.
type BodyCase<'a> = (
    &'static str,
    &'a str,
    String,
    &'static str,
    Vec<u8>,
    Refusal,
);

async fn send(
    t: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Vec<u8>>,
) -> (StatusCode, Value) {
    t.client(token).raw(method, path, key, body).await.unwrap()
}

fn check(case: &str, (status, body): &(StatusCode, Value), want: &Refusal) {
    assert_eq!(*status, want.status, "{case}: {body}");
    assert!(body.is_object(), "{case}: not a JSON error: {body}");
    assert_eq!(body["code"].as_str(), Some(want.code), "{case}: {body}");
    assert_eq!(body["field"].as_str(), want.field, "{case}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{case}: {body}"
    );
}

/// After a refusal the server still takes a command, and nothing moved.
async fn still_serving(t: &TestServer, before: &Value, key: &str) {
    assert_eq!(&money(t).await, before, "a refusal moved money");
    t.client(ADMIN)
        .mint("u3", 1, Some(key))
        .await
        .expect("the server still takes commands");
}

#[tokio::test(flavor = "multi_thread")]
async fn path_and_route_errors_answer_in_the_json_shape() {
    let mut t = TestServer::start().await;
    let admin = ADMIN.to_string();
    let cases: Vec<RouteCase> = vec![
        (
            "item not a number",
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/items/abc"),
            None,
            refusal(422, "invalid_field", Some("item")),
        ),
        (
            "item with SQL",
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/items/x';%20DROP%20TABLE%20items;--"),
            None,
            refusal(422, "invalid_field", Some("item")),
        ),
        (
            "item with a path",
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/items/..%2F..%2Fetc"),
            None,
            refusal(422, "invalid_field", Some("item")),
        ),
        (
            "item beyond u64",
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/items/99999999999999999999999"),
            None,
            refusal(422, "invalid_field", Some("item")),
        ),
        (
            "unknown room, item endpoint",
            Method::GET,
            "/api/v1/rooms/no-such-room/items/229".into(),
            None,
            refusal(404, "unknown_room", None),
        ),
        (
            "unknown route",
            Method::GET,
            "/api/v1/nothing/here".into(),
            None,
            refusal(404, "not_found", None),
        ),
        (
            "wrong method",
            Method::DELETE,
            "/api/v1/rooms".into(),
            None,
            refusal(405, "method_not_allowed", None),
        ),
        (
            "query of the wrong kind",
            Method::POST,
            format!("/api/v1/rooms/{ROOM}/intake?mode=sideways"),
            Some(payload("u1", "q1", 5)),
            refusal(422, "invalid_field", Some("mode")),
        ),
        (
            "oversized body",
            Method::POST,
            format!("/api/v1/rooms/{ROOM}/refund"),
            Some(vec![b' '; 65 * 1024]),
            refusal(413, "payload_too_large", None),
        ),
    ];
    for (i, (name, method, path, body, want)) in cases.into_iter().enumerate() {
        let before = money(&t).await;
        let key = format!("k-{i}");
        let answer = send(&t, &admin, method, &path, Some(&key), body).await;
        check(name, &answer, &want);
        still_serving(&t, &before, &format!("alive-{i}")).await;
    }
    t.restart().await;
    money(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_are_strict_and_name_the_real_field() {
    let mut t = TestServer::start().await;
    let item = t.intake("u1", "first", 10).await;
    let performer = t.tokens.performer.clone();
    let viewer = t.tokens.viewer.clone();
    let integration = t.tokens.integration.clone();

    let mut other_empty: Value = serde_json::from_slice(&payload("u1", "fx", 5)).unwrap();
    other_empty["effects"] = json!({"other": []});
    let twice = String::from_utf8(payload("u2", "dup", 5))
        .unwrap()
        .replacen("\"tokenCost\":5", "\"tokenCost\":5,\"tokenCost\":7", 1);
    assert!(twice.contains("\"tokenCost\":7"), "{twice}");

    let cases: Vec<BodyCase> = vec![
        (
            "refund without a reason",
            &performer,
            format!("/api/v1/rooms/{ROOM}/refund"),
            "r1",
            json!({ "item": item }).to_string().into_bytes(),
            refusal(422, "invalid_field", Some("reason")),
        ),
        (
            "refund with an unknown reason",
            &performer,
            format!("/api/v1/rooms/{ROOM}/refund"),
            "r2",
            json!({ "item": item, "reason": "because" })
                .to_string()
                .into_bytes(),
            refusal(422, "invalid_field", Some("reason")),
        ),
        (
            "start with invalid JSON",
            &performer,
            format!("/api/v1/rooms/{ROOM}/start"),
            "s1",
            b"{nope".to_vec(),
            refusal(422, "invalid_field", None),
        ),
        (
            "join with invalid JSON",
            &viewer,
            format!("/api/v1/rooms/{ROOM}/join"),
            "j1",
            b"[1,".to_vec(),
            refusal(422, "invalid_field", None),
        ),
        (
            "start with a key twice",
            &performer,
            format!("/api/v1/rooms/{ROOM}/start"),
            "s2",
            br#"{"item": 1, "item": 2}"#.to_vec(),
            refusal(422, "invalid_field", Some("item")),
        ),
        (
            "intake with a key twice",
            &integration,
            format!("/api/v1/rooms/{ROOM}/intake"),
            "dup",
            twice.into_bytes(),
            refusal(422, "invalid_field", Some("tokenCost")),
        ),
        (
            "intake with effects.other empty",
            &integration,
            format!("/api/v1/rooms/{ROOM}/intake"),
            "fx",
            serde_json::to_vec(&other_empty).unwrap(),
            refusal(422, "invalid_field", Some("effects.other")),
        ),
        (
            "menu with a key twice",
            &performer,
            format!("/api/v1/rooms/{ROOM}/menus"),
            "m1",
            br#"{"name": "a", "name": "b", "items": []}"#.to_vec(),
            refusal(422, "invalid_field", Some("name")),
        ),
    ];
    for (i, (name, token, path, key, body, want)) in cases.into_iter().enumerate() {
        let before = money(&t).await;
        let answer = send(&t, token, Method::POST, &path, Some(key), Some(body)).await;
        check(name, &answer, &want);
        still_serving(&t, &before, &format!("alive-{i}")).await;
    }
    let before = money(&t).await;
    t.restart().await;
    assert_eq!(
        money(&t).await,
        before,
        "the restart rebuilt other balances"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amounts_beyond_the_supply_are_refused_and_the_database_reopens() {
    let mut t = TestServer::start().await;
    let max = cuedeck::domain::ledger::MAX_SUPPLY;
    let minted_so_far = 30_000; // three wallets of 10,000
    let cases = [
        ("2^63", "9223372036854775808"),
        ("u64::MAX", "18446744073709551615"),
        ("2^62", "4611686018427387904"),
        (
            "one past the supply",
            &(max - minted_so_far + 1).to_string(),
        ),
    ];
    for (i, (name, amount)) in cases.iter().enumerate() {
        let before = money(&t).await;
        let body = format!(r#"{{"amount": {amount}}}"#).into_bytes();
        let answer = send(
            &t,
            ADMIN,
            Method::POST,
            "/api/v1/wallets/whale-a/mint",
            Some(&format!("big-{i}")),
            Some(body),
        )
        .await;
        check(name, &answer, &refusal(409, "overflow", None));
        assert_eq!(
            t.client(ADMIN)
                .balance(&"whale-a".into())
                .await
                .unwrap()
                .tokens,
            0,
            "{name}: a refused mint shows"
        );
        still_serving(&t, &before, &format!("alive-{i}")).await;
    }
    // Up to the supply exactly is fine, and one token more is not.
    let admin = t.client(ADMIN);
    let room_left = max - minted_so_far - cases.len() as u64;
    admin
        .mint("whale-a", room_left, Some("fill"))
        .await
        .unwrap();
    let err = admin
        .mint("whale-b", 1, Some("one-more"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(cuedeck::protocol::ErrorCode::Overflow));
    let before = money(&t).await;
    t.restart().await;
    assert_eq!(
        money(&t).await,
        before,
        "the database reopens with every acknowledged mint"
    );
    assert_eq!(
        t.client(ADMIN)
            .balance(&"whale-a".into())
            .await
            .unwrap()
            .tokens,
        room_left
    );
    t.stop().await;
}
