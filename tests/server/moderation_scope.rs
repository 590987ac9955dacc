//! What each role may list: `GET /api/v1/rooms` (the rooms a watch grid
//! subscribes to) for every role; the moderation log's actor filter; a
//! spin on the games endpoint under a ban and a pause.

use crate::support::*;
use cuedeck::client::LogQuery;
use cuedeck::domain::time::Clock;
use cuedeck::domain::{BanReason, ModerationAction, Stamp};
use cuedeck::protocol::{BanRequest, BanScope, CreateToken};
use cuedeck::server::ServerConfig;
use reqwest::{Method, StatusCode};

async fn moderator(t: &TestServer, rooms: &[&str], expires_at: Option<Stamp>) -> String {
    let spec = CreateToken {
        role: "moderator".into(),
        room: None,
        rooms: rooms.iter().map(|r| (*r).into()).collect(),
        user: None,
        expires_at,
    };
    t.client(ADMIN).create_token(&spec).await.unwrap().token
}

#[tokio::test(flavor = "multi_thread")]
async fn get_rooms_lists_each_roles_rooms_and_refuses_the_rest_by_code() {
    let clock = Clock::default();
    let t = TestServer::start_with(ServerConfig {
        clock: clock.clone(),
        ..ServerConfig::default()
    })
    .await;
    t.client(ADMIN).create_room("r3", "p3").await.unwrap();
    let soon = clock.now().plus_millis(60_000);
    let expired = moderator(&t, &[ROOM], Some(soon)).await;
    let two_rooms = moderator(&t, &["r3", ROOM], None).await;
    clock.set(soon.plus_millis(1));
    let k = &t.tokens;
    let allowed: [(&str, &str, &[&str]); 6] = [
        ("admin", &k.admin, &[ROOM, OTHER_ROOM, "r3"]),
        ("moderator of r1", &k.moderator, &[ROOM]),
        ("moderator of r2", &k.other_moderator, &[OTHER_ROOM]),
        ("moderator of r1 and r3", &two_rooms, &[ROOM, "r3"]),
        ("performer of r1", &k.performer, &[ROOM]),
        ("performer of r2", &k.other_performer, &[OTHER_ROOM]),
    ];
    for (name, token, rooms) in allowed {
        let listed = t.client(token).rooms().await.unwrap();
        let listed: Vec<&str> = listed.iter().map(|r| r.as_str()).collect();
        assert_eq!(listed, rooms, "{name}: in order, only their own");
    }
    let refused: [(&str, &str, StatusCode, &str); 4] = [
        ("viewer", &k.viewer, StatusCode::FORBIDDEN, "forbidden"),
        (
            "integration",
            &k.integration,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "expired moderator",
            &expired,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "a wrong token",
            "not-a-token",
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
    ];
    for (name, token, status, code) in refused {
        let (got, answer) = t
            .client(token)
            .raw(Method::GET, "/api/v1/rooms", None, None)
            .await
            .unwrap();
        assert_eq!(got, status, "{name}: {answer}");
        assert_eq!(answer["code"], code, "{name}: {answer}");
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_moderation_log_filters_by_the_acting_token() {
    let t = TestServer::start().await;
    let admin = t.client(ADMIN);
    let moderator = t.client(&t.tokens.moderator);
    moderator.pause(&ROOM.into(), None).await.unwrap();
    admin.resume(&ROOM.into()).await.unwrap();
    moderator.pause(&ROOM.into(), None).await.unwrap();
    let all = admin.moderation_log(&LogQuery::default()).await.unwrap();
    assert_eq!(all.entries.len(), 3, "{:?}", all.entries);
    let by_moderator = all
        .entries
        .iter()
        .find(|r| r.entry.note.action == ModerationAction::Pause)
        .map(|r| r.entry.note.by.id.to_string())
        .unwrap();
    let mine = admin
        .moderation_log(&LogQuery {
            actor: Some(by_moderator.clone()),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.entries.len(), 2);
    assert!(
        mine.entries
            .iter()
            .all(|r| r.entry.note.by.id.to_string() == by_moderator
                && r.entry.note.action == ModerationAction::Pause),
        "{:?}",
        mine.entries
    );
    // Filters combine: the moderator's resumes are none.
    let none = admin
        .moderation_log(&LogQuery {
            actor: Some(by_moderator),
            action: Some(ModerationAction::Resume),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert!(none.entries.is_empty(), "{:?}", none.entries);
    // Rows from a time on: everything is older than a stamp after the last.
    let last = all.entries[0].entry.at;
    let later = admin
        .moderation_log(&LogQuery {
            since: Some(last.0 + 1),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert!(later.entries.is_empty());
    t.stop().await;
}

/// A spin on the games endpoint (not a raw intake): `code` and nothing
/// charged while the viewer is banned or the room paused; it goes through
/// once neither holds.
#[tokio::test(flavor = "multi_thread")]
async fn a_spin_is_refused_while_banned_or_paused_and_charges_nothing() {
    let t = TestServer::start().await;
    let performer = t.client(&t.tokens.performer);
    let (status, body) = performer
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/games/slot_machine/template"),
            None,
            Some(br#"{"name": "slot_classic", "version": 0}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let viewer = t.client(&t.tokens.viewer); // u1
    let spin = |key: &'static str| {
        let viewer = viewer.clone();
        async move {
            viewer
                .raw(
                    Method::POST,
                    &format!("/api/v1/rooms/{ROOM}/games/slot_machine/spin"),
                    Some(key),
                    Some(br#"{"tier": 1}"#.to_vec()),
                )
                .await
                .unwrap()
        }
    };
    let tokens = || async { t.client(ADMIN).balance(&"u1".into()).await.unwrap().tokens };
    let before = tokens().await;
    let ban = BanRequest {
        user: "u1".into(),
        scope: BanScope::Room,
        reason: BanReason::Spam,
        note: None,
        expires_at: None,
        expires_in_secs: None,
    };
    t.client(&t.tokens.moderator)
        .ban(&ROOM.into(), &ban, None)
        .await
        .unwrap();
    let (status, answer) = spin("spin-banned").await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("banned")),
        "{answer}"
    );
    assert_eq!(tokens().await, before, "a banned spin charges nothing");

    t.client(&t.tokens.moderator)
        .unban(&ROOM.into(), &"u1".into(), BanScope::Room)
        .await
        .unwrap();
    performer.pause(&ROOM.into(), None).await.unwrap();
    let (status, answer) = spin("spin-paused").await;
    assert_eq!(answer["code"], "paused", "{status} {answer}");
    assert_eq!(tokens().await, before, "a paused spin charges nothing");

    performer.resume(&ROOM.into()).await.unwrap();
    let (status, answer) = spin("spin-ok").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(tokens().await < before, "the spin is charged once allowed");
    t.stop().await;
}
