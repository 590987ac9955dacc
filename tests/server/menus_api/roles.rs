//! The role matrix: every role against every menu endpoint.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Admin,
    Integration,
    Performer,
    OtherPerformer,
    Moderator,
    Viewer,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_menu_endpoint() {
    let t = TestServer::start().await;
    let admin = menus(&t, ADMIN);
    admin.create(&ROOM.into(), &quick()).await.unwrap();
    let token = |who: Who| match who {
        Who::Admin => t.tokens.admin.clone(),
        Who::Integration => t.tokens.integration.clone(),
        Who::Performer => t.tokens.performer.clone(),
        Who::OtherPerformer => t.tokens.other_performer.clone(),
        Who::Moderator => t.tokens.moderator.clone(),
        Who::Viewer => t.tokens.viewer.clone(),
    };
    use Who::*;
    let base = format!("/api/v1/rooms/{ROOM}/menus");
    let cases: Vec<(&str, &[Who], Method, String, Value)> = vec![
        (
            "list",
            &[Admin, Performer],
            Method::GET,
            base.clone(),
            Value::Null,
        ),
        (
            "get",
            &[Admin, Performer],
            Method::GET,
            format!("{base}/m1"),
            Value::Null,
        ),
        (
            "create",
            &[Admin, Performer],
            Method::POST,
            base.clone(),
            json!({"name": "x"}),
        ),
        (
            "update",
            &[Admin, Performer],
            Method::PUT,
            format!("{base}/m1"),
            json!({"version": 99, "name": "y"}),
        ),
        (
            "add item",
            &[Admin, Performer],
            Method::POST,
            format!("{base}/m1/items"),
            json!({"version": 99, "item": {"title": "t", "baseTokens": 1}}),
        ),
        (
            "update item",
            &[Admin, Performer],
            Method::PUT,
            format!("{base}/m1/items/m1-1"),
            json!({"version": 99, "item": {"title": "t", "baseTokens": 1}}),
        ),
        (
            "delete item",
            &[Admin, Performer],
            Method::DELETE,
            format!("{base}/m1/items/m1-1?version=99"),
            Value::Null,
        ),
        (
            "reorder",
            &[Admin, Performer],
            Method::POST,
            format!("{base}/m1/reorder"),
            json!({"version": 99, "items": []}),
        ),
        (
            "sort",
            &[Admin, Performer],
            Method::POST,
            format!("{base}/m1/sort"),
            json!({"version": 99, "by": "price"}),
        ),
        (
            "delete",
            &[Admin, Performer],
            Method::DELETE,
            format!("{base}/m1?version=99"),
            Value::Null,
        ),
        (
            "purchase",
            &[Viewer],
            Method::POST,
            format!("{base}/m1/items/m1-1/purchase"),
            json!({}),
        ),
        (
            "offer",
            &[Admin, Performer, Viewer],
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/offer"),
            Value::Null,
        ),
        (
            "subscribers",
            &[Admin, Integration, Performer],
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/subscribers"),
            Value::Null,
        ),
        (
            "subscribe",
            &[Admin, Integration, Performer],
            Method::PUT,
            format!("/api/v1/rooms/{ROOM}/subscribers/u9"),
            Value::Null,
        ),
        (
            "unsubscribe",
            &[Admin, Integration, Performer],
            Method::DELETE,
            format!("/api/v1/rooms/{ROOM}/subscribers/u9"),
            Value::Null,
        ),
        (
            "templates",
            &[
                Admin,
                Integration,
                Performer,
                OtherPerformer,
                Moderator,
                Viewer,
            ],
            Method::GET,
            "/api/v1/menu-templates".into(),
            Value::Null,
        ),
    ];
    let mut n = 0;
    for who in [
        Admin,
        Integration,
        Performer,
        OtherPerformer,
        Moderator,
        Viewer,
    ] {
        let client = t.client(&token(who));
        for (name, allowed, method, path, body) in &cases {
            n += 1;
            let before = admin.list(&ROOM.into()).await.unwrap();
            let key = format!("matrix-{n}");
            let body = (!body.is_null()).then(|| serde_json::to_vec(body).unwrap());
            let (status, answer) = client
                .raw(method.clone(), path, Some(&key), body)
                .await
                .unwrap();
            if allowed.contains(&who) {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{who:?} may {name}: {answer}"
                );
                assert_ne!(status, StatusCode::NOT_FOUND, "{who:?} {name}: {answer}");
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{who:?} may not {name}: {answer}"
                );
                assert_eq!(answer["code"], "forbidden");
                assert_eq!(
                    admin.list(&ROOM.into()).await.unwrap(),
                    before,
                    "{who:?} {name}"
                );
            }
        }
    }
    // No token at all.
    let (status, _) = t
        .client("")
        .raw(Method::GET, &base, None, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Another room's performer is refused on that room's menus too.
    let (status, answer) = t
        .client(&t.tokens.performer)
        .raw(
            Method::GET,
            &format!("/api/v1/rooms/{OTHER_ROOM}/menus"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    t.stop().await;
}
