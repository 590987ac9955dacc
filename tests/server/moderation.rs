//! Moderation over the real API: who may ban, pause and flip switches; what
//! a ban refunds and refuses, its expiry and its survival of a restart; the
//! moderation log. Money is conserved after every step. The helpers serve
//! moderation_controls too.

use crate::support::*;
use cuedeck::client::LogQuery;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{
    BanReason, ItemId, ItemState, ModerationAction, RefundReason, Reply, Source, Stamp,
};
use cuedeck::protocol::{BanRequest, BanScope, CreateToken, ErrorCode};
use cuedeck::server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const MINTED: u64 = 30_000;

/// Wallets, escrow and earnings add up to what was minted.
pub(super) async fn assert_conserved(t: &TestServer) {
    let admin = t.client(ADMIN);
    let mut total = 0;
    for user in ["u1", "u2", "u3"] {
        total += admin.balance(&user.into()).await.unwrap().tokens;
    }
    for room in [ROOM, OTHER_ROOM] {
        let totals = admin.snapshot(&room.into()).await.unwrap().totals;
        total += totals.escrow + totals.earned;
    }
    assert_eq!(total, MINTED, "money is conserved");
}

pub(super) fn ban_request(user: &str, scope: BanScope, reason: BanReason) -> BanRequest {
    BanRequest {
        user: user.into(),
        scope,
        reason,
        note: None,
        expires_at: None,
        expires_in_secs: None,
    }
}

/// A non-purchase intake (source admin), so the purchases switch lets it by.
pub(super) fn admin_payload(user: &str, key: &str, cost: u64) -> Vec<u8> {
    serde_json::to_vec(
        &PayloadBuilder::new(PERFORMER, user, key, cost)
            .source(Source::Admin)
            .json(),
    )
    .unwrap()
}

pub(super) async fn intake_code(
    t: &TestServer,
    body: Vec<u8>,
    key: &str,
) -> Result<u64, ErrorCode> {
    t.client(&t.tokens.integration)
        .intake(&ROOM.into(), &body, key, false)
        .await
        .map(|reply| reply.item().expect("an item").0)
        .map_err(|e| e.code().expect("an API error"))
}

pub(super) async fn token(
    t: &TestServer,
    role: &str,
    rooms: &[&str],
    expires_at: Option<Stamp>,
) -> String {
    let spec = CreateToken {
        role: role.into(),
        room: None,
        rooms: rooms.iter().map(|r| (*r).into()).collect(),
        user: None,
        expires_at,
    };
    t.client(ADMIN).create_token(&spec).await.unwrap().token
}

pub(super) async fn item_state(t: &TestServer, item: u64) -> (ItemState, Option<RefundReason>) {
    let record = t
        .client(ADMIN)
        .audit(&ROOM.into(), ItemId(item))
        .await
        .unwrap();
    (record.state, record.refund_reason)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_moderation_command() {
    let clock = Clock::default();
    let t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    let soon = clock.now().plus_millis(60_000);
    let expired = token(&t, "moderator", &[ROOM], Some(soon)).await;
    clock.set(soon.plus_millis(1));
    let k = &t.tokens;
    let who: [(&str, &str); 8] = [
        ("admin", &k.admin),
        ("integration", &k.integration),
        ("performer", &k.performer),
        ("other performer", &k.other_performer),
        ("moderator", &k.moderator),
        ("other moderator", &k.other_moderator),
        ("viewer", &k.viewer),
        ("expired moderator", &expired),
    ];
    let room_mods = ["admin", "performer", "moderator"];
    // (name, method, path, body, who may)
    let cases: Vec<(&str, Method, String, Value, Vec<&str>)> = vec![
        (
            "ban",
            Method::POST,
            format!("/api/v1/rooms/{ROOM}/bans"),
            json!({"user": "u3", "reason": "spam"}),
            room_mods.to_vec(),
        ),
        (
            "list bans",
            Method::GET,
            format!("/api/v1/rooms/{ROOM}/bans"),
            Value::Null,
            room_mods.to_vec(),
        ),
        (
            "unban",
            Method::DELETE,
            format!("/api/v1/rooms/{ROOM}/bans/u3"),
            Value::Null,
            room_mods.to_vec(),
        ),
        (
            "pause",
            Method::POST,
            format!("/api/v1/rooms/{ROOM}/pause"),
            json!({}),
            room_mods.to_vec(),
        ),
        (
            "resume",
            Method::POST,
            format!("/api/v1/rooms/{ROOM}/resume"),
            Value::Null,
            room_mods.to_vec(),
        ),
        (
            "list switches",
            Method::GET,
            "/api/v1/switches".into(),
            Value::Null,
            vec![
                "admin",
                "performer",
                "other performer",
                "moderator",
                "other moderator",
            ],
        ),
        (
            "set switch",
            Method::PUT,
            "/api/v1/switches/tokens".into(),
            json!({"on": false}),
            vec!["admin"],
        ),
        (
            "moderation log",
            Method::GET,
            format!("/api/v1/moderation?room={ROOM}"),
            Value::Null,
            room_mods.to_vec(),
        ),
    ];
    for (name, token) in who {
        let client = t.client(token);
        for (case, method, path, body, allowed) in &cases {
            let body = (!body.is_null()).then(|| serde_json::to_vec(body).unwrap());
            let (status, answer) = client.raw(method.clone(), path, None, body).await.unwrap();
            if name == "expired moderator" {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{name} {case}: {answer}");
                assert_eq!(answer["code"], "unauthorized");
            } else if allowed.contains(&name) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{name} may {case}: {answer}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{name} may not {case}: {answer}"
                );
                assert_eq!(answer["code"], "forbidden");
            }
        }
    }
    // The other room's moderator may not read this room's log either way.
    let (status, _) = t
        .client(&t.tokens.other_moderator)
        .raw(Method::GET, "/api/v1/moderation", None, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "their own rooms' log");
    let rows = t
        .client(&t.tokens.other_moderator)
        .moderation_log(&LogQuery::default())
        .await
        .unwrap();
    assert!(
        rows.entries.iter().all(|r| r
            .entry
            .room
            .as_ref()
            .is_some_and(|r| r.as_str() == OTHER_ROOM)),
        "a moderator reads only their rooms' rows"
    );
    assert_conserved(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ban_refunds_waiting_items_refuses_the_viewer_and_survives_a_restart() {
    let mut t = TestServer::start().await;
    let staged = t.intake("u2", "on-stage", 40).await;
    t.client(&t.tokens.performer)
        .start(&ROOM.into(), None, "start-1")
        .await
        .unwrap();
    let waiting = [
        t.intake("u2", "w1", 10).await,
        t.intake("u1", "other-viewer", 7).await,
        t.intake("u2", "w2", 20).await,
    ];
    let wallet_before = t.client(ADMIN).balance(&"u2".into()).await.unwrap().tokens;

    let moderator = t.client(&t.tokens.moderator);
    let reply = moderator
        .ban(
            &ROOM.into(),
            &BanRequest {
                note: Some("spam links".into()),
                ..ban_request("u2", BanScope::Room, BanReason::Spam)
            },
            Some("ban-1"),
        )
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Banned {
            user: "u2".into(),
            rooms: vec![ROOM.into()],
            refunded: 2
        }
    );
    for item in [waiting[0], waiting[2]] {
        assert_eq!(
            item_state(&t, item).await,
            (ItemState::Refunded, Some(RefundReason::Moderation))
        );
    }
    assert_eq!(item_state(&t, waiting[1]).await.0, ItemState::Queued);
    assert_eq!(
        item_state(&t, staged).await.0,
        ItemState::InProgress,
        "the item on stage is the performer's call"
    );
    let wallet = t.client(ADMIN).balance(&"u2".into()).await.unwrap().tokens;
    assert_eq!(wallet, wallet_before + 30);
    assert_conserved(&t).await;

    // Refused with `banned`, nothing charged; the other room is open to them.
    assert_eq!(
        intake_code(&t, payload("u2", "after-ban", 5), "after-ban").await,
        Err(ErrorCode::Banned)
    );
    assert_eq!(
        t.client(ADMIN).balance(&"u2".into()).await.unwrap().tokens,
        wallet
    );
    let viewer = t.client(&t.tokens.viewer);
    moderator
        .ban(
            &ROOM.into(),
            &ban_request("u1", BanScope::Room, BanReason::Harassment),
            None,
        )
        .await
        .unwrap();
    let err = viewer
        .join(&ROOM.into(), Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Banned));
    viewer
        .join(&OTHER_ROOM.into(), Default::default())
        .await
        .expect("banned from r1 only");

    // Listed, logged, and all of it still there after a restart.
    let listed = |t: &TestServer| {
        let client = t.client(&t.tokens.performer);
        async move {
            let bans = client.bans(&ROOM.into()).await.unwrap().bans;
            bans.iter()
                .map(|b| (b.user.to_string(), b.reason))
                .collect::<Vec<_>>()
        }
    };
    let expected = vec![
        ("u1".to_string(), BanReason::Harassment),
        ("u2".to_string(), BanReason::Spam),
    ];
    assert_eq!(listed(&t).await, expected);
    let log = moderator
        .moderation_log(&LogQuery::default())
        .await
        .unwrap();
    let actions: Vec<_> = log.entries.iter().map(|r| r.entry.note.action).collect();
    use ModerationAction::*;
    assert_eq!(actions, [Refund, Ban, Refund, Refund, Ban], "newest first");
    let ban_row = &log.entries[4].entry;
    assert_eq!(ban_row.note.target.as_deref(), Some("u2"));
    assert_eq!(ban_row.note.reason.as_deref(), Some("spam"));
    assert_eq!(ban_row.note.note.as_deref(), Some("spam links"));
    assert_eq!(ban_row.note.by.role, cuedeck::domain::Role::Moderator);
    assert_eq!(ban_row.note.by.id.len(), 8, "a token id, never the token");
    assert!(!t.tokens.moderator.contains(&*ban_row.note.by.id));

    t.restart().await;
    assert_eq!(listed(&t).await, expected);
    assert_eq!(
        intake_code(&t, payload("u2", "after-restart", 5), "after-restart").await,
        Err(ErrorCode::Banned)
    );
    let again = t.client(&t.tokens.moderator);
    assert_eq!(
        again
            .moderation_log(&LogQuery::default())
            .await
            .unwrap()
            .entries
            .len(),
        5
    );
    assert_conserved(&t).await;

    // Unbanned, they buy again.
    let reply = again
        .unban(&ROOM.into(), &"u2".into(), BanScope::Room)
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply::Unbanned {
            user: "u2".into(),
            rooms: vec![ROOM.into()]
        }
    );
    intake_code(&t, payload("u2", "after-unban", 5), "after-unban")
        .await
        .expect("no longer banned");
    let err = again
        .unban(&ROOM.into(), &"u2".into(), BanScope::Room)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotBanned));
    assert_conserved(&t).await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ban_lapses_at_its_expiry_and_scope_all_covers_the_actors_rooms() {
    let clock = Clock::default();
    let t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    let both = token(&t, "moderator", &[ROOM, OTHER_ROOM], None).await;
    let moderator = t.client(&both);
    let reply = moderator
        .ban(
            &ROOM.into(),
            &BanRequest {
                expires_in_secs: Some(600),
                ..ban_request("u3", BanScope::All, BanReason::Fraud)
            },
            None,
        )
        .await
        .unwrap();
    let Reply::Banned { rooms, .. } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(rooms, vec![ROOM.into(), OTHER_ROOM.into()]);
    for room in [ROOM, OTHER_ROOM] {
        let bans = moderator.bans(&room.into()).await.unwrap().bans;
        assert_eq!(bans.len(), 1, "{room}");
    }
    assert_eq!(
        intake_code(&t, payload("u3", "banned", 5), "banned").await,
        Err(ErrorCode::Banned)
    );

    clock.set(clock.now().plus_millis(601_000));
    intake_code(&t, payload("u3", "lapsed", 5), "lapsed")
        .await
        .expect("the ban lapsed");
    assert!(moderator.bans(&ROOM.into()).await.unwrap().bans.is_empty());

    // An expiry in the past, and `other` without a note, are refused.
    let err = moderator
        .ban(
            &ROOM.into(),
            &BanRequest {
                expires_at: Some(Stamp(1)),
                ..ban_request("u3", BanScope::Room, BanReason::Spam)
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidField));
    let err = moderator
        .ban(
            &ROOM.into(),
            &ban_request("u3", BanScope::Room, BanReason::Other),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidField));
    // A moderator's "all" is their rooms, not the other moderator's.
    let err = t
        .client(&t.tokens.moderator)
        .ban(
            &OTHER_ROOM.into(),
            &ban_request("u3", BanScope::All, BanReason::Spam),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    assert_conserved(&t).await;
    t.stop().await;
}
