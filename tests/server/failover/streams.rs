//! One WebSocket watcher per room that records every event it is sent, as
//! (stream epoch, seq), straight off the wire (no client library that would
//! hide a double), and that resumes from its last (epoch, seq) on whichever
//! node answers after its connection drops.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A connection silent this long counts as lost (a paused node keeps its
/// sockets open).
const SILENCE: Duration = Duration::from_secs(3);

/// What a watcher saw of its room.
#[derive(Debug, Default)]
pub struct Seen {
    pub room: String,
    /// The snapshot it started from: (stream epoch, seq).
    pub start: Option<(String, u64)>,
    /// Every event, in the order received: (the connection's stream epoch, seq).
    pub events: Vec<(String, u64)>,
    /// Connections made after the first.
    pub resumes: usize,
    /// Snapshots sent although a resume point was given (a lost replay).
    pub snapshots_on_resume: usize,
    /// Error frames.
    pub errors: Vec<String>,
}

impl Seen {
    pub fn last(&self) -> Option<u64> {
        self.events
            .last()
            .map(|(_, seq)| *seq)
            .or(self.start.as_ref().map(|(_, seq)| *seq))
    }
}

pub struct Watcher {
    /// Set to the seq the watcher must reach before it stops.
    until: watch::Sender<Option<u64>>,
    /// Set once the first snapshot came.
    started: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Seen>,
}

impl Watcher {
    pub fn start(urls: Vec<String>, token: String, room: String) -> Watcher {
        let (until, target) = watch::channel(None);
        let started = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(watch_room(urls, token, room, target, started.clone()));
        Watcher {
            until,
            started,
            task,
        }
    }

    pub fn started(&self) -> bool {
        self.started.load(Ordering::Relaxed)
    }

    /// Stop once the room's stream reached `seq`; what it saw.
    pub async fn finish(self, seq: u64) -> Seen {
        let _ = self.until.send(Some(seq));
        self.task.await.expect("a watcher")
    }
}

async fn watch_room(
    urls: Vec<String>,
    token: String,
    room: String,
    mut until: watch::Receiver<Option<u64>>,
    started: Arc<AtomicBool>,
) -> Seen {
    let mut seen = Seen {
        room: room.clone(),
        ..Seen::default()
    };
    let mut node = 0;
    let mut connections = 0;
    loop {
        if reached(*until.borrow(), &seen) {
            return seen;
        }
        let url = format!("ws://{}/ws", &urls[node]["http://".len()..]);
        node = (node + 1) % urls.len();
        let Ok(Ok((socket, _))) = tokio::time::timeout(SILENCE, connect(&url, &token)).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        connections += 1;
        if connections > 1 {
            seen.resumes += 1;
        }
        let (mut tx, mut rx) = socket.split();
        let mut subscribe = json!({"type": "subscribe", "room": room});
        let resuming = match (&seen.start, seen.last()) {
            (Some((epoch, _)), Some(seq)) => {
                subscribe["resume"] = json!({"epoch": epoch, "seq": seq});
                true
            }
            _ => false,
        };
        if tx
            .send(Message::Text(subscribe.to_string().into()))
            .await
            .is_err()
        {
            continue;
        }
        let mut epoch = String::new();
        loop {
            tokio::select! {
                message = tokio::time::timeout(SILENCE, rx.next()) => {
                    let Ok(Some(Ok(message))) = message else { break };
                    let Message::Text(text) = message else { continue };
                    let frame: Value = serde_json::from_str(&text).unwrap_or_default();
                    record(&mut seen, &mut epoch, resuming, &frame);
                    started.store(seen.start.is_some(), Ordering::Relaxed);
                }
                _ = until.changed() => {}
            }
            if reached(*until.borrow(), &seen) {
                return seen;
            }
        }
    }
}

fn reached(target: Option<u64>, seen: &Seen) -> bool {
    matches!((target, seen.last()), (Some(target), Some(last)) if last >= target)
}

/// Note one frame; `epoch` is the connection's, from its hello.
fn record(seen: &mut Seen, epoch: &mut String, resuming: bool, frame: &Value) {
    match frame["type"].as_str() {
        Some("hello") => *epoch = frame["epoch"].as_str().unwrap_or("").into(),
        Some("snapshot") if resuming => seen.snapshots_on_resume += 1,
        Some("snapshot") => {
            let snapshot = &frame["snapshot"];
            let start = snapshot["seq"].as_u64().expect("a snapshot seq");
            let epoch = snapshot["epoch"].as_str().unwrap_or("").to_string();
            seen.start = Some((epoch, start));
        }
        Some("event") => {
            let seq = frame["event"]["seq"].as_u64().expect("an event seq");
            seen.events.push((epoch.clone(), seq));
        }
        Some("error") => seen.errors.push(frame["error"].to_string()),
        _ => {}
    }
}

async fn connect(
    url: &str,
    token: &str,
) -> Result<
    (
        crate::support::WsSocket,
        tokio_tungstenite::tungstenite::handshake::client::Response,
    ),
    tokio_tungstenite::tungstenite::Error,
> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {token}").parse().expect("a header value"),
    );
    tokio_tungstenite::connect_async(request).await
}
