//! Chip menus over a real loopback server: editing with versions and
//! conflicts, the role matrix, strict validation, and every purchase rule
//! (live-only, rounding, visibility, whitelist, daily limits across UTC
//! midnight, instant vs queued, points on settle, no client prices,
//! idempotency, future purchases only), with the ledger checked after each.

use crate::support::*;
use cuedeck::client::RestClient;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{ItemState, RefundReason, Reply, Stamp, Tier};
use cuedeck::menus::api::{PurchaseBody, SortKey};
use cuedeck::menus::client::{MenuClient, MenuClientError};
use cuedeck::menus::{MenuSpec, MenuView};
use cuedeck::protocol::CreateToken;
use cuedeck::protocol::ErrorCode;
use cuedeck::server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn menus(t: &TestServer, token: &str) -> MenuClient {
    MenuClient::new(t.client(token))
}

async fn viewer_token(t: &TestServer, user: &str) -> String {
    t.client(ADMIN)
        .create_token(&CreateToken {
            role: "viewer".into(),
            room: None,
            rooms: vec![],
            user: Some(user.into()),
            expires_at: None,
        })
        .await
        .unwrap()
        .token
}

type Change = Box<dyn Fn(&mut Value)>;

fn spec(value: Value) -> MenuSpec {
    serde_json::from_value(value).unwrap()
}

/// A queue-ON menu of three items.
fn energy() -> MenuSpec {
    spec(json!({
        "name": "Private Energy",
        "queueMode": "on",
        "items": [
            {"title": "Slow dance", "baseTokens": 60, "bonusPoints": 5, "durationHintMs": 120000,
             "toy": {"enabled": true, "timing": "p50", "intensity": 10, "durationMs": 5000, "pattern": "wave"}},
            {"title": "Song request", "baseTokens": 40},
            {"title": "Ab", "baseTokens": 25, "hidden": true}
        ]
    }))
}

/// A queue-OFF menu.
fn quick() -> MenuSpec {
    spec(json!({
        "name": "Quick Fun",
        "queueMode": "off",
        "items": [
            {"title": "Wink", "baseTokens": 5, "bonusPoints": 2},
            {"title": "Quick buzz", "baseTokens": 21,
             "toy": {"enabled": true, "timing": "start", "intensity": 8, "durationMs": 3000, "pattern": "pulse"}}
        ]
    }))
}

/// Tokens are conserved: wallets + escrow + earned = minted.
async fn assert_conserved(t: &TestServer, minted: u64) {
    let admin = t.client(ADMIN);
    let mut total = 0;
    for user in ["u1", "u2", "u3", "u4"] {
        total += admin.balance(&user.into()).await.unwrap().tokens;
    }
    for room in [ROOM, OTHER_ROOM] {
        let totals = admin.snapshot(&room.into()).await.unwrap().totals;
        total += totals.escrow + totals.earned;
    }
    assert_eq!(total, minted, "tokens are conserved");
}

async fn wallet(t: &TestServer, user: &str) -> (u64, u64) {
    let b = t.client(ADMIN).balance(&user.into()).await.unwrap();
    (b.tokens, b.points)
}

fn code(err: &MenuClientError) -> ErrorCode {
    err.code().unwrap_or(ErrorCode::Unrecognized)
}

async fn buy(
    client: &MenuClient,
    menu: &str,
    item: &str,
    key: &str,
) -> Result<cuedeck::menus::PurchaseReceipt, MenuClientError> {
    client
        .purchase(&ROOM.into(), menu, item, key, &PurchaseBody::default())
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_performer_edits_menus_and_every_change_is_a_version() {
    let t = TestServer::start().await;
    let p = menus(&t, &t.tokens.performer);
    let room = ROOM.into();

    let m = p.create(&room, &energy()).await.unwrap();
    assert_eq!((m.id.as_str(), m.version), ("m1", 1));
    let ids: Vec<&str> = m.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["m1-1", "m1-2", "m1-3"]);
    assert_eq!(m.items[0].price, 60);
    assert!(m.updated_by.starts_with("performer:"), "{}", m.updated_by);
    assert_eq!(p.get(&room, "m1").await.unwrap(), m);

    // A whole-menu update, based on version 1.
    let mut edited = m.to_spec();
    edited.multiplier = 80;
    edited.items[1].title = "Song of your choice".into();
    let v2 = p.update(&room, "m1", &edited).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.items[0].price, 48);
    // The same content again makes no new version.
    let mut same = v2.to_spec();
    same.version = Some(2);
    assert_eq!(p.update(&room, "m1", &same).await.unwrap().version, 2);

    // Item edits.
    let new_item = cuedeck::menus::ItemSpec {
        id: None,
        title: "Kiss".into(),
        description: String::new(),
        base_tokens: 7,
        bonus_points: 0,
        hidden: false,
        category: None,
        daily_limit: None,
        duration_hint_ms: None,
        toy: None,
    };
    let v3 = p
        .add_item(&room, "m1", 2, &new_item, Some(0))
        .await
        .unwrap();
    assert_eq!((v3.version, v3.items[0].id.as_str()), (3, "m1-4"));
    let mut hide = v3.items[1].to_spec();
    hide.hidden = true;
    let v4 = p.update_item(&room, "m1", 3, &hide).await.unwrap();
    assert!(v4.items[1].hidden);
    let v5 = p.delete_item(&room, "m1", "m1-2", 4).await.unwrap();
    assert_eq!(v5.items.len(), 3);
    let err = p.delete_item(&room, "m1", "m1-2", 5).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::UnknownMenuItem);

    // Reorder and auto-sort.
    let v6 = p
        .reorder(
            &room,
            "m1",
            5,
            &["m1-3".into(), "m1-1".into(), "m1-4".into()],
        )
        .await
        .unwrap();
    let order = |m: &MenuView| m.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(order(&v6), ["m1-3", "m1-1", "m1-4"]);
    let err = p
        .reorder(&room, "m1", 6, &["m1-3".into(), "m1-1".into()])
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::InvalidField);
    let by_price = p.sort(&room, "m1", 6, SortKey::Price, false).await.unwrap();
    assert_eq!(order(&by_price), ["m1-4", "m1-3", "m1-1"]);
    let by_title = p
        .sort(&room, "m1", by_price.version, SortKey::Title, false)
        .await
        .unwrap();
    let titles: Vec<&str> = by_title.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Ab", "Kiss", "Slow dance"]);
    let desc = p
        .sort(&room, "m1", by_title.version, SortKey::Price, true)
        .await
        .unwrap();
    assert_eq!(order(&desc), ["m1-1", "m1-3", "m1-4"]);

    // A second menu, a list, names unique per room, a delete.
    let q = p.create(&room, &quick()).await.unwrap();
    assert_eq!(q.id, "m2");
    let list = p.list(&room).await.unwrap();
    assert_eq!(list.menus.len(), 2);
    let err = p.create(&room, &quick()).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::InvalidField);
    let gone = p.delete(&room, "m2", 1).await.unwrap();
    assert_eq!((gone.deleted, gone.version), (true, 2));
    assert_eq!(
        code(&p.get(&room, "m2").await.unwrap_err()),
        ErrorCode::UnknownMenu
    );
    // Numbers are never reused.
    assert_eq!(p.create(&room, &quick()).await.unwrap().id, "m3");

    // Menus and versions survive a restart.
    let mut t = t;
    let before = p.list(&room).await.unwrap();
    t.restart().await;
    let p = menus(&t, &t.tokens.performer);
    assert_eq!(p.list(&room).await.unwrap(), before);
    assert_eq!(
        p.create(&room, &spec(json!({"name": "Later"})))
            .await
            .unwrap()
            .id,
        "m4"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_an_old_version_is_a_conflict_that_says_what_changed() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let performer = menus(&t, &t.tokens.performer);
    let admin = menus(&t, ADMIN);
    let loaded = performer.create(&room, &energy()).await.unwrap();

    // The admin changes the multiplier and an item while the performer edits.
    let mut theirs = loaded.to_spec();
    theirs.multiplier = 120;
    theirs.items[1].base_tokens = 45;
    let current = admin.update(&room, "m1", &theirs).await.unwrap();
    assert_eq!(current.version, 2);

    let mut mine = loaded.to_spec();
    mine.name = "Energy".into();
    let err = performer.update(&room, "m1", &mine).await.unwrap_err();
    let MenuClientError::Conflict(conflict) = err else {
        panic!("expected a version conflict, got {err:?}");
    };
    assert_eq!(conflict.code, ErrorCode::VersionConflict);
    assert_eq!(conflict.field.as_deref(), Some("version"));
    assert_eq!((conflict.your_version, conflict.current_version), (1, 2));
    let paths: Vec<&str> = conflict.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["multiplier", "items[m1-2].baseTokens"]);
    assert!(
        conflict.message.contains("multiplier: 100 -> 120"),
        "{}",
        conflict.message
    );
    assert_eq!(conflict.history.len(), 1);
    assert_eq!(conflict.history[0].version, 2);
    assert!(conflict.history[0].by.starts_with("admin:"));
    assert_eq!(conflict.history[0].change, "update");
    assert_eq!(conflict.current.as_ref(), Some(&current));
    // Nothing changed; re-applying on the current version works.
    assert_eq!(performer.get(&room, "m1").await.unwrap(), current);
    let mut reapplied = current.to_spec();
    reapplied.name = "Energy".into();
    assert_eq!(
        performer
            .update(&room, "m1", &reapplied)
            .await
            .unwrap()
            .version,
        3
    );

    // Every kind of edit checks the version.
    let stale = [
        performer
            .add_item(&room, "m1", 2, &loaded.items[0].to_spec(), None)
            .await,
        performer.delete_item(&room, "m1", "m1-1", 2).await,
        performer.reorder(&room, "m1", 2, &[]).await,
        performer.sort(&room, "m1", 1, SortKey::Title, false).await,
    ];
    for answer in stale {
        assert_eq!(code(&answer.unwrap_err()), ErrorCode::VersionConflict);
    }
    let err = performer.delete(&room, "m1", 2).await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::VersionConflict);
    let err = performer
        .update(
            &room,
            "m1",
            &MenuSpec {
                version: Some(9),
                ..reapplied
            },
        )
        .await;
    let MenuClientError::Conflict(ahead) = err.unwrap_err() else {
        panic!()
    };
    assert!(ahead.message.contains("no version 9"), "{}", ahead.message);

    // The raw body: 409, and the usual error fields with the details.
    let (status, body) = t
        .client(&t.tokens.performer)
        .raw(
            Method::DELETE,
            &format!("/api/v1/rooms/{ROOM}/menus/m1?version=1"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "version_conflict");
    assert_eq!(body["currentVersion"], 3);
    assert!(body["changes"].as_array().unwrap().len() >= 3, "{body}");
    t.stop().await;
}

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
async fn menus_are_offered_and_sold_only_while_live() {
    let t = TestServer::start().await;
    let room2 = OTHER_ROOM.into();
    let p2 = menus(&t, &t.tokens.other_performer);
    p2.create(&room2, &quick()).await.unwrap();
    let viewer = menus(&t, &t.tokens.viewer);

    let offer = viewer.offer(&room2, None).await.unwrap();
    assert!(!offer.live && offer.menus.is_empty(), "{offer:?}");
    let err = viewer
        .purchase(&room2, "m1", "m1-1", "off-air", &PurchaseBody::default())
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::NotLive);
    assert!(err.to_string().contains("only during a broadcast"), "{err}");
    assert_eq!(wallet(&t, "u1").await.0, 10_000);

    let performer2 = t.client(&t.tokens.other_performer);
    performer2.broadcast(&room2, true).await.unwrap();
    let offer = viewer.offer(&room2, None).await.unwrap();
    assert!(offer.live);
    assert_eq!(offer.menus[0].items.len(), 2);
    let receipt = viewer
        .purchase(&room2, "m1", "m1-1", "on-air", &PurchaseBody::default())
        .await
        .unwrap();
    assert_eq!(receipt.price, 5);

    performer2.broadcast(&room2, false).await.unwrap();
    let err = viewer
        .purchase(&room2, "m1", "m1-1", "off-again", &PurchaseBody::default())
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::NotLive);
    assert!(viewer.offer(&room2, None).await.unwrap().menus.is_empty());
    assert_eq!(wallet(&t, "u1").await.0, 10_000 - 5);
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn prices_round_half_up_at_0_50_and_150_percent() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    let viewer = menus(&t, &t.tokens.viewer);
    let bases = [1u64, 3, 25, 33, 99];
    let items: Vec<Value> = bases
        .iter()
        .map(|b| json!({"title": format!("base {b}"), "baseTokens": b}))
        .collect();
    let mut menu = p
        .create(
            &room,
            &spec(json!({"name": "Edges", "queueMode": "off", "items": items})),
        )
        .await
        .unwrap();
    let mut spent = 0;
    for (multiplier, expected) in [
        (0u16, [0u64, 0, 0, 0, 0]),
        (50, [1, 2, 13, 17, 50]),
        (150, [2, 5, 38, 50, 149]),
        (100, [1, 3, 25, 33, 99]),
    ] {
        let mut edit = menu.to_spec();
        edit.multiplier = multiplier;
        menu = p.update(&room, "m1", &edit).await.unwrap();
        let shown: Vec<u64> = menu.items.iter().map(|i| i.price).collect();
        assert_eq!(shown, expected, "performer's prices at {multiplier} %");
        let offered = viewer.offer(&room, None).await.unwrap();
        let offered: Vec<u64> = offered.menus[0].items.iter().map(|i| i.price).collect();
        let sellable: Vec<u64> = expected.iter().copied().filter(|p| *p > 0).collect();
        assert_eq!(offered, sellable, "offered prices at {multiplier} %");
        for (i, price) in expected.iter().enumerate() {
            let key = format!("edge-{multiplier}-{i}");
            let answer = buy(&viewer, "m1", &menu.items[i].id, &key).await;
            if *price == 0 {
                assert_eq!(code(&answer.unwrap_err()), ErrorCode::ZeroPrice);
            } else {
                let receipt = answer.unwrap();
                assert_eq!(receipt.price, *price);
                assert_eq!(receipt.menu_version, menu.version);
                spent += price;
            }
            assert_eq!(
                wallet(&t, "u1").await.0,
                10_000 - spent,
                "charged exactly the price"
            );
        }
    }
    assert_conserved(&t, 30_000).await;
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

/// Midnight UTC a few days from now, so the engine's clock only moves forward.
fn a_future_midnight() -> Stamp {
    let day = 24 * 3600 * 1_000_000i64;
    Stamp((Stamp::now().0.div_euclid(day) + 3) * day)
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_limits_count_per_user_per_utc_day() {
    let clock = Clock::default();
    let config = ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    };
    let mut t = TestServer::start_with(config).await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    p.create(
        &room,
        &spec(json!({"name": "Limited", "queueMode": "on", "items": [
            {"title": "Twice a day", "baseTokens": 10, "dailyLimit": 2},
            {"title": "Once a day", "baseTokens": 10, "dailyLimit": 1}
        ]})),
    )
    .await
    .unwrap();
    let u1 = menus(&t, &t.tokens.viewer);
    let u2 = menus(&t, &viewer_token(&t, "u2").await);
    let midnight = a_future_midnight();
    let remaining = |offer: &cuedeck::menus::Offer| {
        offer.menus[0]
            .items
            .iter()
            .map(|i| i.remaining_today)
            .collect::<Vec<_>>()
    };

    clock.set(Stamp(midnight.0 - 2_000_000)); // 23:59:58
    buy(&u1, "m1", "m1-1", "day1-a").await.unwrap();
    buy(&u1, "m1", "m1-1", "day1-b").await.unwrap();
    let err = buy(&u1, "m1", "m1-1", "day1-c").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::DailyLimitReached);
    assert!(
        err.to_string().contains(&midnight.to_string()),
        "says when it resets: {err}"
    );
    assert_eq!(
        remaining(&u1.offer(&room, None).await.unwrap()),
        [Some(0), Some(1)]
    );
    // Per user: u2 has its own count.
    buy(&u2, "m1", "m1-1", "u2-day1").await.unwrap();

    // Past midnight UTC, a new day.
    clock.set(Stamp(midnight.0 + 500_000)); // 00:00:00.5
    assert_eq!(
        remaining(&u1.offer(&room, None).await.unwrap()),
        [Some(2), Some(1)]
    );
    let receipt = buy(&u1, "m1", "m1-1", "day2-a").await.unwrap();
    let item = t
        .client(ADMIN)
        .audit(&room, receipt.queue_item)
        .await
        .unwrap();
    assert!(item.view.stamp >= midnight, "stamped by the server's clock");
    buy(&u1, "m1", "m1-1", "day2-b").await.unwrap();
    assert_eq!(
        code(&buy(&u1, "m1", "m1-1", "day2-c").await.unwrap_err()),
        ErrorCode::DailyLimitReached
    );

    // Two purchases at once cannot both pass a limit of 1.
    let mut racers = Vec::new();
    for i in 0..8 {
        let u1 = u1.clone();
        racers.push(tokio::spawn(async move {
            buy(&u1, "m1", "m1-2", &format!("race-{i}")).await
        }));
    }
    let mut won = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(_) => won += 1,
            Err(err) => assert_eq!(code(&err), ErrorCode::DailyLimitReached),
        }
    }
    assert_eq!(won, 1, "exactly one purchase passes a limit of 1");

    // A purchase refunded in full frees its place; the count survives a restart.
    let err = buy(&u1, "m1", "m1-2", "again").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::DailyLimitReached);
    let last = t.client(ADMIN).snapshot(&room).await.unwrap();
    let once = last
        .waiting
        .iter()
        .find(|i| i.action.menu_item_id.as_deref() == Some("m1-2"))
        .unwrap()
        .id;
    t.client(&t.tokens.performer)
        .refund(
            &room,
            once,
            None,
            RefundReason::Goodwill,
            None,
            "refund-once",
        )
        .await
        .unwrap();
    t.restart().await;
    let u1 = MenuClient::new(RestClient::new(t.url(), t.tokens.viewer.clone()));
    buy(&u1, "m1", "m1-2", "after-refund").await.unwrap();
    assert_eq!(
        code(&buy(&u1, "m1", "m1-2", "after-restart").await.unwrap_err()),
        ErrorCode::DailyLimitReached
    );
    assert_eq!(
        code(&buy(&u1, "m1", "m1-1", "day2-d").await.unwrap_err()),
        ErrorCode::DailyLimitReached
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn visibility_whitelist_and_hidden_items() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    p.create(&room, &energy()).await.unwrap(); // m1: public, m1-3 hidden
    p.create(
        &room,
        &spec(json!({"name": "VIP", "visibility": "subscribers_only", "items": [{"title": "VIP", "baseTokens": 50}]})),
    )
    .await
    .unwrap(); // m2
    p.create(
        &room,
        &spec(json!({"name": "Secret", "visibility": "private", "whitelist": ["u2"], "items": [{"title": "S", "baseTokens": 30}]})),
    )
    .await
    .unwrap(); // m3
    let u1 = menus(&t, &t.tokens.viewer);
    let u2 = menus(&t, &viewer_token(&t, "u2").await);
    let names = |offer: cuedeck::menus::Offer| {
        offer
            .menus
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };

    assert_eq!(
        names(u1.offer(&room, None).await.unwrap()),
        ["Private Energy"]
    );
    assert_eq!(
        names(u2.offer(&room, None).await.unwrap()),
        ["Private Energy", "Secret"]
    );
    let offered = u1.offer(&room, None).await.unwrap();
    assert!(
        offered.menus[0].items.iter().all(|i| i.id != "m1-3"),
        "hidden items are not offered"
    );
    assert_eq!(
        code(&buy(&u1, "m1", "m1-3", "hidden").await.unwrap_err()),
        ErrorCode::UnknownMenuItem
    );
    assert_eq!(
        code(&buy(&u1, "m9", "m9-1", "nomenu").await.unwrap_err()),
        ErrorCode::UnknownMenu
    );

    let err = buy(&u1, "m2", "m2-1", "vip-1").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::MenuRestricted);
    assert!(err.to_string().contains("subscribers"), "{err}");
    assert_eq!(
        code(&buy(&u1, "m3", "m3-1", "secret-1").await.unwrap_err()),
        ErrorCode::MenuRestricted
    );
    assert_eq!(buy(&u2, "m3", "m3-1", "secret-2").await.unwrap().price, 30);

    // The performer marks u1 as a subscriber.
    p.set_subscriber(&room, &"u1".into(), true).await.unwrap();
    assert_eq!(p.subscribers(&room).await.unwrap().users, ["u1".into()]);
    assert_eq!(
        names(u1.offer(&room, None).await.unwrap()),
        ["Private Energy", "VIP"]
    );
    assert_eq!(buy(&u1, "m2", "m2-1", "vip-2").await.unwrap().price, 50);
    p.set_subscriber(&room, &"u1".into(), false).await.unwrap();
    assert_eq!(
        code(&buy(&u1, "m2", "m2-1", "vip-3").await.unwrap_err()),
        ErrorCode::MenuRestricted
    );

    // Taking u2 off the whitelist closes the private menu to them.
    let mut secret = p.get(&room, "m3").await.unwrap().to_spec();
    secret.whitelist.clear();
    p.update(&room, "m3", &secret).await.unwrap();
    assert_eq!(
        code(&buy(&u2, "m3", "m3-1", "secret-3").await.unwrap_err()),
        ErrorCode::MenuRestricted
    );

    // The performer may preview what a viewer sees; a viewer only their own.
    let preview = p.offer(&room, Some(&"u2".into())).await.unwrap();
    assert_eq!(names(preview), ["Private Energy"]);
    assert_eq!(
        code(&u1.offer(&room, Some(&"u2".into())).await.unwrap_err()),
        ErrorCode::Forbidden
    );
    assert_eq!(wallet(&t, "u1").await.0, 10_000 - 50);
    assert_eq!(wallet(&t, "u2").await.0, 10_000 - 30);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_mode_on_queues_off_settles_at_once_and_points_come_on_settle() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    p.create(&room, &energy()).await.unwrap(); // m1, queue ON
    p.create(&room, &quick()).await.unwrap(); // m2, queue OFF
    let viewer = menus(&t, &t.tokens.viewer);
    t.client(&t.tokens.viewer)
        .join(&room, Tier::Vip)
        .await
        .unwrap();
    let admin = t.client(ADMIN);

    // OFF: an instant item, settled and its points credited at once.
    let instant = viewer
        .purchase(
            &room,
            "m2",
            "m2-1",
            "wink",
            &PurchaseBody {
                menu_version: Some(1),
                display_name: Some("LuckyStar".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        instant.reply,
        Reply::Settled {
            item: instant.queue_item
        }
    );
    assert_eq!(
        (instant.state, instant.points_credited),
        (ItemState::Finished, true)
    );
    assert_eq!(wallet(&t, "u1").await, (10_000 - 5, 2));
    let snapshot = admin.snapshot(&room).await.unwrap();
    assert_eq!((snapshot.totals.earned, snapshot.totals.escrow), (5, 0));
    assert!(snapshot.waiting.is_empty(), "an instant item never waits");

    // ON: escrow and a queue item; no points until it settles.
    let queued = buy(&viewer, "m1", "m1-1", "dance").await.unwrap();
    assert!(
        matches!(queued.reply, Reply::Queued { position: 1, .. }),
        "{:?}",
        queued.reply
    );
    assert_eq!(
        (queued.state, queued.points_credited),
        (ItemState::Queued, false)
    );
    assert_eq!(wallet(&t, "u1").await, (10_000 - 5 - 60, 2));
    let snapshot = admin.snapshot(&room).await.unwrap();
    assert_eq!(snapshot.totals.escrow, 60);
    let view = &snapshot.waiting[0];
    assert_eq!(view.source.as_str(), "chip_menu");
    assert_eq!(view.action.menu_item_id.as_deref(), Some("m1-1"));
    assert_eq!(view.action.title.as_ref(), "Slow dance");
    assert_eq!(view.duration_ms, 120_000);
    assert_eq!(view.effects.len(), 1);
    assert_eq!(view.effects[0].intensity, Some(10));
    assert_eq!(view.loyalty_points, 5);
    assert_eq!(view.tier, Tier::Vip);
    assert!(
        view.source_event_id.starts_with("menu.m1.v1."),
        "{}",
        view.source_event_id
    );

    let performer = t.client(&t.tokens.performer);
    performer
        .start(&room, Some(queued.queue_item), "s1")
        .await
        .unwrap();
    assert_eq!(wallet(&t, "u1").await.1, 2, "not on start");
    performer
        .finish(&room, Some(queued.queue_item), "f1")
        .await
        .unwrap();
    assert_eq!(wallet(&t, "u1").await.1, 2 + 5, "credited on settle");
    // A retry answers with the original reply and now shows the settle.
    let again = buy(&viewer, "m1", "m1-1", "dance").await.unwrap();
    assert_eq!(again.reply, queued.reply);
    assert_eq!(
        (again.state, again.points_credited),
        (ItemState::Finished, true)
    );
    assert_eq!(wallet(&t, "u1").await.1, 7, "credited once");

    // A refunded purchase credits no points.
    let refunded = buy(&viewer, "m1", "m1-1", "dance-2").await.unwrap();
    performer
        .refund(
            &room,
            refunded.queue_item,
            None,
            RefundReason::Goodwill,
            None,
            "r1",
        )
        .await
        .unwrap();
    assert_eq!(wallet(&t, "u1").await, (10_000 - 5 - 60, 7));
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_are_idempotent_and_edits_apply_to_future_purchases_only() {
    let t = TestServer::start().await;
    let room = ROOM.into();
    let p = menus(&t, &t.tokens.performer);
    let menu = p.create(&room, &energy()).await.unwrap();
    let viewer = menus(&t, &t.tokens.viewer);

    let first = buy(&viewer, "m1", "m1-1", "k1").await.unwrap();
    assert_eq!(first.price, 60);
    // The performer raises prices and changes the effect mid-show.
    let mut edit = menu.to_spec();
    edit.multiplier = 150;
    edit.items[0].title = "Slower dance".into();
    edit.items[0].toy.as_mut().unwrap().intensity = Some(20);
    p.update(&room, "m1", &edit).await.unwrap();

    // A retry of the first purchase: same answer, charged once.
    let retry = buy(&viewer, "m1", "m1-1", "k1").await.unwrap();
    assert_eq!(retry, first);
    assert_eq!(wallet(&t, "u1").await.0, 10_000 - 60);
    // The same key for another item is a conflict.
    assert_eq!(
        code(&buy(&viewer, "m1", "m1-2", "k1").await.unwrap_err()),
        ErrorCode::IdempotencyConflict
    );
    // ... and for another user too.
    let u2 = menus(&t, &viewer_token(&t, "u2").await);
    assert_eq!(
        code(&buy(&u2, "m1", "m1-1", "k1").await.unwrap_err()),
        ErrorCode::IdempotencyConflict
    );

    // The queued item kept its price, title and effect.
    let queued = t
        .client(ADMIN)
        .audit(&room, first.queue_item)
        .await
        .unwrap();
    assert_eq!(queued.view.token_cost, 60);
    assert_eq!(queued.view.action.title.as_ref(), "Slow dance");
    assert_eq!(queued.view.effects[0].intensity, Some(10));
    // A new purchase pays the new price, with the new effect.
    let second = buy(&viewer, "m1", "m1-1", "k2").await.unwrap();
    assert_eq!((second.price, second.menu_version), (90, 2));
    let item = t
        .client(ADMIN)
        .audit(&room, second.queue_item)
        .await
        .unwrap();
    assert_eq!(item.view.effects[0].intensity, Some(20));
    assert_eq!(item.view.action.title.as_ref(), "Slower dance");

    // A viewer who says which version they saw is not charged a price they did not see.
    let err = viewer
        .purchase(
            &room,
            "m1",
            "m1-2",
            "k3",
            &PurchaseBody {
                menu_version: Some(1),
                display_name: None,
            },
        )
        .await
        .unwrap_err();
    let MenuClientError::Conflict(conflict) = err else {
        panic!("{err:?}")
    };
    assert_eq!((conflict.your_version, conflict.current_version), (1, 2));
    assert_eq!(conflict.field.as_deref(), Some("menuVersion"));
    assert!(
        conflict.current.is_none() && conflict.changes.is_empty(),
        "no performer details"
    );

    // Insufficient funds: refused, nothing moves.
    let u3 = menus(&t, &viewer_token(&t, "u3").await);
    let mut big = p.get(&room, "m1").await.unwrap().to_spec();
    big.items[1].base_tokens = 6_000; // 9,000 at 150 %
    p.update(&room, "m1", &big).await.unwrap();
    buy(&u3, "m1", "m1-2", "big-1").await.unwrap();
    let err = buy(&u3, "m1", "m1-2", "big-2").await.unwrap_err();
    assert_eq!(code(&err), ErrorCode::InsufficientFunds);
    assert_eq!(wallet(&t, "u3").await.0, 10_000 - 9_000);
    assert_conserved(&t, 30_000).await;
    t.stop().await;
}
