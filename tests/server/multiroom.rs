//! Several rooms on one WebSocket: each room keeps its own seq and resume
//! point, after a client drop and after a server restart, with no gap and
//! no duplicate per room.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::*;
use cuedeck::client::{StreamEvent, StreamOptions, WatchEvent, WatchStream};
use cuedeck::domain::RoomId;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::protocol::{CreateToken, ErrorCode};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const WAIT: Duration = Duration::from_secs(10);

fn quick() -> StreamOptions {
    StreamOptions {
        backoff_base: Duration::from_millis(30),
        backoff_max: Duration::from_millis(300),
        ping_every: Duration::from_secs(5),
        silence_timeout: Duration::from_secs(20),
    }
}

fn rooms() -> [RoomId; 2] {
    [ROOM.into(), OTHER_ROOM.into()]
}

/// A server with both rooms live and a moderator token for both.
async fn setup() -> (TestServer, String) {
    let t = TestServer::start().await;
    t.client(ADMIN)
        .broadcast(&OTHER_ROOM.into(), true)
        .await
        .unwrap();
    let token = t
        .client(ADMIN)
        .create_token(&CreateToken {
            role: "moderator".into(),
            room: None,
            rooms: vec![ROOM.into(), OTHER_ROOM.into()],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    (t, token)
}

async fn intake_into(t: &TestServer, room: &str, key: &str) {
    let performer = if room == ROOM { PERFORMER } else { "p2" };
    let body = serde_json::to_vec(&PayloadBuilder::new(performer, "u1", key, 3).json()).unwrap();
    t.client(&t.tokens.integration)
        .intake(&room.into(), &body, key, false)
        .await
        .expect("intake accepted");
}

async fn last_seqs(t: &TestServer) -> BTreeMap<RoomId, u64> {
    let mut out = BTreeMap::new();
    for room in rooms() {
        let seq = t.client(ADMIN).snapshot(&room).await.unwrap().seq;
        out.insert(room, seq);
    }
    out
}

async fn next(stream: &mut WatchStream) -> WatchEvent {
    tokio::time::timeout(WAIT, stream.next())
        .await
        .expect("a stream event in time")
        .expect("stream open")
}

/// What one watch delivered, room by room.
#[derive(Default, Debug)]
struct Seen {
    snapshots: BTreeMap<RoomId, u64>,
    events: BTreeMap<RoomId, Vec<u64>>,
    resumed: BTreeMap<RoomId, (u64, u64)>,
    disconnected: bool,
}

/// Read until every room's events reach `until`.
async fn read_until(stream: &mut WatchStream, until: &BTreeMap<RoomId, u64>, seen: &mut Seen) {
    let reached = |seen: &Seen| {
        until.iter().all(|(room, seq)| {
            let last = seen.events.get(room).and_then(|e| e.last().copied());
            let base = seen.snapshots.get(room).copied();
            last.or(base).is_some_and(|s| s >= *seq)
        })
    };
    while !reached(seen) {
        let WatchEvent { room, event } = next(stream).await;
        match (room, event) {
            (Some(room), StreamEvent::Snapshot(s)) => {
                assert_eq!(s.room, room);
                let before = seen.snapshots.insert(room.clone(), s.seq);
                assert!(before.is_none(), "a second snapshot of {room}");
            }
            (Some(room), StreamEvent::Event { event, .. }) => {
                assert_eq!(event.room, room);
                seen.events.entry(room).or_default().push(event.seq);
            }
            (Some(room), StreamEvent::Resumed { from, to }) => {
                seen.resumed.insert(room, (from, to));
            }
            (None, StreamEvent::Disconnected { .. }) => seen.disconnected = true,
            (None, _) => {}
            (Some(room), other) => panic!("{other:?} tagged with room {room}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_room_resumes_from_its_own_point_after_a_drop() {
    let (t, token) = setup().await;
    let subscribe = rooms().map(|r| (r, None)).to_vec();
    let mut first = WatchStream::connect(&t.url(), &token, subscribe, quick());
    for n in 0..3 {
        intake_into(&t, ROOM, &format!("a{n}")).await;
    }
    intake_into(&t, OTHER_ROOM, "b0").await;
    let mid = last_seqs(&t).await;
    let mut seen = Seen::default();
    read_until(&mut first, &mid, &mut seen).await;
    for room in rooms() {
        let start = seen.snapshots[&room];
        let events = seen.events.get(&room).cloned().unwrap_or_default();
        assert_eq!(
            events,
            (start + 1..=mid[&room]).collect::<Vec<_>>(),
            "{room}"
        );
    }
    let points = first.resume_points();
    for (room, point) in &points {
        assert_eq!(point.as_ref().unwrap().seq, mid[room], "{room}");
    }
    drop(first);

    // While away: more in one room than the other.
    intake_into(&t, ROOM, "c0").await;
    for n in 0..4 {
        intake_into(&t, OTHER_ROOM, &format!("d{n}")).await;
    }
    let end = last_seqs(&t).await;
    let mut second = WatchStream::connect(&t.url(), &token, points, quick());
    let mut again = Seen::default();
    read_until(&mut second, &end, &mut again).await;
    assert!(again.snapshots.is_empty(), "resumes replay, never snapshot");
    for room in rooms() {
        assert_eq!(
            again.events[&room],
            (mid[&room] + 1..=end[&room]).collect::<Vec<_>>(),
            "{room}: the missed events, each once"
        );
    }
    // The resumed frames follow the replays.
    while again.resumed.len() < 2 {
        let WatchEvent { room, event } = next(&mut second).await;
        if let (Some(room), StreamEvent::Resumed { from, to }) = (room, event) {
            again.resumed.insert(room, (from, to));
        }
    }
    for room in rooms() {
        assert_eq!(again.resumed[&room], (mid[&room], end[&room]), "{room}");
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_room_resumes_by_itself_across_a_server_restart() {
    let (mut t, token) = setup().await;
    let subscribe = rooms().map(|r| (r, None)).to_vec();
    let mut stream = WatchStream::connect(&t.url(), &token, subscribe, quick());
    intake_into(&t, ROOM, "before-1").await;
    intake_into(&t, OTHER_ROOM, "before-2").await;
    let before = last_seqs(&t).await;
    let mut seen = Seen::default();
    read_until(&mut stream, &before, &mut seen).await;

    t.restart().await;
    intake_into(&t, OTHER_ROOM, "after-1").await;
    intake_into(&t, ROOM, "after-2").await;
    intake_into(&t, OTHER_ROOM, "after-3").await;
    let end = last_seqs(&t).await;
    read_until(&mut stream, &end, &mut seen).await;
    assert!(seen.disconnected, "the restart was noticed");
    for room in rooms() {
        let start = seen.snapshots[&room];
        assert_eq!(
            seen.events[&room],
            (start + 1..=end[&room]).collect::<Vec<_>>(),
            "{room}: every event exactly once"
        );
    }
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_twice_on_one_connection_is_refused_and_the_rest_goes_on() {
    let (t, token) = setup().await;
    let mut request = t.url().websocket().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut frames = Vec::new();
    for room in [ROOM, OTHER_ROOM, ROOM] {
        let frame = json!({"type": "subscribe", "room": room}).to_string();
        socket.send(Message::Text(frame.into())).await.unwrap();
    }
    // hello, two snapshots, one refusal.
    while frames.len() < 4 {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            frames.push(serde_json::from_str::<Value>(&text).unwrap());
        }
    }
    // The refusal is answered at once; snapshots come through the room's
    // stream, so their order against it is not fixed.
    let of_kind =
        |kind: &str| -> Vec<&Value> { frames.iter().filter(|f| f["type"] == kind).collect() };
    assert_eq!(frames[0]["type"], "hello");
    let rooms: Vec<&str> = of_kind("snapshot")
        .iter()
        .map(|f| f["snapshot"]["room"].as_str().unwrap())
        .collect();
    assert_eq!(rooms, [ROOM, OTHER_ROOM]);
    let errors = of_kind("error");
    assert_eq!(errors.len(), 1);
    let code: ErrorCode = serde_json::from_value(errors[0]["error"]["code"].clone()).unwrap();
    assert_eq!(code, ErrorCode::AlreadySubscribed);

    // A room the token does not cover is forbidden.
    let other = t.tokens.moderator.clone();
    let mut request = t.url().websocket().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {other}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let frame = json!({"type": "subscribe", "room": OTHER_ROOM}).to_string();
    socket.send(Message::Text(frame.into())).await.unwrap();
    let mut error = None;
    while error.is_none() {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "error" {
                error = Some(value["error"]["code"].as_str().unwrap().to_string());
            }
        }
    }
    assert_eq!(error.as_deref(), Some("forbidden"));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn moderation_is_an_event_on_the_rooms_it_touches() {
    use cuedeck::domain::{EventKind, ModerationAction, Switch};
    let (t, token) = setup().await;
    let subscribe = rooms().map(|r| (r, None)).to_vec();
    let mut stream = WatchStream::connect(&t.url(), &token, subscribe, quick());
    let start = last_seqs(&t).await;
    let mut seen = Seen::default();
    read_until(&mut stream, &start, &mut seen).await;

    let moderator = t.client(&token);
    moderator
        .pause(&OTHER_ROOM.into(), Some("break"))
        .await
        .unwrap();
    t.client(ADMIN)
        .set_switch(Switch::Intakes, true, None)
        .await
        .unwrap();
    let end = last_seqs(&t).await;
    let mut moderation: BTreeMap<RoomId, Vec<ModerationAction>> = BTreeMap::new();
    while rooms()
        .iter()
        .any(|r| start[r] + (moderation.get(r).map_or(0, Vec::len) as u64) < end[r])
    {
        let WatchEvent { room, event } = next(&mut stream).await;
        if let (Some(room), StreamEvent::Event { event, .. }) = (room, event) {
            let EventKind::Moderation { moderation: note } = &event.kind else {
                panic!("only moderation events: {event:?}")
            };
            moderation.entry(room).or_default().push(note.action);
        }
    }
    assert_eq!(moderation[&RoomId::from(ROOM)], [ModerationAction::Switch]);
    assert_eq!(
        moderation[&RoomId::from(OTHER_ROOM)],
        [ModerationAction::Pause, ModerationAction::Switch]
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_consumer_of_several_rooms_is_closed_from_all_of_them() {
    let t = TestServer::start_with(cuedeck::server::ServerConfig {
        subscriber_buffer: 2,
        ..Default::default()
    })
    .await;
    t.client(ADMIN)
        .broadcast(&OTHER_ROOM.into(), true)
        .await
        .unwrap();
    let token = t
        .client(ADMIN)
        .create_token(&CreateToken {
            role: "moderator".into(),
            room: None,
            rooms: vec![ROOM.into(), OTHER_ROOM.into()],
            user: None,
            expires_at: None,
        })
        .await
        .unwrap()
        .token;
    let mut socket = t.small_window_socket(&token).await;
    for room in [ROOM, OTHER_ROOM] {
        let frame = json!({"type": "subscribe", "room": room}).to_string();
        socket.send(Message::Text(frame.into())).await.unwrap();
    }
    // Flood one room only while the socket is not read: the quiet room's
    // sink must not keep the connection open.
    t.client(ADMIN).mint("u1", 10_000_000, None).await.unwrap();
    let closed = t.flood_until_slow_consumer().await;
    assert!(closed, "the server gave up on the slow consumer");
    let reason = loop {
        match tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("frames in time")
        {
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), 4008);
                break frame.reason.to_string();
            }
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert!(reason.contains("resume each room"), "{reason}");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_room_subscribed_later_joins_the_connection_and_resumes_after_a_restart() {
    let (mut t, _) = setup().await;
    let mut stream = WatchStream::connect(&t.url(), ADMIN, vec![(ROOM.into(), None)], quick());
    let mut seen = Seen::default();
    let r1 = t.client(ADMIN).snapshot(&ROOM.into()).await.unwrap().seq;
    read_until(&mut stream, &[(RoomId::from(ROOM), r1)].into(), &mut seen).await;
    stream.subscribe(OTHER_ROOM.into()).await;
    stream.subscribe(OTHER_ROOM.into()).await; // twice: watched once
    intake_into(&t, OTHER_ROOM, "late-1").await;
    let until = last_seqs(&t).await;
    read_until(&mut stream, &until, &mut seen).await;
    assert!(
        seen.snapshots.contains_key(&RoomId::from(OTHER_ROOM)),
        "{seen:?}"
    );
    assert_eq!(stream.resume_points().len(), 2);

    t.restart().await;
    intake_into(&t, OTHER_ROOM, "late-2").await;
    intake_into(&t, ROOM, "late-3").await;
    let until = last_seqs(&t).await;
    read_until(&mut stream, &until, &mut seen).await;
    for (room, events) in &seen.events {
        let from = seen.snapshots[room];
        let expected: Vec<u64> = (from + 1..=until[room]).collect();
        assert_eq!(events, &expected, "{room}: no gap, no duplicate");
    }
    assert!(seen.events.contains_key(&RoomId::from(OTHER_ROOM)));
    stream.close();
    t.stop().await;
}
