//! Answers the documentation promises for requests that go wrong in the
//! path or the query: an unknown room under any `/rooms/{room}/` endpoint is
//! `unknown_room`, and every `invalid_field` names its `field`.

use crate::support::*;
use reqwest::{Method, StatusCode};

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_room_is_unknown_room_on_every_room_endpoint() {
    let t = TestServer::start().await;
    let cases: [(Method, &str, &str); 12] = [
        (Method::GET, "", ADMIN),
        (Method::GET, "/games/spin_wheel/fairness", ""),
        (Method::GET, "/games/slot_machine", ADMIN),
        (Method::POST, "/games/slot_machine/spin", ""),
        (Method::GET, "/menus", ADMIN),
        (Method::GET, "/offer", ADMIN),
        (Method::GET, "/bans", ADMIN),
        (Method::POST, "/pause", ADMIN),
        (Method::POST, "/join", ""),
        (Method::POST, "/intake", ADMIN),
        (Method::GET, "/items/1", ADMIN),
        (Method::GET, "/no-such-endpoint", ADMIN),
    ];
    for (method, tail, token) in cases {
        let token = if token.is_empty() {
            t.tokens.viewer.clone()
        } else {
            token.to_string()
        };
        let path = format!("/api/v1/rooms/no-such-room{tail}");
        let (status, answer) = t
            .client(&token)
            .raw(method.clone(), &path, Some("k-1"), Some(b"{}".to_vec()))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["code"], "unknown_room", "{method} {path}: {answer}");
    }
    // A room made a moment ago is found at once.
    t.client(ADMIN).create_room("fresh", "p9").await.unwrap();
    let (status, _) = t
        .client(ADMIN)
        .raw(
            Method::GET,
            "/api/v1/rooms/fresh/games/slot_machine/fairness",
            None,
            None,
        )
        .await
        .unwrap();
    assert_ne!(status, StatusCode::NOT_FOUND);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_query_parameter_is_named_in_field() {
    let t = TestServer::start().await;
    let admin = t.client(ADMIN);
    let cases = [
        (
            Method::DELETE,
            format!("/api/v1/rooms/{ROOM}/bans/u1?scope=galaxy"),
            "scope",
        ),
        (
            Method::GET,
            "/api/v1/moderation?limit=abc".to_string(),
            "limit",
        ),
        (
            Method::GET,
            "/api/v1/moderation?since=yesterday".to_string(),
            "since",
        ),
        (
            Method::GET,
            "/api/v1/moderation?before=abc".to_string(),
            "before",
        ),
        (
            Method::GET,
            "/api/v1/moderation?until=1.5".to_string(),
            "until",
        ),
        (
            Method::GET,
            "/api/v1/moderation?limit=0".to_string(),
            "limit",
        ),
        (
            Method::GET,
            "/api/v1/moderation?colour=red".to_string(),
            "colour",
        ),
    ];
    for (method, path, field) in cases {
        let (status, answer) = admin
            .raw(method.clone(), &path, Some("k-2"), None)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {answer}");
        assert_eq!(answer["code"], "invalid_field", "{path}: {answer}");
        assert_eq!(answer["field"], field, "{path}: {answer}");
    }
    // A path segment that does not parse is named too.
    let (status, answer) = admin
        .raw(
            Method::GET,
            &format!("/api/v1/rooms/{ROOM}/items/abc"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "item", "{answer}");
    t.stop().await;
}
