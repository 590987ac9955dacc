//! The durable store: commits before acks, rebuilds exactly, and refuses
//! any file it cannot trust instead of resetting it.

use cuedeck::protocol::ErrorCode;

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use cuedeck::service::QueueService;
use cuedeck::store::sql::{Conn, ConnExt, params};
use cuedeck::store::{Database, Store, StoreError, StoreOptions};

use crate::backend::{Backend, TestDb};
use crate::on_both_backends;

const ROOM: &str = "room-1";
const PERFORMER: &str = "perf-1";

pub(crate) fn open(db: impl Into<Database>) -> QueueService {
    let service = QueueService::open(db, StoreOptions::default()).expect("open");
    service
        .engine()
        .check_invariants()
        .expect("invariants after open");
    service
}

pub(crate) fn run(service: &mut QueueService, now: Stamp, request: impl Into<Request>) -> Outcome {
    let outcome = service
        .execute(now, request.into())
        .expect("accepted")
        .wait()
        .expect("committed");
    service.engine().check_invariants().expect("invariants");
    outcome
}

fn performer() -> Actor {
    Actor::new(Role::Performer, PERFORMER)
}

/// A room with a few items in every state.
fn populate(service: &mut QueueService) {
    let t = Stamp::from_secs(1_800_000_000);
    run(
        service,
        t,
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
    );
    run(service, t, Command::BroadcastStart { room: ROOM.into() });
    for user in ["alice", "bob"] {
        run(
            service,
            t,
            Request::keyed(
                format!("mint-{user}").as_str(),
                Command::Mint {
                    user: user.into(),
                    amount: 500,
                },
            ),
        );
    }
    for n in 0..6u64 {
        let user = if n % 2 == 0 { "alice" } else { "bob" };
        run(
            service,
            t.plus_millis(n),
            PayloadBuilder::new(PERFORMER, user, &format!("k{n}"), 10 + n).queued(ROOM),
        );
    }
    run(
        service,
        t,
        PayloadBuilder::new(PERFORMER, "bob", "instant", 3).instant(ROOM),
    );
    run(
        service,
        t.plus_millis(10),
        Command::Start {
            room: ROOM.into(),
            item: None,
            by: performer(),
        },
    );
    run(
        service,
        t.plus_millis(20),
        Command::Finish {
            room: ROOM.into(),
            item: None,
            by: performer(),
        },
    );
    run(
        service,
        t.plus_millis(30),
        Command::Start {
            room: ROOM.into(),
            item: None,
            by: performer(),
        },
    );
    run(
        service,
        t.plus_millis(40),
        Command::Refund {
            room: ROOM.into(),
            item: ItemId(4),
            amount: Some(5),
            reason: RefundReason::Other,
            note: Some("late".into()),
            by: performer(),
        },
    );
    run(
        service,
        t.plus_millis(50),
        Command::Leave {
            room: ROOM.into(),
            user: "bob".into(),
        },
    );
}

fn fingerprint(engine: &Engine) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}",
        engine.ledger().token_balances(),
        engine.queue(&ROOM.into()),
        engine.items(),
        engine.room_view(&ROOM.into()),
    )
}

fn state_survives_a_restart_exactly(backend: Backend) {
    let db = TestDb::new(backend, "state_survives_a_restart_exact");
    let mut service = open(&db);
    populate(&mut service);
    let before = fingerprint(service.engine());
    let deadline = service.engine().next_deadline();
    service.close();

    let service = open(&db);
    assert_eq!(fingerprint(service.engine()), before);
    assert_eq!(
        service.engine().next_deadline(),
        deadline,
        "grace periods survive too"
    );
}

fn a_retry_after_restart_gets_the_original_reply_and_moves_nothing(backend: Backend) {
    let db = TestDb::new(backend, "a_retry_after_restart_gets_the");
    let mut service = open(&db);
    populate(&mut service);
    let first = service.engine().item(ItemId(2)).unwrap().view.clone();
    service.close();

    let mut service = open(&db);
    let balances = service.engine().ledger().token_balances();
    let commands = service.store().reader().unwrap().command_count().unwrap();
    let within_a_day = Stamp::from_secs(1_800_000_000 + 3600);
    let retry = run(
        &mut service,
        within_a_day,
        PayloadBuilder::new(PERFORMER, "bob", "k1", 11).queued(ROOM),
    );
    assert!(retry.replayed);
    assert_eq!(retry.reply.item(), Some(first.id));
    assert_eq!(service.engine().ledger().token_balances(), balances);
    assert_eq!(
        service.store().reader().unwrap().command_count().unwrap(),
        commands
    );

    // Past the key's retention the source event id still guards the money.
    let err = service
        .execute(
            Stamp::from_secs(1_800_000_000 + 2 * 86_400),
            PayloadBuilder::new(PERFORMER, "bob", "k1", 11)
                .queued(ROOM)
                .into(),
        )
        .err()
        .expect("refused");
    assert_eq!(err.code(), ErrorCode::DuplicateSourceEvent);
    assert_eq!(service.engine().ledger().token_balances(), balances);
}

fn an_ack_means_the_command_is_on_disk(backend: Backend) {
    let db = TestDb::new(backend, "an_ack_means_the_command_is_on");
    let mut service = open(&db);
    let t = Stamp::from_secs(1_800_000_000);
    run(
        &mut service,
        t,
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
    );
    run(
        &mut service,
        t,
        Command::BroadcastStart { room: ROOM.into() },
    );
    run(
        &mut service,
        t,
        Command::Mint {
            user: "alice".into(),
            amount: 10_000,
        },
    );
    // Many in flight at once: they group-commit, and each ack still means durable.
    let acks: Vec<_> = (0..300)
        .map(|n| {
            service
                .execute(
                    t,
                    PayloadBuilder::new(PERFORMER, "alice", &format!("k{n}"), 1)
                        .queued(ROOM)
                        .into(),
                )
                .unwrap()
        })
        .collect();
    let reader = service.store().reader().unwrap();
    for (n, ack) in acks.into_iter().enumerate() {
        ack.wait().unwrap();
        assert!(
            reader.has_key(&format!("k{n}")).unwrap(),
            "acked k{n} is not on disk"
        );
    }
    assert_eq!(reader.unit_sums().unwrap(), [("tokens".to_string(), 0)]);
    assert!(reader.keys_with_several_holds().unwrap().is_empty());
}

fn events_are_stored_with_their_room_sequence_for_resume(backend: Backend) {
    let db = TestDb::new(backend, "events_are_stored_with_their_r");
    let mut service = open(&db);
    populate(&mut service);
    let last = service.engine().room_view(&ROOM.into()).unwrap().last_seq;
    let reader = service.store().reader().unwrap();
    let all = reader.events_after(&ROOM.into(), 0, 10_000).unwrap();
    assert_eq!(all.len() as u64, last);
    assert!(all.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
    let tail = reader.events_after(&ROOM.into(), last - 3, 10).unwrap();
    assert_eq!(
        tail.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [last - 2, last - 1, last]
    );
    let event: Event = serde_json::from_str(&tail[2].json).unwrap();
    assert_eq!(event.seq, last);
    let audit = reader.item_events(&ROOM.into(), ItemId(4)).unwrap();
    let types: Vec<String> = audit
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.json).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(types, ["item_queued", "item_refunded"]);
}

fn refused(db: impl Into<Database>) -> StoreError {
    let db = db.into();
    match Store::open(db.clone(), StoreOptions::default()) {
        Ok(_) => panic!("{} should have been refused", db.describe()),
        Err(err) => err,
    }
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let text = b"these are my show notes, not a database\n".repeat(200);
    std::fs::write(&path, &text).unwrap();
    let err = refused(&path);
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("notes.db"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), text, "never reset");
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE photos (id INTEGER); INSERT INTO photos VALUES (1);")
        .unwrap();
    drop(conn);
    let err = refused(&path);
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM photos", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    open(&path).close();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(conn);
    let err = refused(&path);
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade cuedeck"), "{err}");
}

#[test]
fn a_corrupt_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let mut service = open(&path);
    populate(&mut service);
    service.close();
    // Checkpoint the WAL into the main file, then damage a page past the header.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .unwrap();
    drop(conn);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192);
    // Smash the b-tree page header of every page after the first.
    for page in (4096..bytes.len()).step_by(4096) {
        for b in &mut bytes[page..page + 12] {
            *b = 0xA5;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = refused(&path);
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::Sqlite(_) | StoreError::Replay { .. }
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "never reset");
}

fn a_tampered_ledger_is_caught_on_open(backend: Backend) {
    let db = TestDb::new(backend, "a_tampered_ledger_is_caught_on");
    let mut service = open(&db);
    populate(&mut service);
    service.close();
    db.conn()
        .execute(
            "UPDATE postings SET amount = amount + 1 WHERE id = (SELECT max(id) FROM postings)",
            params![],
        )
        .unwrap();
    let err = refused(&db);
    assert!(matches!(err, StoreError::Mismatch(_)), "{err}");
}

fn a_lost_event_is_caught_on_open(backend: Backend) {
    let db = TestDb::new(backend, "a_lost_event_is_caught_on_open");
    let mut service = open(&db);
    populate(&mut service);
    service.close();
    db.conn()
        .execute("DELETE FROM events WHERE seq = 3", params![])
        .unwrap();
    let err = refused(&db);
    assert!(matches!(err, StoreError::Mismatch(_)), "{err}");
}

/// The records a command hands out when it closes items, by item.
fn closed_records(service: &QueueService) -> Vec<(u64, String)> {
    let reader = service.store().reader().unwrap();
    service
        .engine()
        .items()
        .iter()
        .filter(|entry| entry.state().is_closed())
        .map(|entry| {
            let record = reader
                .closed_item(entry.id())
                .unwrap()
                .unwrap_or_else(|| panic!("{} closed without a stored record", entry.id()));
            assert!(service.engine().item(entry.id()).is_none(), "kept whole");
            (entry.id().0, serde_json::to_string(&record).unwrap())
        })
        .collect()
}

fn closed_items_leave_the_engine_and_their_records_are_stored(backend: Backend) {
    let db = TestDb::new(backend, "closed_items_leave_the_engine_");
    let mut service = open(&db);
    populate(&mut service);
    let stored = closed_records(&service);
    // Finished, instant, refunded; the rest are open and kept whole.
    assert_eq!(
        stored.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [1, 4, 7]
    );
    let reader = service.store().reader().unwrap();
    assert_eq!(reader.closed_item(ItemId(2)).unwrap(), None, "still open");
    assert!(service.engine().item(ItemId(2)).is_some());
    service.close();

    // A database from before schema 4 has no records: the rebuild writes
    // them, the same as they were.
    db.conn()
        .execute("UPDATE items SET record = NULL", params![])
        .unwrap();
    let service = open(&db);
    assert_eq!(closed_records(&service), stored);
    service.close();
}

#[test]
fn a_newer_schema_version_in_postgres_is_refused() {
    let db = TestDb::new(Backend::Postgres, "newer_schema");
    open(&db).close();
    db.conn()
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            params![],
        )
        .unwrap();
    let err = refused(&db);
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade cuedeck"), "{err}");
}

#[test]
fn a_postgres_database_of_another_program_is_refused() {
    let db = TestDb::new(Backend::Postgres, "foreign");
    let url = db.location().to_string();
    let Database::Postgres(pg) = db.database() else {
        unreachable!("{url} is a PostgreSQL URL")
    };
    let conn = pg.conn().unwrap();
    conn.batch("CREATE TABLE photos (id BIGINT); INSERT INTO photos VALUES (1)")
        .unwrap();
    drop(conn);
    let err = refused(&db);
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    let n: i64 = pg
        .conn()
        .unwrap()
        .query_row("SELECT count(*) FROM photos", params![], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "left alone");
}

on_both_backends!(
    state_survives_a_restart_exactly,
    a_retry_after_restart_gets_the_original_reply_and_moves_nothing,
    an_ack_means_the_command_is_on_disk,
    events_are_stored_with_their_room_sequence_for_resume,
    a_tampered_ledger_is_caught_on_open,
    a_lost_event_is_caught_on_open,
    closed_items_leave_the_engine_and_their_records_are_stored,
);
