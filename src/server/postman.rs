//! The delivery service: one thread that owns the outbox, takes in new
//! private messages (the queue's, from the store after their commit; the
//! performer's replies), releases each at its tier's time, keeps every
//! status change in the store before it is shown, and writes messages to
//! the viewers' inbox streams.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, oneshot};

use super::errors::unavailable;
use super::inbox_frames::{Body, frame, inbox_message, status_note, text_of};
use super::templates::Templates;
use crate::domain::outbox::{Letter, MessageId, NewLetter, Outbox, Status};
use crate::domain::time::Clock;
use crate::domain::{RoomId, Stamp, UserId};
use crate::protocol::{ApiError, InboxFrame, InboxMessage, MessageStatusNote, ServerFrame};
use crate::store::{MessageDb, MessageRow, NewMessage, StoreError};

/// Replayed at most this many messages on one resume.
const REPLAY_LIMIT: usize = 10_000;
/// New rows taken in per look.
const INGEST_BATCH: usize = 10_000;
/// The longest the thread sleeps without looking at the clock again (a
/// test may move the clock).
const MAX_NAP: Duration = Duration::from_millis(250);
/// Changes that need not be kept before anything is shown (delivered,
/// read by the stream) are kept together at most this often.
const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// What an inbox connection receives.
#[derive(Debug)]
pub enum InboxOut {
    /// A message frame; the connection reports its id once written.
    Message(MessageId, Utf8Bytes),
    /// Any other frame.
    Frame(Utf8Bytes),
}

pub enum PostMsg {
    /// New rows may be in the store.
    Nudge,
    Ban {
        viewer: UserId,
        room: RoomId,
        at: Stamp,
        until: Option<Stamp>,
    },
    Unban {
        viewer: UserId,
        room: RoomId,
    },
    Connect {
        viewer: UserId,
        seen: Option<u64>,
        sink: mpsc::Sender<InboxOut>,
        reply: oneshot::Sender<Result<u64, ApiError>>,
    },
    Disconnect {
        viewer: UserId,
        conn: u64,
    },
    Written(Vec<MessageId>),
    Fetch {
        viewer: UserId,
        after: u64,
        reply: oneshot::Sender<Result<Vec<InboxMessage>, ApiError>>,
    },
    Read {
        viewer: UserId,
        ids: Vec<u64>,
        reply: oneshot::Sender<Result<Vec<u64>, ApiError>>,
    },
    Post {
        message: NewMessage,
        reply: oneshot::Sender<Result<InboxMessage, ApiError>>,
    },
    /// The server stops.
    Stop,
}

/// A cloneable way to talk to the delivery service.
#[derive(Clone)]
pub struct PostmanHandle {
    tx: Sender<PostMsg>,
    epoch: Arc<str>,
}

impl PostmanHandle {
    pub fn send(&self, msg: PostMsg) {
        let _ = self.tx.send(msg);
    }

    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// Send `msg` built around a reply channel, and wait for the answer.
    pub async fn ask<T>(
        &self,
        msg: impl FnOnce(oneshot::Sender<Result<T, ApiError>>) -> PostMsg,
    ) -> Result<T, ApiError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(msg(reply)).map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())?
    }
}

struct Postman {
    epoch: String,
    /// Where status changes go: the rooms' watchers.
    publisher: Option<std::sync::mpsc::Sender<super::hub::PublisherMsg>>,
    outbox: Outbox,
    db: Arc<MessageDb>,
    templates: Arc<Templates>,
    clock: Clock,
    bodies: HashMap<MessageId, Body>,
    streams: HashMap<UserId, Vec<(u64, mpsc::Sender<InboxOut>)>>,
    next_conn: u64,
    watermark: u64,
    unsaved: Vec<Letter>,
}

/// Read the outbox back from the store and start the thread.
pub fn start(
    publisher: Option<std::sync::mpsc::Sender<super::hub::PublisherMsg>>,
    outbox: Outbox,
    db: Arc<MessageDb>,
    templates: Arc<Templates>,
    clock: Clock,
    epoch: &str,
) -> Result<PostmanHandle, StoreError> {
    let mut postman = Postman {
        epoch: epoch.to_string(),
        publisher,
        outbox,
        db,
        templates,
        clock,
        bodies: HashMap::new(),
        streams: HashMap::new(),
        next_conn: 0,
        watermark: 0,
        unsaved: Vec::new(),
    };
    for (viewer, seq) in postman.db.last_seqs()? {
        postman.outbox.note_last_seq(&UserId::new(viewer), seq);
    }
    let open = postman.db.open_rows()?;
    postman.watermark = postman.db.last_id()?;
    postman.take_in(open);
    postman.flush()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("cuedeck-postman".into())
        .spawn(move || postman.run(rx))
        .map_err(|e| StoreError::Sqlite(e.to_string()))?;
    Ok(PostmanHandle {
        tx,
        epoch: epoch.into(),
    })
}

impl Postman {
    fn run(mut self, rx: Receiver<PostMsg>) {
        let mut flushed = Instant::now();
        loop {
            let now = self.clock.now();
            let mut nap = self.outbox.next_wake().map_or(MAX_NAP, |at| {
                Duration::from_micros(at.micros_since(now).max(0) as u64).min(MAX_NAP)
            });
            if !self.unsaved.is_empty() {
                nap = nap.min(FLUSH_EVERY.saturating_sub(flushed.elapsed()));
            }
            match rx.recv_timeout(nap) {
                Ok(PostMsg::Stop) => {
                    let _ = self.flush();
                    break;
                }
                Ok(msg) => {
                    self.handle(msg);
                    while let Ok(msg) = rx.try_recv() {
                        self.handle(msg);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            // What is sent is kept before it is shown (in `dispatch`); the
            // other changes (delivered, taken in) wait a moment so that
            // they share a commit.
            self.dispatch();
            if flushed.elapsed() >= FLUSH_EVERY {
                if let Err(err) = self.flush() {
                    tracing::error!(error = %err, "message states not kept");
                }
                flushed = Instant::now();
            }
        }
    }

    fn handle(&mut self, msg: PostMsg) {
        let now = self.clock.now();
        match msg {
            PostMsg::Stop => {}
            PostMsg::Nudge => self.ingest(),
            PostMsg::Ban {
                viewer,
                room,
                at,
                until,
            } => {
                // Rows of the ban's own commit (its refunds) come in first.
                self.ingest();
                let failed = self.outbox.ban(&viewer, &room, at, until);
                self.finish(failed);
            }
            PostMsg::Unban { viewer, room } => self.outbox.unban(&viewer, &room),
            PostMsg::Connect {
                viewer,
                seen,
                sink,
                reply,
            } => {
                let result = self.connect(viewer, seen, sink, now);
                let _ = reply.send(result);
            }
            PostMsg::Disconnect { viewer, conn } => {
                let streams = self.streams.entry(viewer.clone()).or_default();
                streams.retain(|(id, _)| *id != conn);
                if streams.is_empty() {
                    self.streams.remove(&viewer);
                    let retried = self.outbox.disconnect(&viewer, now);
                    self.unsaved.extend(retried);
                }
            }
            PostMsg::Written(ids) => {
                let delivered = ids
                    .into_iter()
                    .filter_map(|id| self.outbox.written(id, now))
                    .collect();
                self.finish(delivered);
            }
            PostMsg::Fetch {
                viewer,
                after,
                reply,
            } => {
                let fetched = self.outbox.fetch(&viewer, now);
                self.finish(fetched);
                let result = self
                    .flush()
                    .and_then(|()| self.db.inbox_after(viewer.as_str(), after, REPLAY_LIMIT))
                    .map(|rows| {
                        rows.iter()
                            .map(|r| inbox_message(r, &self.templates))
                            .collect()
                    })
                    .map_err(|_| unavailable());
                let _ = reply.send(result);
            }
            PostMsg::Read { viewer, ids, reply } => {
                let held: Vec<Letter> = ids
                    .iter()
                    .filter_map(|id| self.outbox.read(&viewer, MessageId(*id), now))
                    .collect();
                let mut read: Vec<u64> = held.iter().map(|l| l.id.0).collect();
                self.finish(held);
                let result = self
                    .flush()
                    .and_then(|()| self.db.mark_read(viewer.as_str(), ids, now))
                    .map(|more| {
                        for (id, room, tier) in more {
                            read.push(id);
                            self.tell(MessageStatusNote {
                                room: RoomId::new(room),
                                id,
                                viewer: viewer.clone(),
                                tier: crate::domain::Tier::parse(&tier).unwrap_or_default(),
                                status: Status::Read.as_str().into(),
                                at: now,
                                reason: None,
                                attempts: 0,
                            });
                        }
                        read.sort_unstable();
                        read.dedup();
                        read
                    })
                    .map_err(|_| unavailable());
                let _ = reply.send(result);
            }
            PostMsg::Post { message, reply } => {
                let result = self.db.insert(message).map_err(|_| unavailable());
                let result = result.map(|row| {
                    self.watermark = self.watermark.max(row.id);
                    self.take_in(vec![row.clone()]);
                    inbox_message(&row, &self.templates)
                });
                let _ = reply.send(result);
            }
        }
    }

    /// Take in the rows the writer added since the last look.
    fn ingest(&mut self) {
        loop {
            match self.db.rows_after(self.watermark, INGEST_BATCH) {
                Ok(rows) if rows.is_empty() => return,
                Ok(rows) => {
                    let full = rows.len() == INGEST_BATCH;
                    self.watermark = rows.last().map_or(self.watermark, |r| r.id);
                    self.take_in(rows);
                    if !full {
                        return;
                    }
                }
                Err(err) => {
                    tracing::error!(error = %err, "new messages not read");
                    return;
                }
            }
        }
    }

    fn take_in(&mut self, rows: Vec<MessageRow>) {
        for row in rows {
            let body = Body {
                room: RoomId::new(row.room.as_str()),
                kind: row.kind.clone(),
                key: row.key.clone(),
                mood: row.mood.clone(),
                text: text_of(&row, &self.templates),
            };
            match row.letter() {
                Some(letter) => {
                    if !letter.is_final() {
                        self.bodies.insert(letter.id, body);
                    }
                    self.unsaved.extend(self.outbox.restore(letter));
                }
                None => {
                    let letter = self.outbox.admit(NewLetter {
                        id: MessageId(row.id),
                        viewer: UserId::new(row.viewer.as_str()),
                        room: body.room.clone(),
                        tier: row.tier(),
                        created_at: Stamp(row.created_at),
                    });
                    // A pending letter's state follows from its row and
                    // the policy; only a failure at once is kept now.
                    if letter.is_final() {
                        self.unsaved.push(letter);
                    } else {
                        self.bodies.insert(letter.id, body);
                    }
                }
            }
        }
    }

    /// Letters that left the outbox: forget their bodies, keep their state.
    fn finish(&mut self, letters: Vec<Letter>) {
        for letter in &letters {
            if letter.is_final() {
                self.bodies.remove(&letter.id);
            }
        }
        self.unsaved.extend(letters);
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.unsaved.is_empty() {
            return Ok(());
        }
        let letters = std::mem::take(&mut self.unsaved);
        let notes: Vec<MessageStatusNote> = letters
            .iter()
            .filter(|l| l.status != Status::Pending)
            .map(status_note)
            .collect();
        self.db.save(letters)?;
        for note in notes {
            self.tell(note);
        }
        Ok(())
    }

    /// Show a status change to the room's watchers.
    fn tell(&self, status: MessageStatusNote) {
        let Some(publisher) = &self.publisher else {
            return;
        };
        let room = status.room.clone();
        let frame = ServerFrame::MessageStatus { status };
        if let Ok(text) = serde_json::to_string(&frame) {
            let _ = publisher.send(super::hub::PublisherMsg::Side {
                room,
                frame: Utf8Bytes::from(text),
            });
        }
    }

    fn connect(
        &mut self,
        viewer: UserId,
        seen: Option<u64>,
        sink: mpsc::Sender<InboxOut>,
        now: Stamp,
    ) -> Result<u64, ApiError> {
        let delivered = self.outbox.connect(&viewer, seen, now);
        self.finish(delivered);
        self.flush().map_err(|_| unavailable())?;
        let rows = match seen {
            Some(seq) => self.db.inbox_after(viewer.as_str(), seq, REPLAY_LIMIT),
            None => self.db.inbox_unwritten(viewer.as_str()),
        }
        .map_err(|_| unavailable())?;
        let last = self.outbox.last_seq(&viewer);
        let hello = InboxFrame::Hello {
            viewer: viewer.clone(),
            epoch: self.epoch.clone(),
            seq: last,
        };
        let mut out = vec![InboxOut::Frame(frame(&hello))];
        for row in &rows {
            let message = Box::new(inbox_message(row, &self.templates));
            out.push(InboxOut::Message(
                MessageId(row.id),
                frame(&InboxFrame::Message { message }),
            ));
        }
        if let Some(from) = seen {
            out.push(InboxOut::Frame(frame(&InboxFrame::Resumed {
                from,
                to: last,
            })));
        }
        for item in out {
            sink.try_send(item).map_err(|_| unavailable())?;
        }
        self.next_conn += 1;
        let conn = self.next_conn;
        self.streams.entry(viewer).or_default().push((conn, sink));
        Ok(conn)
    }

    /// Send what is due: kept in the store first, then written to the
    /// viewers' streams in inbox order.
    fn dispatch(&mut self) {
        let changed = self.outbox.due(self.clock.now());
        if changed.is_empty() {
            return;
        }
        let mut sent: Vec<Letter> = changed
            .iter()
            .filter(|l| l.status == Status::Sent)
            .cloned()
            .collect();
        self.finish(changed);
        if let Err(err) = self.flush() {
            // Not kept, so not shown: the stream closes and resumes.
            tracing::error!(error = %err, "sent messages not kept");
            return;
        }
        sent.sort_by_key(|l| l.seq);
        for letter in sent {
            let Some(body) = self.bodies.get(&letter.id) else {
                continue;
            };
            let bytes = frame(&InboxFrame::Message {
                message: Box::new(body.message(&letter)),
            });
            if let Some(streams) = self.streams.get_mut(&letter.viewer) {
                // A full buffer drops the stream; it resumes from its seq.
                streams.retain(|(_, sink)| {
                    sink.try_send(InboxOut::Message(letter.id, bytes.clone()))
                        .is_ok()
                });
            }
        }
    }
}
