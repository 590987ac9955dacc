//! Escrow, settlement, refunds, points, free items and minting.

use super::*;

#[test]
fn intake_holds_in_escrow_and_finish_settles_to_the_performer() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    assert_eq!(w.wallet("alice"), 900);
    assert_eq!(w.engine.ledger().escrow_of(item), 100);
    assert_eq!(w.earned(), 0);
    w.start();
    assert_eq!(w.earned(), 0, "nothing settles on start");
    let outcome = w.finish();
    assert_eq!(outcome.reply, Reply::Finished { item, settled: 100 });
    assert_eq!(w.engine.ledger().escrow_of(item), 0);
    assert_eq!(w.earned(), 100);
    assert_eq!(w.wallet("alice"), 900);
}

#[test]
fn insufficient_funds_is_refused_and_names_the_amounts() {
    let mut w = World::new();
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 1_001).queued(ROOM));
    assert_eq!(
        err,
        DomainError::InsufficientFunds {
            user: "alice".into(),
            needed: 1_001,
            available: 1_000
        }
    );
    assert_eq!(err.field(), Some("tokenCost"));
    let err = w.err(PayloadBuilder::new(PERFORMER, "nobody", "k2", 1).queued(ROOM));
    assert_eq!(err.code(), ErrorCode::InsufficientFunds);
}

#[test]
fn instant_items_settle_at_once_through_escrow() {
    let mut w = World::new();
    let outcome = w.ok(PayloadBuilder::new(PERFORMER, "alice", "gif", 15).instant(ROOM));
    let item = outcome.reply.item().unwrap();
    assert_eq!(outcome.reply, Reply::Settled { item });
    let kinds: Vec<_> = outcome.transfers.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TransferKind::Hold, TransferKind::Settle]);
    assert_eq!(w.earned(), 15);
    assert_eq!(w.wallet("alice"), 985);
    assert!(w.queue().is_empty(), "instant items never enter the queue");
    assert_eq!(w.record(item).state, ItemState::Finished);
    // Still idempotent.
    let again = w.ok(PayloadBuilder::new(PERFORMER, "alice", "gif", 15).instant(ROOM));
    assert!(again.replayed);
    assert_eq!(w.earned(), 15);
}

#[test]
fn loyalty_points_are_credited_on_settle_only() {
    let mut w = World::new();
    let with_points = |key: &str| {
        let mut cmd = PayloadBuilder::new(PERFORMER, "alice", key, 10).queued(ROOM);
        if let Command::Intake { loyalty_points, .. } = &mut cmd {
            *loyalty_points = 7;
        }
        cmd
    };
    let a = w.ok(with_points("p1")).reply.item().unwrap();
    let b = w.ok(with_points("p2")).reply.item().unwrap();
    assert_eq!(
        w.engine.ledger().points(&"alice".into()),
        0,
        "nothing at intake"
    );
    w.refund(b, None, RefundReason::Goodwill);
    assert_eq!(
        w.engine.ledger().points(&"alice".into()),
        0,
        "nothing on refund"
    );
    assert_eq!(w.queue(), [a.0]);
    w.start();
    w.finish();
    assert_eq!(w.engine.ledger().points(&"alice".into()), 7);
}

// ---- refunds ----------------------------------------------------------

#[test]
fn every_refund_reason_returns_the_full_cost_from_escrow() {
    for reason in RefundReason::ALL {
        let mut w = World::new();
        let item = w.buy("alice", "k1", 100);
        let note = (reason == RefundReason::Other).then_some("camera died");
        let outcome = w.ok(refund(item, None, reason, note));
        assert_eq!(
            outcome.reply,
            Reply::Refunded {
                item,
                amount: 100,
                settled: 0
            },
            "{reason}"
        );
        assert_eq!(w.wallet("alice"), 1_000, "{reason}");
        assert_eq!(w.earned(), 0, "{reason}");
        let record = w.record(item);
        assert_eq!(record.state, ItemState::Refunded);
        assert_eq!(record.refund_reason, Some(reason));
    }
}

#[test]
fn other_needs_a_note() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    let err = w.err(refund(item, None, RefundReason::Other, None));
    assert_eq!(err.field(), Some("note"));
    w.ok(refund(
        item,
        None,
        RefundReason::Other,
        Some("duplicate purchase"),
    ));
    let audit = &w.record(item).audit;
    assert!(matches!(
        &audit.last().unwrap().transition,
        Transition::Refunded { note: Some(n), .. } if &**n == "duplicate purchase"
    ));
}

#[test]
fn a_partial_refund_returns_part_and_settles_the_rest() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    w.start();
    let outcome = w.refund(item, Some(30), RefundReason::Dispute);
    assert_eq!(
        outcome.reply,
        Reply::Refunded {
            item,
            amount: 30,
            settled: 70
        }
    );
    assert_eq!(w.wallet("alice"), 930);
    assert_eq!(w.earned(), 70);
    assert!(w.queue().is_empty(), "the item is closed");
}

#[test]
fn refund_amounts_outside_one_to_cost_are_refused() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    for amount in [0, 101] {
        let err = w.err(refund(item, Some(amount), RefundReason::Goodwill, None));
        assert_eq!(err.field(), Some("amount"));
    }
}

#[test]
fn nothing_leaves_finished_or_refunded() {
    let mut w = World::new();
    let done = w.buy("alice", "k1", 100);
    let gone = w.buy("bob", "k2", 50);
    w.start();
    w.finish();
    w.refund(gone, None, RefundReason::Goodwill);
    for item in [done, gone] {
        let err = w.err(refund(item, Some(1), RefundReason::Goodwill, None));
        assert_eq!(err.code(), ErrorCode::ItemClosed);
        let err = w.err(start(Some(item)));
        assert_eq!(err.code(), ErrorCode::QueueEmpty);
    }
    assert_eq!(w.earned(), 100, "a refund after settlement is impossible");
}

#[test]
fn refunds_of_unknown_or_foreign_items_are_refused() {
    let mut w = World::new();
    w.ok(Command::CreateRoom {
        room: "room-2".into(),
        performer: "perf-2".into(),
    });
    w.ok(Command::BroadcastStart {
        room: "room-2".into(),
    });
    let other = w
        .ok(PayloadBuilder::new("perf-2", "bob", "x", 5).queued("room-2"))
        .reply
        .item()
        .unwrap();
    assert_eq!(
        w.err(refund(other, None, RefundReason::Goodwill, None))
            .code(),
        ErrorCode::UnknownItem
    );
    assert_eq!(
        w.err(refund(ItemId(99), None, RefundReason::Goodwill, None))
            .code(),
        ErrorCode::UnknownItem
    );
    assert_eq!(
        w.err(refund(ItemId(0), None, RefundReason::Goodwill, None))
            .code(),
        ErrorCode::UnknownItem
    );
}

#[test]
fn refunding_the_item_in_progress_frees_the_stage() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    let b = w.buy("bob", "k2", 10);
    w.start();
    w.refund(a, None, RefundReason::Goodwill);
    assert_eq!(w.queue(), [b.0]);
    assert_eq!(w.start().reply, Reply::Started { item: b });
}

#[test]
fn free_items_only_from_the_platform_and_they_cancel_with_zero() {
    let mut w = World::new();
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 0).queued(ROOM));
    assert_eq!(err.field(), Some("tokenCost"));
    let item = w
        .ok(PayloadBuilder::new(PERFORMER, "alice", "k2", 0)
            .source(Source::Admin)
            .queued(ROOM))
        .reply
        .item()
        .unwrap();
    let outcome = w.refund(item, None, RefundReason::Goodwill);
    assert_eq!(
        outcome.reply,
        Reply::Refunded {
            item,
            amount: 0,
            settled: 0
        }
    );
    assert!(outcome.transfers.is_empty());
}

#[test]
fn minting_needs_a_positive_amount_and_cannot_overflow() {
    let mut w = World::new();
    assert_eq!(
        w.err(Command::Mint {
            user: "alice".into(),
            amount: 0
        })
        .field(),
        Some("amount")
    );
    assert_eq!(
        w.err(Command::Mint {
            user: "alice".into(),
            amount: u64::MAX
        })
        .code(),
        ErrorCode::Overflow
    );
    assert_eq!(
        w.err(Command::Mint {
            user: "bad user".into(),
            amount: 1
        })
        .field(),
        Some("user")
    );
}
