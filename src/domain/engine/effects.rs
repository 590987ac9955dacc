//! What one command emits: its events, its transfers and the records of the
//! items it closed, collected as the handler goes.

use crate::domain::command::Command;
use crate::domain::event::{Event, EventKind};
use crate::domain::ids::IdemKey;
use crate::domain::item::{Item, ItemView};
use crate::domain::ledger::{Account, Ledger, Transfer, TransferKind};
use crate::domain::moderation::ModerationEntry;
use crate::domain::points::PointsEntry;
use crate::domain::room::Room;
use crate::domain::time::Stamp;

pub(super) struct Effects {
    pub at: Stamp,
    pub events: Vec<Event>,
    pub transfers: Vec<Transfer>,
    pub closed: Vec<Item>,
    pub moderation: Vec<ModerationEntry>,
    pub points: Vec<PointsEntry>,
}

impl Effects {
    pub fn new(at: Stamp, command: &Command) -> Self {
        Effects {
            at,
            events: Vec::with_capacity(usual_event_count(command)),
            transfers: Vec::new(),
            closed: Vec::new(),
            moderation: Vec::new(),
            points: Vec::new(),
        }
    }

    /// Record a line of points history.
    pub fn points(&mut self, entry: PointsEntry) {
        self.points.push(entry);
    }

    /// Give the event the room's next sequence number.
    pub fn emit(&mut self, room: &mut Room, kind: EventKind) {
        let seq = room.next_event_seq;
        room.next_event_seq += 1;
        self.events.push(Event {
            room: room.id.clone(),
            seq,
            at: self.at,
            kind,
        });
    }

    /// Record a moderation action for the moderation log.
    pub fn log(&mut self, entry: ModerationEntry) {
        self.moderation.push(entry);
    }

    /// Hand a closed item's whole record on to the store.
    pub fn close(&mut self, item: Item) {
        self.closed.push(item);
    }

    pub fn post(&mut self, ledger: &mut Ledger, transfer: Transfer) {
        if transfer.amount == 0 {
            return;
        }
        // Handlers check balances before they change anything, so a refusal
        // here is a bug in the engine, not bad input.
        if let Err(broken) = ledger.post(&transfer) {
            panic!("engine posted a transfer it had not checked: {broken}");
        }
        self.transfers.push(transfer);
    }
}

/// `amount` of an item's escrow settled to its performer.
pub(super) fn settlement(view: &ItemView, amount: u64, key: Option<IdemKey>) -> Transfer {
    Transfer {
        kind: TransferKind::Settle,
        from: Account::Escrow(view.id),
        to: Account::Earned(view.performer_id.clone()),
        amount,
        item: Some(view.id),
        key,
    }
}

/// How many events a command usually emits, to size its list once.
fn usual_event_count(command: &Command) -> usize {
    match command {
        // The queue event, the announcement and the receipt.
        Command::Intake { .. } => 3,
        Command::Start { .. } | Command::Finish { .. } => 1,
        _ => 2,
    }
}
