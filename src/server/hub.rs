//! The publisher: one thread that waits for each commit in order, answers
//! the caller, and fans the events out to every room's subscribers. Each
//! event is rendered and serialized once per room; subscribers share the
//! bytes. Subscriptions are registered on this same thread, between two
//! publications, so a subscriber never misses or doubles an event.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, oneshot};

use super::errors::unavailable;
use super::metrics::Metrics;
use super::templates::Templates;
use crate::domain::{Event, EventKind, Reply, RoomId};
use crate::protocol::{ApiError, ResumePoint, RoomSnapshot, ServerFrame};
use crate::store::{Ack, Reader};

/// What a subscriber's connection receives.
#[derive(Debug)]
pub enum Outgoing {
    /// The event frames of one commit, shared by every subscriber.
    Events(Arc<[(u64, Utf8Bytes)]>),
    /// A replay after a resume.
    Batch(Vec<(u64, Utf8Bytes)>),
    /// Any other frame (snapshot, resumed).
    Frame(Utf8Bytes),
}

/// The sending half a connection hands over when it subscribes. When the
/// buffer is full the sink is dropped and `overflowed` is set, so the
/// connection closes with a reason the client can resume from.
#[derive(Debug, Clone)]
pub struct Sink {
    pub tx: mpsc::Sender<Outgoing>,
    pub overflowed: Arc<AtomicBool>,
}

pub enum PublisherMsg {
    Commit {
        ack: Ack,
        reply: Option<oneshot::Sender<Result<Reply, ApiError>>>,
    },
    Subscribe {
        resume: Option<ResumePoint>,
        snapshot: Box<RoomSnapshot>,
        sink: Sink,
        reply: oneshot::Sender<Result<(), ApiError>>,
    },
    /// Answered once the commits before it are durable; dropped (the
    /// waiter hears `unavailable`) when a commit has failed.
    Durable(oneshot::Sender<()>),
    /// A frame outside the numbered stream (a private message's status)
    /// for the room's current watchers; dropped for a full buffer.
    Side { room: RoomId, frame: Utf8Bytes },
}

struct Hub {
    last_seq: u64,
    recent: VecDeque<(u64, Utf8Bytes)>,
    subscribers: Vec<Sink>,
}

pub struct Publisher {
    db: crate::store::Database,
    epoch: String,
    templates: Arc<Templates>,
    metrics: Arc<Metrics>,
    recent_events: usize,
    retention: u64,
    failed: Arc<AtomicBool>,
    postman: Option<super::postman::PostmanHandle>,
    channel: (
        std::sync::mpsc::Sender<PublisherMsg>,
        std::sync::mpsc::Receiver<PublisherMsg>,
    ),
}

impl Publisher {
    pub fn new(
        db: crate::store::Database,
        epoch: String,
        templates: Arc<Templates>,
        metrics: Arc<Metrics>,
        recent_events: usize,
        retention: u64,
    ) -> Self {
        Publisher {
            db,
            epoch,
            templates,
            metrics,
            recent_events,
            retention,
            failed: Arc::new(AtomicBool::new(false)),
            postman: None,
            channel: std::sync::mpsc::channel(),
        }
    }

    /// A way to reach the publisher before it starts.
    pub fn sender(&self) -> std::sync::mpsc::Sender<PublisherMsg> {
        self.channel.0.clone()
    }

    /// Tell the delivery service of each commit's private messages and
    /// bans.
    pub fn with_postman(mut self, postman: super::postman::PostmanHandle) -> Self {
        self.postman = Some(postman);
        self
    }

    fn tell_postman(&self, events: &[Event]) {
        use super::postman::PostMsg;
        use crate::domain::ModerationAction;
        let Some(postman) = &self.postman else { return };
        let mut new_messages = false;
        for event in events {
            match &event.kind {
                EventKind::PrivateMessage { .. } => new_messages = true,
                EventKind::Moderation { moderation } => {
                    let Some(target) = &moderation.target else {
                        continue;
                    };
                    let viewer = crate::domain::UserId::new(target.clone());
                    let room = event.room.clone();
                    match moderation.action {
                        ModerationAction::Ban => postman.send(PostMsg::Ban {
                            viewer,
                            room,
                            at: event.at,
                            until: moderation.expires_at,
                        }),
                        ModerationAction::Unban => postman.send(PostMsg::Unban { viewer, room }),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if new_messages {
            postman.send(PostMsg::Nudge);
        }
    }

    /// Set when a commit failed: the server then refuses every command.
    pub fn failed_flag(&self) -> Arc<AtomicBool> {
        self.failed.clone()
    }

    pub fn start(mut self) -> std::sync::mpsc::Sender<PublisherMsg> {
        let (tx, rx) = std::mem::replace(&mut self.channel, std::sync::mpsc::channel());
        std::thread::Builder::new()
            .name("cuedeck-publisher".into())
            .spawn(move || self.run(rx))
            .expect("the publisher thread starts");
        tx
    }

    fn run(self, rx: std::sync::mpsc::Receiver<PublisherMsg>) {
        let mut hubs: HashMap<RoomId, Hub> = HashMap::new();
        let mut reader: Option<Reader> = None;
        while let Ok(msg) = rx.recv() {
            match msg {
                PublisherMsg::Commit { ack, reply } => match ack.wait() {
                    Ok(outcome) => {
                        self.metrics.events_published(outcome.events.len() as u64);
                        self.tell_postman(&outcome.events);
                        // One delivery per room and commit: a subscriber
                        // wakes once and writes the frames in one flush.
                        let mut rest = outcome.events.as_slice();
                        while let Some(first) = rest.first() {
                            let same_room =
                                rest.iter().take_while(|e| e.room == first.room).count();
                            self.publish(&mut hubs, &rest[..same_room]);
                            rest = &rest[same_room..];
                        }
                        if let Some(reply) = reply {
                            let _ = reply.send(Ok(outcome.reply));
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "commit failed; the server refuses further commands");
                        self.failed.store(true, Ordering::Relaxed);
                        if let Some(reply) = reply {
                            let _ = reply.send(Err(unavailable()));
                        }
                    }
                },
                PublisherMsg::Side { room, frame } => {
                    if let Some(hub) = hubs.get(&room) {
                        for sink in &hub.subscribers {
                            let _ = sink.tx.try_send(Outgoing::Frame(frame.clone()));
                        }
                    }
                }
                PublisherMsg::Durable(done) => {
                    if !self.failed.load(Ordering::Relaxed) {
                        let _ = done.send(());
                    }
                }
                PublisherMsg::Subscribe {
                    resume,
                    snapshot,
                    sink,
                    reply,
                } => {
                    let result = self.subscribe(&mut hubs, &mut reader, resume, *snapshot, sink);
                    let _ = reply.send(result);
                }
            }
        }
    }

    /// The frame for one event: rendered text added, serialized once.
    fn frame(&self, event: &Event) -> Utf8Bytes {
        /// The event with its rendered text, written in one pass.
        #[derive(serde::Serialize)]
        struct WithText<'a> {
            #[serde(flatten)]
            event: &'a Event,
            #[serde(skip_serializing_if = "Option::is_none")]
            text: Option<String>,
        }
        let text = match &event.kind {
            EventKind::Announcement { key, vars } => self.templates.render_public(key, vars),
            EventKind::PrivateMessage { key, vars, .. } => self.templates.render_private(key, vars),
            _ => None,
        };
        match serde_json::to_string(&WithText { event, text }) {
            // The shape of `ServerFrame::Event`.
            Ok(json) => Utf8Bytes::from(format!("{{\"type\":\"event\",\"event\":{json}}}")),
            Err(err) => {
                tracing::error!(error = %err, "event does not serialize");
                Utf8Bytes::from("{\"type\":\"error\"}")
            }
        }
    }

    /// Publish consecutive events of one room.
    fn publish(&self, hubs: &mut HashMap<RoomId, Hub>, events: &[Event]) {
        let Some(first) = events.first() else { return };
        let hub = hubs.entry(first.room.clone()).or_insert_with(|| Hub {
            last_seq: first.seq.saturating_sub(1),
            recent: VecDeque::new(),
            subscribers: Vec::new(),
        });
        let frames: Arc<[(u64, Utf8Bytes)]> =
            events.iter().map(|e| (e.seq, self.frame(e))).collect();
        for (seq, bytes) in frames.iter() {
            hub.last_seq = *seq;
            if hub.recent.len() == self.recent_events {
                hub.recent.pop_front();
            }
            hub.recent.push_back((*seq, bytes.clone()));
        }
        let mut overflowed = false;
        hub.subscribers.retain(
            |sink| match sink.tx.try_send(Outgoing::Events(frames.clone())) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    sink.overflowed.store(true, Ordering::Relaxed);
                    self.metrics.slow_consumer();
                    overflowed = true;
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            },
        );
        if overflowed {
            // A connection watching several rooms has one buffer for all:
            // its other rooms' sinks go too, so its stream ends and the
            // client resumes every room from where it was.
            for hub in hubs.values_mut() {
                hub.subscribers
                    .retain(|sink| !sink.overflowed.load(Ordering::Relaxed));
            }
        }
    }

    fn subscribe(
        &self,
        hubs: &mut HashMap<RoomId, Hub>,
        reader: &mut Option<Reader>,
        resume: Option<ResumePoint>,
        snapshot: RoomSnapshot,
        sink: Sink,
    ) -> Result<(), ApiError> {
        let room = snapshot.room.clone();
        let hub = hubs.entry(room.clone()).or_insert_with(|| Hub {
            last_seq: snapshot.seq,
            recent: VecDeque::new(),
            subscribers: Vec::new(),
        });
        let replayable = resume.as_ref().is_some_and(|p| {
            p.epoch == self.epoch
                && p.seq <= hub.last_seq
                && hub.last_seq - p.seq <= self.retention
                && hub.last_seq == snapshot.seq
        });
        let first = match resume {
            Some(point) if replayable => {
                let mut frames = Vec::new();
                let first_recent = hub.recent.front().map_or(hub.last_seq + 1, |(seq, _)| *seq);
                if point.seq + 1 < first_recent {
                    if reader.is_none() {
                        *reader = Some(Reader::open(&self.db).map_err(|_| unavailable())?);
                    }
                    let reader = reader.as_ref().expect("just opened");
                    let missing = (first_recent - 1 - point.seq) as usize;
                    let stored = reader
                        .events_after(&room, point.seq, missing)
                        .map_err(|_| unavailable())?;
                    for stored in stored {
                        let event: Event =
                            serde_json::from_str(&stored.json).map_err(|_| unavailable())?;
                        frames.push((stored.seq, self.frame(&event)));
                    }
                }
                frames.extend(
                    hub.recent
                        .iter()
                        .filter(|(seq, _)| *seq > point.seq)
                        .cloned(),
                );
                let resumed = ServerFrame::Resumed {
                    room: room.clone(),
                    from: point.seq,
                    to: hub.last_seq,
                };
                (Some(frames), resumed)
            }
            _ => (
                None,
                ServerFrame::Snapshot {
                    snapshot: Box::new(snapshot),
                },
            ),
        };
        let (batch, frame) = first;
        if let Some(batch) = batch
            && !batch.is_empty()
        {
            sink.tx
                .try_send(Outgoing::Batch(batch))
                .map_err(|_| unavailable())?;
        }
        let text = serde_json::to_string(&frame).map_err(|_| unavailable())?;
        sink.tx
            .try_send(Outgoing::Frame(Utf8Bytes::from(text)))
            .map_err(|_| unavailable())?;
        hub.subscribers.push(sink);
        Ok(())
    }
}
