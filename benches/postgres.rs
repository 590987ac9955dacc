//! `cargo bench --bench postgres`
//!
//! The PostgreSQL store against PostgreSQL itself, on a throwaway cluster
//! with its durability on (`fsync`, full page writes, synchronous commit):
//!
//! - durable intakes per second through the queue service (engine, store
//!   writer thread, group commit fenced by a lease epoch as a leader's is,
//!   ack after commit), against raw `tokio-postgres` writing the same rows
//!   per intake (command, two postings, item, event) with prepared
//!   statements in transactions of the same batch size, in the same run;
//! - the take-over: real `cuedeck serve` processes with the default lease,
//!   the leader killed (`kill -9`) under load, and the time from the kill
//!   to the first command the new leader acknowledges (the worst of
//!   several take-overs).
//!
//! Ends with: `postgres durable_intakes_per_s=D raw_pg_per_s=R ratio=D/R takeover_ms=T`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cuedeck::domain::Stamp;
use cuedeck::service::QueueService;
use cuedeck::store::{Database, Lease, Store, StoreOptions};

#[path = "../tests/support/cluster.rs"]
mod cluster;
#[path = "support/intake_rows.rs"]
mod intake_rows;
#[path = "../tests/support/postgres.rs"]
mod postgres;
use intake_rows::*;

// The allocator the binary uses (src/main.rs), so the figures are its.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DURABLE_INTAKES: usize = 20_000;
const PIPELINE: usize = 1024;
const ROUNDS: usize = 3;
/// Nodes started for the take-overs: each take-over kills one.
const NODES: usize = 4;
const ADMIN: &str = "admin-token-for-the-bench-0001";

/// Durable intakes through the service, writing under a lease epoch.
fn durable_intakes_per_s(url: &str, options: StoreOptions) -> f64 {
    let db = Database::parse(url).unwrap();
    let Database::Postgres(pg) = &db else {
        unreachable!("a PostgreSQL URL")
    };
    drop(db.conn().unwrap()); // the schema, with the lease table
    let lease = Lease::new(pg, "bench", "http://bench").unwrap();
    let epoch = lease.try_acquire(600_000).unwrap().expect("a free lease");
    let options = StoreOptions {
        fence: Some(epoch),
        ..options
    };
    let mut service = QueueService::open(db, options).unwrap();
    for c in setup_commands() {
        service.execute(Stamp(0), c).unwrap().wait().unwrap();
    }
    let rate = pipelined_intakes_per_s(&mut service, Stamp(1), DURABLE_INTAKES, PIPELINE);
    service.engine().check_invariants().unwrap();
    service.close();
    rate
}

/// Raw tokio-postgres: the same tables and batch size, rows pre-rendered.
fn raw_pg_per_s(url: &str, batch: usize) -> f64 {
    let (store, _) = Store::open(Database::parse(url).unwrap(), StoreOptions::default()).unwrap();
    store.close(); // the schema
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(raw_pg(url, batch))
}

async fn raw_pg(url: &str, batch: usize) -> f64 {
    let (mut client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    // The wallets the postings draw on (the database refuses a negative one).
    for u in 0..USERS {
        client
            .execute(
                "INSERT INTO balances (account, unit, balance) VALUES ($1, 'tokens', $2)",
                &[&format!("wallet:user-{u}"), &(1i64 << 40)],
            )
            .await
            .unwrap();
    }
    let rows = sample_rows();
    let first_event = "\"sourceEventId\":\"evt-key-0\"";
    assert!(rows.view.contains(first_event), "{}", rows.view);
    // Each item its own source event, as the database requires.
    let views: Vec<String> = (0..DURABLE_INTAKES)
        .map(|n| {
            let event = format!("\"sourceEventId\":\"evt-key-{n}\"");
            rows.view.replace(first_event, &event)
        })
        .collect();
    let command = client
        .prepare(
            "INSERT INTO commands (at, kind, room, idem_key, body, reply)
             VALUES ($1, 'intake', $2, $3, $4, $5) RETURNING id",
        )
        .await
        .unwrap();
    let posting = client
        .prepare(
            "INSERT INTO postings (command_id, transfer_no, account, unit, amount, kind, item, idem_key)
             VALUES ($1, 0, $2, 'tokens', $3, 'hold', $4, $5)",
        )
        .await
        .unwrap();
    let item = client
        .prepare(
            "INSERT INTO items (id, room, user_id, state, token_cost, settled, view, updated_at)
             VALUES ($1, $2, $3, 'queued', 10, 0, $4, $5)",
        )
        .await
        .unwrap();
    let event = client
        .prepare(
            "INSERT INTO events (room, seq, at, type, body, command_id)
             VALUES ($1, $2, $3, 'item_queued', $4, $5)",
        )
        .await
        .unwrap();
    let began = Instant::now();
    let mut n = 0usize;
    while n < DURABLE_INTAKES {
        let tx = client.transaction().await.unwrap();
        for _ in 0..batch.min(DURABLE_INTAKES - n) {
            let key = format!("key-{n}");
            let user = format!("wallet:user-{}", n % USERS);
            let (at, no) = (n as i64, n as i64 + 1);
            let id: i64 = tx
                .query_one(&command, &[&at, &ROOM, &key, &rows.body, &rows.reply])
                .await
                .unwrap()
                .get(0);
            tx.execute(&posting, &[&id, &user, &-10i64, &no, &key])
                .await
                .unwrap();
            let escrow = format!("escrow:{no}");
            tx.execute(&posting, &[&id, &escrow, &10i64, &no, &key])
                .await
                .unwrap();
            tx.execute(&item, &[&no, &ROOM, &user, &views[n], &at])
                .await
                .unwrap();
            tx.execute(&event, &[&ROOM, &no, &at, &rows.event, &id])
                .await
                .unwrap();
            n += 1;
        }
        tx.commit().await.unwrap();
    }
    DURABLE_INTAKES as f64 / began.elapsed().as_secs_f64()
}

/// Mints to `user` on `url`, one key each, until `stop`: the load a
/// leader is killed under.
async fn mint_until(http: reqwest::Client, url: String, user: String, stop: Arc<AtomicBool>) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let _ = http
            .post(format!("{url}/api/v1/wallets/{user}/mint"))
            .bearer_auth(ADMIN)
            .header("Idempotency-Key", format!("{user}-{n}"))
            .json(&serde_json::json!({"amount": 1}))
            .send()
            .await;
    }
}

/// Kill the leader under load, `NODES - 1` times: the milliseconds from
/// each kill to the first mint a new leader acknowledged.
async fn takeovers_ms(url: &str) -> Vec<u128> {
    let mut cluster = cluster::Cluster::start(url, NODES, ADMIN);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut times = Vec::new();
    for round in 0..NODES - 1 {
        let leader = cluster.leader(Duration::from_secs(30)).await;
        let stop = Arc::new(AtomicBool::new(false));
        let load: Vec<_> = (0..4)
            .map(|w| {
                let user = format!("load-{round}-{w}");
                let url = cluster.nodes[leader].url.clone();
                tokio::spawn(mint_until(http.clone(), url, user, stop.clone()))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let killed_at = Instant::now();
        cluster.kill(leader);
        let survivors: Vec<String> = cluster
            .nodes
            .iter()
            .filter(|n| n.is_running())
            .map(|n| n.url.clone())
            .collect();
        let key = format!("takeover-{round}");
        'acked: loop {
            for node in &survivors {
                let answer = http
                    .post(format!("{node}/api/v1/wallets/probe/mint"))
                    .bearer_auth(ADMIN)
                    .header("Idempotency-Key", &key)
                    .json(&serde_json::json!({"amount": 1}))
                    .send()
                    .await;
                if answer.is_ok_and(|a| a.status().is_success()) {
                    times.push(killed_at.elapsed().as_millis());
                    break 'acked;
                }
            }
            assert!(
                killed_at.elapsed() < Duration::from_secs(60),
                "no take-over within a minute\n{}",
                cluster.outputs()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.store(true, Ordering::Relaxed);
        for task in load {
            let _ = task.await;
        }
    }
    times
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let pg = postgres::TestPostgres::start_durable()
        .unwrap_or_else(|e| panic!("the bench's PostgreSQL did not start: {e}"));
    let options = StoreOptions::default();
    // Interleaved, so the disk's noise hits both alike.
    let mut durable = Vec::new();
    let mut raw = Vec::new();
    for round in 0..ROUNDS {
        durable.push(durable_intakes_per_s(
            &pg.fresh_url(&format!("durable {round}")),
            options,
        ));
        raw.push(raw_pg_per_s(
            &pg.fresh_url(&format!("raw {round}")),
            options.max_batch,
        ));
    }
    println!(
        "durable: {:.0?} intakes/s, raw tokio-postgres: {:.0?} rows-of-an-intake/s \
         ({DURABLE_INTAKES} intakes a run, fsync on, batches of up to {}, {PIPELINE} in flight)",
        durable, raw, options.max_batch
    );
    let (durable, raw) = (median(durable), median(raw));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let takeovers = runtime.block_on(takeovers_ms(&pg.fresh_url("takeover")));
    println!(
        "take-overs, kill -9 of the leader to the first command the next acknowledged \
         (lease 3,000 ms, renewed every 1,000, polled every 250): {takeovers:?} ms"
    );
    let worst = takeovers.iter().max().copied().unwrap_or_default();
    println!(
        "postgres durable_intakes_per_s={durable:.0} raw_pg_per_s={raw:.0} ratio={:.2} \
         takeover_ms={worst}",
        durable / raw
    );
}
