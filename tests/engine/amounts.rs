//! One amount domain: no account may hold, and no command may move, more
//! than `MAX_SUPPLY`. What would pass it is refused with `overflow` and
//! changes nothing; whatever was accepted is stored, rebuilds after a
//! restart and balances.

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use cuedeck::protocol::ErrorCode;
use cuedeck::service::QueueService;
use cuedeck::store::{Database, StoreOptions, Synchronous};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::backend::{Backend, TestDb};
use crate::on_both_backends;

const ROOM: &str = "room-1";
const PERFORMER: &str = "perf-1";
const USERS: [&str; 3] = ["whale-a", "whale-b", "whale-c"];

fn options() -> StoreOptions {
    StoreOptions {
        synchronous: Synchronous::Normal,
        ..StoreOptions::default()
    }
}

fn open(db: impl Into<Database>) -> QueueService {
    QueueService::open(db, options()).expect("a database the server wrote opens")
}

fn performer() -> Actor {
    Actor::new(Role::Performer, PERFORMER)
}

/// Amounts near and beyond every limit: the supply, i64, u64.
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        1..1_000u64,
        Just(MAX_SUPPLY),
        Just(MAX_SUPPLY - 1),
        Just(MAX_SUPPLY + 1),
        (MAX_SUPPLY / 2 - 5)..(MAX_SUPPLY / 2 + 5),
        Just(1 << 62),
        Just(1 << 63),
        Just(i64::MAX as u64),
        Just(u64::MAX),
        any::<u64>(),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Mint(usize, u64),
    Intake(usize, u64, u64, bool),
    Start,
    Finish,
    Refund(u64, Option<u64>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..USERS.len(), amount()).prop_map(|(u, a)| Step::Mint(u, a)),
        3 => (0..USERS.len(), amount(), amount(), any::<bool>())
            .prop_map(|(u, cost, points, instant)| Step::Intake(u, cost, points, instant)),
        1 => Just(Step::Start),
        1 => Just(Step::Finish),
        1 => (1..12u64, proptest::option::of(amount())).prop_map(|(i, a)| Step::Refund(i, a)),
    ]
}

fn command(n: usize, step: &Step) -> Request {
    match step {
        Step::Mint(user, amount) => Request::keyed(
            format!("mint-{n}").as_str(),
            Command::Mint {
                user: USERS[*user].into(),
                amount: *amount,
            },
        ),
        Step::Intake(user, cost, points, instant) => {
            let builder = PayloadBuilder::new(PERFORMER, USERS[*user], &format!("k{n}"), *cost);
            let mut command = if *instant {
                builder.instant(ROOM)
            } else {
                builder.queued(ROOM)
            };
            if let Command::Intake { loyalty_points, .. } = &mut command {
                *loyalty_points = *points;
            }
            Request::new(command)
        }
        Step::Start => Request::new(Command::Start {
            room: ROOM.into(),
            item: None,
            by: performer(),
        }),
        Step::Finish => Request::new(Command::Finish {
            room: ROOM.into(),
            item: None,
            by: performer(),
        }),
        Step::Refund(item, amount) => Request::new(Command::Refund {
            room: ROOM.into(),
            item: ItemId(*item),
            amount: *amount,
            reason: RefundReason::Other,
            note: Some("test".into()),
            by: performer(),
        }),
    }
}

fn setup(service: &mut QueueService, t: Stamp) {
    for command in [
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
        Command::BroadcastStart { room: ROOM.into() },
    ] {
        service
            .execute(t, Request::new(command))
            .unwrap()
            .wait()
            .unwrap();
    }
}

fn points_of(engine: &Engine) -> Vec<u64> {
    USERS
        .iter()
        .map(|u| engine.ledger().points(&(*u).into()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn amounts_near_and_past_the_limits_are_refused_or_stored_and_rebuilt_sqlite(
        steps in proptest::collection::vec(step(), 1..24)
    ) {
        amounts_are_refused_or_stored_and_rebuilt(Backend::Sqlite, &steps)?;
    }

    #[test]
    fn amounts_near_and_past_the_limits_are_refused_or_stored_and_rebuilt_postgres(
        steps in proptest::collection::vec(step(), 1..24)
    ) {
        amounts_are_refused_or_stored_and_rebuilt(Backend::Postgres, &steps)?;
    }
}

fn amounts_are_refused_or_stored_and_rebuilt(
    backend: Backend,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let db = TestDb::new(backend, "amounts");
    let mut service = open(&db);
    let t = Stamp::from_secs(1_800_000_000);
    setup(&mut service, t);
    for (n, step) in steps.iter().enumerate() {
        let before = (
            service.engine().ledger().token_balances(),
            points_of(service.engine()),
        );
        match service.execute(t.plus_millis(n as u64), command(n, step)) {
            Ok(ack) => {
                ack.wait()
                    .expect("whatever the engine took, the store holds");
            }
            Err(err) => {
                let after = (
                    service.engine().ledger().token_balances(),
                    points_of(service.engine()),
                );
                prop_assert_eq!(
                    &after,
                    &before,
                    "{:?} refused ({}) but changed money",
                    step,
                    err
                );
            }
        }
        let ledger = service.engine().ledger();
        prop_assert!(ledger.total_minted() <= MAX_SUPPLY);
        prop_assert!(
            USERS
                .iter()
                .all(|u| ledger.points(&(*u).into()) <= MAX_SUPPLY)
        );
        service.engine().check_invariants().expect("invariants");
    }
    let balances = service.engine().ledger().token_balances();
    let points = points_of(service.engine());
    service.close();

    let service = open(&db);
    service
        .engine()
        .check_invariants()
        .expect("invariants after the rebuild");
    prop_assert_eq!(service.engine().ledger().token_balances(), balances);
    prop_assert_eq!(points_of(service.engine()), points);
    let sums = service.store().reader().unwrap().unit_sums().unwrap();
    prop_assert!(
        sums.iter().all(|(_, sum)| *sum == 0),
        "postings balance: {:?}",
        sums
    );
    service.close();
    Ok(())
}

fn a_mint_past_the_supply_is_refused_and_the_server_keeps_going(backend: Backend) {
    let db = TestDb::new(backend, "mint_past_supply");
    let mut service = open(&db);
    let t = Stamp::from_secs(1_800_000_000);
    let mint = |n: usize, user: &str, amount: u64| {
        Request::keyed(
            format!("mint-{n}").as_str(),
            Command::Mint {
                user: user.into(),
                amount,
            },
        )
    };
    for (n, amount) in [1u64 << 63, u64::MAX, 1 << 62].into_iter().enumerate() {
        let err = service
            .execute(t, mint(n, "whale-a", amount))
            .err()
            .unwrap();
        assert_eq!(err.code(), ErrorCode::Overflow, "{amount}");
        assert_eq!(service.engine().ledger().wallet(&"whale-a".into()), 0);
    }
    // Up to the limit in all, across wallets; then not one more.
    service
        .execute(t, mint(10, "whale-a", MAX_SUPPLY - 1))
        .unwrap()
        .wait()
        .unwrap();
    service
        .execute(t, mint(11, "whale-b", 1))
        .unwrap()
        .wait()
        .unwrap();
    let err = service.execute(t, mint(12, "whale-c", 1)).err().unwrap();
    assert_eq!(err.code(), ErrorCode::Overflow);
    assert_eq!(service.engine().ledger().total_minted(), MAX_SUPPLY);
    service.close();

    let service = open(&db);
    assert_eq!(
        service.engine().ledger().wallet(&"whale-a".into()),
        MAX_SUPPLY - 1
    );
    assert_eq!(service.engine().ledger().total_minted(), MAX_SUPPLY);
    service.close();
}

on_both_backends!(a_mint_past_the_supply_is_refused_and_the_server_keeps_going);
