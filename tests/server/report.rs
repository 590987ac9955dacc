//! Broadcast reports over a real loopback server with an injected clock: a
//! scripted show (purchases, a menu purchase with points, spins, a finish,
//! refunds of every reason, the end's automatic refunds) whose every
//! figure is checked; the same report after a restart; a broadcast that
//! spans a restart; who may read reports; the CSV parsed back.

use crate::games_api::{WHEEL, call, fast_wheel, put_game, spun};
use crate::support::*;
use cuedeck::client::BroadcastChoice;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{ItemId, RefundReason, RoomId, Stamp};
use cuedeck::report::{Bucket, Report};
use cuedeck::server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// 2030-01-01 20:00 UTC: the show's minute 0.
pub(super) const T0: i64 = 1_893_528_000_000_000;
const MINUTE: i64 = 60_000_000;

pub(super) fn at(minute: i64) -> Stamp {
    Stamp(T0 + minute * MINUTE)
}

pub(super) async fn server_at_t0() -> (TestServer, Clock) {
    let clock = Clock::default();
    clock.set(at(0));
    let t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    (t, clock)
}

async fn buy(t: &TestServer, user: &str, key: &str, cost: u64, title: &str) -> ItemId {
    let payload = serde_json::to_vec(
        &PayloadBuilder::new(PERFORMER, user, key, cost)
            .title(title)
            .display_name("Viewer")
            .json(),
    )
    .unwrap();
    let reply = t
        .client(&t.tokens.integration)
        .intake(&ROOM.into(), &payload, key, false)
        .await
        .expect("intake accepted");
    reply.item().expect("an item")
}

async fn refund(
    t: &TestServer,
    token: &str,
    item: ItemId,
    amount: Option<u64>,
    reason: RefundReason,
) {
    let note = (reason == RefundReason::Other).then_some("camera died");
    t.client(token)
        .refund(
            &ROOM.into(),
            item,
            amount,
            reason,
            note,
            &format!("refund-{}", item.0),
        )
        .await
        .expect("refund accepted");
}

/// The scripted show in r1's first broadcast (started at minute 0 by the
/// test server). Returns the titles of the two spins' prizes.
pub(super) async fn scripted_show(t: &TestServer, clock: &Clock) -> (String, String) {
    let room: RoomId = ROOM.into();
    let performer = t.client(&t.tokens.performer);
    clock.set(at(1));
    let a = buy(t, "u1", "a", 100, "Dance").await;
    let b = buy(t, "u2", "b", 50, "Song").await;
    clock.set(at(2));
    let c = buy(t, "u3", "c", 30, "Dance").await;
    // An instant menu item with 5 loyalty points, bought by u1.
    let (status, body) = call(
        t,
        &t.tokens.performer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/menus"),
        None,
        Some(json!({"name": "Quick", "queueMode": "off",
                    "items": [{"title": "Say your name", "baseTokens": 15, "bonusPoints": 5}]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        t,
        &t.tokens.viewer,
        Method::POST,
        &format!("/api/v1/rooms/{ROOM}/menus/m1/items/m1-1/purchase"),
        Some("menu-1"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    clock.set(at(3));
    performer.start(&room, Some(a), "start-a").await.unwrap();
    clock.set(at(4));
    performer.finish(&room, Some(a), "finish-a").await.unwrap();
    clock.set(at(6));
    performer.start(&room, Some(b), "start-b").await.unwrap();
    clock.set(at(7));
    refund(t, &t.tokens.performer, b, Some(20), RefundReason::Goodwill).await;
    clock.set(at(8));
    refund(t, &t.tokens.performer, c, None, RefundReason::Dispute).await;
    let e = buy(t, "u2", "e", 40, "Song").await;
    clock.set(at(9));
    refund(t, &t.tokens.performer, e, None, RefundReason::Other).await;
    clock.set(at(11));
    let f = buy(t, "u3", "f", 60, "Dance").await;
    clock.set(at(12));
    refund(t, &t.tokens.moderator, f, None, RefundReason::Moderation).await;
    buy(t, "u1", "g", 25, "Song").await;
    let (status, body) = put_game(t, WHEEL, fast_wheel(0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    clock.set(at(13));
    let low = spun(t, &t.tokens.viewer, WHEEL, "spin-1", 1).await;
    let high = spun(t, &t.tokens.viewer, WHEEL, "spin-2", 2).await;
    (low.prize.title, high.prize.title)
}

/// End the broadcast at minute 16 and let its grace period (5 minutes)
/// refund what still waits: the clock moves to minute 22, past the
/// deadline, and a command runs the due tick first.
pub(super) async fn end_show(t: &TestServer, clock: &Clock) {
    let admin = t.client(ADMIN);
    clock.set(at(16));
    t.client(&t.tokens.performer)
        .broadcast(&ROOM.into(), false)
        .await
        .unwrap();
    clock.set(at(22));
    admin.mint("u9", 1, Some("nudge")).await.unwrap();
    for _ in 0..200 {
        if admin.snapshot(&ROOM.into()).await.unwrap().totals.escrow == 0 {
            // One writer commits in order: once this is acknowledged, the
            // refunds before it are on disk too.
            admin.mint("u9", 1, Some("nudge-2")).await.unwrap();
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the grace period's refunds never came");
}

async fn report(t: &TestServer, token: &str) -> Report {
    t.client(token)
        .report_of(&ROOM.into(), BroadcastChoice::Last)
        .await
        .unwrap()
        .expect("a broadcast")
}

fn buckets(report: &Report) -> Vec<(i64, u64, u64)> {
    report
        .buckets
        .iter()
        .map(
            |Bucket {
                 start,
                 earned,
                 refunded,
             }| {
                (
                    (start.0 - report.broadcast.started_at.0) / (5 * MINUTE),
                    *earned,
                    *refunded,
                )
            },
        )
        .collect()
}

fn refunds(report: &Report) -> Vec<(&str, u64, u64)> {
    report
        .refunds
        .iter()
        .map(|l| (l.reason.as_str(), l.items, l.tokens))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_figure_of_a_scripted_show_is_exact_live_ended_and_after_a_restart() {
    let (mut t, clock) = server_at_t0().await;
    let (low, high) = scripted_show(&t, &clock).await;

    // Live: the report so far, with three items and two spins in escrow.
    let live = report(&t, &t.tokens.performer).await;
    assert!(live.live);
    assert_eq!(live.broadcast.ended_at, None);
    let n = &live.totals;
    assert_eq!(
        (
            n.items,
            n.bought,
            n.earned,
            n.refunded,
            n.escrow,
            n.viewers,
            n.points_earned
        ),
        (9, 345, 145, 150, 50, 3, 5)
    );
    assert_eq!(buckets(&live), [(0, 115, 0), (1, 30, 90), (2, 0, 60)]);

    end_show(&t, &clock).await;
    let ended = report(&t, &t.tokens.performer).await;
    assert!(!ended.live);
    assert!(ended.broadcast.ended_at.unwrap() >= at(16));
    assert!(ended.as_of >= at(21), "{ended:?}");
    let n = &ended.totals;
    assert_eq!(
        (
            n.items,
            n.bought,
            n.earned,
            n.refunded,
            n.escrow,
            n.viewers,
            n.points_earned
        ),
        (9, 345, 145, 200, 0, 3, 5)
    );
    assert_eq!(n.bought, n.earned + n.refunded + n.escrow);
    assert_eq!(
        refunds(&ended),
        [
            ("goodwill", 1, 20),
            ("dispute", 1, 30),
            ("system_auto", 3, 50),
            ("moderation", 1, 60),
            ("other", 1, 40)
        ]
    );
    assert_eq!(
        buckets(&ended),
        [(0, 115, 0), (1, 30, 90), (2, 0, 60), (3, 0, 0), (4, 0, 50)]
    );
    let by_state: Vec<(&str, &str, u64, u64)> = ended
        .items
        .iter()
        .map(|l| (l.source.as_str(), l.state.as_str(), l.items, l.tokens))
        .collect();
    assert_eq!(
        by_state,
        [
            ("chip_menu", "finished", 2, 115),
            ("chip_menu", "refunded", 5, 205),
            ("spin_wheel", "refunded", 2, 25)
        ]
    );
    let top: Vec<(&str, u64, u64, u64)> = ended
        .top_items
        .iter()
        .take(3)
        .map(|l| (l.title.as_str(), l.items, l.tokens, l.earned))
        .collect();
    assert_eq!(
        top,
        [
            ("Dance", 3, 190, 100),
            ("Song", 3, 115, 30),
            ("Say your name", 1, 15, 15)
        ]
    );
    let spins: Vec<(u32, u64, u64)> = ended
        .spins
        .iter()
        .map(|l| (l.tier, l.spins, l.tokens))
        .collect();
    assert_eq!(spins, [(1, 1, 5), (2, 1, 20)]);
    let mut drawn: Vec<(String, u64)> = ended
        .prizes
        .iter()
        .map(|p| (p.title.clone(), p.spins))
        .collect();
    drawn.sort();
    let mut expected = if low == high {
        vec![(low, 2)]
    } else {
        vec![(low, 1), (high, 1)]
    };
    expected.sort();
    assert_eq!(drawn, expected);

    // The same report after a restart, and from a moderator and an admin.
    t.restart().await;
    assert_eq!(report(&t, &t.tokens.performer).await, ended);
    assert_eq!(report(&t, &t.tokens.moderator).await, ended);
    assert_eq!(report(&t, ADMIN).await, ended);

    // The CSV parses back to the same figures.
    let csv = cuedeck::report::csv::render(&ended).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        cuedeck::report::csv::HEADER
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell = |section: &str, name: &str, column: usize| -> String {
        rows.iter()
            .find(|r| &r[0] == section && &r[1] == name)
            .unwrap_or_else(|| panic!("no {section} {name} row"))[column]
            .to_string()
    };
    assert_eq!(cell("totals", "earned", 4), "145");
    assert_eq!(cell("totals", "refunded", 4), "200");
    assert_eq!(cell("totals", "bought", 3), "9");
    assert_eq!(cell("refunds", "system_auto", 4), "50");
    assert_eq!(cell("top_items", "Say your name", 4), "15");
    let earned: u64 = rows
        .iter()
        .filter(|r| &r[0] == "earned")
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    assert_eq!(earned, 145);
    assert_eq!(rows.iter().filter(|r| &r[0] == "refunded").count(), 5);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broadcast_live_at_a_restart_keeps_its_record_and_its_items() {
    let (mut t, clock) = server_at_t0().await;
    let room: RoomId = ROOM.into();
    clock.set(at(1));
    let before = buy(&t, "u1", "before", 70, "Dance").await;
    t.restart().await;
    clock.set(at(6));
    let performer = t.client(&t.tokens.performer);
    performer.start(&room, Some(before), "start").await.unwrap();
    clock.set(at(7));
    performer
        .finish(&room, Some(before), "finish")
        .await
        .unwrap();
    buy(&t, "u2", "after", 30, "Song").await;

    let page = performer.broadcasts(&room, None, None).await.unwrap();
    assert_eq!(
        page.broadcasts.len(),
        1,
        "one broadcast, not one per start of the server"
    );
    let so_far = report(&t, &t.tokens.performer).await;
    assert!(so_far.live);
    assert_eq!(
        (
            so_far.totals.items,
            so_far.totals.bought,
            so_far.totals.earned
        ),
        (2, 100, 70)
    );
    assert_eq!(so_far.totals.escrow, 30);
    assert_eq!(buckets(&so_far), [(0, 0, 0), (1, 70, 0)]);

    // A second broadcast is a new record; the first keeps its figures.
    clock.set(at(8));
    performer.broadcast(&room, false).await.unwrap();
    clock.set(at(9));
    performer.broadcast(&room, true).await.unwrap();
    clock.set(at(10));
    buy(&t, "u3", "second", 11, "Wave").await;
    let page = performer.broadcasts(&room, None, None).await.unwrap();
    let ids: Vec<i64> = page.broadcasts.iter().map(|b| b.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] > ids[1], "newest first");
    assert!(page.broadcasts[0].ended_at.is_none() && page.broadcasts[1].ended_at.is_some());
    let older = performer
        .broadcasts(&room, Some(ids[0]), Some(1))
        .await
        .unwrap();
    assert_eq!(older.broadcasts, page.broadcasts[1..]);
    let first = performer.report(&room, ids[1]).await.unwrap();
    assert_eq!((first.totals.items, first.totals.bought), (2, 100));
    let second = report(&t, &t.tokens.performer).await;
    assert_eq!((second.totals.items, second.totals.escrow), (1, 11));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_rooms_performer_its_moderators_and_admins_read_reports() {
    let (t, _clock) = server_at_t0().await;
    let path = format!("/api/v1/rooms/{ROOM}/broadcasts");
    let (_, page) = call(&t, ADMIN, Method::GET, &path, None, None).await;
    let id = page["broadcasts"][0]["id"]
        .as_i64()
        .expect("r1 has a broadcast");
    let report_path = format!("{path}/{id}/report");
    let k = &t.tokens;
    for (who, token) in [
        ("viewer", &k.viewer),
        ("integration", &k.integration),
        ("moderator of r2", &k.other_moderator),
        ("performer of r2", &k.other_performer),
    ] {
        for p in [&path, &report_path] {
            let (status, body) = call(&t, token, Method::GET, p, None, None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {p}: {body}");
            assert_eq!(body["code"], "forbidden", "{who}");
        }
    }
    for token in [&k.performer, &k.moderator, &k.admin] {
        let (status, body) = call(&t, token, Method::GET, &report_path, None, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // r2 never went live: no broadcast of r1 is r2's; bad input names its field.
    let refused = [
        (
            format!("/api/v1/rooms/{OTHER_ROOM}/broadcasts/{id}/report"),
            StatusCode::NOT_FOUND,
            "unknown_broadcast",
            Some("broadcast"),
        ),
        (
            format!("{path}/abc/report"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("broadcast"),
        ),
        (
            format!("{path}?limit=0"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("limit"),
        ),
        (
            "/api/v1/rooms/nope/broadcasts".to_string(),
            StatusCode::NOT_FOUND,
            "unknown_room",
            None,
        ),
    ];
    for (p, status, code, field) in refused {
        let (got, body) = call(&t, ADMIN, Method::GET, &p, None, None).await;
        assert_eq!(
            (got, body["code"].as_str()),
            (status, Some(code)),
            "{p}: {body}"
        );
        assert_eq!(body["field"].as_str(), field, "{p}: {body}");
    }
    t.stop().await;
}
