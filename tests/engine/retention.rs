//! Bounded memory: the engine holds the live state and the retention window;
//! older facts live in the store, and every rule still holds past the window.

use cuedeck::protocol::ErrorCode;

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use cuedeck::service::QueueService;

use super::store::{open, run};
use crate::backend::{Backend, TestDb};
use crate::on_both_backends;

const ROOM: &str = "room-1";
const PERFORMER: &str = "perf-1";
const DAY_MS: u64 = 24 * 3600 * 1000;
/// 2027-01-15T00:00:00Z, the start of a UTC day.
const T0: Stamp = Stamp(1_800_000_000_000_000 - 1_800_000_000_000_000 % 86_400_000_000);

fn refused(service: &mut QueueService, now: Stamp, request: impl Into<Request>) -> DomainError {
    service.execute(now, request.into()).err().expect("refused")
}

fn performer() -> Actor {
    Actor::new(Role::Performer, PERFORMER)
}

fn start(service: &mut QueueService, now: Stamp) {
    let by = performer();
    run(
        service,
        now,
        Command::Start {
            room: ROOM.into(),
            item: None,
            by,
        },
    );
}

fn finish(service: &mut QueueService, now: Stamp) {
    let by = performer();
    run(
        service,
        now,
        Command::Finish {
            room: ROOM.into(),
            item: None,
            by,
        },
    );
}

fn setup(service: &mut QueueService) {
    run(
        service,
        T0,
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
    );
    run(service, T0, Command::BroadcastStart { room: ROOM.into() });
    for user in ["alice", "bob"] {
        run(
            service,
            T0,
            Command::Mint {
                user: user.into(),
                amount: 10_000,
            },
        );
    }
}

fn closed_items_leave_the_engine_after_the_window_and_their_source_events_stay_taken(
    backend: Backend,
) {
    let db = TestDb::new(backend, "retention");
    let mut service = open(&db);
    setup(&mut service);
    for n in 0..5u64 {
        let at = T0.plus_millis(n);
        run(
            &mut service,
            at,
            PayloadBuilder::new(PERFORMER, "alice", &format!("k{n}"), 10).queued(ROOM),
        );
        start(&mut service, at);
        finish(&mut service, at);
    }
    // One item stays queued for days: it is live state and is kept.
    let open_one = run(
        &mut service,
        T0.plus_millis(10),
        PayloadBuilder::new(PERFORMER, "bob", "long", 10).queued(ROOM),
    )
    .reply
    .item()
    .unwrap();
    assert_eq!(service.engine().items().len(), 6);

    let later = T0.plus_millis(2 * DAY_MS);
    run(
        &mut service,
        later,
        PayloadBuilder::new(PERFORMER, "alice", "fresh", 10).queued(ROOM),
    );
    let engine = service.engine();
    assert_eq!(engine.items().len(), 2, "the open item and the fresh one");
    for id in 1..=5 {
        assert!(engine.forgot(ItemId(id)), "item {id} is the store's now");
        assert!(engine.entry(ItemId(id)).is_none());
    }
    assert!(
        engine.item(open_one).is_some(),
        "an open item is never forgotten"
    );
    assert!(!engine.forgot(open_one));

    // A forgotten item's source event, under a key no one remembers either.
    let again = || {
        PayloadBuilder::new(PERFORMER, "alice", "another-key", 10)
            .source_event("evt-k0")
            .queued(ROOM)
    };
    let balances = service.engine().ledger().token_balances();
    let err = refused(&mut service, later, again());
    assert_eq!(err.code(), ErrorCode::DuplicateSourceEvent);
    assert_eq!(service.engine().ledger().token_balances(), balances);
    // A source event of the window is the engine's to catch.
    let err = refused(
        &mut service,
        later,
        PayloadBuilder::new(PERFORMER, "alice", "third-key", 10)
            .source_event("evt-fresh")
            .queued(ROOM),
    );
    assert_eq!(err.code(), ErrorCode::DuplicateSourceEvent);

    // The old open item still runs, and leaves once closed.
    start(&mut service, later);
    assert_eq!(
        service
            .engine()
            .room_view(&ROOM.into())
            .unwrap()
            .in_progress,
        Some(open_one)
    );
    finish(&mut service, later);
    assert!(service.engine().forgot(open_one));
    let record = service
        .store()
        .reader()
        .unwrap()
        .closed_item(open_one)
        .unwrap()
        .expect("the store has the record");
    assert_eq!(record.state, ItemState::Finished);
    service.close();

    // The same after a restart: the rebuild forgets alike.
    let mut service = open(&db);
    assert!(service.engine().forgot(ItemId(1)));
    assert!(service.engine().forgot(open_one));
    let err = refused(&mut service, later.plus_millis(1), again());
    assert_eq!(err.code(), ErrorCode::DuplicateSourceEvent);
    service.close();
}

fn a_retry_inside_the_window_still_gets_its_reply_once_items_were_forgotten(backend: Backend) {
    let db = TestDb::new(backend, "retention");
    let mut service = open(&db);
    setup(&mut service);
    run(
        &mut service,
        T0,
        PayloadBuilder::new(PERFORMER, "alice", "old", 10).instant(ROOM),
    );
    let day2 = T0.plus_millis(2 * DAY_MS);
    let first = run(
        &mut service,
        day2,
        PayloadBuilder::new(PERFORMER, "alice", "new", 10).instant(ROOM),
    );
    assert!(service.engine().forgot(ItemId(1)));
    // Committed, so the store knows its source event too: the key decides.
    let retry = run(
        &mut service,
        day2.plus_millis(1000),
        PayloadBuilder::new(PERFORMER, "alice", "new", 10).instant(ROOM),
    );
    assert!(retry.replayed);
    assert_eq!(retry.reply, first.reply);
    service.close();
}

fn purchases(service: &QueueService, user: &str, item: &str, at: Stamp) -> u32 {
    service
        .engine()
        .purchases_on_day(&ROOM.into(), &user.into(), item, at)
}

fn daily_counts_survive_a_restart_and_end_with_their_day(backend: Backend) {
    let db = TestDb::new(backend, "retention");
    let mut service = open(&db);
    setup(&mut service);
    let noon = T0.plus_millis(DAY_MS / 2);
    for n in 0..3 {
        run(
            &mut service,
            noon,
            PayloadBuilder::new(PERFORMER, "alice", &format!("buy{n}"), 10)
                .menu_item("m1-1")
                .queued(ROOM),
        );
    }
    run(
        &mut service,
        noon,
        PayloadBuilder::new(PERFORMER, "alice", "other", 10)
            .menu_item("m1-2")
            .instant(ROOM),
    );
    // Not a menu purchase: never counted.
    run(
        &mut service,
        noon,
        PayloadBuilder::new(PERFORMER, "alice", "slot", 10)
            .source(Source::SlotMachine)
            .menu_item("m1-1")
            .instant(ROOM),
    );
    assert_eq!(purchases(&service, "alice", "m1-1", noon), 3);
    assert_eq!(purchases(&service, "alice", "m1-2", noon), 1);
    assert_eq!(purchases(&service, "bob", "m1-1", noon), 0);

    // A refund in full takes one back; a performed, partly refunded one counts.
    let refund = |item: u64, amount: u64| Command::Refund {
        room: ROOM.into(),
        item: ItemId(item),
        amount: Some(amount),
        reason: RefundReason::Other,
        note: Some("test".into()),
        by: performer(),
    };
    run(&mut service, noon, refund(2, 10));
    start(&mut service, noon);
    run(&mut service, noon, refund(1, 4));
    assert_eq!(purchases(&service, "alice", "m1-1", noon), 2);
    service.close();

    let mut service = open(&db);
    assert_eq!(purchases(&service, "alice", "m1-1", noon), 2, "rebuilt");
    assert_eq!(purchases(&service, "alice", "m1-2", noon), 1);

    // The next day starts at zero; a refund of yesterday's purchase then
    // leaves today's count alone.
    let tomorrow = T0.plus_millis(DAY_MS + 1);
    run(
        &mut service,
        tomorrow,
        PayloadBuilder::new(PERFORMER, "alice", "next-day", 10)
            .menu_item("m1-1")
            .queued(ROOM),
    );
    assert_eq!(purchases(&service, "alice", "m1-1", tomorrow), 1);
    run(&mut service, tomorrow, refund(3, 10));
    assert_eq!(purchases(&service, "alice", "m1-1", tomorrow), 1);
    service.close();
}

on_both_backends!(
    closed_items_leave_the_engine_after_the_window_and_their_source_events_stay_taken,
    a_retry_inside_the_window_still_gets_its_reply_once_items_were_forgotten,
    daily_counts_survive_a_restart_and_end_with_their_day,
);
