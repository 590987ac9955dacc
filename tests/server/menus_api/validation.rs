//! Strict validation: bad menus refused naming the field, and never a
//! price from the client.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn bad_menus_are_refused_naming_the_field() {
    let t = TestServer::start().await;
    let client = t.client(&t.tokens.performer);
    let post = |body: Value| {
        let client = client.clone();
        async move {
            client
                .raw(
                    Method::POST,
                    &format!("/api/v1/rooms/{ROOM}/menus"),
                    None,
                    Some(serde_json::to_vec(&body).unwrap()),
                )
                .await
                .unwrap()
        }
    };
    let good = json!({"name": "Menu", "items": [{"title": "A", "baseTokens": 5,
        "toy": {"enabled": true, "timing": "p25", "intensity": 5}}]});
    let cases: Vec<(&str, Change)> = vec![
        ("multiplier", Box::new(|v| v["multiplier"] = json!(151))),
        (
            "visibility",
            Box::new(|v| v["visibility"] = json!("friends")),
        ),
        (
            "theme.primary",
            Box::new(|v| v["theme"] = json!({"primary": "pink"})),
        ),
        (
            "items[0].price",
            Box::new(|v| v["items"][0]["price"] = json!(5)),
        ),
        (
            "items[0].baseTokens",
            Box::new(|v| v["items"][0]["baseTokens"] = json!(0)),
        ),
        (
            "items[0].toy.intensity",
            Box::new(|v| v["items"][0]["toy"]["intensity"] = json!(25)),
        ),
        (
            "items[0].toy.pattern",
            Box::new(|v| v["items"][0]["toy"]["pattern"] = json!("tickle")),
        ),
        (
            "items[0].id",
            Box::new(|v| v["items"][0]["id"] = json!("m1-1")),
        ),
        ("version", Box::new(|v| v["version"] = json!(1))),
        (
            "name",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("name");
            }),
        ),
        (
            "whitelist[0]",
            Box::new(|v| v["whitelist"] = json!(["a b"])),
        ),
    ];
    for (field, change) in cases {
        let mut body = good.clone();
        change(&mut body);
        let (status, e) = post(body).await;
        assert_eq!(
            (status, e["code"].as_str(), e["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("invalid_field"),
                Some(field)
            ),
            "{e}"
        );
    }
    let (status, e) = client
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/menus"),
            None,
            Some(b"{nope".to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["code"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_field"),
            None
        )
    );
    let (status, e) = client
        .raw(
            Method::PUT,
            &format!("/api/v1/rooms/{ROOM}/menus/m1"),
            None,
            Some(br#"{"name": "x"}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("version"))
    );
    let (status, e) = t
        .client(ADMIN)
        .raw(Method::GET, "/api/v1/rooms/nowhere/menus", None, None)
        .await
        .unwrap();
    assert_eq!(
        (status, e["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_room"))
    );
    assert!(
        menus(&t, ADMIN)
            .list(&ROOM.into())
            .await
            .unwrap()
            .menus
            .is_empty()
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_in_the_request_is_refused() {
    let t = TestServer::start().await;
    menus(&t, &t.tokens.performer)
        .create(&ROOM.into(), &quick())
        .await
        .unwrap();
    let viewer = t.client(&t.tokens.viewer);
    let path = format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase");
    for (body, field) in [
        (json!({"price": 1}), "price"),
        (json!({"tokenCost": 1}), "tokenCost"),
        (json!({"token_cost": 1}), "token_cost"),
        (json!({"displayName": "x", "amount": 1}), "amount"),
        (json!({"meta": {"unitPrice": 1}}), "meta.unitPrice"),
        (json!({"items": [{"cost": 1}]}), "items[0].cost"),
    ] {
        let (status, e) = viewer
            .raw(
                Method::POST,
                &path,
                Some("p"),
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await
            .unwrap();
        assert_eq!(
            (status, e["code"].as_str(), e["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("forbidden_field"),
                Some(field)
            ),
            "{body}: {e}"
        );
    }
    // Unknown fields and a missing key are refused too.
    let (status, e) = viewer
        .raw(
            Method::POST,
            &path,
            Some("p"),
            Some(br#"{"qty": 2}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("qty"))
    );
    let (status, e) = viewer.raw(Method::POST, &path, None, None).await.unwrap();
    assert_eq!(
        (status, e["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("missing_idempotency_key")
        )
    );
    let (status, e) = viewer
        .raw(
            Method::POST,
            &path,
            Some("p"),
            Some(br#"{"displayName": "me@example.com"}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(
        (status, e["code"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("forbidden_field"),
            Some("displayName")
        ),
        "{e}"
    );
    assert_eq!(wallet(&t, "u1").await.0, 10_000, "nothing was charged");
    // Not even an admin or the platform buys with a price.
    let (status, _) = t
        .client(ADMIN)
        .raw(Method::POST, &path, Some("p"), Some(b"{}".to_vec()))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "only a viewer buys");
    t.stop().await;
}
