//! The leader lease on a real PostgreSQL: one holder at a time, a take-over
//! only once the lease has expired by the database's clock, and a store
//! that lost its lease commits nothing more (fencing), whatever it was
//! doing when the epoch moved on.

use std::time::{Duration, Instant};

use cuedeck::domain::{Command, Request, Stamp};
use cuedeck::service::QueueService;
use cuedeck::store::sql::{ConnExt, params};
use cuedeck::store::{Database, Lease, StoreError, StoreOptions};

use crate::support::postgres;

fn pg(db: &Database) -> &cuedeck::store::sql::pg::PgDb {
    match db {
        Database::Postgres(pg) => pg,
        Database::Sqlite(_) => unreachable!("a postgres URL"),
    }
}

fn mint(service: &mut QueueService, key: &str) -> Result<(), StoreError> {
    let request = Request::keyed(
        key,
        Command::Mint {
            user: "alice".into(),
            amount: 100,
        },
    );
    let ack = service
        .execute(Stamp::from_secs(1_800_000_000), request)
        .expect("accepted by the engine");
    ack.wait().map(|_| ())
}

/// Poll until the lease held by `lease`'s holder has expired by the
/// database's clock (a deadline, never a fixed pause).
fn until_expired(lease: &Lease) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let holder = lease.holder().unwrap().expect("a holder");
        if holder.expires_in_ms < 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the lease never expired");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn one_holder_at_a_time_and_a_fenced_store_commits_nothing() {
    let url = postgres::shared().fresh_url("lease");
    let db = Database::parse(&url).unwrap();
    drop(db.conn().unwrap());
    let a = Lease::new(pg(&db), "node-a", "http://a:7070").unwrap();
    let b = Lease::new(pg(&db), "node-b", "http://b:7070").unwrap();

    let first = a.try_acquire(300).unwrap().expect("a free lease is taken");
    assert_eq!(b.try_acquire(300).unwrap(), None, "held: b must wait");
    let seen = b.holder().unwrap().unwrap();
    assert_eq!((seen.holder.as_str(), seen.epoch), ("node-a", first));
    assert_eq!(seen.advertise, "http://a:7070");
    assert!(a.renew(first, 300).unwrap());

    let options = StoreOptions {
        fence: Some(first),
        ..StoreOptions::default()
    };
    let mut leader = QueueService::open(db.clone(), options).unwrap();
    mint(&mut leader, "before").expect("the holder writes");

    until_expired(&a);
    let second = b
        .try_acquire(300)
        .unwrap()
        .expect("an expired lease is taken");
    assert_eq!(second, first + 1, "each take-over moves the epoch on");
    assert!(
        !a.renew(first, 300).unwrap(),
        "a former holder cannot renew"
    );

    let refused = mint(&mut leader, "after").expect_err("fenced");
    assert!(
        matches!(refused, StoreError::Fenced { held } if held == first),
        "{refused:?}"
    );
    let conn = db.conn().unwrap();
    let rows: Vec<(i64, Option<String>)> = conn
        .prepare("SELECT epoch, idem_key FROM commands ORDER BY id")
        .unwrap()
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, vec![(first, Some("before".to_string()))]);
    drop(leader);

    // The new holder rebuilds from the database and writes under its epoch.
    let options = StoreOptions {
        fence: Some(second),
        ..StoreOptions::default()
    };
    let mut next = QueueService::open(db.clone(), options).unwrap();
    mint(&mut next, "after").expect("the new holder writes");
    let epochs: Vec<i64> = conn
        .prepare("SELECT epoch FROM commands ORDER BY id")
        .unwrap()
        .query_map(params![], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(epochs, vec![first, second]);
    b.release(second).unwrap();
    assert!(b.holder().unwrap().unwrap().expires_in_ms <= 0);
}

#[test]
fn the_database_refuses_a_negative_wallet_whatever_the_engine_says() {
    let url = postgres::shared().fresh_url("backstop");
    let db = Database::parse(&url).unwrap();
    let conn = db.conn().unwrap();
    conn.execute(
        "INSERT INTO commands (at, kind, body, reply) VALUES (1, 'x', '{}', '{}')",
        params![],
    )
    .unwrap();
    let debit = |no: i64, account: &str, amount: i64| {
        conn.execute(
            "INSERT INTO postings (command_id, transfer_no, account, unit, amount, kind)
             VALUES (1, ?1, ?2, 'tokens', ?3, 'mint')",
            params![no, account, amount],
        )
    };
    debit(0, "mint", -50).expect("the mint may go below zero");
    debit(0, "wallet:alice", 50).unwrap();
    let overdrawn = debit(1, "wallet:alice", -80).expect_err("a wallet may not");
    assert!(format!("{overdrawn}").contains("balances"), "{overdrawn}");
    let twice = debit(0, "wallet:bob", 50).expect_err("one credit per movement");
    assert!(format!("{twice}").contains("postings_pair"), "{twice}");
}
