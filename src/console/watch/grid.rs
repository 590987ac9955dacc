//! The watch grid's state: one card per room a moderator or admin watches,
//! each a `RoomModel` kept by the same events as the performer's console,
//! plus what decides whether the room needs someone now. Pure: events and a
//! clock in, cards in attention order out.

use std::collections::{BTreeMap, VecDeque};

use super::lane::LaneCount;
use crate::client::StreamEvent;
use crate::console::model::RoomModel;
use crate::domain::timer::read_timer;
use crate::domain::{EventKind, ModerationAction, RefundReason, RoomId, Stamp};
use crate::protocol::RoomSnapshot;

/// How far back refunds are counted on a card.
pub const REFUND_WINDOW_US: i64 = 10 * 60 * 1_000_000;
/// Overtime beyond this needs a moderator's look.
pub const OVERTIME_ALERT_MS: u64 = 60_000;
/// This many refunds inside the window is a burst.
pub const REFUND_BURST: usize = 3;

/// Why a room is shown first, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attention {
    /// A ban was made in the room inside the window.
    Ban,
    /// A refund for reason `dispute` inside the window.
    Dispute,
    /// Refunds inside the window.
    RefundBurst(usize),
    /// The item on stage is this many ms past its duration.
    Overtime(u64),
    /// Offline with tokens in escrow.
    OfflineEscrow(u64),
}

impl Attention {
    fn rank(self) -> u8 {
        match self {
            Attention::Ban => 0,
            Attention::Dispute => 1,
            Attention::RefundBurst(_) => 2,
            Attention::Overtime(_) => 3,
            Attention::OfflineEscrow(_) => 4,
        }
    }

    pub fn describe(self) -> String {
        match self {
            Attention::Ban => "ban just made".into(),
            Attention::Dispute => "dispute refund".into(),
            Attention::RefundBurst(n) => format!("{n} refunds in 10 min"),
            Attention::Overtime(ms) => {
                format!("overtime +{}", crate::console::widgets::duration(ms))
            }
            Attention::OfflineEscrow(tk) => format!("offline, {tk} tk in escrow"),
        }
    }
}

/// One watched room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCard {
    pub model: RoomModel,
    /// The room's toy lane: how many tips are in it.
    pub lane: LaneCount,
    /// Refunds seen, oldest first: when, and whether it was a dispute.
    refunds: VecDeque<(Stamp, bool)>,
    pub last_event: Option<Stamp>,
    last_ban: Option<Stamp>,
}

impl RoomCard {
    fn new(snapshot: &RoomSnapshot) -> RoomCard {
        RoomCard {
            model: RoomModel::from_snapshot(snapshot),
            lane: LaneCount::from_snapshot(&snapshot.lane),
            refunds: VecDeque::new(),
            last_event: None,
            last_ban: None,
        }
    }

    fn within(at: Stamp, now: Stamp) -> bool {
        now.0 - at.0 < REFUND_WINDOW_US
    }

    pub fn refunds_recent(&self, now: Stamp) -> usize {
        self.refunds
            .iter()
            .filter(|(at, _)| Self::within(*at, now))
            .count()
    }

    pub fn state_word(&self) -> &'static str {
        if self.model.paused {
            "PAUSED"
        } else if self.model.live {
            "LIVE"
        } else {
            "OFFLINE"
        }
    }

    /// The most urgent reason to look at this room now, if any.
    pub fn attention(&self, now: Stamp) -> Option<Attention> {
        let mut reasons = Vec::new();
        if self.last_ban.is_some_and(|at| Self::within(at, now)) {
            reasons.push(Attention::Ban);
        }
        if self
            .refunds
            .iter()
            .any(|(at, dispute)| *dispute && Self::within(*at, now))
        {
            reasons.push(Attention::Dispute);
        }
        let recent = self.refunds_recent(now);
        if recent >= REFUND_BURST {
            reasons.push(Attention::RefundBurst(recent));
        }
        if let Some(running) = &self.model.in_progress {
            let reading = read_timer(running.started_at, running.item.duration_ms, now);
            if reading.overtime && reading.remaining_ms > OVERTIME_ALERT_MS {
                reasons.push(Attention::Overtime(reading.remaining_ms));
            }
        }
        if !self.model.live && self.model.totals.escrow > 0 {
            reasons.push(Attention::OfflineEscrow(self.model.totals.escrow));
        }
        reasons.into_iter().min_by_key(|a| a.rank())
    }

    fn apply(&mut self, event: &crate::domain::Event, text: Option<&str>) {
        self.model.apply(event, text);
        self.lane.apply(&event.kind);
        self.last_event = Some(event.at);
        match &event.kind {
            EventKind::ItemRefunded { reason, .. } => {
                self.refunds
                    .push_back((event.at, *reason == RefundReason::Dispute));
                while self
                    .refunds
                    .front()
                    .is_some_and(|(at, _)| !Self::within(*at, event.at))
                {
                    self.refunds.pop_front();
                }
            }
            EventKind::Moderation { moderation } if moderation.action == ModerationAction::Ban => {
                self.last_ban = Some(event.at);
            }
            _ => {}
        }
    }
}

/// Every watched room and which one is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchGrid {
    pub cards: BTreeMap<RoomId, RoomCard>,
    /// Kept by identity as the order changes.
    pub selected: Option<RoomId>,
    /// The first row shown.
    pub scroll: usize,
    /// The room opened from the grid, if any.
    pub open: Option<RoomId>,
}

impl WatchGrid {
    /// Apply one event of one room's stream.
    pub fn on_event(&mut self, room: &RoomId, event: &StreamEvent) {
        match event {
            StreamEvent::Snapshot(snapshot) => {
                let card = RoomCard::new(snapshot);
                match self.cards.get_mut(room) {
                    // A fresh snapshot after a drop keeps what was counted.
                    Some(old) => {
                        old.model = card.model;
                        old.lane = card.lane;
                    }
                    None => {
                        self.cards.insert(room.clone(), card);
                    }
                }
            }
            StreamEvent::Event { event, text } => {
                if let Some(card) = self.cards.get_mut(room) {
                    card.apply(event, text.as_deref());
                }
            }
            _ => {}
        }
        if self.selected.is_none() {
            self.selected = self.cards.keys().next().cloned();
        }
    }

    /// Rooms in the order shown: those needing attention first (most
    /// urgent reason first), then by room id.
    pub fn ordered(&self, now: Stamp) -> Vec<(&RoomId, &RoomCard, Option<Attention>)> {
        let mut rows: Vec<_> = self
            .cards
            .iter()
            .map(|(id, card)| (id, card, card.attention(now)))
            .collect();
        rows.sort_by_key(|(id, _, attention)| (attention.map_or(u8::MAX, |a| a.rank()), *id));
        rows
    }

    pub fn selected_index(&self, now: Stamp) -> usize {
        self.ordered(now)
            .iter()
            .position(|(id, _, _)| Some(*id) == self.selected.as_ref())
            .unwrap_or(0)
    }

    /// Move the selection by `by` rooms in the shown order.
    pub fn step(&mut self, by: isize, now: Stamp) {
        let order = self.ordered(now);
        if order.is_empty() {
            return;
        }
        let at = self.selected_index(now) as isize + by;
        let at = at.clamp(0, order.len() as isize - 1) as usize;
        self.selected = Some(order[at].0.clone());
    }

    /// Keep the selection on screen: `per_row` cards a row, `rows` rows.
    pub fn follow(&mut self, per_row: usize, rows: usize, now: Stamp) {
        let row = self.selected_index(now) / per_row.max(1);
        if row < self.scroll {
            self.scroll = row;
        } else if row >= self.scroll + rows.max(1) {
            self.scroll = row + 1 - rows.max(1);
        }
    }
}
