//! One WebSocket connection: hello, room subscriptions (one or several, all
//! through one bounded outgoing buffer), commands with acks, heartbeat,
//! frame limits.

use crate::domain::json;
use crate::protocol::ErrorCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use super::auth::{Permission, Principal, TokenRole};
use super::errors::HttpError;
use super::http::{App, actor, bearer};
use super::hub::{Outgoing, Sink};
use crate::domain::{IdemKey, Request, RoomId, Stamp};
use crate::protocol::{ApiError, ClientFrame, PROTOCOL_VERSION, RoomCommand, ServerFrame, close};

/// Consecutive unreadable frames before the connection is closed.
const MAX_BAD_FRAMES: u32 = 16;

/// The socket's read buffer. Clients send small command frames, and the
/// buffer's free part is zero-filled on every read attempt, which happens
/// each time the connection wakes to forward events: tungstenite's default
/// of 128 KiB cost more than the fan-out itself. Larger frames (up to
/// `max_frame_bytes`) still arrive; the buffer grows for them.
const READ_BUFFER_BYTES: usize = 4 * 1024;

pub async fn upgrade(State(app): State<App>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let now = app.config.clock.now();
    let Some(principal) = bearer(&headers).and_then(|t| app.tokens.authenticate_at(t, now)) else {
        app.metrics.error(ErrorCode::Unauthorized);
        return HttpError(ApiError::new(
            ErrorCode::Unauthorized,
            "a valid bearer token is required (Authorization: Bearer <token>)",
        ))
        .into_response();
    };
    let limit = app.config.max_frame_bytes;
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| connection(app, principal, socket))
}

fn text(frame: &ServerFrame) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(frame).unwrap_or_default(),
    ))
}

fn close_message(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from(reason),
    }))
}

/// A token bucket: `rate` commands per second, bursts up to `rate`.
struct Limiter {
    rate: f64,
    tokens: f64,
    at: Instant,
}

impl Limiter {
    fn new(rate: u32) -> Self {
        Limiter {
            rate: f64::from(rate),
            tokens: f64::from(rate),
            at: Instant::now(),
        }
    }

    fn allow(&mut self) -> bool {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.rate);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Connection {
    app: App,
    principal: Principal,
    subscribed: Vec<RoomId>,
    events: Option<mpsc::Receiver<Outgoing>>,
    /// For the sinks of further rooms; weak, so that once the publisher has
    /// dropped every sink (a slow consumer) the stream ends.
    more_sinks: Option<mpsc::WeakSender<Outgoing>>,
    overflowed: Arc<AtomicBool>,
    last_seq_sent: u64,
    acks: mpsc::Sender<Message>,
    limiter: Limiter,
    bad_frames: u32,
}

async fn connection(app: App, principal: Principal, socket: WebSocket) {
    app.metrics.connection_opened();
    let (mut tx, mut rx) = socket.split();
    let (acks, mut ack_rx) = mpsc::channel::<Message>(64);
    let heartbeat = Duration::from_millis(app.config.heartbeat_ms);
    let timeout = Duration::from_millis(app.config.client_timeout_ms);
    let mut shutdown = app.shutdown.clone();
    let mut conn = Connection {
        limiter: Limiter::new(app.config.commands_per_second),
        app,
        principal,
        subscribed: Vec::new(),
        events: None,
        more_sinks: None,
        overflowed: Arc::new(AtomicBool::new(false)),
        last_seq_sent: 0,
        acks,
        bad_frames: 0,
    };
    let hello = ServerFrame::Hello {
        protocol: PROTOCOL_VERSION,
        server_time: Stamp::now(),
        epoch: conn.app.core.epoch().to_string(),
        role: conn.principal.role.as_str().to_string(),
        heartbeat_ms: conn.app.config.heartbeat_ms,
    };
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    let mut last_heard = Instant::now();
    let goodbye: Option<Message> = if !within(timeout, tx.send(text(&hello))).await {
        None
    } else {
        loop {
            let next_event = async {
                match conn.events.as_mut() {
                    Some(events) => events.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                incoming = rx.next() => match incoming {
                    Some(Ok(Message::Text(frame))) => {
                        last_heard = Instant::now();
                        if let Some(reply) = conn.handle(&frame).await
                            && !within(timeout, tx.send(text(&reply))).await
                        {
                            break None;
                        }
                        if conn.bad_frames >= MAX_BAD_FRAMES {
                            break Some(close_message(close::POLICY, "too many unreadable frames".into()));
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        last_heard = Instant::now();
                        conn.bad_frames += 1;
                        let err = ServerFrame::Error { error: ApiError::new(ErrorCode::BadFrame, "binary frames are not supported; send JSON text") };
                        if !within(timeout, tx.send(text(&err))).await { break None; }
                        if conn.bad_frames >= MAX_BAD_FRAMES {
                            break Some(close_message(close::POLICY, "too many unreadable frames".into()));
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => last_heard = Instant::now(),
                    Some(Ok(Message::Close(_))) | None => break None,
                    Some(Err(err)) => {
                        tracing::debug!(error = %err, "websocket read failed");
                        break Some(close_message(close::POLICY, "frame too large or malformed".into()));
                    }
                },
                outgoing = next_event => match outgoing {
                    Some(first) => {
                        if !within(timeout, conn.forward(&mut tx, first)).await { break None; }
                    }
                    None => {
                        let reason = if !conn.overflowed.load(Ordering::Relaxed) {
                            "the stream ended".into()
                        } else if conn.subscribed.len() == 1 {
                            format!("slow consumer: resume from seq {}", conn.last_seq_sent)
                        } else {
                            "slow consumer: resume each room from the last seq you saw".into()
                        };
                        break Some(close_message(close::SLOW_CONSUMER, reason));
                    }
                },
                Some(ack) = ack_rx.recv() => {
                    if !within(timeout, tx.send(ack)).await { break None; }
                }
                _ = ticker.tick() => {
                    if last_heard.elapsed() > timeout {
                        break Some(close_message(close::IDLE, "no frames from the client within the heartbeat timeout".into()));
                    }
                    if !within(timeout, tx.send(Message::Ping(Default::default()))).await { break None; }
                }
                _ = shutdown.changed() => {
                    break Some(close_message(close::GOING_AWAY, "the server is shutting down".into()));
                }
            }
        }
    };
    if let Some(message) = goodbye {
        within(timeout, tx.send(message)).await;
    }
    within(timeout, tx.close()).await;
    conn.app.metrics.connection_closed();
    if conn.principal.role == TokenRole::Performer {
        for room in std::mem::take(&mut conn.subscribed) {
            if conn.app.lane_consoles.left(&room) {
                super::tips_http::console_gone(&conn.app, room).await;
            }
        }
    }
}

/// Whether a write finished, and in time: a client that takes nothing for
/// as long as it may stay silent is gone, and its connection with it.
async fn within<E: std::fmt::Display>(
    limit: Duration,
    write: impl std::future::Future<Output = Result<(), E>>,
) -> bool {
    match tokio::time::timeout(limit, write).await {
        Ok(Ok(())) => true,
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "websocket write failed");
            false
        }
        Err(_) => {
            tracing::debug!("websocket write stalled past the client timeout");
            false
        }
    }
}

impl Connection {
    /// Send what the hub queued, plus whatever else is already waiting,
    /// then flush once.
    async fn forward<S>(&mut self, tx: &mut S, first: Outgoing) -> Result<(), axum::Error>
    where
        S: futures_util::Sink<Message, Error = axum::Error> + Unpin,
    {
        let mut next = Some(first);
        let mut sent = 0;
        while let Some(out) = next.take() {
            match out {
                Outgoing::Events(frames) => {
                    for (seq, bytes) in frames.iter() {
                        tx.feed(Message::Text(bytes.clone())).await?;
                        self.last_seq_sent = *seq;
                    }
                }
                Outgoing::Batch(frames) => {
                    for (seq, bytes) in frames {
                        tx.feed(Message::Text(bytes)).await?;
                        self.last_seq_sent = seq;
                    }
                }
                Outgoing::Frame(bytes) => tx.feed(Message::Text(bytes)).await?,
            }
            sent += 1;
            if sent < 64 {
                next = self.events.as_mut().and_then(|e| e.try_recv().ok());
            }
        }
        tx.flush().await
    }

    /// Handle one text frame; returns a frame to send back at once, if any.
    async fn handle(&mut self, frame: &str) -> Option<ServerFrame> {
        let parsed = match read_frame(frame) {
            Ok(parsed) => parsed,
            Err(refusal) => {
                match refusal.as_ref() {
                    // A command answered with its error is no garbage.
                    ServerFrame::Ack {
                        error: Some(error), ..
                    } => self.app.metrics.error(error.code),
                    ServerFrame::Error { error } => {
                        self.bad_frames += 1;
                        self.app.metrics.error(error.code);
                    }
                    _ => {}
                }
                return Some(*refusal);
            }
        };
        self.bad_frames = 0;
        match parsed {
            ClientFrame::Ping { t } => Some(ServerFrame::Pong {
                t,
                server_time: Stamp::now(),
            }),
            ClientFrame::Subscribe { room, resume } => {
                self.subscribe(room, resume).await.err().map(|error| {
                    self.app.metrics.error(error.code);
                    ServerFrame::Error { error }
                })
            }
            ClientFrame::Command {
                request_id,
                idempotency_key,
                room,
                command,
            } => {
                self.command(request_id, idempotency_key, room, command)
                    .await
            }
        }
    }

    async fn subscribe(
        &mut self,
        room: RoomId,
        resume: Option<crate::protocol::ResumePoint>,
    ) -> Result<(), ApiError> {
        self.principal.require(Permission::Watch(&room))?;
        if self.subscribed.contains(&room) {
            return Err(ApiError::new(
                ErrorCode::AlreadySubscribed,
                format!("this connection already watches room `{room}`"),
            ));
        }
        // Every room of the connection shares one buffer.
        let (tx, fresh) = match self.more_sinks.as_ref() {
            Some(weak) => (weak.upgrade().ok_or_else(super::errors::unavailable)?, None),
            None => {
                let (tx, rx) = mpsc::channel(self.app.config.subscriber_buffer);
                (tx, Some(rx))
            }
        };
        let weak = tx.downgrade();
        let sink = Sink {
            tx,
            overflowed: self.overflowed.clone(),
        };
        self.app.core.subscribe(room.clone(), resume, sink).await?;
        if self.principal.role == TokenRole::Performer {
            self.app.lane_consoles.joined(&room);
        }
        self.subscribed.push(room);
        if let Some(rx) = fresh {
            self.events = Some(rx);
            self.more_sinks = Some(weak);
        }
        Ok(())
    }

    /// Check a command and queue it, in the order received; its ack follows
    /// once it is durable.
    async fn command(
        &mut self,
        request_id: String,
        key: String,
        room: RoomId,
        command: RoomCommand,
    ) -> Option<ServerFrame> {
        let refuse = |error: ApiError| ServerFrame::Ack {
            request_id: request_id.clone(),
            result: None,
            error: Some(error),
        };
        if !self.limiter.allow() {
            self.app.metrics.error(ErrorCode::RateLimited);
            return Some(refuse(ApiError::new(
                ErrorCode::RateLimited,
                "too many commands; slow down",
            )));
        }
        let action = match &command {
            RoomCommand::Start { .. } => Permission::Start(&room),
            RoomCommand::Finish { .. } => Permission::Finish(&room),
            RoomCommand::Refund { reason, .. } => Permission::Refund(&room, *reason),
            _ => Permission::RunLane(&room),
        };
        if let Err(err) = self.principal.require(action) {
            self.app.metrics.error(err.code);
            return Some(refuse(err));
        }
        let by = actor(&self.principal);
        let command = command.into_command(room, by);
        let request = Request {
            key: Some(IdemKey::new(key.as_str())),
            command,
        };
        let pending = self.app.core.submit(request).await;
        let metrics = self.app.metrics.clone();
        let acks = self.acks.clone();
        tokio::spawn(async move {
            let result = match pending {
                Ok(reply) => reply
                    .await
                    .unwrap_or_else(|_| Err(super::errors::unavailable())),
                Err(err) => Err(err),
            };
            if let Err(err) = &result {
                metrics.error(err.code);
            }
            let (result, error) = match result {
                Ok(reply) => (Some(reply), None),
                Err(err) => (None, Some(err)),
            };
            let ack = ServerFrame::Ack {
                request_id,
                result,
                error,
            };
            let _ = acks.send(text(&ack)).await;
        });
        None
    }
}

/// A client frame, read strictly. A command whose `requestId` can be read
/// is answered with an ack carrying the error, like every command; any
/// other frame that is not a client frame gets `bad_frame`, naming the
/// field when it can.
fn read_frame(text: &str) -> Result<ClientFrame, Box<ServerFrame>> {
    let strict = json::parse_value(text.as_bytes());
    let parsed = strict
        .as_ref()
        .map_err(Clone::clone)
        .and_then(json::from_value::<ClientFrame>);
    let error = match parsed {
        Ok(frame) => return Ok(frame),
        Err(err) => err,
    };
    // A frame with a key twice is still readable enough to find its id.
    let loose = match &strict {
        Ok(value) => Some(value.clone()),
        Err(_) => serde_json::from_str::<serde_json::Value>(text).ok(),
    };
    let request_id = loose.as_ref().and_then(|value| {
        (value.get("type")?.as_str()? == "command")
            .then(|| value.get("requestId")?.as_str().map(str::to_string))?
    });
    match request_id {
        Some(request_id) => Err(Box::new(ServerFrame::Ack {
            request_id,
            result: None,
            error: Some(ApiError::from(&error)),
        })),
        None => Err(Box::new(ServerFrame::Error {
            error: ApiError {
                code: ErrorCode::BadFrame,
                message: format!("not a client frame: {error}"),
                field: error.field().map(str::to_string),
                leader: None,
            },
        })),
    }
}
