//! `cargo bench --bench growth`
//!
//! What a long-running server does to the engine, in two figures:
//! - growth: a viewer's offer and purchase (the checks and the intake of one
//!   core turn) when the UTC day already holds 1,000 and then 100,000 menu
//!   purchases of daily-limited items; the ratio of the two latencies
//!   (the worse of offer and purchase) should stay near 1 (target <= 1.3).
//! - soak: the engine's live heap over a simulated month on an injected
//!   clock, at the end of day 2 and of day 30, with items taken, performed
//!   and closed every day; the ratio should stay near 1 (target <= 1.2).
//!
//! Live bytes come from a counting allocator in this binary only.
//!
//! Ends with:
//! `growth items=100000 offer_us=O purchase_us=P ratio_vs_1000=R`
//! `soak days=30 items=N live_bytes_day2=A live_bytes_day30=B ratio=B/A`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use cuedeck::domain::Checked;
use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::time::DAY_US;
use cuedeck::domain::*;
use cuedeck::menus::model::StoredMenu;
use cuedeck::menus::rules::{Purchase, offer};
use cuedeck::menus::{QueueMode, templates};

/// The system allocator, counting the bytes it holds.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call forwards to the system allocator with the same
// arguments; the counter only adds and subtracts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ROOM: &str = "bench";
const PERFORMER: &str = "perf";
const VIEWER: &str = "viewer";
/// Buyers who fill the day; each has a wallet that lasts the run.
const BUYERS: usize = 2_000;
/// 2027-01-15T00:00:00Z.
const DAY0: i64 = 1_799_971_200_000_000;
const OFFERS: usize = 2_000;
const PURCHASES: usize = 500;
const ROUNDS: usize = 5;

fn exec(engine: &mut Engine, at: Stamp, command: impl Into<Request>) -> Outcome {
    engine.execute(at, &command.into()).expect("accepted")
}

fn live_room(engine: &mut Engine) {
    let t = Stamp(DAY0);
    exec(
        engine,
        t,
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
    );
    exec(engine, t, Command::BroadcastStart { room: ROOM.into() });
    for user in (0..BUYERS).map(buyer).chain([VIEWER.to_string()]) {
        exec(
            engine,
            t,
            Command::Mint {
                user: user.as_str().into(),
                amount: 1 << 40,
            },
        );
    }
}

fn buyer(n: usize) -> String {
    format!("buyer-{n}")
}

/// A shipped menu template, sold instantly, every item limited per day.
fn menu() -> Arc<StoredMenu> {
    let mut spec = templates().into_iter().next().expect("a template");
    spec.queue_mode = QueueMode::Off;
    for (i, item) in spec.items.iter_mut().enumerate() {
        item.id = Some(format!("m1-{}", i + 1));
        item.daily_limit = Some(1_000_000);
        item.hidden = false;
    }
    Arc::new(StoredMenu {
        id: "m1".into(),
        room: ROOM.into(),
        version: 1,
        next_item: 100,
        updated_at: Stamp(DAY0),
        updated_by: "performer:bench".into(),
        spec,
    })
}

fn item_ids(menu: &StoredMenu) -> Vec<String> {
    menu.spec
        .items
        .iter()
        .filter(|i| i.price(menu.spec.multiplier) > 0)
        .filter_map(|i| i.id.clone())
        .collect()
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// Offer and purchase latency, in microseconds, when today already holds
/// `items` menu purchases.
fn growth(items: usize) -> (f64, f64) {
    let menu = menu();
    let ids = item_ids(&menu);
    let mut engine = Engine::new(EngineConfig::default());
    live_room(&mut engine);
    let step = (DAY_US / 4) / items as i64;
    for n in 0..items {
        let at = Stamp(DAY0 + n as i64 * step);
        let payload = PayloadBuilder::new(PERFORMER, &buyer(n % BUYERS), &format!("fill-{n}"), 10)
            .menu_item(&ids[n % ids.len()]);
        exec(&mut engine, at, payload.instant(ROOM));
    }
    let now = Stamp(DAY0 + DAY_US / 2);
    let user = UserId::from(VIEWER);
    let menus = [menu.clone()];
    let mut offers = Vec::new();
    let mut purchases = Vec::new();
    let mut next_key = 0usize;
    for _ in 0..ROUNDS {
        let began = Instant::now();
        for _ in 0..OFFERS {
            let offered = offer(&engine, now, &ROOM.into(), Some(&user), false, &menus);
            std::hint::black_box(offered);
        }
        offers.push(began.elapsed().as_secs_f64() * 1e6 / OFFERS as f64);

        let began = Instant::now();
        for n in 0..PURCHASES {
            next_key += 1;
            let purchase = Purchase {
                room: ROOM.into(),
                user: user.clone(),
                key: IdemKey::new(format!("buy-{next_key}").as_str()),
                menu_id: menu.id.clone(),
                item_id: ids[n % ids.len()].clone(),
                menu: Some(menu.clone()),
                subscriber: false,
                seen_version: None,
                display_name: None,
                pay_with: cuedeck::menus::api::PayWith::Tokens,
            };
            match purchase.prepare(&engine, now) {
                Ok(Checked::Execute(request)) => {
                    std::hint::black_box(engine.execute(now, &request).expect("bought"));
                }
                Ok(Checked::Answer(_)) => {
                    panic!("a menu purchase is a plain command")
                }
                Err(err) => panic!("purchase refused: {err:?}"),
            }
        }
        purchases.push(began.elapsed().as_secs_f64() * 1e6 / PURCHASES as f64);
    }
    engine.check_invariants().expect("invariants");
    (median(offers), median(purchases))
}

/// What the soak saw: live bytes at the end of each day, items closed.
struct Soak {
    live_by_day: Vec<isize>,
    closed: usize,
}

/// The engine's live bytes at the end of every day, and how many items
/// closed in all.
fn soak(days: i64, per_day: usize) -> Soak {
    let menu = menu();
    let ids = item_ids(&menu);
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
    let before = LIVE.load(Ordering::Relaxed);
    let mut engine = Engine::new(EngineConfig::default());
    live_room(&mut engine);
    let step = DAY_US / per_day as i64;
    let (mut live_by_day, mut closed, mut n) = (Vec::new(), 0, 0usize);
    for day in 0..days {
        for i in 0..per_day {
            let at = Stamp(DAY0 + day * DAY_US + i as i64 * step);
            let payload = PayloadBuilder::new(PERFORMER, &buyer(n % BUYERS), &format!("k{n}"), 10)
                .menu_item(&ids[n % ids.len()]);
            n += 1;
            // Every fourth item waits in the queue and is performed; the
            // rest settle at once. Outcomes go, as the store would take them.
            if i % 4 == 0 {
                drop(exec(&mut engine, at, payload.queued(ROOM)));
                drop(engine.execute(at, &start).expect("started"));
                drop(engine.execute(at, &finish).expect("finished"));
            } else {
                drop(exec(&mut engine, at, payload.instant(ROOM)));
            }
            closed += 1;
        }
        live_by_day.push(LIVE.load(Ordering::Relaxed) - before);
    }
    engine.check_invariants().expect("invariants");
    Soak {
        live_by_day,
        closed,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    // One run first, not counted: the process's first engine pays for a
    // cold heap and cold caches, which a running server has long paid.
    let warmup = growth(1_000);
    println!(
        "growth warm-up, not counted: offer_us={:.2} purchase_us={:.2}",
        warmup.0, warmup.1
    );
    let (offer_small, purchase_small) = growth(1_000);
    println!("growth items=1000 offer_us={offer_small:.2} purchase_us={purchase_small:.2}");
    let (offer_large, purchase_large) = growth(100_000);
    let ratio = (offer_large / offer_small).max(purchase_large / purchase_small);
    println!(
        "growth items=100000 offer_us={offer_large:.2} purchase_us={purchase_large:.2} ratio_vs_1000={ratio:.2}"
    );

    let days = 30;
    let soaked = soak(days, 70_000);
    let live = &soaked.live_by_day;
    let (day2, day30) = (live[1], live[live.len() - 1]);
    let steady = &live[1..];
    println!(
        "soak live bytes at the end of days 2-30: min={} max={}",
        steady.iter().min().expect("days"),
        steady.iter().max().expect("days")
    );
    println!(
        "soak days={days} items={} live_bytes_day2={day2} live_bytes_day30={day30} ratio={:.2}",
        soaked.closed,
        day30 as f64 / day2 as f64
    );
}
