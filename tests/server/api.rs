//! The HTTP API over a real loopback socket: the role matrix, bad input,
//! idempotency, error shapes.

use crate::support::*;
use cuedeck::client::RestClient;
use cuedeck::protocol::ErrorCode;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Admin,
    Integration,
    Performer,
    OtherPerformer,
    Moderator,
    OtherModerator,
    Viewer,
}

const EVERYONE: [Who; 7] = [
    Who::Admin,
    Who::Integration,
    Who::Performer,
    Who::OtherPerformer,
    Who::Moderator,
    Who::OtherModerator,
    Who::Viewer,
];

fn token(t: &TestServer, who: Who) -> String {
    let k = &t.tokens;
    match who {
        Who::Admin => &k.admin,
        Who::Integration => &k.integration,
        Who::Performer => &k.performer,
        Who::OtherPerformer => &k.other_performer,
        Who::Moderator => &k.moderator,
        Who::OtherModerator => &k.other_moderator,
        Who::Viewer => &k.viewer,
    }
    .clone()
}

/// Everything money-related that a refused call must leave untouched.
async fn money(t: &TestServer) -> Value {
    let admin = t.client(ADMIN);
    let mut state = json!({});
    for user in ["u1", "u2", "u3"] {
        state[user] = json!(admin.balance(&user.into()).await.unwrap().tokens);
        let path = format!("/api/v1/points/balance/{user}");
        let (_, points) = admin.raw(Method::GET, &path, None, None).await.unwrap();
        state[format!("points-{user}")] = points;
    }
    let (_, adjustments) = admin
        .raw(Method::GET, "/api/v1/points/adjustments", None, None)
        .await
        .unwrap();
    state["adjustments"] = adjustments;
    for room in [ROOM, OTHER_ROOM] {
        state[room] =
            serde_json::to_value(admin.snapshot(&room.into()).await.unwrap().totals).unwrap();
    }
    state
}

struct Case {
    name: &'static str,
    allowed: &'static [Who],
    method: Method,
    path: String,
    key: bool,
    body: Value,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_command() {
    let t = TestServer::start().await;
    let mut n = 0;
    for who in EVERYONE {
        // Fresh items for the calls that need one.
        let waiting = t.intake("u2", &format!("matrix-{n}-a"), 5).await;
        let other = t.intake("u3", &format!("matrix-{n}-b"), 5).await;
        n += 1;
        let cases = [
            Case {
                name: "create room",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/rooms".into(),
                key: false,
                body: json!({"room": format!("room-{n}"), "performer": "px"}),
            },
            Case {
                name: "create token",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/tokens".into(),
                key: false,
                body: json!({"role": "integration"}),
            },
            Case {
                name: "list tokens",
                allowed: &[Who::Admin],
                method: Method::GET,
                path: "/api/v1/tokens?role=viewer".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "revoke token",
                allowed: &[Who::Admin],
                method: Method::DELETE,
                path: "/api/v1/tokens/ffffffff".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "mint",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/wallets/u2/mint".into(),
                key: false,
                body: json!({"amount": 1}),
            },
            Case {
                name: "own balance",
                allowed: &[Who::Admin, Who::Viewer],
                method: Method::GET,
                path: "/api/v1/wallets/u1".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "other balance",
                allowed: &[Who::Admin],
                method: Method::GET,
                path: "/api/v1/wallets/u2".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "intake",
                allowed: &[Who::Admin, Who::Integration],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/intake"),
                key: true,
                body: serde_json::from_slice(&payload("u1", &format!("intake-{n}"), 3)).unwrap(),
            },
            Case {
                name: "join",
                allowed: &[Who::Viewer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/join"),
                key: false,
                body: json!({"tier": "vip"}),
            },
            Case {
                name: "leave",
                allowed: &[Who::Viewer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/leave"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "broadcast",
                allowed: &[Who::Admin, Who::OtherPerformer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{OTHER_ROOM}/broadcast/start"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "start",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/start"),
                key: true,
                body: json!({}),
            },
            Case {
                name: "finish",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/finish"),
                key: true,
                body: json!({}),
            },
            Case {
                name: "refund goodwill",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/refund"),
                key: true,
                body: json!({"item": waiting, "reason": "goodwill"}),
            },
            Case {
                name: "refund moderation",
                allowed: &[Who::Admin, Who::Performer, Who::Moderator],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/refund"),
                key: true,
                body: json!({"item": other, "reason": "moderation"}),
            },
            Case {
                name: "snapshot",
                allowed: &[Who::Admin, Who::Performer, Who::Moderator],
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "fairness",
                allowed: &EVERYONE,
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}/games/spin_wheel/fairness"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "room spins",
                allowed: &EVERYONE,
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}/games/spin_wheel/spins?limit=5"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "own spins",
                allowed: &[Who::Viewer],
                method: Method::GET,
                path: "/api/v1/me/spins".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "audit",
                allowed: &[Who::Admin, Who::Performer, Who::Moderator],
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}/items/1"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "points earn",
                allowed: &[Who::Admin, Who::Integration],
                method: Method::POST,
                path: "/api/v1/points/earn".into(),
                key: false,
                body: json!({"user": "u1", "amount": 1, "sourceEventId": format!("ev-{n}"), "reason": "test"}),
            },
            Case {
                name: "own points",
                allowed: &[Who::Admin, Who::Integration, Who::Viewer],
                method: Method::GET,
                path: "/api/v1/points/balance/u1".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "other points",
                allowed: &[Who::Admin, Who::Integration],
                method: Method::GET,
                path: "/api/v1/points/balance/u2".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "own points history",
                allowed: &[Who::Admin, Who::Integration, Who::Viewer],
                method: Method::GET,
                path: "/api/v1/points/transactions?user=u1&kind=earn".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "every account's points history",
                allowed: &[Who::Admin],
                method: Method::GET,
                path: "/api/v1/points/transactions?format=csv".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "grant allowance",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/points/allowances".into(),
                key: false,
                body: json!({"performer": PERFORMER, "amount": 1}),
            },
            Case {
                name: "award",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/points/awards"),
                key: false,
                body: json!({"user": "u1", "amount": 1}),
            },
            Case {
                name: "award limits left",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}/points/awards/u1/left"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "pull own inbox",
                allowed: &[Who::Viewer],
                method: Method::GET,
                path: "/api/v1/me/messages".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "mark own messages read",
                allowed: &[Who::Viewer],
                method: Method::POST,
                path: "/api/v1/me/messages/read".into(),
                key: false,
                body: json!({"ids": [1]}),
            },
            Case {
                name: "reply",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::POST,
                path: format!("/api/v1/rooms/{ROOM}/replies"),
                key: false,
                body: json!({"item": waiting, "mood": "happy", "template": "thanks"}),
            },
            Case {
                name: "message history",
                allowed: &[Who::Admin, Who::Performer, Who::Moderator],
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}/messages?viewer=u2"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "room's awards",
                allowed: &[Who::Admin, Who::Performer],
                method: Method::GET,
                path: format!("/api/v1/rooms/{ROOM}/points/awards"),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "adjust points",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/points/adjustments".into(),
                key: false,
                body: json!({"user": "u1", "amount": 1, "reason": "goodwill", "ticket": "T-1"}),
            },
            Case {
                name: "list adjustments",
                allowed: &[Who::Admin],
                method: Method::GET,
                path: "/api/v1/points/adjustments".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "approve adjustment",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/points/adjustments/999/approve".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "lock points",
                allowed: &[Who::Admin],
                method: Method::POST,
                path: "/api/v1/points/locks".into(),
                key: false,
                body: json!({"user": "u3", "lock": "redeem", "reason": "fraud"}),
            },
            Case {
                name: "unlock points",
                allowed: &[Who::Admin],
                method: Method::DELETE,
                path: "/api/v1/points/locks/u3/award".into(),
                key: false,
                body: Value::Null,
            },
            Case {
                name: "delivery figures",
                allowed: &[Who::Admin],
                method: Method::GET,
                path: "/api/v1/messages/figures".into(),
                key: false,
                body: Value::Null,
            },
        ];
        let client = t.client(&token(&t, who));
        for (i, case) in cases.iter().enumerate() {
            let before = money(&t).await;
            let key = case.key.then(|| format!("matrix-key-{n}-{i}"));
            let body = (!case.body.is_null()).then(|| serde_json::to_vec(&case.body).unwrap());
            let (status, answer) = client
                .raw(case.method.clone(), &case.path, key.as_deref(), body)
                .await
                .unwrap();
            let allowed = case.allowed.contains(&who);
            if allowed {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{who:?} may {}: {answer}",
                    case.name
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{who:?} may not {}: {answer}",
                    case.name
                );
                assert_eq!(answer["code"], "forbidden", "{answer}");
                assert_eq!(
                    money(&t).await,
                    before,
                    "{who:?} {}: a forbidden call moved money",
                    case.name
                );
            }
        }
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_or_a_wrong_one_is_unauthorized() {
    let t = TestServer::start().await;
    for client in [t.client(""), t.client("cdk_not_a_token")] {
        let (status, answer) = client
            .raw(Method::GET, &format!("/api/v1/rooms/{ROOM}"), None, None)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer["code"], "unauthorized");
    }
    let (status, health) = t
        .client("")
        .raw(Method::GET, "/healthz", None, None)
        .await
        .unwrap();
    assert_eq!((status, &health["ok"]), (StatusCode::OK, &json!(true)));
    t.stop().await;
}

async fn post_intake(client: &RestClient, key: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
    client
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/intake"),
            key,
            Some(body),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_clear_error_and_moves_nothing() {
    let t = TestServer::start().await;
    let client = t.client(&t.tokens.integration);
    let before = money(&t).await;

    let (status, e) = post_intake(&client, Some("k"), b"{not json".to_vec()).await;
    assert_eq!(
        (status, e["code"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_field"),
            None
        )
    );

    let mut p: Value = serde_json::from_slice(&payload("u1", "k2", 5)).unwrap();
    p["action"].as_object_mut().unwrap().remove("title");
    let (status, e) = post_intake(&client, Some("k2"), serde_json::to_vec(&p).unwrap()).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action.title"))
    );

    let mut p: Value = serde_json::from_slice(&payload("u1", "k3", 5)).unwrap();
    p["metadata"]["additional"] = json!({"email": "a@b.c"});
    let (status, e) = post_intake(&client, Some("k3"), serde_json::to_vec(&p).unwrap()).await;
    assert_eq!(
        (status, e["code"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("forbidden_field"),
            Some("metadata.additional.email")
        )
    );

    let mut p: Value = serde_json::from_slice(&payload("u1", "k4", 5)).unwrap();
    p["chat"]["publicAnnounceTemplateKey"] = json!("no.such.template");
    let (status, e) = post_intake(&client, Some("k4"), serde_json::to_vec(&p).unwrap()).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("chat.publicAnnounceTemplateKey")
        )
    );

    let (status, e) = post_intake(&client, None, payload("u1", "k5", 5)).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("missing_idempotency_key")
        )
    );

    let (status, e) = post_intake(&client, Some("k6"), payload("u1", "k6", 50_000)).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::PAYMENT_REQUIRED, Some("insufficient_funds"))
    );

    let huge = vec![b' '; t.config.max_frame_bytes + 10];
    let (status, e) = post_intake(&client, Some("k7"), huge).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );

    let (status, e) = client
        .raw(
            Method::POST,
            "/api/v1/rooms/nowhere/intake",
            Some("k8"),
            Some(payload("u1", "k8", 5)),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_room"))
    );

    let performer = t.client(&t.tokens.performer);
    let (status, e) = performer
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/refund"),
            Some("r"),
            Some(br#"{"item": "one", "reason": "goodwill"}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("item"))
    );
    let (status, e) = performer
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/refund"),
            Some("r2"),
            Some(br#"{"item": 1, "reason": "whim"}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );

    assert_eq!(money(&t).await, before, "no money moved");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_key_twice_has_one_effect_and_the_same_answer() {
    let t = TestServer::start().await;
    let client = t.client(&t.tokens.integration);
    let (s1, first) = post_intake(&client, Some("dup"), payload("u1", "dup", 40)).await;
    let (s2, second) = post_intake(&client, Some("dup"), payload("u1", "dup", 40)).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first, second);
    assert_eq!(
        t.client(ADMIN).balance(&"u1".into()).await.unwrap().tokens,
        10_000 - 40
    );

    let (status, e) = post_intake(&client, Some("dup"), payload("u1", "dup", 41)).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("idempotency_conflict"))
    );

    let performer = t.client(&t.tokens.performer);
    let a = performer
        .start(&ROOM.into(), None, "start-1")
        .await
        .unwrap();
    let b = performer
        .start(&ROOM.into(), None, "start-1")
        .await
        .unwrap();
    assert_eq!(a, b, "a double press starts once");
    let item = a.item().unwrap();
    let audit = performer.audit(&ROOM.into(), item).await.unwrap();
    assert_eq!(audit.audit.len(), 2, "queued and started, once each");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_joins_leaves_and_is_refunded_after_the_grace_period() {
    let mut config = cuedeck::server::ServerConfig::default();
    config.room.leave_grace_ms = 200;
    let t = TestServer::start_with(config).await;
    let viewer = t.client(&t.tokens.viewer);
    viewer
        .join(&ROOM.into(), cuedeck::domain::Tier::Premium)
        .await
        .unwrap();
    t.intake("u1", "stay", 30).await;
    viewer.leave(&ROOM.into()).await.unwrap();
    // The core applies the grace period on its own timer.
    let admin = t.client(ADMIN);
    let mut refunded = false;
    for _ in 0..100 {
        if admin.balance(&"u1".into()).await.unwrap().tokens == 10_000 {
            refunded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        refunded,
        "the waiting item was refunded after the grace period"
    );
    let snapshot = admin.snapshot(&ROOM.into()).await.unwrap();
    assert!(snapshot.waiting.is_empty());
    assert_eq!(snapshot.totals.refunded, 30);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_items_audit_record_is_whole_also_after_a_restart() {
    let mut t = TestServer::start().await;
    let item = cuedeck::domain::ItemId(t.intake("u1", "closed-1", 30).await);
    let performer = t.client(&t.tokens.performer);
    performer.start(&ROOM.into(), None, "s1").await.unwrap();
    performer.finish(&ROOM.into(), None, "f1").await.unwrap();

    let check = |record: cuedeck::domain::Item| {
        use cuedeck::domain::item::Transition;
        assert_eq!(record.state, cuedeck::domain::ItemState::Finished);
        assert_eq!((record.settled, record.view.token_cost), (30, 30));
        let steps: Vec<_> = record
            .audit
            .iter()
            .map(|a| (a.transition.clone(), a.by.role))
            .collect();
        assert_eq!(
            steps,
            [
                (
                    Transition::Queued { position: 1 },
                    cuedeck::domain::Role::Integration
                ),
                (Transition::Started, cuedeck::domain::Role::Performer),
                (
                    Transition::Finished { settled: 30 },
                    cuedeck::domain::Role::Performer
                ),
            ]
        );
    };
    check(performer.audit(&ROOM.into(), item).await.unwrap());
    t.restart().await;
    let performer = t.client(&t.tokens.performer);
    check(performer.audit(&ROOM.into(), item).await.unwrap());
    // Another room's item number is not this room's item.
    let admin = t.client(ADMIN);
    admin.create_room("elsewhere", "perf-2").await.unwrap();
    let err = admin.audit(&"elsewhere".into(), item).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UnknownItem), "{err:?}");
    // And an unknown room is named as such.
    let err = admin.audit(&"no-such-room".into(), item).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UnknownRoom), "{err:?}");
    t.stop().await;
}
