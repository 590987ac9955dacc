//! `cargo bench --bench report`
//!
//! The report of one 20,000-item broadcast on a database that already
//! holds 2,000,000 items of other broadcasts and rooms, against the same
//! report on a database holding only that broadcast. The rows are written
//! straight through the store (`store::BulkBroadcasts`, one transaction per
//! broadcast) so the history takes seconds, not hours of HTTP; what is
//! timed is what the server does for `GET .../broadcasts/{id}/report`:
//! read the broadcast's rows in one transaction, compute the report and
//! serialize it. Median of several runs on a warm connection:
//!
//! `report broadcast_items=20000 history_items=2000000 report_ms=.. ratio_vs_empty_history=..`
//! (targets: report_ms <= 200, ratio <= 1.3)

use std::path::Path;
use std::time::Instant;

use cuedeck::domain::{RoomId, Stamp};
use cuedeck::report::{ItemRow, compute};
use cuedeck::store::{BroadcastDb, BulkBroadcasts};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BROADCAST_ITEMS: u64 = 20_000;
const HISTORY_ITEMS: u64 = 2_000_000;
const ROOMS: u64 = 10;
const RUNS: usize = 9;
/// 2030-01-01 20:00 UTC.
const T0: i64 = 1_893_528_000_000_000;
const STATES: [&str; 4] = ["finished", "finished", "refunded", "queued"];
const REASONS: [&str; 5] = ["goodwill", "dispute", "system_auto", "moderation", "other"];

/// A broadcast's items: first id `first`, spread over four hours.
fn rows(first: u64, count: u64, seed: u64) -> Vec<ItemRow> {
    (0..count)
        .map(|n| {
            let id = first + n;
            let mix = n.wrapping_mul(2_654_435_761).wrapping_add(seed);
            let state = STATES[(mix % 4) as usize];
            let cost = 5 + mix % 200;
            let (settled, refunded) = match state {
                "finished" => (cost, 0),
                "refunded" => (cost / 3, cost - cost / 3),
                _ => (0, 0),
            };
            ItemRow {
                item: id,
                user: format!("user-{}", mix % 500),
                source: if mix % 7 == 0 {
                    "spin_wheel"
                } else {
                    "chip_menu"
                }
                .into(),
                title: format!("Menu item {}", mix % 40),
                state: state.into(),
                token_cost: cost,
                settled,
                refunded,
                refund_reason: (state == "refunded").then(|| REASONS[(mix % 5) as usize].into()),
                closed_at: (state != "queued").then(|| Stamp(T0 + (n as i64) * 720_000)),
                points: mix % 3,
                spin: None,
                tip: None,
            }
        })
        .collect()
}

/// Fill a database: `history` items in broadcasts of `BROADCAST_ITEMS`
/// across `ROOMS` rooms, the measured broadcast in the middle. Its id.
fn fill(path: &Path, history: u64) -> i64 {
    let mut bulk = BulkBroadcasts::open(path).expect("a database");
    let broadcasts = history / BROADCAST_ITEMS;
    let mut next_id = 1;
    let mut measured = None;
    for b in 0..=broadcasts {
        let is_measured = b == broadcasts / 2;
        let room = if is_measured {
            RoomId::new("measured")
        } else {
            RoomId::new(format!("room-{}", b % ROOMS).as_str())
        };
        let start = Stamp(T0 + b as i64 * 5 * 3_600_000_000);
        // The measured broadcast's rows are the same in both databases.
        let seed = if is_measured { 0 } else { b + 1 };
        let items = rows(next_id, BROADCAST_ITEMS, seed);
        next_id += BROADCAST_ITEMS;
        let id = bulk
            .write(
                &room,
                start,
                Some(Stamp(start.0 + 4 * 3_600_000_000)),
                &items,
            )
            .expect("rows written");
        if is_measured {
            measured = Some(id);
        }
    }
    measured.expect("the measured broadcast")
}

/// Median milliseconds of the report of `id`, after one warm-up run.
fn time_report(path: &Path, id: i64) -> (f64, u64) {
    let db = BroadcastDb::open(&path.into()).expect("a reader");
    let room = RoomId::new("measured");
    let mut runs = Vec::with_capacity(RUNS);
    let mut earned = 0;
    for run in 0..=RUNS {
        let began = Instant::now();
        let (broadcast, rows) = db.report_rows(&room, id).unwrap().expect("the broadcast");
        let report = compute(broadcast, &rows, Stamp(T0));
        let json = serde_json::to_vec(&report).unwrap();
        let ms = began.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(report.totals.items, BROADCAST_ITEMS);
        assert!(json.len() > 1000);
        earned = report.totals.earned;
        if run > 0 {
            runs.push(ms);
        }
    }
    runs.sort_by(f64::total_cmp);
    (runs[RUNS / 2], earned)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let alone = dir.path().join("alone.db");
    let full = dir.path().join("full.db");
    let began = Instant::now();
    let alone_id = fill(&alone, 0);
    let full_id = fill(&full, HISTORY_ITEMS);
    eprintln!(
        "filled {} history items in {:.1} s",
        HISTORY_ITEMS,
        began.elapsed().as_secs_f64()
    );
    let (alone_ms, alone_earned) = time_report(&alone, alone_id);
    let (full_ms, full_earned) = time_report(&full, full_id);
    assert_eq!(
        alone_earned, full_earned,
        "the same broadcast, the same report"
    );
    println!(
        "report broadcast_items={BROADCAST_ITEMS} history_items={HISTORY_ITEMS} report_ms={full_ms:.1} ratio_vs_empty_history={:.2}",
        full_ms / alone_ms
    );
}
