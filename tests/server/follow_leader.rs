//! Clients given several servers follow the leader: a fake standby on
//! loopback answers `/healthz` with its role and every other request (the
//! WebSocket upgrade too) with `503 not_leader` naming a real server as
//! the leader, and the REST
//! client and the event stream end up on the real one. A request that is
//! neither idempotent nor keyed is not sent again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cuedeck::client::{RestClient, RoomStream, ServerList, ServerUrl, StreamEvent, StreamOptions};
use cuedeck::protocol::{ApiError, ErrorCode, Health, PROTOCOL_VERSION};

use crate::support::{ADMIN, ROOM, TestServer};

/// A node that refuses everything as a standby would, counting requests.
struct FakeStandby {
    url: ServerUrl,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeStandby {
    async fn naming(leader: Option<&ServerUrl>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = ServerUrl::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let (counted, leader) = (hits.clone(), leader.map(ToString::to_string));
        let health = Health {
            ok: true,
            protocol: PROTOCOL_VERSION,
            epoch: "standby-epoch".into(),
            role: Some("standby".into()),
            leader: leader.clone(),
        };
        let unavailable = axum::http::StatusCode::SERVICE_UNAVAILABLE;
        let app = axum::Router::new()
            .route(
                "/healthz",
                axum::routing::get(move || async move { (unavailable, axum::Json(health)) }),
            )
            .fallback(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let refusal = ApiError::not_leader(leader.clone());
                async move { (unavailable, axum::Json(refusal)) }
            });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeStandby { url, hits, task }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for FakeStandby {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn list(nodes: &[&ServerUrl]) -> ServerList {
    let text: Vec<String> = nodes.iter().map(ToString::to_string).collect();
    ServerList::parse(&text.join(",")).unwrap()
}

fn quick() -> StreamOptions {
    StreamOptions {
        backoff_base: Duration::from_millis(30),
        backoff_max: Duration::from_millis(300),
        ..StreamOptions::default()
    }
}

/// A bound for a wait that should end at once; not a timing assertion.
async fn next(stream: &mut RoomStream) -> StreamEvent {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
}

#[tokio::test(flavor = "multi_thread")]
async fn rest_requests_follow_the_named_leader_and_unkeyed_posts_are_not_resent() {
    let t = TestServer::start().await;
    let leader = t.url();
    let standby = FakeStandby::naming(Some(&leader)).await;

    // A read goes to the standby, then to the leader it names.
    let servers = list(&[&standby.url, &leader]);
    let client = RestClient::new(servers.clone(), &t.tokens.performer);
    let snapshot = client.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.room.as_str(), ROOM);
    assert_eq!((standby.hits(), servers.current()), (1, leader.clone()));
    // The list stays on the leader: the next request goes straight there.
    client.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(standby.hits(), 1);

    // A keyed command is sent again to the leader, which takes it once.
    let admin = RestClient::new(list(&[&standby.url, &leader]), ADMIN);
    let minted = admin.mint("u9", 40, Some("follow-mint")).await.unwrap();
    let again = t
        .client(ADMIN)
        .mint("u9", 40, Some("follow-mint"))
        .await
        .unwrap();
    assert_eq!(minted, again);
    let balance = t.client(ADMIN).balance(&"u9".into()).await.unwrap();
    assert_eq!(balance.tokens, 40);
    assert_eq!(standby.hits(), 2);

    // Creating a room carries no key: not sent again, but the list moved,
    // so the caller's own retry reaches the leader.
    let servers = list(&[&standby.url, &leader]);
    let admin = RestClient::new(servers.clone(), ADMIN);
    let err = admin.create_room("r9", "p9").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotLeader), "{err}");
    assert!(err.to_string().contains(&leader.to_string()), "{err}");
    assert_eq!(standby.hits(), 3);
    let missing = t.client(ADMIN).snapshot(&"r9".into()).await.unwrap_err();
    assert_eq!(missing.code(), Some(ErrorCode::UnknownRoom));
    assert_eq!(servers.current(), leader);
    admin.create_room("r9", "p9").await.unwrap();
    assert_eq!(standby.hits(), 3);

    // A standby's health is its answer; the leader it names is where the
    // next requests go.
    let servers = list(&[&standby.url, &leader]);
    let health = RestClient::new(servers.clone(), ADMIN)
        .health()
        .await
        .unwrap();
    assert_eq!(health.role.as_deref(), Some("standby"));
    assert_eq!(health.leader, Some(leader.to_string()));
    assert_eq!(servers.current(), leader);

    // One URL, a standby's: the leader it names is followed though the
    // list does not hold it.
    let lone = RestClient::new(standby.url.clone(), &t.tokens.performer);
    lone.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(lone.server(), leader);
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standby_with_no_leader_yet_is_left_for_the_next_node() {
    let t = TestServer::start().await;
    let leader = t.url();
    let standby = FakeStandby::naming(None).await;
    let servers = list(&[&standby.url, &leader]);
    let client = RestClient::new(servers.clone(), &t.tokens.performer);
    let snapshot = client.snapshot(&ROOM.into()).await.unwrap();
    assert_eq!(snapshot.room.as_str(), ROOM);
    assert_eq!(servers.current(), leader);
    // No node leads: the error names both nodes tried.
    let lonely = FakeStandby::naming(None).await;
    let nobody = list(&[&standby.url, &lonely.url]);
    let client =
        RestClient::new(nobody, &t.tokens.performer).with_fail_over(cuedeck::client::FailOver {
            budget: Duration::from_millis(300),
            ..Default::default()
        });
    let err = client.snapshot(&ROOM.into()).await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.code(), Some(ErrorCode::NotLeader), "{text}");
    assert!(
        text.contains(&standby.url.to_string()) && text.contains(&lonely.url.to_string()),
        "{text}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_moves_to_the_leader_and_resumes_there() {
    let t = TestServer::start().await;
    let leader = t.url();
    let standby = FakeStandby::naming(Some(&leader)).await;
    let servers = list(&[&standby.url, &leader]);
    let mut stream = RoomStream::connect(&servers, &t.tokens.performer, ROOM.into(), None, quick());
    let mut seen = Vec::new();
    loop {
        match next(&mut stream).await {
            StreamEvent::Snapshot(_) => break,
            StreamEvent::Disconnected { reason, .. } => seen.push(format!("dropped: {reason}")),
            StreamEvent::ServerChanged { url } => seen.push(format!("now {url}")),
            StreamEvent::Connected { .. } => seen.push("connected".into()),
            _ => {}
        }
    }
    let refused = format!(
        "dropped: {}: this node is a standby; the leader is {leader}",
        standby.url
    );
    assert_eq!(seen, [refused, format!("now {leader}"), "connected".into()]);
    assert_eq!(standby.hits(), 1);
    assert_eq!(servers.current(), leader);

    // Events on the leader arrive; a later stream resumes from this one's
    // point through the same list, replaying what it missed.
    t.intake("u1", "follow-1", 5).await;
    let first = t.client(ADMIN).snapshot(&ROOM.into()).await.unwrap().seq;
    loop {
        if let StreamEvent::Event { event, .. } = next(&mut stream).await
            && event.seq == first
        {
            break;
        }
    }
    let resume = stream.resume_point().unwrap();
    assert_eq!(resume.seq, first);
    drop(stream);
    t.intake("u2", "follow-2", 5).await;
    let servers = list(&[&standby.url, &leader]);
    let mut again = RoomStream::connect(
        &servers,
        &t.tokens.performer,
        ROOM.into(),
        Some(resume),
        quick(),
    );
    let mut replayed = Vec::new();
    loop {
        match next(&mut again).await {
            StreamEvent::Event { event, .. } => replayed.push(event.seq),
            StreamEvent::Resumed { from, to } => {
                assert_eq!(from, first);
                assert_eq!(replayed, (first + 1..=to).collect::<Vec<_>>());
                break;
            }
            StreamEvent::Snapshot(_) => panic!("a resume on the leader replays, not snapshots"),
            _ => {}
        }
    }
    assert!(!replayed.is_empty());
    assert_eq!(standby.hits(), 2);
    t.stop().await;
}
