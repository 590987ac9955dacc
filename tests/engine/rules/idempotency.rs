//! Keys and source events: one outcome per request; intake checks.

use super::*;

#[test]
fn the_same_key_and_payload_return_the_original_outcome() {
    let mut w = World::new();
    let first = w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 100).queued(ROOM));
    w.buy("bob", "k2", 10);
    let retry = w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 100).queued(ROOM));
    assert!(retry.replayed);
    assert_eq!(retry.reply, first.reply);
    assert!(retry.events.is_empty() && retry.transfers.is_empty());
    assert_eq!(w.wallet("alice"), 900, "one hold");
}

#[test]
fn the_same_key_with_another_payload_is_a_conflict() {
    let mut w = World::new();
    w.buy("alice", "k1", 100);
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 101).queued(ROOM));
    assert_eq!(err, DomainError::IdempotencyConflict { key: "k1".into() });
    assert_eq!(err.field(), Some("idempotencyKey"));
    // Keys are one namespace: another command kind under it conflicts too.
    let err = w.err(Request::keyed(
        "k1",
        Command::Mint {
            user: "alice".into(),
            amount: 5,
        },
    ));
    assert_eq!(err.code(), ErrorCode::IdempotencyConflict);
}

#[test]
fn keyed_commands_are_idempotent_too() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    let cmd = || {
        Request::keyed(
            "refund-1",
            refund(item, Some(10), RefundReason::Goodwill, None),
        )
    };
    let first = w.ok(cmd());
    let again = w.ok(cmd());
    assert!(again.replayed);
    assert_eq!(first.reply, again.reply);
    assert_eq!(w.wallet("alice"), 910);
    let start_cmd = || Request::keyed("s-1", start(None));
    let mut w = World::new();
    w.buy("alice", "k1", 1);
    w.ok(start_cmd());
    assert!(w.ok(start_cmd()).replayed, "a double key press starts once");
}

#[test]
fn a_header_key_that_differs_from_the_payload_key_is_refused() {
    let mut w = World::new();
    let cmd = PayloadBuilder::new(PERFORMER, "alice", "k1", 1).queued(ROOM);
    let err = w.err(Request::keyed("other", cmd));
    assert_eq!(err.field(), Some("idempotencyKey"));
}

#[test]
fn keys_are_kept_for_a_day_then_forgotten() {
    let mut w = World::new();
    w.buy("alice", "k1", 1);
    w.advance_ms(24 * 3600 * 1000 - 1);
    w.ok(Command::Tick);
    assert!(w.engine.remembers(&"k1".into()));
    w.advance_ms(1);
    w.ok(Command::Tick);
    assert!(!w.engine.remembers(&"k1".into()));
}

#[test]
fn a_source_event_enters_the_queue_once_whatever_the_key() {
    let mut w = World::new();
    w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 1)
        .source_event("spin-9")
        .queued(ROOM));
    let err = w.err(
        PayloadBuilder::new(PERFORMER, "alice", "k2", 1)
            .source_event("spin-9")
            .queued(ROOM),
    );
    assert_eq!(err.code(), ErrorCode::DuplicateSourceEvent);
    assert_eq!(err.field(), Some("sourceEventId"));

    // Once closed, the item still holds its source event.
    w.start();
    w.finish();
    let again = PayloadBuilder::new(PERFORMER, "alice", "k3", 1).source_event("spin-9");
    assert_eq!(
        w.err(again.queued(ROOM)).code(),
        ErrorCode::DuplicateSourceEvent
    );
    // An instant item takes its source event too.
    w.ok(PayloadBuilder::new(PERFORMER, "alice", "k4", 1)
        .source_event("tip-1")
        .instant(ROOM));
    let again = PayloadBuilder::new(PERFORMER, "alice", "k5", 1).source_event("tip-1");
    assert_eq!(
        w.err(again.queued(ROOM)).code(),
        ErrorCode::DuplicateSourceEvent
    );
    // The same id from another source is another event.
    w.ok(PayloadBuilder::new(PERFORMER, "alice", "k6", 1)
        .source(Source::SlotMachine)
        .source_event("spin-9")
        .queued(ROOM));
    w.engine.check_invariants().unwrap();
}

#[test]
fn intake_checks_the_room_its_performer_and_that_it_is_live() {
    let mut w = World::new();
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 1).queued("nowhere"));
    assert_eq!(err.code(), ErrorCode::UnknownRoom);
    let err = w.err(PayloadBuilder::new("someone-else", "alice", "k1", 1).queued(ROOM));
    assert_eq!(err.field(), Some("performerId"));
    w.ok(Command::CreateRoom {
        room: "r2".into(),
        performer: "p2".into(),
    });
    let err = w.err(PayloadBuilder::new("p2", "alice", "k1", 1).queued("r2"));
    assert_eq!(err.code(), ErrorCode::NotLive);
    let err = w.err(Command::CreateRoom {
        room: "r2".into(),
        performer: "p2".into(),
    });
    assert_eq!(err.code(), ErrorCode::RoomExists);
    assert_eq!(w.err(start(None)).code(), ErrorCode::QueueEmpty);
}
