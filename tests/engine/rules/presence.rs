//! Viewers who leave and return, broadcasts that end and resume.

use super::*;

#[test]
fn a_user_who_leaves_and_does_not_return_is_refunded_after_the_grace_period() {
    let mut w = World::new();
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Vip,
    });
    let a = w.buy("alice", "k1", 10);
    let a2 = w.buy("alice", "k2", 20);
    let b = w.buy("bob", "k3", 10);
    w.start(); // a is in progress: never refunded automatically
    w.ok(Command::Leave {
        room: ROOM.into(),
        user: "alice".into(),
    });
    w.advance_ms(59_999);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    w.advance_ms(1);
    assert_eq!(w.engine.next_deadline(), Some(w.now));
    let tick = w.ok(Command::Tick);
    assert_eq!(tick.reply, Reply::Ticked { refunded: 1 });
    let refunded = w.record(a2);
    assert_eq!(refunded.refund_reason, Some(RefundReason::SystemAuto));
    assert_eq!(refunded.audit.last().unwrap().by, Actor::system());
    assert_eq!(w.queue(), [a.0, b.0]);
    assert_eq!(w.wallet("alice"), 1_000 - 10);
}

#[test]
fn a_user_who_returns_within_the_grace_period_keeps_their_items() {
    let mut w = World::new();
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Free,
    });
    let a = w.buy("alice", "k1", 10);
    w.ok(Command::Leave {
        room: ROOM.into(),
        user: "alice".into(),
    });
    w.advance_ms(30_000);
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Free,
    });
    w.advance_ms(60_000);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    assert_eq!(w.queue(), [a.0]);
    // Leaving twice without returning is refused.
    w.ok(Command::Leave {
        room: ROOM.into(),
        user: "alice".into(),
    });
    assert_eq!(
        w.err(Command::Leave {
            room: ROOM.into(),
            user: "alice".into()
        })
        .code(),
        ErrorCode::NotInRoom
    );
}

#[test]
fn after_the_broadcast_ends_waiting_items_are_refunded_but_not_the_one_in_progress() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.buy("bob", "k2", 10);
    w.buy("carol", "k3", 10);
    w.start();
    w.ok(Command::BroadcastEnd { room: ROOM.into() });
    let err = w.err(PayloadBuilder::new(PERFORMER, "bob", "late", 1).queued(ROOM));
    assert_eq!(err.code(), ErrorCode::NotLive);
    w.advance_ms(299_999);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    w.advance_ms(1);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 2 });
    assert_eq!(w.queue(), [a.0]);
    w.finish();
    assert_eq!(w.earned(), 10);
    assert_eq!(w.wallet("bob"), 1_000);
}

#[test]
fn a_broadcast_that_resumes_within_the_grace_period_keeps_its_queue() {
    let mut w = World::new();
    w.buy("alice", "k1", 10);
    w.ok(Command::BroadcastEnd { room: ROOM.into() });
    w.advance_ms(100_000);
    w.ok(Command::BroadcastStart { room: ROOM.into() });
    w.advance_ms(500_000);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    assert_eq!(w.queue().len(), 1);
}
