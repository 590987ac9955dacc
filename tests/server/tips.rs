//! Tips and the toy lane over real loopback sockets: matching at intake,
//! one charge per key under concurrent retries, the lane's commands over
//! REST and the WebSocket, refunds by skip, clear, ban and broadcast end,
//! the role matrix, and a restart that keeps the lane.

use std::time::Duration;

use crate::support::*;
use cuedeck::client::{LaneAction, RoomStream, StreamEvent, StreamOptions};
use cuedeck::domain::time::Clock;
use cuedeck::domain::tips::{Intensity, TipLevel, TipLevels};
use cuedeck::domain::{BanReason, EventKind, ItemId, Reply, RoomId, Stamp, UserId};
use cuedeck::protocol::{BanRequest, ErrorCode, LaneSnapshot, TipBody};
use cuedeck::server::config::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn ladder() -> TipLevels {
    let level = |label: &str, min, max, seconds| TipLevel {
        label: label.into(),
        min,
        max,
        intensity: Intensity::All(10),
        duration_s: seconds,
        pattern: None,
    };
    TipLevels {
        levels: vec![level("medium", 10, Some(24), 5), level("max", 25, None, 15)],
        specials: vec![],
    }
}

async fn with_levels(t: &TestServer) {
    t.client(&t.tokens.performer)
        .set_tip_levels(&ROOM.into(), &ladder(), 0)
        .await
        .unwrap();
}

async fn wallet(t: &TestServer, user: &str) -> u64 {
    t.client(ADMIN).balance(&user.into()).await.unwrap().tokens
}

async fn lane(t: &TestServer) -> LaneSnapshot {
    t.client(ADMIN).snapshot(&ROOM.into()).await.unwrap().lane
}

/// A server on a clock the test moves, with the ladder saved.
async fn clocked() -> (Clock, TestServer) {
    let clock = Clock::default();
    let t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    with_levels(&t).await;
    (clock, t)
}

fn room() -> RoomId {
    ROOM.into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tip_is_matched_at_intake_and_waits_in_the_lane() {
    let t = TestServer::start().await;
    with_levels(&t).await;
    let viewer = t.client(&t.tokens.viewer);
    let reply = viewer.tip(&room(), 15, "tip-1").await.unwrap();
    let Reply::TipQueued { item, position } = reply else {
        panic!("a toy tip waits: {reply:?}")
    };
    assert_eq!(position, 1);
    let plain = viewer.tip(&room(), 5, "tip-2").await.unwrap();
    assert!(
        matches!(plain, Reply::Settled { .. }),
        "below every level: {plain:?}"
    );
    assert_eq!(wallet(&t, "u1").await, 10_000 - 20);
    // No console, no toy: the tip waits, with its level fixed.
    let lane = lane(&t).await;
    assert_eq!(lane.waiting.len(), 1);
    let tip = lane.waiting[0]
        .item
        .tip
        .as_ref()
        .expect("the matched level");
    assert_eq!((&*tip.label, tip.duration_ms), ("medium", 5_000));
    assert_eq!(lane.waiting[0].item.id, item);
    assert_eq!(lane.waiting[0].remaining_ms, 5_000);
    // A change of the levels never alters a tip already taken.
    let mut changed = ladder();
    changed.levels[0].duration_s = 9;
    t.client(&t.tokens.performer)
        .set_tip_levels(&room(), &changed, 1)
        .await
        .unwrap();
    assert_eq!(self::lane(&t).await.waiting[0].remaining_ms, 5_000);

    // The request never names what the server matches.
    let raw = viewer
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/tips"),
            Some("tip-3"),
            Some(
                json!({"amount": 15, "durationS": 60})
                    .to_string()
                    .into_bytes(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(raw.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(raw.1["code"], "forbidden_field");
    assert_eq!(raw.1["field"], "durationS");
    let err = viewer
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/tips"),
            None,
            Some(json!({"amount": 15}).to_string().into_bytes()),
        )
        .await
        .unwrap();
    assert_eq!(err.1["code"], "missing_idempotency_key");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_retries_with_one_key_charge_once() {
    let t = TestServer::start().await;
    with_levels(&t).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let viewer = t.client(&t.tokens.viewer);
        tasks.push(tokio::spawn(async move {
            viewer.tip(&room(), 30, "same-key").await
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap().unwrap());
    }
    assert!(replies.windows(2).all(|w| w[0] == w[1]), "{replies:?}");
    assert_eq!(wallet(&t, "u1").await, 10_000 - 30, "charged once");
    assert_eq!(lane(&t).await.waiting.len(), 1);
    // The same key for another amount is a different request.
    let err = t
        .client(&t.tokens.viewer)
        .tip(&room(), 31, "same-key")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::IdempotencyConflict));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_and_clear_refund_and_the_lane_runs_fifo() {
    let t = TestServer::start().await;
    with_levels(&t).await;
    let integration = t.client(&t.tokens.integration);
    let mut items = Vec::new();
    for (i, user) in ["u1", "u2", "u3", "u2"].iter().enumerate() {
        let reply = integration
            .tip_for(
                &room(),
                &UserId::new(*user),
                10 + i as u64,
                &format!("t-{i}"),
            )
            .await
            .unwrap();
        items.push(reply.item().unwrap());
    }
    let performer = t.client(&t.tokens.performer);
    let taken = performer
        .lane(&room(), LaneAction::Take(None), "take-1")
        .await
        .unwrap();
    assert_eq!(
        taken,
        Reply::LaneStarted {
            item: items[0],
            remaining_ms: 5_000
        }
    );
    let done = performer
        .lane(&room(), LaneAction::Done(Some(items[0])), "done-1")
        .await
        .unwrap();
    assert_eq!(
        done,
        Reply::Finished {
            item: items[0],
            settled: 10
        }
    );
    let skipped = performer
        .lane(&room(), LaneAction::Skip(items[2]), "skip-1")
        .await
        .unwrap();
    assert_eq!(
        skipped,
        Reply::Refunded {
            item: items[2],
            amount: 12,
            settled: 0
        }
    );
    assert_eq!(wallet(&t, "u3").await, 10_000);
    let order: Vec<ItemId> = lane(&t).await.waiting.iter().map(|w| w.item.id).collect();
    assert_eq!(order, [items[1], items[3]], "first in, first out");
    let cleared = performer
        .lane(&room(), LaneAction::Clear, "clear-1")
        .await
        .unwrap();
    assert_eq!(
        cleared,
        Reply::LaneCleared {
            room: room(),
            refunded: 2
        }
    );
    assert_eq!(wallet(&t, "u2").await, 10_000);
    assert_eq!(
        wallet(&t, "u1").await,
        10_000 - 10,
        "the tip that ran is settled"
    );
    let snapshot = t.client(ADMIN).snapshot(&room()).await.unwrap();
    assert!(snapshot.lane.waiting.is_empty() && snapshot.lane.running.is_none());
    assert_eq!(snapshot.totals.escrow, 0);
    assert_eq!(snapshot.totals.earned, 10);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ban_and_the_broadcast_end_refund_waiting_tips() {
    let (clock, t) = clocked().await;
    let integration = t.client(&t.tokens.integration);
    for (i, user) in ["u2", "u3", "u2", "u1"].iter().enumerate() {
        integration
            .tip_for(&room(), &UserId::new(*user), 20, &format!("b-{i}"))
            .await
            .unwrap();
    }
    let performer = t.client(&t.tokens.performer);
    // u2's first tip runs: a ban refunds only what waits.
    performer
        .lane(&room(), LaneAction::Take(None), "take")
        .await
        .unwrap();
    let ban = BanRequest {
        user: "u2".into(),
        scope: Default::default(),
        reason: BanReason::Spam,
        note: None,
        expires_at: None,
        expires_in_secs: None,
    };
    let banned = t
        .client(&t.tokens.moderator)
        .ban(&room(), &ban, Some("ban-u2"))
        .await
        .unwrap();
    assert!(
        matches!(banned, Reply::Banned { refunded: 1, .. }),
        "{banned:?}"
    );
    assert_eq!(wallet(&t, "u2").await, 10_000 - 20);
    let err = integration
        .tip_for(&room(), &"u2".into(), 20, "b-9")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Banned));

    // Broadcast end: the waiting ones go back after the grace period.
    t.client(ADMIN).broadcast(&room(), false).await.unwrap();
    assert_eq!(
        lane(&t).await.waiting.len(),
        2,
        "within the grace period they wait"
    );
    clock.set(Stamp(clock.now().0 + 301_000_000));
    t.client(ADMIN).mint("u9", 1, Some("nudge")).await.unwrap();
    let lane = lane(&t).await;
    assert!(lane.waiting.is_empty(), "{lane:?}");
    assert!(
        lane.running.is_some(),
        "the running one is the console's to end"
    );
    assert_eq!(wallet(&t, "u1").await, 10_000);
    assert_eq!(wallet(&t, "u3").await, 10_000);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_tips_and_the_lane() {
    let t = TestServer::start().await;
    with_levels(&t).await;
    let k = &t.tokens;
    let lane_ok = [ADMIN, &k.performer];
    let lane_refused = [&k.integration, &k.other_performer, &k.moderator, &k.viewer];
    for (n, token) in lane_refused.iter().enumerate() {
        let err = t
            .client(token)
            .lane(&room(), LaneAction::Pause, &format!("p-{n}"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Forbidden), "{n}");
    }
    for (n, token) in lane_ok.iter().enumerate() {
        let client = t.client(token);
        client
            .lane(&room(), LaneAction::Pause, &format!("ok-p-{n}"))
            .await
            .unwrap();
        client
            .lane(&room(), LaneAction::Resume, &format!("ok-r-{n}"))
            .await
            .unwrap();
    }
    for (n, token) in [&k.performer, &k.moderator, &k.other_performer]
        .iter()
        .enumerate()
    {
        let body = TipBody {
            amount: 10,
            display_name: None,
            user: Some("u2".into()),
            source_event_id: None,
        };
        let err = t
            .client(token)
            .tip_with(&room(), &body, &format!("x-{n}"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::Forbidden), "{n}");
    }
    // A viewer tips from their own wallet only.
    let body = TipBody {
        amount: 10,
        display_name: None,
        user: Some("u2".into()),
        source_event_id: None,
    };
    let err = t
        .client(&k.viewer)
        .tip_with(&room(), &body, "v-1")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ForbiddenField));
    let err = t
        .client(&k.integration)
        .tip(&room(), 10, "i-1")
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(ErrorCode::InvalidField),
        "an integration names the viewer"
    );
    t.stop().await;
}

fn quick() -> StreamOptions {
    StreamOptions {
        backoff_base: Duration::from_millis(30),
        backoff_max: Duration::from_millis(300),
        ping_every: Duration::from_secs(5),
        silence_timeout: Duration::from_secs(20),
    }
}

async fn next(stream: &mut RoomStream) -> StreamEvent {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("a stream event in time")
        .expect("stream open")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lane_over_the_socket_survives_a_restart_and_settles_once() {
    let mut t = TestServer::start().await;
    with_levels(&t).await;
    let viewer = t.client(&t.tokens.viewer);
    let item = viewer
        .tip(&room(), 40, "sock-1")
        .await
        .unwrap()
        .item()
        .unwrap();
    let mut stream = RoomStream::connect(&t.url(), &t.tokens.performer, room(), None, quick());
    loop {
        if let StreamEvent::Snapshot(s) = next(&mut stream).await {
            assert_eq!(s.lane.waiting.len(), 1);
            break;
        }
    }
    stream
        .lane("a", "run-1", LaneAction::Take(Some(item)))
        .await
        .unwrap();
    stream
        .lane("b", "run-1", LaneAction::Take(Some(item)))
        .await
        .unwrap();
    let (mut acks, mut started) = (Vec::new(), 0);
    // The start event and the acks travel on different channels: wait for both.
    while acks.len() < 2 || started == 0 {
        match next(&mut stream).await {
            StreamEvent::Ack { result, .. } => acks.push(result.unwrap()),
            StreamEvent::Event { event, .. } => {
                if let EventKind::LaneStarted {
                    tip, remaining_ms, ..
                } = &event.kind
                {
                    assert_eq!((&*tip.label, *remaining_ms), ("max", 15_000));
                    started += 1;
                }
            }
            _ => {}
        }
    }
    assert_eq!(acks[0], acks[1], "one key, one take");
    assert_eq!(started, 1);
    stream.close();

    t.restart().await;
    let running = lane(&t)
        .await
        .running
        .expect("the run is rebuilt by replay");
    assert_eq!(running.item.id, item);
    let performer = t.client(&t.tokens.performer);
    let done = performer
        .lane(&room(), LaneAction::Done(Some(item)), "done-1")
        .await
        .unwrap();
    assert_eq!(done, Reply::Finished { item, settled: 40 });
    let again = performer
        .lane(&room(), LaneAction::Done(Some(item)), "done-2")
        .await
        .unwrap_err();
    assert_eq!(
        again.code(),
        Some(ErrorCode::NothingInProgress),
        "settled once"
    );
    assert_eq!(wallet(&t, "u1").await, 10_000 - 40);
    let record = t.client(ADMIN).audit(&room(), item).await.unwrap();
    assert_eq!(record.settled, 40);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tip_whose_console_is_gone_returns_to_the_head_after_the_grace() {
    let (clock, t) = clocked().await;
    let viewer = t.client(&t.tokens.viewer);
    let first = viewer
        .tip(&room(), 15, "gone-1")
        .await
        .unwrap()
        .item()
        .unwrap();
    let second = viewer
        .tip(&room(), 16, "gone-2")
        .await
        .unwrap()
        .item()
        .unwrap();
    let mut stream = RoomStream::connect(&t.url(), &t.tokens.performer, room(), None, quick());
    loop {
        if let StreamEvent::Snapshot(_) = next(&mut stream).await {
            break;
        }
    }
    stream
        .lane("a", "gone-take", LaneAction::Take(None))
        .await
        .unwrap();
    loop {
        if let StreamEvent::Ack { result, .. } = next(&mut stream).await {
            assert_eq!(result.unwrap().item(), Some(first));
            break;
        }
    }
    clock.set(Stamp(clock.now().0 + 2_000_000)); // two seconds of the run
    stream.close();
    // The server notes the lost console once the socket has closed.
    let mut noted = false;
    for _ in 0..50 {
        if console_noted(&t).await {
            noted = true;
            break;
        }
    }
    assert!(noted, "the lost console is in the room's stream");
    assert!(
        lane(&t).await.running.is_some(),
        "within the grace the run stands"
    );
    clock.set(Stamp(clock.now().0 + 61_000_000));
    t.client(ADMIN).mint("u9", 1, Some("nudge")).await.unwrap();
    let lane = lane(&t).await;
    assert!(lane.running.is_none());
    let order: Vec<ItemId> = lane.waiting.iter().map(|w| w.item.id).collect();
    assert_eq!(order, [first, second], "back at the head");
    // Two seconds of five ran (the clock is the wall clock moved on, so a
    // few real milliseconds pass as well).
    let left = lane.waiting[0].remaining_ms;
    assert!((2_500..=3_000).contains(&left), "{left} ms left");
    assert_eq!(lane.waiting[1].remaining_ms, 5_000);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tip_running_when_the_server_went_down_returns_after_the_grace() {
    let (clock, mut t) = clocked().await;
    let item = t
        .client(&t.tokens.viewer)
        .tip(&room(), 15, "down-1")
        .await
        .unwrap()
        .item()
        .unwrap();
    let performer = t.client(&t.tokens.performer);
    performer
        .lane(&room(), LaneAction::Take(Some(item)), "down-take")
        .await
        .unwrap();
    clock.set(Stamp(clock.now().0 + 1_000_000));
    // Down and back with no console: nobody will report the run.
    t.restart().await;
    assert!(
        lane(&t).await.running.is_some(),
        "within the grace the run stands"
    );
    clock.set(Stamp(clock.now().0 + 61_000_000));
    t.client(ADMIN).mint("u9", 1, Some("nudge")).await.unwrap();
    let lane = lane(&t).await;
    assert!(lane.running.is_none(), "not left running forever");
    assert_eq!(lane.waiting.first().map(|w| w.item.id), Some(item));
    assert_eq!(
        wallet(&t, "u1").await,
        10_000 - 15,
        "held, not charged twice"
    );
    t.stop().await;
}

/// Whether the room's stream holds a `lane_console_gone` event.
async fn console_noted(t: &TestServer) -> bool {
    let mut stream = RoomStream::connect(
        &t.url(),
        &t.tokens.moderator,
        room(),
        Some(cuedeck::protocol::ResumePoint {
            epoch: t.client(ADMIN).health().await.unwrap().epoch,
            seq: 0,
        }),
        quick(),
    );
    let mut found = false;
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(300), stream.next()).await
    {
        match event {
            StreamEvent::Event { event, .. }
                if matches!(event.kind, EventKind::LaneConsoleGone { .. }) =>
            {
                found = true;
                break;
            }
            StreamEvent::Resumed { .. } => break,
            _ => {}
        }
    }
    stream.close();
    found
}

/// The label a viewer's tip of `amount` matched, read from the lane.
async fn matched_label(t: &TestServer, amount: u64, key: &str) -> String {
    let reply = t
        .client(&t.tokens.viewer)
        .tip(&room(), amount, key)
        .await
        .unwrap();
    let item = reply.item().unwrap();
    let tip = lane(t)
        .await
        .waiting
        .into_iter()
        .find(|w| w.item.id == item)
        .unwrap();
    tip.item.tip.as_ref().unwrap().label.to_string()
}

/// A save of the ladder based on `base` while the room is at `current`:
/// `409 version_conflict` with the versions and what changed.
async fn assert_stale_save(performer: &cuedeck::client::RestClient, base: u64, current: u64) {
    let (status, body) = performer
        .raw(
            Method::PUT,
            &format!("/api/v1/rooms/{ROOM}/tips/levels?version={base}"),
            None,
            Some(serde_json::to_vec(&ladder()).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "version_conflict");
    assert_eq!(
        (
            body["yourVersion"].as_u64(),
            body["currentVersion"].as_u64()
        ),
        (Some(base), Some(current))
    );
    assert!(!body["changes"].as_array().unwrap().is_empty(), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tip_levels_are_versioned_with_conflicts_and_templates() {
    let t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    assert_eq!(performer.tip_levels(&room()).await.unwrap().version, 0);
    let saved = performer
        .set_tip_levels(&room(), &ladder(), 0)
        .await
        .unwrap();
    assert_eq!(saved.version, 1);
    // An edit based on version 0 after version 1 is stale: 409 with what changed.
    assert_stale_save(&performer, 0, 1).await;
    // Validation names the field.
    let mut bad = ladder();
    bad.levels[1].min = 20;
    let err = performer
        .set_tip_levels(&room(), &bad, 1)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidField));
    // A shipped template becomes the next version; tips match it at once.
    let chosen = performer
        .tip_levels_from_template(&room(), "presets", 1)
        .await
        .unwrap();
    assert_eq!(chosen.version, 2);
    assert_eq!(matched_label(&t, 444, "preset-1").await, "wave");
    // Only the room's performer (and admins) edit.
    let err = t
        .client(&t.tokens.other_performer)
        .set_tip_levels(&room(), &ladder(), 2)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tip_levels_survive_a_restart_with_their_versions() {
    let mut t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    performer
        .set_tip_levels(&room(), &ladder(), 0)
        .await
        .unwrap();
    let second = performer
        .tip_levels_from_template(&room(), "presets", 1)
        .await
        .unwrap();
    t.restart().await;
    let performer = t.client(&t.tokens.performer);
    let after = performer.tip_levels(&room()).await.unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(after.levels, second.levels);
    assert_eq!(after.changed_by, second.changed_by);
    assert_eq!(after.saved_at, second.saved_at);
    // A stale save after the restart answers as before: 409 with the
    // changes since the version it was based on (read back from disk).
    assert_stale_save(&performer, 1, 2).await;
    // Tips match the reloaded levels, and the next save is version 3.
    assert_eq!(matched_label(&t, 444, "after-restart").await, "wave");
    let third = performer
        .set_tip_levels(&room(), &ladder(), 2)
        .await
        .unwrap();
    assert_eq!(third.version, 3);
    t.stop().await;
}
