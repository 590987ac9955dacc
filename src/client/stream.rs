//! A room's event stream over WebSocket that survives disconnects: it
//! reconnects with jittered exponential backoff and resumes from the last
//! seq it delivered, so the caller sees every event exactly once.
//! [`WatchStream`] does the same for several rooms on one connection, each
//! with its own seq and resume point. Given several servers, a reconnect
//! goes to the leader a standby named, or to the next node: the stream
//! epoch and the seqs are the same on every node, so the resume holds.

use crate::protocol::ErrorCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::RngExt;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::fail_over::{Attempt, upgrade_failed};
use super::{AsServerList, ClientError, ServerList, ServerUrl};
use crate::domain::{Event, Reply, RoomId, Stamp};
use crate::protocol::{ApiError, ClientFrame, ResumePoint, RoomCommand, RoomSnapshot, ServerFrame};

#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    /// First retry delay; doubles per attempt up to `backoff_max`, ±20 %.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How often to measure round trip and clock offset.
    pub ping_every: Duration,
    /// Nothing heard from the server for this long counts as a lost
    /// connection (a half-open socket otherwise looks alive for minutes).
    pub silence_timeout: Duration,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            ping_every: Duration::from_secs(5),
            silence_timeout: Duration::from_secs(20),
        }
    }
}

/// What the stream tells its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Connected {
        epoch: String,
        role: String,
    },
    /// This connection is to another node than the last one (or than the
    /// first given): the leader moved. Comes just before `Connected`.
    ServerChanged {
        url: String,
    },
    /// The room's state; events after `snapshot.seq` follow.
    Snapshot(Box<RoomSnapshot>),
    /// One event, with the rendered text of a message.
    Event {
        event: Box<Event>,
        text: Option<String>,
    },
    /// A replay after reconnecting is complete.
    Resumed {
        from: u64,
        to: u64,
    },
    Ack {
        request_id: String,
        result: Result<Reply, ApiError>,
    },
    /// From a ping: round trip, and how far the server's clock is ahead.
    Clock {
        rtt_us: i64,
        offset_us: i64,
    },
    /// The connection dropped (or could not be made); retrying.
    Disconnected {
        attempt: u32,
        reason: String,
        retry_in: Duration,
    },
    /// The server refused a frame.
    Error(ApiError),
    /// A private message of the room changed status.
    MessageStatus(crate::protocol::MessageStatusNote),
}

#[derive(Deserialize)]
struct EventWithText {
    #[serde(flatten)]
    event: Event,
    #[serde(default)]
    text: Option<String>,
}

/// A stream event and the room it belongs to: None for what concerns the
/// connection (connected, dropped, clock, acks, errors).
#[derive(Debug, Clone, PartialEq)]
pub struct WatchEvent {
    pub room: Option<RoomId>,
    pub event: StreamEvent,
}

#[derive(Debug)]
struct Shared {
    /// The rooms in the order subscribed, each with where it resumes from.
    rooms: Vec<(RoomId, Option<ResumePoint>)>,
    connected: bool,
    /// The node of the last connection (at first, the one to try first).
    serving: ServerUrl,
}

impl Shared {
    fn resume_of(&mut self, room: &RoomId) -> Option<&mut Option<ResumePoint>> {
        self.rooms
            .iter_mut()
            .find(|(r, _)| r == room)
            .map(|(_, point)| point)
    }
}

enum Outbound {
    Command(ClientFrame),
}

/// A live subscription to several rooms over one connection (a protocol
/// addition: see docs/PROTOCOL.md).
pub struct WatchStream {
    events: mpsc::Receiver<WatchEvent>,
    outbox: mpsc::Sender<Outbound>,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl WatchStream {
    /// Connect (in the background) and subscribe to each room, resuming
    /// each from its point when given.
    pub fn connect(
        servers: &impl AsServerList,
        token: &str,
        rooms: Vec<(RoomId, Option<ResumePoint>)>,
        options: StreamOptions,
    ) -> Self {
        let servers = servers.server_list();
        let (events_tx, events) = mpsc::channel(4096);
        let (outbox, outbox_rx) = mpsc::channel(256);
        let shared = Arc::new(Mutex::new(Shared {
            rooms,
            connected: false,
            serving: servers.current(),
        }));
        let task = tokio::spawn(run(
            servers,
            token.to_string(),
            options,
            shared.clone(),
            events_tx,
            outbox_rx,
        ));
        WatchStream {
            events,
            outbox,
            shared,
            task,
        }
    }

    pub async fn next(&mut self) -> Option<WatchEvent> {
        self.events.recv().await
    }

    pub fn try_next(&mut self) -> Option<WatchEvent> {
        self.events.try_recv().ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where `room` stands: what a later connection would resume it from.
    pub fn resume_point(&self, room: &RoomId) -> Option<ResumePoint> {
        self.lock().resume_of(room).and_then(|point| point.clone())
    }

    /// Every room's resume point, in the order subscribed.
    pub fn resume_points(&self) -> Vec<(RoomId, Option<ResumePoint>)> {
        self.lock().rooms.clone()
    }

    pub fn is_connected(&self) -> bool {
        self.lock().connected
    }

    /// Send a command on `room`; its ack arrives as [`StreamEvent::Ack`].
    /// Refused while disconnected, so the caller can say so rather than
    /// queue money.
    pub async fn command(
        &self,
        room: &RoomId,
        request_id: &str,
        key: &str,
        command: RoomCommand,
    ) -> Result<(), ClientError> {
        if !self.is_connected() {
            return Err(ClientError::Transport("not connected".into()));
        }
        let frame = ClientFrame::Command {
            request_id: request_id.to_string(),
            idempotency_key: key.to_string(),
            room: room.clone(),
            command,
        };
        self.outbox
            .send(Outbound::Command(frame))
            .await
            .map_err(|_| ClientError::Transport("the stream has stopped".into()))
    }

    /// Watch one more room from now on (a room made after the connection
    /// began). Kept for every later connection; a room already watched is
    /// left alone.
    pub async fn subscribe(&self, room: RoomId) {
        let connected = {
            let mut state = self.lock();
            if state.resume_of(&room).is_some() {
                return;
            }
            state.rooms.push((room.clone(), None));
            state.connected
        };
        // While down, the next connection subscribes it with the rest.
        if connected {
            let frame = ClientFrame::Subscribe { room, resume: None };
            let _ = self.outbox.send(Outbound::Command(frame)).await;
        }
    }

    /// Ask for a watched room again (one the server did not know when it
    /// was asked for), from where it stands; nothing while disconnected,
    /// since the next connection asks for every room anyway.
    pub async fn resubscribe(&self, room: &RoomId) {
        let resume = {
            let mut state = self.lock();
            match (state.connected, state.resume_of(room)) {
                (true, Some(resume)) => resume.clone(),
                _ => return,
            }
        };
        let frame = ClientFrame::Subscribe {
            room: room.clone(),
            resume,
        };
        let _ = self.outbox.send(Outbound::Command(frame)).await;
    }

    pub fn close(self) {
        self.task.abort();
    }
}

impl Drop for WatchStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A live subscription to one room.
pub struct RoomStream {
    inner: WatchStream,
    room: RoomId,
}

impl RoomStream {
    /// Connect (in the background) and subscribe to `room`, resuming from
    /// `resume` when given.
    pub fn connect(
        servers: &impl AsServerList,
        token: &str,
        room: RoomId,
        resume: Option<ResumePoint>,
        options: StreamOptions,
    ) -> Self {
        let inner = WatchStream::connect(servers, token, vec![(room.clone(), resume)], options);
        RoomStream { inner, room }
    }

    pub async fn next(&mut self) -> Option<StreamEvent> {
        self.inner.next().await.map(|w| w.event)
    }

    pub fn try_next(&mut self) -> Option<StreamEvent> {
        self.inner.try_next().map(|w| w.event)
    }

    /// Where the stream stands: what a later connection would resume from.
    pub fn resume_point(&self) -> Option<ResumePoint> {
        self.inner.resume_point(&self.room)
    }

    pub fn is_connected(&self) -> bool {
        self.inner.is_connected()
    }

    /// Ask for the room again: for a room that did not exist yet.
    pub async fn resubscribe(&self) {
        self.inner.resubscribe(&self.room).await;
    }

    /// Send a command; its ack arrives as [`StreamEvent::Ack`]. Refused
    /// while disconnected, so the caller can say so rather than queue money.
    pub async fn command(
        &self,
        request_id: &str,
        key: &str,
        command: RoomCommand,
    ) -> Result<(), ClientError> {
        self.inner
            .command(&self.room, request_id, key, command)
            .await
    }

    pub fn close(self) {
        self.inner.close();
    }
}

fn backoff(options: &StreamOptions, attempt: u32) -> Duration {
    let exp = options
        .backoff_base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(options.backoff_max);
    let jitter: f64 = rand::rng().random_range(0.8..1.2);
    capped.mul_f64(jitter)
}

/// The longest wait before the next try once a node said it is a standby
/// or could not be reached while others are listed: a take-over takes
/// seconds, and the stream should be back soon after.
const TAKEOVER_POLL: Duration = Duration::from_secs(1);

/// Why a connection ended, as far as choosing the next node goes.
enum Ended {
    /// It was made and dropped, or refused for a reason every node would
    /// give (a bad token): try the same node again.
    Dropped(String),
    /// The node answered the upgrade with 503: a standby, and the leader
    /// it named if it did.
    NotLeader {
        reason: String,
        leader: Option<String>,
    },
    /// The node could not be reached.
    Unreachable(String),
}

impl From<String> for Ended {
    fn from(reason: String) -> Self {
        Ended::Dropped(reason)
    }
}

impl Ended {
    /// A failed upgrade, as the REST client would count it.
    fn upgrade(node: &ServerUrl, err: tokio_tungstenite::tungstenite::Error) -> Self {
        let why = |error: ClientError| match error {
            ClientError::Api { error, .. } => format!("{node}: {}", error.message),
            other => format!("{node}: {other}"),
        };
        match upgrade_failed::<()>(node, err) {
            Attempt::NotLeader { leader, error } => Ended::NotLeader {
                reason: why(error),
                leader,
            },
            Attempt::Unreachable(error) => Ended::Unreachable(error.to_string()),
            Attempt::Answered(answer) => Ended::Dropped(answer.err().map(why).unwrap_or_default()),
        }
    }
}

async fn run(
    servers: ServerList,
    token: String,
    options: StreamOptions,
    shared: Arc<Mutex<Shared>>,
    events: mpsc::Sender<WatchEvent>,
    mut outbox: mpsc::Receiver<Outbound>,
) {
    let mut attempt = 0u32;
    let mut followed_leader = false;
    loop {
        let node = servers.current();
        let ended = match session(
            &node,
            &token,
            &options,
            &shared,
            &events,
            &mut outbox,
            &mut attempt,
        )
        .await
        {
            Ok(reason) => Ended::Dropped(reason),
            Err(ended) => ended,
        };
        shared.lock().unwrap_or_else(|e| e.into_inner()).connected = false;
        if events.is_closed() {
            return;
        }
        attempt += 1;
        let mut retry_in = backoff(&options, attempt);
        let (reason, moved) = match ended {
            Ended::Dropped(reason) => (reason, None),
            Ended::NotLeader { reason, leader } => {
                (reason, Some(servers.move_on(&node, leader.as_deref())))
            }
            Ended::Unreachable(reason) if servers.has_standbys() => {
                (reason, Some(servers.move_on(&node, None)))
            }
            Ended::Unreachable(reason) => (reason, None),
        };
        if let Some(moved) = &moved {
            retry_in = retry_in.min(TAKEOVER_POLL);
            // A named leader at once, but not twice in a row.
            if moved.leader && !followed_leader {
                retry_in = retry_in.min(options.backoff_base);
            }
        }
        followed_leader = moved.is_some_and(|m| m.leader);
        let note = WatchEvent {
            room: None,
            event: StreamEvent::Disconnected {
                attempt,
                reason,
                retry_in,
            },
        };
        if events.send(note).await.is_err() {
            return;
        }
        tokio::time::sleep(retry_in).await;
    }
}

/// One connection, from connect to drop; returns why it ended.
#[allow(clippy::too_many_arguments)]
async fn session(
    node: &ServerUrl,
    token: &str,
    options: &StreamOptions,
    shared: &Arc<Mutex<Shared>>,
    events: &mpsc::Sender<WatchEvent>,
    outbox: &mut mpsc::Receiver<Outbound>,
    attempt: &mut u32,
) -> Result<String, Ended> {
    let mut request = node
        .websocket()
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let auth = format!("Bearer {token}")
        .parse()
        .map_err(|_| "the token is not valid header text".to_string())?;
    request.headers_mut().insert("Authorization", auth);
    // tungstenite zero-fills the free part of its read buffer on every read
    // attempt; its 128 KiB default is far more than a batch of events needs
    // (a larger snapshot still arrives, the buffer grows for it).
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(16 * 1024);
    // A node that accepts the connection but never answers (a paused
    // process) counts as unreachable after the silence timeout.
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let (socket, _) = match tokio::time::timeout(options.silence_timeout, connect).await {
        Ok(Ok(connected)) => connected,
        Ok(Err(err)) => return Err(Ended::upgrade(node, err)),
        Err(_) => {
            let waited = options.silence_timeout.as_millis();
            return Err(Ended::Unreachable(format!(
                "{node}: no answer to the upgrade in {waited} ms"
            )));
        }
    };
    let (mut tx, mut rx) = socket.split();

    let rooms = shared
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .rooms
        .clone();
    for (room, resume) in rooms {
        let subscribe = ClientFrame::Subscribe { room, resume };
        let subscribe = serde_json::to_string(&subscribe).map_err(|e| e.to_string())?;
        tx.feed(Message::Text(subscribe.into()))
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.flush().await.map_err(|e| e.to_string())?;
    let mut ping = tokio::time::interval(options.ping_every);
    let mut last_heard = tokio::time::Instant::now();
    let send = |room: Option<RoomId>, event: StreamEvent| async move {
        events
            .send(WatchEvent { room, event })
            .await
            .map_err(|_| "closed".to_string())
    };

    loop {
        tokio::select! {
            incoming = rx.next() => {
                last_heard = tokio::time::Instant::now();
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(frame))) => {
                        return Ok(frame.map_or("closed by the server".into(), |f| format!("closed by the server: {}", f.reason)));
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(err)) => return Err(err.to_string().into()),
                    None => return Ok("the connection ended".into()),
                };
                let frame: ServerFrame = match serde_json::from_str(&text) {
                    Ok(frame) => frame,
                    Err(err) => {
                        tracing::warn!(error = %err, "unreadable frame from the server");
                        continue;
                    }
                };
                match frame {
                    ServerFrame::Hello { epoch, role, .. } => {
                        let moved = {
                            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                            state.connected = true;
                            std::mem::replace(&mut state.serving, node.clone()) != *node
                        };
                        *attempt = 0;
                        if moved {
                            send(None, StreamEvent::ServerChanged { url: node.to_string() }).await?;
                        }
                        send(None, StreamEvent::Connected { epoch, role }).await?;
                    }
                    ServerFrame::Snapshot { snapshot } => {
                        let room = snapshot.room.clone();
                        {
                            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                            let Some(point) = state.resume_of(&room) else { continue };
                            *point = Some(ResumePoint {
                                epoch: snapshot.epoch.clone(),
                                seq: snapshot.seq,
                            });
                        }
                        send(Some(room), StreamEvent::Snapshot(snapshot)).await?;
                    }
                    ServerFrame::Event { event } => {
                        let Ok(EventWithText { event, text }) = serde_json::from_value::<EventWithText>(event) else {
                            tracing::warn!("unreadable event from the server");
                            continue;
                        };
                        {
                            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                            let Some(slot) = state.resume_of(&event.room) else { continue };
                            let Some(point) = slot.as_mut() else { continue };
                            if event.seq <= point.seq {
                                continue; // already delivered
                            }
                            if event.seq != point.seq + 1 {
                                // A gap would mean a lost event: start this room over from a snapshot.
                                let expected = point.seq + 1;
                                *slot = None;
                                return Err(format!("gap in room {}: expected {expected}, got {}", event.room, event.seq).into());
                            }
                            point.seq = event.seq;
                        }
                        let room = event.room.clone();
                        send(Some(room), StreamEvent::Event { event: Box::new(event), text }).await?;
                    }
                    ServerFrame::Resumed { room, from, to } => send(Some(room), StreamEvent::Resumed { from, to }).await?,
                    ServerFrame::Ack { request_id, result, error } => {
                        let result = match (result, error) {
                            (Some(reply), _) => Ok(reply),
                            (None, Some(error)) => Err(error),
                            (None, None) => Err(ApiError::new(ErrorCode::BadFrame, "an ack with neither result nor error")),
                        };
                        send(None, StreamEvent::Ack { request_id, result }).await?;
                    }
                    ServerFrame::Pong { t, server_time } => {
                        let now = Stamp::now().0;
                        let rtt_us = (now - t).max(0);
                        let offset_us = server_time.0 - (t + rtt_us / 2);
                        send(None, StreamEvent::Clock { rtt_us, offset_us }).await?;
                    }
                    ServerFrame::Error { error } => send(None, StreamEvent::Error(error)).await?,
                    ServerFrame::MessageStatus { status } => {
                        let room = status.room.clone();
                        send(Some(room), StreamEvent::MessageStatus(status)).await?
                    }
                }
            }
            outbound = outbox.recv() => {
                let Some(Outbound::Command(frame)) = outbound else { return Ok("stopped".into()) };
                let text = serde_json::to_string(&frame).map_err(|e| e.to_string())?;
                tx.send(Message::Text(text.into())).await.map_err(|e| e.to_string())?;
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > options.silence_timeout {
                    // A node that stopped answering: another may lead now.
                    return Err(Ended::Unreachable(format!("no answer from {node} for {} ms", options.silence_timeout.as_millis())));
                }
                let frame = serde_json::to_string(&ClientFrame::Ping { t: Stamp::now().0 }).map_err(|e| e.to_string())?;
                tx.send(Message::Text(frame.into())).await.map_err(|e| e.to_string())?;
            }
        }
    }
}
