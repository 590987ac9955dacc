//! A viewer's own stream: `GET /api/v1/me/inbox/ws` with a viewer token.
//! The postman writes their private messages to it as each one's tier
//! time comes; a message is delivered once written. `?after=N&epoch=E`
//! resumes: the messages numbered above N are written again first, then a
//! `resumed` frame, then live ones. The viewer marks messages read with a
//! `{"type":"read","ids":[..]}` frame.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::errors::HttpError;
use super::extract::ApiQuery;
use super::http::{App, bearer};
use super::messages_http::inbox_owner;
use super::postman::{InboxOut, PostMsg};
use crate::domain::UserId;
use crate::domain::outbox::MessageId;
use crate::protocol::{ApiError, ErrorCode, InboxClientFrame, InboxFrame, close};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeQuery {
    after: Option<u64>,
    epoch: Option<String>,
}

pub async fn upgrade(
    State(app): State<App>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ResumeQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    let now = app.config.clock.now();
    let principal = bearer(&headers).and_then(|t| app.tokens.authenticate_at(t, now));
    let Some(principal) = principal else {
        return app
            .refuse(ApiError::new(
                ErrorCode::Unauthorized,
                "a valid bearer token is required (Authorization: Bearer <token>)",
            ))
            .into_response();
    };
    let viewer = match inbox_owner(&principal) {
        Ok(viewer) => viewer,
        Err(err) => return HttpError(err).into_response(),
    };
    // A resume point of another history starts afresh.
    let seen = query.after.filter(|_| {
        query
            .epoch
            .as_deref()
            .is_none_or(|e| e == app.postman.epoch())
    });
    let limit = app.config.max_frame_bytes;
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| connection(app, viewer, seen, socket))
}

fn close_message(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from(reason),
    }))
}

async fn connection(app: App, viewer: UserId, seen: Option<u64>, socket: WebSocket) {
    app.metrics.connection_opened();
    let (mut tx, mut rx) = socket.split();
    let (sink, mut out) = mpsc::channel(app.config.subscriber_buffer);
    let wanted = viewer.clone();
    let conn = app
        .postman
        .ask(|reply| PostMsg::Connect {
            viewer: wanted,
            seen,
            sink,
            reply,
        })
        .await;
    let conn = match conn {
        Ok(conn) => conn,
        Err(error) => {
            let frame = serde_json::to_string(&InboxFrame::Error { error }).unwrap_or_default();
            let _ = tx.send(Message::Text(frame.into())).await;
            let _ = tx.close().await;
            app.metrics.connection_closed();
            return;
        }
    };
    let heartbeat = Duration::from_millis(app.config.heartbeat_ms);
    let timeout = Duration::from_millis(app.config.client_timeout_ms);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    let mut last_heard = Instant::now();
    let mut shutdown = app.shutdown.clone();
    let goodbye = loop {
        tokio::select! {
            next = out.recv() => match next {
                Some(first) => {
                    match tokio::time::timeout(timeout, forward(&mut tx, &mut out, first)).await {
                        Ok(Ok(written)) => {
                            if !written.is_empty() {
                                app.postman.send(PostMsg::Written(written));
                            }
                        }
                        _ => break None,
                    }
                }
                None => break Some(close_message(close::SLOW_CONSUMER, "slow consumer: resume from the last seq you saw")),
            },
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_heard = Instant::now();
                    match serde_json::from_str::<InboxClientFrame>(&text) {
                        Ok(InboxClientFrame::Read { ids }) => {
                            let viewer = viewer.clone();
                            let _ = app.postman.ask(|reply| PostMsg::Read { viewer, ids, reply }).await;
                        }
                        Ok(InboxClientFrame::Ping) => {}
                        Err(err) => {
                            let error = ApiError::new(ErrorCode::BadFrame, format!("not an inbox frame: {err}"));
                            let frame = serde_json::to_string(&InboxFrame::Error { error }).unwrap_or_default();
                            if tx.send(Message::Text(frame.into())).await.is_err() { break None; }
                        }
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => last_heard = Instant::now(),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
            },
            _ = ticker.tick() => {
                if last_heard.elapsed() > timeout {
                    break Some(close_message(close::IDLE, "no frames from the client within the heartbeat timeout"));
                }
                if tx.send(Message::Ping(Default::default())).await.is_err() { break None; }
            }
            _ = shutdown.changed() => break Some(close_message(close::GOING_AWAY, "the server is shutting down")),
        }
    };
    if let Some(message) = goodbye {
        let _ = tokio::time::timeout(timeout, tx.send(message)).await;
    }
    let _ = tokio::time::timeout(timeout, tx.close()).await;
    app.postman.send(PostMsg::Disconnect { viewer, conn });
    app.metrics.connection_closed();
}

/// Write what is waiting, flush once, and return the messages written.
async fn forward<S>(
    tx: &mut S,
    out: &mut mpsc::Receiver<InboxOut>,
    first: InboxOut,
) -> Result<Vec<MessageId>, axum::Error>
where
    S: futures_util::Sink<Message, Error = axum::Error> + Unpin,
{
    let mut written = Vec::new();
    let mut next = Some(first);
    let mut count = 0;
    while let Some(item) = next.take() {
        match item {
            InboxOut::Message(id, bytes) => {
                tx.feed(Message::Text(bytes)).await?;
                written.push(id);
            }
            InboxOut::Frame(bytes) => tx.feed(Message::Text(bytes)).await?,
        }
        count += 1;
        if count < 256 {
            next = out.try_recv().ok();
        }
    }
    tx.flush().await?;
    Ok(written)
}
