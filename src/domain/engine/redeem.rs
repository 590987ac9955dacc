//! Items paid in loyalty points: the points are held in the item's own
//! points escrow at intake, burned to the sink when it finishes and given
//! back in full when it is refunded, beside the token movements of the
//! same item (which are then 0).

use std::sync::Arc;

use super::effects::Effects;
use crate::domain::item::{Actor, ItemView};
use crate::domain::ledger::{Account, Ledger, Transfer, TransferKind};
use crate::domain::points::{PointsEntry, PointsKind};

/// Viewer -> the item's points escrow, at intake.
pub(super) fn hold_points(ledger: &mut Ledger, view: &ItemView, fx: &mut Effects) {
    let to = Account::PointsEscrow(view.id);
    let from = Account::Points(view.user_id.clone());
    move_points(ledger, view, TransferKind::Hold, from, to, fx);
    record(
        view,
        PointsKind::Hold,
        -(view.points_cost as i64),
        "held",
        fx,
    );
}

/// The item's points escrow -> the sink, when it finishes.
pub(super) fn burn_points(ledger: &mut Ledger, view: &ItemView, fx: &mut Effects) {
    let from = Account::PointsEscrow(view.id);
    move_points(
        ledger,
        view,
        TransferKind::Redeem,
        from,
        Account::PointsSink,
        fx,
    );
    // The viewer's balance already went down at the hold.
    record(view, PointsKind::Redeem, 0, "finished", fx);
}

/// The item's points escrow -> back to the viewer, on any refund.
pub(super) fn return_points(ledger: &mut Ledger, view: &ItemView, fx: &mut Effects) {
    let from = Account::PointsEscrow(view.id);
    let to = Account::Points(view.user_id.clone());
    move_points(ledger, view, TransferKind::Refund, from, to, fx);
    record(
        view,
        PointsKind::Refund,
        view.points_cost as i64,
        "refunded",
        fx,
    );
}

fn move_points(
    ledger: &mut Ledger,
    view: &ItemView,
    kind: TransferKind,
    from: Account,
    to: Account,
    fx: &mut Effects,
) {
    if view.points_cost == 0 {
        return;
    }
    fx.post(
        ledger,
        Transfer {
            kind,
            from,
            to,
            amount: view.points_cost,
            item: Some(view.id),
            key: None,
        },
    );
}

fn record(view: &ItemView, kind: PointsKind, amount: i64, reason: &str, fx: &mut Effects) {
    if view.points_cost == 0 {
        return;
    }
    fx.points(PointsEntry {
        kind,
        user: Some(view.user_id.clone()),
        performer: Some(view.performer_id.clone()),
        room: Some(view.room.clone()),
        item: Some(view.id),
        amount,
        source: view.source.as_str().into(),
        reason: Arc::from(reason),
        source_event: Some(view.source_event_id.clone()),
        ticket: None,
        key: None,
        by: Actor::system(),
        at: fx.at,
    });
}
