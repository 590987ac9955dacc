//! Queue order, private requests, the one item in progress, durations
//! and room settings.

use super::*;

#[test]
fn order_is_stamp_then_higher_cost_then_intake_sequence() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    // Same microsecond: higher cost first, then intake order.
    let b = w.buy("bob", "k2", 10);
    let c = w.buy("carol", "k3", 50);
    let d = w.buy("alice", "k4", 50);
    // `a` was alone at the head when nothing was in progress: it stays first.
    assert_eq!(w.queue(), [a.0, c.0, d.0, b.0]);
}

#[test]
fn the_server_restamps_and_never_goes_backwards() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.now = Stamp(w.now.0 - 5_000_000); // the caller's clock jumped back
    let b = w.buy("bob", "k2", 99);
    let stamp_a = w.record(a).view.stamp;
    let stamp_b = w.record(b).view.stamp;
    assert!(stamp_b >= stamp_a);
    assert_eq!(w.queue(), [a.0, b.0]);
}

#[test]
fn private_requests_go_to_position_two_behind_earlier_private_requests() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    let b = w.buy("bob", "k2", 10);
    w.start(); // a in progress
    w.advance_ms(1);
    let p1 = w
        .ok(PayloadBuilder::new(PERFORMER, "carol", "p1", 5)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p1,
        Reply::Queued {
            item: ItemId(3),
            position: 2
        }
    );
    w.advance_ms(1);
    let p2 = w
        .ok(PayloadBuilder::new(PERFORMER, "alice", "p2", 500)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p2,
        Reply::Queued {
            item: ItemId(4),
            position: 3
        }
    );
    assert_eq!(w.queue(), [a.0, 3, 4, b.0]);
    // A private request never interrupts the item in progress.
    assert_eq!(
        w.engine.room_view(&ROOM.into()).unwrap().in_progress,
        Some(a)
    );
}

#[test]
fn with_nothing_in_progress_a_private_request_goes_behind_the_head() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    let b = w.buy("bob", "k2", 10);
    w.advance_ms(1);
    let p = w
        .ok(PayloadBuilder::new(PERFORMER, "carol", "p1", 5)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p,
        Reply::Queued {
            item: ItemId(3),
            position: 2
        }
    );
    assert_eq!(w.queue(), [a.0, 3, b.0]);
    // On an empty queue a private request is simply position 1.
    let mut w = World::new();
    let p = w
        .ok(PayloadBuilder::new(PERFORMER, "carol", "p1", 5)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p,
        Reply::Queued {
            item: ItemId(1),
            position: 1
        }
    );
}

#[test]
fn one_item_in_progress_and_start_takes_only_the_head() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    let b = w.buy("bob", "k2", 10);
    assert_eq!(
        w.err(start(Some(b))),
        DomainError::NotHead {
            item: b,
            head: Some(a)
        }
    );
    w.start();
    assert_eq!(w.err(start(None)), DomainError::Busy { item: a });
    w.finish();
    assert_eq!(
        w.err(Command::Finish {
            room: ROOM.into(),
            item: None,
            by: performer()
        })
        .code(),
        ErrorCode::NothingInProgress
    );
    w.ok(start(Some(b)));
    let err = w.err(Command::Finish {
        room: ROOM.into(),
        item: Some(a),
        by: performer(),
    });
    assert_eq!(err.code(), ErrorCode::ItemClosed);
    w.finish();
    assert_eq!(w.err(start(None)), DomainError::QueueEmpty);
}

// ---- timers and configuration ------------------------------------------

#[test]
fn d_is_the_hint_or_the_default_and_config_changes_never_touch_queued_items() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    let hinted = w
        .ok(PayloadBuilder::new(PERFORMER, "bob", "k2", 10)
            .duration_ms(10_000)
            .queued(ROOM))
        .reply
        .item()
        .unwrap();
    w.ok(Command::Configure {
        room: ROOM.into(),
        settings: RoomSettings {
            default_duration_ms: 30_000,
            ..RoomSettings::default()
        },
    });
    let c = w.buy("carol", "k3", 10);
    let d = |id: ItemId| w.record(id).view.duration_ms;
    assert_eq!((d(a), d(hinted), d(c)), (90_000, 10_000, 30_000));
    let started = w.start();
    assert!(matches!(
        started.events[0].kind,
        EventKind::ItemStarted {
            duration_ms: 90_000,
            ..
        }
    ));
}

#[test]
fn bad_settings_are_refused() {
    let mut w = World::new();
    let err = w.err(Command::Configure {
        room: ROOM.into(),
        settings: RoomSettings {
            default_duration_ms: 10,
            ..RoomSettings::default()
        },
    });
    assert_eq!(err.field(), Some("default_duration_ms"));
}
