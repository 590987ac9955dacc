//! The performer's stage: starting the head item and finishing the one in
//! progress, which settles its escrow to the performer.

use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::event::EventKind;
use crate::domain::ids::{IdemKey, ItemId, RoomId};
use crate::domain::item::{Actor, AuditEntry, ItemEntry, ItemState, Transition};
use crate::domain::ledger::Unit;

use super::effects::{Effects, settlement};
use super::intake::credit_points;
use super::notices::notify_soon;
use super::{Engine, item_in, item_mut, retire, room_in};

impl Engine {
    pub(super) fn start(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        by: Actor,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        if !room.live {
            return Err(DomainError::NotLive {
                room: room.id.clone(),
            });
        }
        if let Some(item) = room.in_progress {
            return Err(DomainError::Busy { item });
        }
        let head = room.waiting.head().ok_or(DomainError::QueueEmpty)?;
        if let Some(item) = expected
            && item != head
        {
            // Name the real problem when the item is gone or elsewhere.
            let state = item_in(&self.items, room, item)?.state();
            if state.is_closed() {
                return Err(DomainError::ItemClosed { item, state });
            }
            return Err(DomainError::NotHead {
                item,
                head: Some(head),
            });
        }

        room.waiting.pop_head();
        room.in_progress = Some(head);
        let item = item_mut(&mut self.items, head);
        item.state = ItemState::InProgress;
        item.started_at = Some(fx.at);
        item.soon_sent = true;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Started,
            by,
        });
        fx.emit(
            room,
            EventKind::ItemStarted {
                item: head,
                started_at: fx.at,
                duration_ms: item.view.duration_ms,
                effects: item.view.effects.clone(),
            },
        );
        Ok(Reply::Started { item: head })
    }

    pub(super) fn finish(
        &mut self,
        room_id: &RoomId,
        expected: Option<ItemId>,
        by: Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room = room_in(&mut self.rooms, room_id)?;
        let current = room.in_progress.ok_or(DomainError::NothingInProgress)?;
        if let Some(item) = expected
            && item != current
        {
            let state = item_in(&self.items, room, item)?.state();
            if state.is_closed() {
                return Err(DomainError::ItemClosed { item, state });
            }
            return Err(DomainError::NotInProgress { item });
        }
        let points = self
            .items
            .get(current)
            .and_then(ItemEntry::open)
            .expect("the item in progress is open")
            .view
            .loyalty_points;
        if !self.ledger.can_mint(Unit::Points, points) {
            return Err(DomainError::Overflow);
        }

        room.in_progress = None;
        let escrow = self.ledger.escrow_of(current);
        room.totals.escrow -= escrow;
        room.totals.earned += escrow;
        room.totals.done += 1;
        let item = item_mut(&mut self.items, current);
        fx.post(
            &mut self.ledger,
            settlement(&item.view, escrow, key.cloned()),
        );
        credit_points(&mut self.ledger, &item.view, fx);
        super::redeem::burn_points(&mut self.ledger, &item.view, fx);
        item.state = ItemState::Finished;
        item.closed_at = Some(fx.at);
        item.settled = escrow;
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Finished { settled: escrow },
            by,
        });
        fx.emit(
            room,
            EventKind::ItemFinished {
                item: current,
                settled: escrow,
                points: item.view.loyalty_points,
            },
        );
        notify_soon(room, &mut self.items, fx);
        retire(&mut self.items, current, fx);
        Ok(Reply::Finished {
            item: current,
            settled: escrow,
        })
    }
}
