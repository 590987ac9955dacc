//! Races the server resolves itself get documented answers: a purchase or
//! a spin taken and then refunded by a ban answers `200` with its receipt
//! and the item's state now, never `internal` (an intake answers its
//! reply); random interleavings of bans, unbans, purchases, spins,
//! intakes and toy tips all answer as documented, with the money conserved. And `Retry-After` on a `429 cooldown` is the time left.

use super::games_api::{WHEEL, call, fast_wheel, put_game, spin, template, viewer};
use super::moderation::assert_conserved;
use crate::support::*;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{ItemId, ItemState, Stamp};
use cuedeck::server::ServerConfig;
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const USERS: [&str; 3] = ["u1", "u2", "u3"];
const PRICE: u64 = 5;
const TIP: u64 = 15;

/// A room with a queued menu (m1-1 costs 5) and a wheel without cooldown;
/// a viewer token for each of u1..u3.
pub(super) async fn shop(t: &TestServer) -> Vec<String> {
    let menu = json!({"name": "Quick Fun", "queueMode": "on",
                      "items": [{"title": "Wink", "baseTokens": PRICE}]});
    let (status, body) = call(
        t,
        &t.tokens.performer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/menus"),
        None,
        Some(menu),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    put_game(t, WHEEL, fast_wheel(0)).await;
    // Tips of TIP tokens move the toy: they wait in the lane, in escrow.
    let levels = cuedeck::domain::tips::TipLevels {
        levels: vec![cuedeck::domain::tips::TipLevel {
            label: "medium".into(),
            min: TIP,
            max: None,
            intensity: cuedeck::domain::tips::Intensity::All(10),
            duration_s: 5,
            pattern: None,
        }],
        specials: vec![],
    };
    t.client(&t.tokens.performer)
        .set_tip_levels(&ROOM.into(), &levels, 0)
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for user in USERS {
        tokens.push(viewer(t, user).await);
    }
    tokens
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Purchase,
    Spin,
    /// A canonical `chip_menu` intake by the integration.
    Intake,
    /// A toy tip from the viewer's wallet.
    Tip,
    Ban,
    Unban,
}

/// Send one request; (status, body).
async fn send(
    t: &TestServer,
    viewers: &[String],
    user: usize,
    op: Op,
    key: &str,
) -> (StatusCode, Value) {
    let name = USERS[user];
    match op {
        Op::Purchase => {
            let path = format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase");
            call(
                t,
                &viewers[user],
                Method::POST,
                &path,
                Some(key),
                Some(json!({})),
            )
            .await
        }
        Op::Spin => spin(t, &viewers[user], WHEEL, key, json!({"tier": 1})).await,
        Op::Intake => {
            let path = format!("/api/v1/rooms/{ROOM}/intake");
            let body: Value = serde_json::from_slice(&payload(name, key, PRICE)).unwrap();
            call(
                t,
                &t.tokens.integration,
                Method::POST,
                &path,
                Some(key),
                Some(body),
            )
            .await
        }
        Op::Tip => {
            let path = format!("/api/v1/rooms/{ROOM}/tips");
            let tip = json!({"amount": TIP});
            call(t, &viewers[user], Method::POST, &path, Some(key), Some(tip)).await
        }
        Op::Ban => {
            let path = format!("/api/v1/rooms/{ROOM}/bans");
            let ban = json!({"user": name, "reason": "fraud"});
            call(t, &t.tokens.moderator, Method::POST, &path, None, Some(ban)).await
        }
        Op::Unban => {
            let path = format!("/api/v1/rooms/{ROOM}/bans/{name}");
            call(t, &t.tokens.moderator, Method::DELETE, &path, None, None).await
        }
    }
}

/// The queue item a purchase receipt, a spin answer or an intake's reply
/// names, with the state it reported (a reply says where the item
/// entered: `queued`).
fn answered_item(body: &Value) -> (u64, String) {
    if body["result"] == "queued" || body["result"] == "tip_queued" {
        return (body["item"].as_u64().expect("item"), "queued".into());
    }
    let item = body["queueItem"].as_u64().expect("queueItem");
    let state = body["state"].as_str().expect("state").to_string();
    (item, state)
}

/// Every answer is one the docs give for its request; a taken purchase or
/// spin names its item and a state it may have had then.
fn assert_documented(op: Op, status: StatusCode, body: &Value) {
    let code = body["code"].as_str().unwrap_or_default();
    let ok = match op {
        Op::Purchase | Op::Spin | Op::Intake | Op::Tip if status == StatusCode::OK => {
            let (_, state) = answered_item(body);
            ["queued", "refunded"].contains(&state.as_str())
        }
        Op::Purchase | Op::Spin | Op::Intake | Op::Tip => {
            status == StatusCode::FORBIDDEN && code == "banned"
        }
        Op::Ban => status == StatusCode::OK && body["result"] == "banned",
        Op::Unban => {
            (status == StatusCode::OK && body["result"] == "unbanned")
                || (status == StatusCode::CONFLICT && code == "not_banned")
        }
    };
    assert!(ok, "{op:?} answered {status} {body}");
}

/// The item's state now, read by the performer.
async fn state_now(t: &TestServer, item: u64) -> ItemState {
    t.client(&t.tokens.performer)
        .audit(&ROOM.into(), ItemId(item))
        .await
        .unwrap()
        .state
}

#[tokio::test(flavor = "multi_thread")]
async fn a_purchase_or_spin_refunded_by_a_racing_ban_answers_its_receipt() {
    let t = TestServer::start().await;
    let viewers = shop(&t).await;
    let mut refunded_in_answer = 0;
    let mut taken = Vec::new();
    for round in 0..25 {
        // Each viewer buys and spins while a ban of them is on its way.
        let mut tasks = Vec::new();
        for user in 0..USERS.len() {
            for op in [Op::Purchase, Op::Spin, Op::Intake, Op::Tip, Op::Ban] {
                let (t, viewers) = (&t, &viewers);
                let key = format!("race-{round}-{user}-{op:?}");
                tasks.push(async move {
                    let answer = send(t, viewers, user, op, &key).await;
                    (op, user, key, answer)
                });
            }
        }
        let answers = futures_util::future::join_all(tasks).await;
        for (op, user, key, (status, body)) in answers {
            assert_documented(op, status, &body);
            if status == StatusCode::OK
                && matches!(op, Op::Purchase | Op::Spin | Op::Intake | Op::Tip)
            {
                let (item, state) = answered_item(&body);
                refunded_in_answer += usize::from(state == "refunded");
                taken.push((op, user, key, item, body));
            }
        }
        for user in 0..USERS.len() {
            let (status, body) = send(&t, &viewers, user, Op::Unban, "").await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
    // Whatever was taken was taken before its buyer's ban, which refunded
    // it; a retry answers the same receipt with the state now.
    for (op, user, key, item, first) in &taken {
        assert_eq!(state_now(&t, *item).await, ItemState::Refunded);
        let (status, again) = send(&t, &viewers, *user, *op, key).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(answered_item(&again).0, *item, "{first}");
        // An intake and a tip answer their reply, which names no state.
        if !matches!(op, Op::Intake | Op::Tip) {
            assert_eq!(again["state"], "refunded");
        }
    }
    for user in USERS {
        assert_eq!(
            t.client(ADMIN).balance(&user.into()).await.unwrap().tokens,
            10_000,
            "nothing charged and kept"
        );
    }
    assert_conserved(&t).await;
    assert!(
        refunded_in_answer > 0,
        "no answer met the ban's refund ({} taken): the race was not reproduced",
        taken.len()
    );
    eprintln!(
        "{refunded_in_answer} of {} taken answered refunded",
        taken.len()
    );
    t.stop().await;
}

fn op() -> impl Strategy<Value = (usize, Op, u8)> {
    let kind = prop_oneof![
        3 => Just(Op::Purchase),
        3 => Just(Op::Spin),
        2 => Just(Op::Intake),
        2 => Just(Op::Tip),
        2 => Just(Op::Ban),
        1 => Just(Op::Unban),
    ];
    (0..USERS.len(), kind, 0u8..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any interleaving of bans, unbans, purchases and spins: every request
    /// gets a documented answer, a taken item's state only moves on from
    /// the one its answer gave, and the money is conserved.
    #[test]
    fn every_interleaving_gets_documented_answers(ops in prop::collection::vec(op(), 1..14)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let t = TestServer::start().await;
            let viewers = shop(&t).await;
            let tasks = ops.iter().enumerate().map(|(n, &(user, op, yields))| {
                let (t, viewers) = (&t, &viewers);
                async move {
                    // A few yields let the scheduler order the requests differently.
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                    }
                    (op, send(t, viewers, user, op, &format!("op-{n}")).await)
                }
            });
            for (op, (status, body)) in futures_util::future::join_all(tasks).await {
                assert_documented(op, status, &body);
                if status == StatusCode::OK && matches!(op, Op::Purchase | Op::Spin | Op::Intake | Op::Tip) {
                    let (item, state) = answered_item(&body);
                    let now = state_now(&t, item).await;
                    assert!(
                        state == "queued" || now == ItemState::Refunded,
                        "answered {state}, now {now:?}"
                    );
                }
            }
            assert_conserved(&t).await;
            t.stop().await;
        });
    }
}

/// `Retry-After` and the message say how long is left, in whole seconds
/// rounded up, with the clock moved by the test.
#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_the_time_left_of_the_cooldown() {
    let clock = Clock::default();
    let t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    template(&t, "slot_machine", "slot_lucky_four", 0).await;
    let v = viewer(&t, "u1").await;
    let (status, first) = spin(&t, &v, "slot_machine", "s1", json!({"tier": 1})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let item = first["queueItem"].as_u64().unwrap();
    let spun_at = t
        .client(&t.tokens.performer)
        .audit(&ROOM.into(), ItemId(item))
        .await
        .unwrap()
        .view
        .stamp;
    let http = reqwest::Client::new();
    let refused_at = |offset_ms: i64, key: &'static str| {
        clock.set(Stamp(spun_at.0 + offset_ms * 1000));
        let request = http
            .post(t.url().http("/api/v1/rooms/r1/games/slot_machine/spin"))
            .bearer_auth(&v)
            .header("Idempotency-Key", key)
            .json(&json!({"tier": 1}));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let header = response
                .headers()
                .get("retry-after")
                .map(|h| h.to_str().unwrap().to_string());
            let body: Value = response.json().await.unwrap();
            (status, header, body)
        }
    };
    // 49 s into the slot's 120 s: 71 s left (a few µs less, rounded up).
    let (status, header, body) = refused_at(49_000, "s2").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(header.as_deref(), Some("71"));
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("possible in 71 s"),
        "{body}"
    );
    // Half a second left is one second.
    let (status, header, _) = refused_at(119_500, "s3").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header.as_deref(), Some("1"));
    // Right after it ends, a spin is taken.
    let (status, header, body) = refused_at(120_000, "s4").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(header, None);
    t.stop().await;
}
