//! `cargo bench --bench intake`
//!
//! The figure that counts: durable intakes per second through the queue
//! service (engine, store writer thread, group commit, ack after commit),
//! against a baseline measured in the same run: raw rusqlite writing the
//! same rows per intake (idempotency row, two transfer rows, item row, event
//! row) with the same pragmas and the same batch size. The in-memory engine's
//! intake + start + finish cycles per second are printed for information
//! only: it has no target.
//!
//! Ends with: `durable_intakes_per_s=D raw_sqlite_per_s=R ratio=D/R`

use std::time::{Duration, Instant};

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use cuedeck::service::QueueService;
use cuedeck::store::{Store, StoreOptions};
use rusqlite::{Connection, params};

#[path = "support/intake_rows.rs"]
mod intake_rows;
use intake_rows::*;

// The allocator the binary uses (src/main.rs), so the figures are its.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ENGINE_CYCLES: usize = 200_000;
/// Runs of the engine measurement; the median is reported.
const ENGINE_RUNS: usize = 3;
/// One run first, not counted: the process's first engine pays the kernel's
/// page faults for the heap it grows into. Printed.
const ENGINE_WARMUP_RUNS: usize = 1;
const CHUNK: usize = 1_000;
const DURABLE_INTAKES: usize = 30_000;
const PIPELINE: usize = 1024;

/// Intake + start + finish, all in memory.
fn engine_cycles_per_s() -> Vec<f64> {
    let performer = Actor::new(Role::Performer, PERFORMER);
    let start = Request::new(Command::Start {
        room: ROOM.into(),
        item: None,
        by: performer.clone(),
    });
    let finish = Request::new(Command::Finish {
        room: ROOM.into(),
        item: None,
        by: performer,
    });
    (0..ENGINE_WARMUP_RUNS + ENGINE_RUNS)
        .map(|_| {
            let mut engine = Engine::new(EngineConfig::default());
            for c in setup_commands() {
                engine.execute(Stamp(0), &c).unwrap();
            }
            // Requests are built in small untimed chunks, so each is fresh in
            // cache when executed, as one just parsed by the server would be.
            // Outcomes are handed on, as the server's core hands them to the
            // writer thread, which stores and drops them; so is each request.
            let mut elapsed = Duration::ZERO;
            let mut outcomes = Vec::with_capacity(3 * CHUNK);
            for chunk in 0..ENGINE_CYCLES / CHUNK {
                let intakes: Vec<Request> =
                    (chunk * CHUNK..(chunk + 1) * CHUNK).map(intake).collect();
                let began = Instant::now();
                for (n, request) in (chunk * CHUNK..).zip(&intakes) {
                    let now = Stamp(n as i64);
                    outcomes.push(engine.execute(now, request).unwrap());
                    outcomes.push(engine.execute(now, &start).unwrap());
                    outcomes.push(engine.execute(now, &finish).unwrap());
                }
                elapsed += began.elapsed();
                std::hint::black_box(&outcomes);
                outcomes.clear();
            }
            engine.check_invariants().unwrap();
            ENGINE_CYCLES as f64 / elapsed.as_secs_f64()
        })
        .collect()
}

/// Where the timed intakes stand against the engine's retention window.
#[derive(Clone, Copy, PartialEq)]
enum Window {
    /// Everything inside it: the engine alone recognises source events.
    Inside,
    /// A day later, items forgotten: each new intake asks the store.
    Past,
}

/// Durable intakes through the service, pipelined, per second.
fn durable_intakes_per_s(options: StoreOptions, window: Window) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let mut service = QueueService::open(&path, options).unwrap();
    for c in setup_commands() {
        service.execute(Stamp(0), c).unwrap().wait().unwrap();
    }
    let mut start = Stamp(1);
    if window == Window::Past {
        let yesterday =
            Request::new(PayloadBuilder::new(PERFORMER, "user-0", "yesterday", 10).queued(ROOM));
        service.execute(start, yesterday).unwrap().wait().unwrap();
        start = Stamp::from_secs(86_400 + 1);
    }
    let rate = pipelined_intakes_per_s(&mut service, start, DURABLE_INTAKES, PIPELINE);
    assert_eq!(service.engine().forgot_any(), window == Window::Past);
    service.engine().check_invariants().unwrap();
    service.close();
    rate
}

/// Raw rusqlite: the same tables, pragmas and batch size, rows pre-rendered.
fn raw_sqlite_per_s(options: StoreOptions) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.db");
    let (store, _) = Store::open(&path, options).unwrap(); // creates the schema
    store.close();
    let mut conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    let rows = sample_rows();
    let began = Instant::now();
    let mut n = 0usize;
    while n < DURABLE_INTAKES {
        let tx = conn.transaction().unwrap();
        {
            let mut command = tx
                .prepare_cached("INSERT INTO commands (at, kind, room, idem_key, body, reply) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .unwrap();
            let mut posting = tx
                .prepare_cached(
                    "INSERT INTO postings (command_id, transfer_no, account, unit, amount, kind, item, idem_key)
                     VALUES (?1, 0, ?2, 'tokens', ?3, 'hold', ?4, ?5)",
                )
                .unwrap();
            let mut item = tx
                .prepare_cached(
                    "INSERT INTO items (id, room, user_id, state, token_cost, settled, view, updated_at)
                     VALUES (?1, ?2, ?3, 'queued', 10, 0, ?4, ?5)",
                )
                .unwrap();
            let mut event = tx
                .prepare_cached("INSERT INTO events (room, seq, at, type, body, command_id) VALUES (?1, ?2, ?3, 'item_queued', ?4, ?5)")
                .unwrap();
            for _ in 0..options.max_batch.min(DURABLE_INTAKES - n) {
                let key = format!("key-{n}");
                let user = format!("wallet:user-{}", n % USERS);
                command
                    .execute(params![
                        n as i64, "intake", ROOM, key, rows.body, rows.reply
                    ])
                    .unwrap();
                let id = tx.last_insert_rowid();
                posting
                    .execute(params![id, user, -10, n as i64 + 1, key])
                    .unwrap();
                posting
                    .execute(params![
                        id,
                        format!("escrow:{}", n + 1),
                        10,
                        n as i64 + 1,
                        key
                    ])
                    .unwrap();
                item.execute(params![n as i64 + 1, ROOM, user, rows.view, n as i64])
                    .unwrap();
                event
                    .execute(params![ROOM, n as i64 + 1, n as i64, rows.event, id])
                    .unwrap();
                n += 1;
            }
        }
        tx.commit().unwrap();
    }
    DURABLE_INTAKES as f64 / began.elapsed().as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let options = StoreOptions::default();
    let mut runs = engine_cycles_per_s();
    let warmup: Vec<f64> = runs.drain(..ENGINE_WARMUP_RUNS).collect();
    let (slowest, fastest) = runs
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    let engine = median(runs);
    println!(
        "engine, for information only: {engine:.0} intake+start+finish cycles/s \
         ({ENGINE_CYCLES} cycles, median of {ENGINE_RUNS} runs; slowest {slowest:.0}, \
         fastest {fastest:.0}; warm-up, not counted: {warmup:.0?})"
    );
    if std::env::var_os("CUEDECK_BENCH_ENGINE_ONLY").is_some() {
        return;
    }
    // Interleave the two durable measurements so disk noise hits both alike.
    let mut durable = Vec::new();
    let mut past = Vec::new();
    let mut raw = Vec::new();
    for _ in 0..3 {
        durable.push(durable_intakes_per_s(options, Window::Inside));
        past.push(durable_intakes_per_s(options, Window::Past));
        raw.push(raw_sqlite_per_s(options));
        std::thread::sleep(Duration::from_millis(100));
    }
    let (durable, past, raw) = (median(durable), median(past), median(raw));
    println!(
        "durable a day on, older items forgotten (each new intake asks the store about its \
         source event): {past:.0} intakes/s, ratio {:.2}",
        past / raw
    );
    println!(
        "durable: {durable:.0} intakes/s, raw rusqlite: {raw:.0} rows-of-an-intake/s \
         ({DURABLE_INTAKES} intakes, synchronous=FULL, WAL, batches of up to {})",
        options.max_batch
    );
    println!(
        "durable_intakes_per_s={durable:.0} raw_sqlite_per_s={raw:.0} ratio={:.2}",
        durable / raw
    );
}
