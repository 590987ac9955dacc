//! The room as the console knows it: a snapshot, then every event applied
//! in order. No queue rules here: positions come from the server's events;
//! this only keeps the list and the totals up to date.

use std::sync::Arc;

use crate::domain::{Event, EventKind, ItemId, ItemView, ModerationAction, RoomTotals, Stamp};
use crate::protocol::{RoomSnapshot, RunningItem};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomModel {
    pub room: String,
    pub performer: String,
    pub live: bool,
    pub epoch: String,
    /// The seq of the last event applied.
    pub seq: u64,
    pub in_progress: Option<RunningItem>,
    /// Waiting items, next first.
    pub waiting: Vec<Arc<ItemView>>,
    pub totals: RoomTotals,
    /// The room's intake is paused.
    pub paused: bool,
}

/// What an event means for the console's log, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Public(String),
    Private {
        user: String,
        text: String,
    },
    Refund {
        item: ItemId,
        amount: u64,
        reason: String,
    },
    Info(String),
}

impl RoomModel {
    pub fn from_snapshot(snapshot: &RoomSnapshot) -> Self {
        RoomModel {
            room: snapshot.room.to_string(),
            performer: snapshot.performer.clone(),
            live: snapshot.live,
            epoch: snapshot.epoch.clone(),
            seq: snapshot.seq,
            in_progress: snapshot.in_progress.clone(),
            waiting: snapshot.waiting.clone(),
            totals: snapshot.totals,
            paused: snapshot.paused,
        }
    }

    /// Number of items in the queue, the one on stage included.
    pub fn len(&self) -> usize {
        self.waiting.len() + usize::from(self.in_progress.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item a start would take.
    pub fn head(&self) -> Option<&Arc<ItemView>> {
        self.waiting.first()
    }

    /// 1-based position of the waiting item at `index`.
    pub fn position(&self, index: usize) -> usize {
        index + 1 + usize::from(self.in_progress.is_some())
    }

    pub fn find(&self, id: ItemId) -> Option<&Arc<ItemView>> {
        self.in_progress
            .as_ref()
            .map(|r| &r.item)
            .filter(|item| item.id == id)
            .or_else(|| self.waiting.iter().find(|item| item.id == id))
    }

    /// Apply one event; returns what the log should say about it.
    pub fn apply(&mut self, event: &Event, text: Option<&str>) -> Option<Notice> {
        self.seq = event.seq;
        match &event.kind {
            EventKind::RoomCreated { .. } => None,
            EventKind::ItemQueued { item, position } => {
                let before = (*position as usize)
                    .saturating_sub(1 + usize::from(self.in_progress.is_some()));
                let index = before.min(self.waiting.len());
                self.waiting.insert(index, item.clone());
                self.totals.escrow += item.token_cost;
                None
            }
            EventKind::InstantSettled { item } => {
                self.totals.earned += item.token_cost;
                self.totals.done += 1;
                Some(Notice::Info(format!(
                    "{} bought {} ({} tk, instant)",
                    item.user_name, item.action.title, item.token_cost
                )))
            }
            EventKind::ItemStarted {
                item, started_at, ..
            } => {
                let index = self.waiting.iter().position(|w| w.id == *item);
                if let Some(view) = index.map(|i| self.waiting.remove(i)) {
                    self.in_progress = Some(RunningItem {
                        item: view,
                        started_at: *started_at,
                    });
                }
                None
            }
            EventKind::ItemFinished { item, settled, .. } => {
                if self
                    .in_progress
                    .as_ref()
                    .is_some_and(|r| r.item.id == *item)
                {
                    self.in_progress = None;
                }
                self.totals.escrow = self.totals.escrow.saturating_sub(*settled);
                self.totals.earned += settled;
                self.totals.done += 1;
                None
            }
            EventKind::ItemRefunded {
                item,
                amount,
                settled,
                reason,
                ..
            } => {
                if self
                    .in_progress
                    .as_ref()
                    .is_some_and(|r| r.item.id == *item)
                {
                    self.in_progress = None;
                } else {
                    self.waiting.retain(|w| w.id != *item);
                }
                self.totals.escrow = self.totals.escrow.saturating_sub(amount + settled);
                self.totals.refunded += amount;
                self.totals.earned += settled;
                Some(Notice::Refund {
                    item: *item,
                    amount: *amount,
                    reason: reason.to_string(),
                })
            }
            EventKind::BroadcastStarted => {
                self.live = true;
                Some(Notice::Info("broadcast started: LIVE".into()))
            }
            EventKind::BroadcastEnded { refund_at } => {
                self.live = false;
                Some(Notice::Info(format!(
                    "broadcast ended: waiting items are refunded at {}",
                    clock(*refund_at)
                )))
            }
            EventKind::UserJoined { .. } | EventKind::UserLeft { .. } => None,
            EventKind::SettingsChanged { .. } => Some(Notice::Info("room settings changed".into())),
            EventKind::Announcement { key, .. } => {
                Some(Notice::Public(text.unwrap_or(key).to_string()))
            }
            EventKind::PublicReply { text, .. } => Some(Notice::Public(text.to_string())),
            EventKind::PrivateMessage { user, key, .. } => Some(Notice::Private {
                user: user.to_string(),
                text: text.unwrap_or(key).to_string(),
            }),
            // The toy lane: the queue model keeps the room's money right;
            // the lane itself is the lane runner's to show.
            EventKind::TipQueued { item, .. } => {
                self.totals.escrow += item.token_cost;
                None
            }
            EventKind::LaneSettled { settled, .. } => {
                self.totals.escrow = self.totals.escrow.saturating_sub(*settled);
                self.totals.earned += settled;
                self.totals.done += 1;
                None
            }
            EventKind::LaneStarted { .. }
            | EventKind::LaneReturned { .. }
            | EventKind::LaneCleared { .. }
            | EventKind::LanePaused { .. }
            | EventKind::LaneResumed { .. }
            | EventKind::LaneConsoleGone { .. } => None,
            EventKind::Moderation { moderation } => {
                match moderation.action {
                    ModerationAction::Pause => self.paused = true,
                    ModerationAction::Resume => self.paused = false,
                    _ => {}
                }
                Some(Notice::Info(moderation.describe()))
            }
        }
    }
}

/// HH:MM:SS of a stamp, in UTC.
pub fn clock(stamp: Stamp) -> String {
    chrono::DateTime::from_timestamp_micros(stamp.0)
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::builder::PayloadBuilder;
    use crate::domain::{Actor, Command, Engine, EngineConfig, RefundReason, Request, Role};
    use crate::server::errors::domain_error;

    /// The model fed with the engine's events ends where a fresh snapshot of
    /// the engine is, whatever happened in between.
    #[test]
    fn events_applied_to_a_snapshot_reach_the_next_snapshot() {
        let mut engine = Engine::new(EngineConfig::default());
        let t = Stamp::from_secs(1_800_000_000);
        let run = |engine: &mut Engine, c: Command| {
            engine
                .execute(t, &Request::new(c))
                .map_err(|e| domain_error(&e))
        };
        run(
            &mut engine,
            Command::CreateRoom {
                room: "r".into(),
                performer: "p".into(),
            },
        )
        .unwrap();
        run(&mut engine, Command::BroadcastStart { room: "r".into() }).unwrap();
        run(
            &mut engine,
            Command::Mint {
                user: "u".into(),
                amount: 1000,
            },
        )
        .unwrap();
        let snap = |engine: &Engine| crate::server::snapshot_of(engine, &"r".into(), "e").unwrap();
        let mut model = RoomModel::from_snapshot(&snap(&engine));
        let by = Actor::new(Role::Performer, "p");
        let commands = vec![
            PayloadBuilder::new("p", "u", "k1", 10).queued("r"),
            PayloadBuilder::new("p", "u", "k2", 20).queued("r"),
            PayloadBuilder::new("p", "u", "k3", 30)
                .private_request()
                .queued("r"),
            Command::Start {
                room: "r".into(),
                item: None,
                by: by.clone(),
            },
            PayloadBuilder::new("p", "u", "k4", 40)
                .private_request()
                .queued("r"),
            PayloadBuilder::new("p", "u", "k5", 5).instant("r"),
            Command::Refund {
                room: "r".into(),
                item: ItemId(2),
                amount: Some(5),
                reason: RefundReason::Goodwill,
                note: None,
                by: by.clone(),
            },
            Command::Finish {
                room: "r".into(),
                item: None,
                by: by.clone(),
            },
            Command::Start {
                room: "r".into(),
                item: None,
                by: by.clone(),
            },
            Command::BroadcastEnd { room: "r".into() },
        ];
        for command in commands {
            let outcome = run(&mut engine, command).unwrap();
            for event in &outcome.events {
                model.apply(event, None);
            }
            assert_eq!(model, RoomModel::from_snapshot(&snap(&engine)));
        }
        assert!(!model.live);
        assert_eq!(model.totals.refunded, 5);
    }
}
