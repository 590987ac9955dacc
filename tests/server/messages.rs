//! Private messages over real loopback sockets: a viewer's inbox stream
//! with resume (after a drop, after a restart), the pull endpoint and read
//! marks, one viewer never reading another's, the performer's replies
//! (templates escaped, limits refused by name), history and figures.

use std::collections::BTreeSet;
use std::time::Duration;

use cuedeck::domain::{RoomId, Tier};
use cuedeck::protocol::{CreateToken, ErrorCode, ReplyBody, ReplyVisibility};
use cuedeck::server::ServerConfig;
use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(10);

/// Tiers a few milliseconds apart, so that a test waits for frames, not
/// for the shipped 30 s.
fn quick_tiers() -> ServerConfig {
    let mut config = ServerConfig::default();
    let delivery = &mut config.messages.delivery;
    delivery.premium.delay_ms = 20;
    delivery.basic.delay_ms = 40;
    delivery.free.delay_ms = 60;
    delivery.retry_base_ms = 20;
    delivery.retry_max_ms = 50;
    config
}

async fn viewer_token(t: &TestServer, user: &str) -> String {
    let spec = CreateToken {
        role: "viewer".into(),
        room: None,
        rooms: vec![],
        user: Some(user.into()),
        expires_at: None,
    };
    t.client(ADMIN).create_token(&spec).await.unwrap().token
}

async fn inbox(t: &TestServer, token: &str, resume: Option<(&str, u64)>) -> WsSocket {
    let mut request = t.url().inbox(resume).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
}

async fn frame(socket: &mut WsSocket) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a frame in time")
            .expect("stream open")
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Read frames until `n` messages came; their (seq, id) in order.
async fn messages(socket: &mut WsSocket, n: usize) -> Vec<(u64, u64)> {
    let mut got = Vec::new();
    while got.len() < n {
        let f = frame(socket).await;
        if f["type"] == "message" {
            let m = &f["message"];
            got.push((m["seq"].as_u64().unwrap(), m["id"].as_u64().unwrap()));
        }
    }
    got
}

async fn hello(socket: &mut WsSocket) -> (String, u64) {
    let f = frame(socket).await;
    assert_eq!(f["type"], "hello", "{f}");
    (
        f["epoch"].as_str().unwrap().to_string(),
        f["seq"].as_u64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewers_stream_resumes_after_a_drop_and_after_a_restart_without_loss_or_double() {
    let mut t = TestServer::start_with(quick_tiers()).await;
    let viewer = t.client(&t.tokens.viewer);
    viewer.join(&ROOM.into(), Tier::Basic).await.unwrap();
    let mut socket = inbox(&t, &t.tokens.viewer, None).await;
    let (epoch, _) = hello(&mut socket).await;
    t.intake("u1", "m1", 5).await;
    let first = frame(&mut socket).await;
    assert_eq!(first["message"]["key"], "queue.receipt", "{first}");
    assert_eq!(first["message"]["tier"], "basic");
    assert_eq!(first["message"]["seq"], 1);
    assert!(
        first["message"]["text"]
            .as_str()
            .unwrap()
            .contains("in the queue")
    );
    drop(socket);

    // While the viewer is away: held and retried, not lost.
    for n in 2..=4 {
        t.intake("u1", &format!("m{n}"), 5).await;
    }
    let mut socket = inbox(&t, &t.tokens.viewer, Some((&epoch, 1))).await;
    hello(&mut socket).await;
    let mut seen = vec![(1, first["message"]["id"].as_u64().unwrap())];
    seen.extend(messages(&mut socket, 3).await);
    drop(socket);

    // A burst, and a restart in the middle of it.
    for n in 5..=12 {
        t.intake("u1", &format!("m{n}"), 5).await;
    }
    t.restart().await;
    for n in 13..=14 {
        t.intake("u1", &format!("m{n}"), 5).await;
    }
    // Receipts, and "sit back" once the queue is long: every one of them.
    let total = t
        .client(&t.tokens.performer)
        .message_history(&ROOM.into(), "viewer=u1")
        .await
        .unwrap()
        .messages
        .len();
    assert!(total > 14, "{total}");
    let last = seen.last().unwrap().0;
    let mut socket = inbox(&t, &t.tokens.viewer, Some((&epoch, last))).await;
    hello(&mut socket).await;
    seen.extend(messages(&mut socket, total - seen.len()).await);
    let seqs: Vec<u64> = seen.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=total as u64).collect::<Vec<_>>(),
        "each once, in order"
    );
    let ids: BTreeSet<u64> = seen.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids.len(), total, "no message twice under two numbers");
    // Nothing more is waiting: the pull sees the same, all delivered.
    let page = viewer.inbox(0).await.unwrap();
    assert_eq!(page.messages.len(), total);
    assert!(
        page.messages.iter().all(|m| m.status == "delivered"),
        "{page:?}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_never_sees_another_viewers_messages() {
    let t = TestServer::start_with(quick_tiers()).await;
    let u2 = viewer_token(&t, "u2").await;
    t.client(&t.tokens.viewer)
        .join(&ROOM.into(), Tier::Vip)
        .await
        .unwrap();
    t.client(&u2).join(&ROOM.into(), Tier::Vip).await.unwrap();
    let mut theirs = inbox(&t, &u2, None).await;
    hello(&mut theirs).await;
    t.intake("u1", "only-u1", 5).await;
    t.intake("u2", "only-u2", 5).await;
    let got = frame(&mut theirs).await;
    assert_eq!(got["message"]["viewer"], "u2", "{got}");
    let mine = t.client(&t.tokens.viewer).inbox(0).await.unwrap();
    assert_eq!(mine.messages.len(), 1);
    assert!(mine.messages.iter().all(|m| m.viewer.as_str() == "u1"));
    // u2 cannot mark u1's message read, nor read the room's history.
    let id = mine.messages[0].id;
    let marked = t.client(&u2).mark_read(vec![id]).await.unwrap();
    assert!(marked.read.is_empty());
    let err = t
        .client(&u2)
        .message_history(&ROOM.into(), "")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    // u1 can.
    let marked = t
        .client(&t.tokens.viewer)
        .mark_read(vec![id])
        .await
        .unwrap();
    assert_eq!(marked.read, [id]);
    let history = t
        .client(&t.tokens.performer)
        .message_history(&ROOM.into(), "viewer=u1&status=read")
        .await
        .unwrap();
    assert_eq!(history.messages.len(), 1);
    assert!(history.messages[0].read_at.is_some());
    // Nor did u2's stream carry u1's message: a frame for u2 sent after
    // u1's comes next, not u1's.
    t.intake("u2", "only-u2-again", 5).await;
    let next = frame(&mut theirs).await;
    assert_eq!(next["message"]["viewer"], "u2", "{next}");
    assert_eq!(next["message"]["seq"], 2, "{next}");
    t.stop().await;
}

fn reply_to_item(item: u64, template: &str) -> ReplyBody {
    ReplyBody {
        item: Some(cuedeck::domain::ItemId(item)),
        viewer: None,
        visibility: ReplyVisibility::Private,
        mood: Some("happy".into()),
        template: Some(template.into()),
        text: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_in_the_viewers_tier_wording_escaped_and_rate_limited_by_name() {
    let mut config = quick_tiers();
    config.messages.replies.per_viewer = 2;
    config.messages.replies.per_performer = 3;
    config.messages.replies.max_chars = 20;
    let t = TestServer::start_with(config).await;
    let viewer = t.client(&t.tokens.viewer);
    viewer.join(&ROOM.into(), Tier::Vip).await.unwrap();
    let payload = serde_json::to_vec(
        &cuedeck::domain::builder::PayloadBuilder::new(PERFORMER, "u1", "esc", 5)
            .display_name("<b>Eve</b>")
            .json(),
    )
    .unwrap();
    let item = t
        .client(&t.tokens.integration)
        .intake(&ROOM.into(), &payload, "esc", false)
        .await
        .unwrap()
        .item()
        .unwrap()
        .0;
    let performer = t.client(&t.tokens.performer);
    let sent = performer
        .reply(&ROOM.into(), &reply_to_item(item, "thanks"))
        .await
        .unwrap();
    assert!(sent.text.contains("my VIP"), "vip wording: {}", sent.text);
    assert!(
        sent.text.contains("&lt;b&gt;Eve&lt;/b&gt;"),
        "{}",
        sent.text
    );
    let message = sent.message.unwrap();
    assert_eq!((message.kind.as_str(), message.tier), ("reply", Tier::Vip));

    let unknown = performer
        .reply(&ROOM.into(), &reply_to_item(item, "nope"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::UnknownTemplate));
    let long = ReplyBody {
        template: None,
        text: Some("x".repeat(21)),
        ..reply_to_item(item, "thanks")
    };
    let err = performer.reply(&ROOM.into(), &long).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::ReplyTooLong));

    performer
        .reply(&ROOM.into(), &reply_to_item(item, "welcome"))
        .await
        .unwrap();
    let third = performer
        .reply(&ROOM.into(), &reply_to_item(item, "thanks"))
        .await
        .unwrap_err();
    assert_eq!(third.code(), Some(ErrorCode::ReplyRateLimitedViewer));
    // A public micro response: a room event, counted for the performer.
    let public = ReplyBody {
        item: None,
        visibility: ReplyVisibility::Public,
        template: None,
        text: Some("Thanks all <3".into()),
        ..reply_to_item(item, "thanks")
    };
    let said = performer.reply(&ROOM.into(), &public).await.unwrap();
    assert_eq!(said.text, "Thanks all &lt;3");
    let seq = said.seq.unwrap();
    let snapshot = t.client(ADMIN).snapshot(&ROOM.into()).await.unwrap();
    assert!(snapshot.seq >= seq);
    let again = performer.reply(&ROOM.into(), &public).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::ReplyRateLimitedPerformer));

    // The viewer pulls both replies in the order they came.
    let page = viewer.inbox(0).await.unwrap();
    let kinds: Vec<&str> = page.messages.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["queue", "reply", "reply"]);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn figures_count_by_tier_and_status_and_a_ban_fails_what_was_waiting() {
    let mut config = quick_tiers();
    config.messages.delivery.free.delay_ms = 60_000;
    let t = TestServer::start_with(config).await;
    let u2 = viewer_token(&t, "u2").await;
    t.client(&t.tokens.viewer)
        .join(&ROOM.into(), Tier::Premium)
        .await
        .unwrap();
    t.client(&u2).join(&ROOM.into(), Tier::Free).await.unwrap();
    t.intake("u1", "f1", 5).await;
    t.intake("u2", "f2", 5).await;
    // u1 pulls once its tier's time has come.
    let mut got = Vec::new();
    for _ in 0..200 {
        got = t.client(&t.tokens.viewer).inbox(0).await.unwrap().messages;
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(got.len(), 1);
    let ban = serde_json::json!({"user": "u2", "reason": "spam"});
    let (status, body) = t
        .client(&t.tokens.performer)
        .raw(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{ROOM}/bans"),
            None,
            Some(serde_json::to_vec(&ban).unwrap()),
        )
        .await
        .unwrap();
    assert!(status.is_success(), "{status} {body}");
    let mut failed = Vec::new();
    for _ in 0..200 {
        failed = t
            .client(&t.tokens.performer)
            .message_history(&ROOM.into(), "viewer=u2&status=failed")
            .await
            .unwrap()
            .messages;
        if failed.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reasons: BTreeSet<_> = failed.iter().map(|m| m.reason.clone().unwrap()).collect();
    assert_eq!(
        failed.len(),
        2,
        "the receipt and the ban's refund notice: {failed:?}"
    );
    assert_eq!(reasons, BTreeSet::from(["banned".to_string()]));
    assert!(t.client(&u2).inbox(0).await.unwrap().messages.is_empty());

    let figures = t.client(ADMIN).delivery_figures("").await.unwrap();
    assert_eq!(figures.total, 3);
    assert_eq!(figures.by_tier["premium"], 1);
    assert_eq!(figures.by_tier["free"], 2);
    assert_eq!(figures.by_status["delivered"], 1);
    assert_eq!(figures.by_status["failed"], 2);
    assert_eq!(figures.success_rate_percent, Some(100.0 / 3.0));
    let premium = figures
        .delays
        .iter()
        .find(|d| d.tier == Tier::Premium)
        .unwrap();
    assert_eq!(premium.delivered, 1);
    // Only a viewer has an inbox stream.
    for token in [
        ADMIN,
        t.tokens.performer.as_str(),
        t.tokens.moderator.as_str(),
    ] {
        let mut request = t.url().inbox(None).into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        match tokio_tungstenite::connect_async(request).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403)
            }
            other => panic!("an inbox stream for a non-viewer: {:?}", other.map(|_| ())),
        }
    }
    let err = t
        .client(&t.tokens.performer)
        .delivery_figures("")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Forbidden));
    let _ = RoomId::new(ROOM);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_performer_watches_a_replys_status_go_to_read() {
    use cuedeck::client::{InboxSocket, RoomStream, StreamEvent, StreamOptions};
    let t = TestServer::start_with(quick_tiers()).await;
    t.client(&t.tokens.viewer)
        .join(&ROOM.into(), Tier::Premium)
        .await
        .unwrap();
    let mut room = RoomStream::connect(
        &t.url(),
        &t.tokens.performer,
        ROOM.into(),
        None,
        StreamOptions::default(),
    );
    loop {
        let event = tokio::time::timeout(WAIT, room.next())
            .await
            .unwrap()
            .unwrap();
        if matches!(event, StreamEvent::Snapshot(_)) {
            break;
        }
    }
    let mut inbox = InboxSocket::connect(&t.url(), &t.tokens.viewer, None)
        .await
        .unwrap();
    let body = ReplyBody {
        item: None,
        viewer: Some("u1".into()),
        visibility: ReplyVisibility::Private,
        mood: Some("happy".into()),
        template: Some("welcome".into()),
        text: None,
    };
    let sent = t
        .client(&t.tokens.performer)
        .reply(&ROOM.into(), &body)
        .await
        .unwrap();
    let id = sent.message.unwrap().id;
    let got = tokio::time::timeout(WAIT, inbox.next_message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((got.id, got.kind.as_str()), (id, "reply"));
    assert!(got.text.starts_with("Welcome in, u1"), "{}", got.text);
    inbox.mark_read(vec![id]).await.unwrap();
    let mut statuses = Vec::new();
    while statuses.last().map(String::as_str) != Some("read") {
        let event = tokio::time::timeout(WAIT, room.next())
            .await
            .unwrap()
            .unwrap();
        if let StreamEvent::MessageStatus(note) = event {
            assert_eq!((note.id, note.viewer.as_str()), (id, "u1"));
            statuses.push(note.status);
        }
    }
    assert_eq!(statuses, ["sent", "delivered", "read"]);
    t.stop().await;
}
