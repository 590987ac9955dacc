//! Refunds: part or all of an open item's escrow back to the buyer, the
//! rest to the performer, and the item closed.

use std::sync::Arc;

use crate::domain::command::Reply;
use crate::domain::error::DomainError;
use crate::domain::event::EventKind;
use crate::domain::ids::{IdemKey, ItemId, RoomId};
use crate::domain::intake::Source;
use crate::domain::item::{Actor, AuditEntry, ItemState, Transition};
use crate::domain::ledger::{Account, Transfer, TransferKind};
use crate::domain::messages::{MessageVars, TemplateKey, keys};
use crate::domain::refund::{RefundReason, check_refund};

use super::effects::{Effects, settlement};
use super::notices::{base_vars, notify_soon, private_message};
use super::{Engine, item_in, item_mut, retire};

/// What a refund command asks for.
pub(super) struct RefundAsk<'a> {
    pub item: ItemId,
    pub amount: Option<u64>,
    pub reason: RefundReason,
    pub note: Option<&'a str>,
    pub by: Actor,
}

impl Engine {
    /// The refund command: checks the item and the amount, then refunds.
    pub(super) fn refund(
        &mut self,
        room: &RoomId,
        ask: RefundAsk<'_>,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> Result<Reply, DomainError> {
        let room_state = self.room(room)?;
        let item = item_in(&self.items, room_state, ask.item)?;
        let amount = check_refund(item.token_cost(), ask.amount, ask.reason, ask.note)?;
        if item.state().is_closed() {
            return Err(DomainError::ItemClosed {
                item: item.id(),
                state: item.state(),
            });
        }
        let id = item.id();
        let note = ask.note.map(|n| Arc::from(n.trim()));
        let settled = self.refund_item(room, id, amount, ask.reason, note, ask.by, key, fx);
        Ok(Reply::Refunded {
            item: id,
            amount,
            settled,
        })
    }

    /// Refund an open item of `room_id`: `amount` back to the buyer, the rest
    /// of its escrow to the performer. The caller has checked the amount.
    /// Returns what was settled to the performer.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn refund_item(
        &mut self,
        room_id: &RoomId,
        id: ItemId,
        amount: u64,
        reason: RefundReason,
        note: Option<Arc<str>>,
        by: Actor,
        key: Option<&IdemKey>,
        fx: &mut Effects,
    ) -> u64 {
        let room = self
            .rooms
            .get_mut(room_id)
            .expect("caller checked the room");
        if room.lane.holds(id) {
            room.lane.remove(id);
        } else if room.in_progress == Some(id) {
            room.in_progress = None;
        } else {
            room.waiting.remove(id);
        }
        let escrow = self.ledger.escrow_of(id);
        let settled = escrow - amount;
        room.totals.escrow -= escrow;
        room.totals.earned += settled;
        room.totals.refunded += amount;
        let item = item_mut(&mut self.items, id);
        let view = item.view.clone();
        fx.post(
            &mut self.ledger,
            Transfer {
                kind: TransferKind::Refund,
                from: Account::Escrow(id),
                to: Account::Wallet(view.user_id.clone()),
                amount,
                item: Some(id),
                key: key.cloned(),
            },
        );
        fx.post(&mut self.ledger, settlement(&view, settled, key.cloned()));
        super::redeem::return_points(&mut self.ledger, &view, fx);
        if settled == 0
            && view.source == Source::ChipMenu
            && let Some(menu_item) = &view.action.menu_item_id
        {
            self.daily
                .remove(view.stamp, &view.room, &view.user_id, menu_item);
        }
        item.state = ItemState::Refunded;
        item.closed_at = Some(fx.at);
        item.refunded = amount;
        item.settled = settled;
        item.refund_reason = Some(reason);
        let role = by.role;
        if reason == RefundReason::Moderation {
            super::moderation::log_refund(fx, &view, amount, note.clone(), &by);
        }
        item.audit.push(AuditEntry {
            at: fx.at,
            transition: Transition::Refunded {
                amount,
                settled,
                reason,
                note: note.clone(),
            },
            by,
        });
        fx.emit(
            room,
            EventKind::ItemRefunded {
                item: id,
                amount,
                settled,
                reason,
                note,
                by: role,
            },
        );
        let vars = MessageVars {
            amount: Some(amount),
            reason: Some(reason),
            ..base_vars(&view)
        };
        fx.emit(
            room,
            private_message(&view, TemplateKey::fixed(keys::QUEUE_REFUND), vars.clone()),
        );
        fx.emit(
            room,
            EventKind::Announcement {
                key: TemplateKey::fixed(keys::QUEUE_REFUND_PUBLIC),
                vars,
            },
        );
        notify_soon(room, &mut self.items, fx);
        retire(&mut self.items, id, fx);
        settled
    }
}
