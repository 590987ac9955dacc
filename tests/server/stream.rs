//! The WebSocket stream over real loopback sockets: resume without gaps or
//! doubles (after a client drop, after a server restart), snapshots when a
//! resume is impossible, garbage and floods, heartbeat, slow consumers.

use cuedeck::protocol::ErrorCode;
use std::time::Duration;

use crate::support::*;
use cuedeck::client::{RoomStream, StreamEvent, StreamOptions};
use cuedeck::domain::EventKind;
use cuedeck::protocol::{ResumePoint, RoomCommand};
use cuedeck::server::ServerConfig;
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

async fn next(stream: &mut RoomStream) -> StreamEvent {
    tokio::time::timeout(WAIT, stream.next())
        .await
        .expect("a stream event in time")
        .expect("stream open")
}

/// Read until the stream's seq reaches `seq`; return the seqs of the events seen.
async fn events_until(stream: &mut RoomStream, seq: u64) -> Vec<u64> {
    let mut seen = Vec::new();
    while seen.last().copied().unwrap_or(0) < seq {
        match next(stream).await {
            StreamEvent::Event { event, .. } => seen.push(event.seq),
            StreamEvent::Snapshot(s) => {
                assert!(seen.is_empty(), "snapshot in the middle: {}", s.seq)
            }
            _ => {}
        }
    }
    seen
}

async fn snapshot_seq(stream: &mut RoomStream) -> u64 {
    loop {
        if let StreamEvent::Snapshot(snapshot) = next(stream).await {
            return snapshot.seq;
        }
    }
}

async fn last_seq(t: &TestServer) -> u64 {
    t.client(ADMIN).snapshot(&ROOM.into()).await.unwrap().seq
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_after_a_client_drop_has_no_gap_and_no_double() {
    let t = TestServer::start().await;
    let mut first = RoomStream::connect(&t.url(), &t.tokens.performer, ROOM.into(), None, quick());
    let start = snapshot_seq(&mut first).await;
    for n in 0..3 {
        t.intake("u1", &format!("a{n}"), 5).await;
    }
    let mid = last_seq(&t).await;
    let seen = events_until(&mut first, mid).await;
    assert_eq!(seen, (start + 1..=mid).collect::<Vec<_>>());
    let resume = first.resume_point().unwrap();
    assert_eq!(resume.seq, mid);
    drop(first);

    for n in 0..3 {
        t.intake("u2", &format!("b{n}"), 5).await;
    }
    let end = last_seq(&t).await;
    let mut second = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        ROOM.into(),
        Some(resume),
        quick(),
    );
    let mut replayed = Vec::new();
    loop {
        match next(&mut second).await {
            StreamEvent::Event { event, .. } => replayed.push(event.seq),
            StreamEvent::Resumed { from, to } => {
                assert_eq!((from, to), (mid, end));
                break;
            }
            StreamEvent::Snapshot(_) => {
                panic!("a resume within retention must replay, not snapshot")
            }
            _ => {}
        }
    }
    assert_eq!(replayed, (mid + 1..=end).collect::<Vec<_>>());
    t.intake("u3", "live", 5).await;
    let live = events_until(&mut second, end + 1).await;
    assert_eq!(live.first(), Some(&(end + 1)));
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_resumes_by_itself_across_a_server_restart() {
    let mut t = TestServer::start().await;
    let mut stream = RoomStream::connect(&t.url(), &t.tokens.performer, ROOM.into(), None, quick());
    let start = snapshot_seq(&mut stream).await;
    t.intake("u1", "before", 5).await;
    let before = last_seq(&t).await;
    let mut seen = events_until(&mut stream, before).await;

    t.restart().await;
    t.intake("u2", "after-1", 5).await;
    t.intake("u3", "after-2", 5).await;
    let end = last_seq(&t).await;
    let mut disconnected = false;
    while seen.last().copied() < Some(end) {
        match next(&mut stream).await {
            StreamEvent::Event { event, .. } => seen.push(event.seq),
            StreamEvent::Disconnected { .. } => disconnected = true,
            StreamEvent::Snapshot(_) => panic!("the same database resumes, it does not snapshot"),
            _ => {}
        }
    }
    assert!(disconnected, "the restart was noticed");
    assert_eq!(
        seen,
        (start + 1..=end).collect::<Vec<_>>(),
        "every event exactly once"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gap_past_retention_or_another_epoch_gets_a_snapshot() {
    let config = ServerConfig {
        replay_retention_events: 5,
        ..ServerConfig::default()
    };
    let t = TestServer::start_with(config).await;
    let mut stream = RoomStream::connect(&t.url(), &t.tokens.performer, ROOM.into(), None, quick());
    snapshot_seq(&mut stream).await;
    let old = stream.resume_point().unwrap();
    drop(stream);
    for n in 0..4 {
        t.intake("u1", &format!("g{n}"), 5).await;
    }
    let end = last_seq(&t).await;
    assert!(end - old.seq > 5);

    let mut stream = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        ROOM.into(),
        Some(old.clone()),
        quick(),
    );
    loop {
        match next(&mut stream).await {
            StreamEvent::Snapshot(snapshot) => {
                assert_eq!(snapshot.seq, end);
                assert_eq!(snapshot.waiting.len(), 4);
                break;
            }
            StreamEvent::Event { .. } => panic!("no replay past retention"),
            _ => {}
        }
    }
    drop(stream);

    let foreign = ResumePoint {
        epoch: "another-history".into(),
        seq: end,
    };
    let mut stream = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        ROOM.into(),
        Some(foreign),
        quick(),
    );
    assert_eq!(snapshot_seq(&mut stream).await, end);
    t.stop().await;
}

type Socket = WsSocket;

async fn raw_socket(t: &TestServer, token: &str) -> Socket {
    let mut request = t.url().websocket().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let hello = read_json(&mut socket).await;
    assert_eq!(hello["type"], "hello");
    socket
}

async fn read_json(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a frame in time");
        match frame {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Read until the socket closes; return the close code.
async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

async fn balances(t: &TestServer) -> Vec<u64> {
    let admin = t.client(ADMIN);
    let mut all = Vec::new();
    for user in ["u1", "u2", "u3"] {
        all.push(admin.balance(&user.into()).await.unwrap().tokens);
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_gets_errors_the_sender_alone_is_closed_and_others_go_on() {
    let t = TestServer::start().await;
    let mut watcher =
        RoomStream::connect(&t.url(), &t.tokens.moderator, ROOM.into(), None, quick());
    snapshot_seq(&mut watcher).await;
    let money = balances(&t).await;

    let mut socket = raw_socket(&t, &t.tokens.performer).await;
    for garbage in [
        "not json".to_string(),
        json!({"type": "launch"}).to_string(),
        json!({"type": "subscribe"}).to_string(),
        json!({"type": "subscribe", "room": 7}).to_string(),
        r#"{"type": "subscribe", "room": "a", "room": "b"}"#.to_string(),
    ] {
        socket
            .send(Message::Text(garbage.clone().into()))
            .await
            .unwrap();
        let answer = read_json(&mut socket).await;
        assert_eq!(answer["type"], "error", "{garbage}");
        assert_eq!(answer["error"]["code"], "bad_frame", "{garbage}");
    }
    // A command whose requestId can be read gets its ack, whatever is wrong
    // with the rest, naming the field.
    for (request, garbage, field) in [
        ("x1", json!({"type": "command", "requestId": "x1", "idempotencyKey": "k", "room": ROOM, "command": {"action": "refund", "item": 1, "reason": "because"}}).to_string(), "command.reason"),
        ("x2", json!({"type": "command", "requestId": "x2", "room": ROOM, "command": {"action": "start"}}).to_string(), "idempotencyKey"),
        ("x3", format!(r#"{{"type": "command", "requestId": "x3", "idempotencyKey": "k", "idempotencyKey": "k2", "room": "{ROOM}", "command": {{"action": "start"}}}}"#), "idempotencyKey"),
    ] {
        socket.send(Message::Text(garbage.clone().into())).await.unwrap();
        let answer = read_json(&mut socket).await;
        assert_eq!(answer["type"], "ack", "{garbage}");
        assert_eq!(answer["requestId"], request, "{garbage}");
        assert_eq!(answer["error"]["code"], "invalid_field", "{garbage}");
        assert_eq!(answer["error"]["field"], field, "{garbage}");
    }
    socket
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(read_json(&mut socket).await["error"]["code"], "bad_frame");
    // Still usable after garbage.
    socket
        .send(Message::Text(
            json!({"type": "ping", "t": 42}).to_string().into(),
        ))
        .await
        .unwrap();
    assert_eq!(read_json(&mut socket).await["t"], 42);
    // A frame many times the socket's read buffer, yet under the limit.
    let padded = format!(
        "{}{}",
        json!({"type": "ping", "t": 43}),
        " ".repeat(t.config.max_frame_bytes - 100)
    );
    socket.send(Message::Text(padded.into())).await.unwrap();
    assert_eq!(read_json(&mut socket).await["t"], 43);

    let oversized = "x".repeat(t.config.max_frame_bytes + 1);
    let _ = socket.send(Message::Text(oversized.into())).await;
    let code = close_code(&mut socket).await;
    assert!(
        matches!(code, Some(1008) | Some(1009) | None),
        "closed for the oversized frame: {code:?}"
    );

    assert_eq!(balances(&t).await, money, "no money moved");
    t.intake("u1", "after-garbage", 5).await;
    let end = last_seq(&t).await;
    let seen = events_until(&mut watcher, end).await;
    assert_eq!(seen.last(), Some(&end), "other clients go on");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_commands_is_rate_limited_and_acts_once() {
    let t = TestServer::start().await;
    let item = t.intake("u1", "flooded", 100).await;
    let mut socket = raw_socket(&t, &t.tokens.performer).await;
    for n in 0..200 {
        let frame = json!({
            "type": "command", "requestId": format!("req-{n}"), "idempotencyKey": format!("key-{n}"),
            "room": ROOM, "command": {"action": "refund", "item": item, "amount": 10, "reason": "goodwill"}
        });
        socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
    }
    let mut codes = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..200 {
        let ack = read_json(&mut socket).await;
        assert_eq!(ack["type"], "ack");
        let code = ack["error"]["code"].as_str().unwrap_or("ok").to_string();
        *codes.entry(code).or_default() += 1;
    }
    assert_eq!(codes.get("ok"), Some(&1), "{codes:?}");
    assert!(
        codes.get("rate_limited").copied().unwrap_or(0) > 100,
        "{codes:?}"
    );
    assert_eq!(balances(&t).await[0], 10_000 - 100 + 10, "refunded once");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_over_the_socket_are_idempotent() {
    let t = TestServer::start().await;
    let item = t.intake("u1", "idem", 20).await;
    let mut stream = RoomStream::connect(&t.url(), &t.tokens.performer, ROOM.into(), None, quick());
    snapshot_seq(&mut stream).await;
    let start = RoomCommand::Start { item: None };
    stream.command("a", "press-1", start.clone()).await.unwrap();
    stream.command("b", "press-1", start).await.unwrap();
    stream
        .command("c", "press-1", RoomCommand::Finish { item: None })
        .await
        .unwrap();
    let mut acks = std::collections::HashMap::new();
    let mut started = 0;
    while acks.len() < 3 {
        match next(&mut stream).await {
            StreamEvent::Ack { request_id, result } => {
                acks.insert(request_id, result);
            }
            StreamEvent::Event { event, .. }
                if matches!(event.kind, EventKind::ItemStarted { .. }) =>
            {
                started += 1
            }
            _ => {}
        }
    }
    assert_eq!(acks["a"], acks["b"]);
    assert_eq!(acks["a"].as_ref().unwrap().item().unwrap().0, item);
    assert_eq!(
        acks["c"].as_ref().unwrap_err().code,
        ErrorCode::IdempotencyConflict
    );
    let audit = t
        .client(ADMIN)
        .audit(&ROOM.into(), cuedeck::domain::ItemId(item))
        .await
        .unwrap();
    assert_eq!(audit.audit.len(), 2, "started once");
    assert!(started <= 1);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_client_is_dropped_after_the_timeout() {
    let config = ServerConfig {
        heartbeat_ms: 50,
        client_timeout_ms: 150,
        ..ServerConfig::default()
    };
    let t = TestServer::start_with(config).await;
    let mut request = t.url().websocket().into_client_request().unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", t.tokens.performer).parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    // Say nothing (not even pongs: nothing is read) for longer than the timeout.
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Read the raw bytes, so no automatic pong goes out: the last frame must
    // be a close frame (opcode 0x88) with code 4000 (0x0FA0).
    use tokio::io::AsyncReadExt;
    let tcp = match socket.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp,
        _ => unreachable!("plain TCP on loopback"),
    };
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(WAIT, tcp.read_to_end(&mut bytes))
        .await
        .expect("the server closed the socket");
    let close = bytes
        .windows(4)
        .any(|w| w[0] == 0x88 && w[2] == 0x0F && w[3] == 0xA0);
    assert!(
        close,
        "a close frame with code 4000 in {} bytes",
        bytes.len()
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_reads_nothing_is_dropped_even_while_a_write_waits() {
    // A buffer deep enough that the socket fills long before it does: the
    // server ends up waiting on a write, not counting a slow consumer.
    let config = ServerConfig {
        heartbeat_ms: 50,
        client_timeout_ms: 300,
        ..ServerConfig::default()
    };
    let t = TestServer::start_with(config).await;
    let mut socket = t.small_window_socket(&t.tokens.performer).await;
    assert_eq!(read_json(&mut socket).await["type"], "hello");
    let subscribe = json!({"type": "subscribe", "room": ROOM});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    // Keep talking (pings) so the client never counts as silent, but never
    // read: the connection must still go once a write has waited as long
    // as the client may stay silent.
    let (mut sink, unread) = socket.split();
    let pinger = tokio::spawn(async move {
        while sink.send(Message::Ping(Default::default())).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    t.client(ADMIN).mint("u1", 10_000_000, None).await.unwrap();
    let gone = t.flood_until("cuedeck_connections 0").await;
    assert!(gone, "the stalled connection was dropped");
    pinger.abort();
    drop(unread);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_consumer_is_closed_with_a_seq_to_resume_from() {
    let config = ServerConfig {
        subscriber_buffer: 2,
        ..ServerConfig::default()
    };
    let t = TestServer::start_with(config).await;
    let mut socket = t.small_window_socket(&t.tokens.performer).await;
    assert_eq!(read_json(&mut socket).await["type"], "hello");
    let subscribe = json!({"type": "subscribe", "room": ROOM});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let snapshot = read_json(&mut socket).await;
    let start = snapshot["snapshot"]["seq"].as_u64().unwrap();
    // Flood events while the socket is not read, until the server gives up on it.
    let admin = t.client(ADMIN);
    admin.mint("u1", 10_000_000, None).await.unwrap();
    let closed = t.flood_until_slow_consumer().await;
    assert!(closed, "the server gave up on the slow consumer");
    let mut last = start;
    let reason = loop {
        match tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("frames in time")
        {
            Some(Ok(Message::Text(text))) => {
                let frame: Value = serde_json::from_str(&text).unwrap();
                let seq = frame["event"]["seq"].as_u64().unwrap();
                assert_eq!(seq, last + 1, "in order, no gap");
                last = seq;
            }
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), 4008);
                break frame.reason.to_string();
            }
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert!(
        reason.contains(&format!("resume from seq {last}")),
        "{reason}"
    );
    // Resuming from there gets the rest.
    let epoch = snapshot["snapshot"]["epoch"].as_str().unwrap().to_string();
    let mut stream = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        ROOM.into(),
        Some(ResumePoint { epoch, seq: last }),
        quick(),
    );
    let end = last_seq(&t).await;
    let rest = events_until(&mut stream, end).await;
    assert_eq!(rest.first(), Some(&(last + 1)));
    assert_eq!(rest.len() as u64, end - last);
    t.stop().await;
}
