//! The state's side of the server's stream: a room's events update the
//! mirrored room and the log, acks settle pending commands, a reconnect
//! resends what may not have arrived, drops, clock readings and a move to
//! another server update the connection.

use super::app::{App, Connection, Dialog, Effect, LogKind, Pending};
use super::model::{Notice, RoomModel};
use crate::client::StreamEvent;
use crate::domain::{EventKind, ItemId, Reply, RoomId, Stamp};
use crate::protocol::{ApiError, ErrorCode};

impl App {
    /// An event of the many-room stream: a room's own events go to its card,
    /// the connection's (hello, acks, clock, drops) to the console.
    pub fn on_watch(
        &mut self,
        room: Option<RoomId>,
        event: StreamEvent,
        now: Stamp,
    ) -> Vec<Effect> {
        match (room, self.watch.as_mut()) {
            // A watched room's private messages are its performer's.
            (Some(_), Some(_)) if matches!(event, StreamEvent::MessageStatus(_)) => Vec::new(),
            (Some(room), Some(grid)) => {
                grid.on_event(&room, &event);
                if grid.open.as_ref() == Some(&room) {
                    return self.on_stream(event, now);
                }
                Vec::new()
            }
            _ => self.on_stream(event, now),
        }
    }

    pub fn on_stream(&mut self, event: StreamEvent, now: Stamp) -> Vec<Effect> {
        let mut effects = self.toy_cues(&event, now);
        effects.extend(self.lane_event(&event, now));
        match event {
            StreamEvent::Connected { role, .. } => {
                self.role = Some(role);
                self.connection = Connection::Connected;
                self.note(now, LogKind::Info, "connected".into());
            }
            StreamEvent::ServerChanged { url } => {
                // The stream followed the leader to another node.
                let line = format!("server: now {url} (the leader)");
                self.note(now, LogKind::Info, line.clone());
                self.say(LogKind::Info, line);
            }
            StreamEvent::Snapshot(snapshot) => {
                let rows_before = self.rows();
                self.model = Some(RoomModel::from_snapshot(&snapshot));
                self.room_missing = false;
                self.keep_selection(&rows_before);
                // Commands sent before a drop may not have arrived: resend
                // them with their own keys, which makes that safe.
                effects.extend(self.resend());
            }
            StreamEvent::Resumed { from, to } => {
                if to > from {
                    self.note(
                        now,
                        LogKind::Info,
                        format!("caught up: {} missed events", to - from),
                    );
                }
                effects.extend(self.resend());
            }
            StreamEvent::Event { event, text } => {
                if matches!(event.kind, EventKind::BroadcastEnded { .. }) {
                    effects.extend(self.broadcast_ended());
                }
                let rows_before = self.rows();
                if let Some(model) = self.model.as_mut()
                    && let Some(notice) = model.apply(&event, text.as_deref())
                {
                    let (kind, line) = match notice {
                        Notice::Public(text) => (LogKind::Public, text),
                        Notice::Private { user, text } => {
                            (LogKind::Private, format!("to {user}: {text}"))
                        }
                        Notice::Refund {
                            item,
                            amount,
                            reason,
                        } => (
                            LogKind::Refund,
                            format!("refunded {amount} tk of {item} ({reason})"),
                        ),
                        Notice::Info(text) => (LogKind::Info, text),
                    };
                    self.note(event.at, kind, line);
                }
                self.keep_selection(&rows_before);
            }
            StreamEvent::Ack { request_id, result } => {
                if let Some(pending) = self.pending.remove(&request_id) {
                    self.acknowledged(&pending, result, now);
                }
            }
            StreamEvent::MessageStatus(status) => {
                let reason = status
                    .reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                let line = format!(
                    "message {} to {} ({}): {}{reason}",
                    status.id,
                    status.viewer,
                    status.tier.label(),
                    status.status
                );
                self.note(status.at, LogKind::Private, line);
            }
            StreamEvent::Clock { rtt_us, offset_us } => {
                self.rtt_ms = Some((rtt_us.max(0) as u64).div_ceil(1000));
                self.offset_us = offset_us;
            }
            StreamEvent::Disconnected {
                attempt, reason, ..
            } => {
                let since = match &self.connection {
                    Connection::Lost { since, .. } => *since,
                    _ => now,
                };
                if attempt == 1 {
                    self.note(now, LogKind::Error, format!("connection lost: {reason}"));
                }
                self.connection = Connection::Lost {
                    since,
                    attempt,
                    reason,
                };
            }
            StreamEvent::Error(error)
                if error.code == ErrorCode::UnknownRoom && self.model.is_none() =>
            {
                if !self.room_missing {
                    self.note(now, LogKind::Error, format!("server: {}", error.message));
                }
                self.room_missing = true;
                effects.push(Effect::RetryRoom);
            }
            StreamEvent::Error(error) => {
                self.note(now, LogKind::Error, format!("server: {}", error.message))
            }
        }
        effects
    }

    fn acknowledged(&mut self, pending: &Pending, result: Result<Reply, ApiError>, now: Stamp) {
        match result {
            Ok(_) => {
                if let Some(Dialog::Refund(form)) = &self.dialog
                    && Some(form.item) == pending.item()
                {
                    self.dialog = None;
                }
            }
            Err(error) => {
                let line = format!("{} refused: {}", pending.verb(), error.message);
                self.note(now, LogKind::Error, line.clone());
                self.say(LogKind::Error, line);
            }
        }
    }

    fn resend(&mut self) -> Vec<Effect> {
        self.pending
            .iter()
            .map(|(request_id, p)| Effect::Send {
                request_id: request_id.clone(),
                key: p.key.clone(),
                command: p.command.clone(),
            })
            .collect()
    }

    /// Keep the selection on the same item; if it left, on the same row.
    fn keep_selection(&mut self, rows_before: &[ItemId]) {
        let rows = self.rows();
        if let Some(id) = self.selected
            && !rows.contains(&id)
        {
            let index = rows_before.iter().position(|r| *r == id).unwrap_or(0);
            self.selected = rows.get(index.min(rows.len().saturating_sub(1))).copied();
        }
        if self.selected.is_none() {
            self.selected = rows.first().copied();
        }
    }
}
