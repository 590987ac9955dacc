//! Toy effects of menu items and game prizes naming an imported pattern:
//! a name the room imported is saved, any other refused naming the field.

use crate::games_api::{WHEEL, fast_wheel, put_game};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn menu(pattern: &str) -> Value {
    json!({"name": format!("Menu {pattern}"), "items": [{"title": "A", "baseTokens": 5,
        "toy": {"enabled": true, "timing": "start", "intensity": 8, "pattern": pattern}}]})
}

#[tokio::test(flavor = "multi_thread")]
async fn effects_name_only_patterns_the_room_imported() {
    let t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    let post_menu = |body: Value| {
        let performer = performer.clone();
        async move {
            let path = format!("/api/v1/rooms/{ROOM}/menus");
            let body = Some(serde_json::to_vec(&body).unwrap());
            performer
                .raw(Method::POST, &path, None, body)
                .await
                .unwrap()
        }
    };

    // Before the import: refused, naming the effect's pattern.
    let (status, e) = post_menu(menu("slow-tease")).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("items[0].toy.pattern")
        ),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("slow-tease"), "{e}");
    let mut wheel = fast_wheel(0);
    wheel["prizes"][2]["toy"] = json!({"enabled": true, "timing": "p50", "pattern": "slow-tease"});
    let (status, e) = put_game(&t, WHEEL, wheel.clone()).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("prizes[2].toy.pattern")
        ),
        "{e}"
    );

    // The built-in shapes read as before, imported or not.
    let (status, e) = post_menu(menu("ramp")).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["items"][0]["toy"]["pattern"], "ramp");

    // Imported: both save, and the name comes back as written.
    performer
        .put_pattern(&ROOM.into(), "slow-tease", "V:1;F:v;S:200;#\n2;6;10;14\n")
        .await
        .unwrap();
    let (status, saved) = post_menu(menu("slow-tease")).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["items"][0]["toy"]["pattern"], "slow-tease");
    let (status, body) = put_game(&t, WHEEL, wheel).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["config"]["prizes"][2]["toy"]["pattern"], "slow-tease");

    // An added item naming another unknown pattern: refused at `item`.
    let id = saved["id"].as_str().unwrap();
    let path = format!("/api/v1/rooms/{ROOM}/menus/{id}/items");
    let add = json!({"version": saved["version"], "item": {"title": "B", "baseTokens": 5,
        "toy": {"enabled": true, "timing": "start", "pattern": "fast-tease"}}});
    let body = Some(serde_json::to_vec(&add).unwrap());
    let (status, e) = performer
        .raw(Method::POST, &path, None, body)
        .await
        .unwrap();
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("item.toy.pattern")),
        "{e}"
    );
}
