//! The overlays' copy of the lane against the engine's own lane: random
//! tips and lane commands, each event fed to the copy, and after every
//! step the copy's view equals the view of a fresh snapshot, whether the
//! copy started from the first snapshot or from one that arrived late.

use proptest::prelude::*;

use super::*;
use crate::domain::tips::{TipAsk, TipLevels, tip_command};
use crate::domain::{
    Actor, Command, Engine, EngineConfig, IdemKey, PerformerId, Request, Role, RoomId, UserId,
};
use crate::protocol::LaneTip;

const T0: i64 = 1_800_000_000_000_000;
const USERS: [&str; 3] = ["u-secret-0", "u-secret-1", "u-secret-2"];
const NAMES: [Option<&str>; 3] = [Some("Alice"), None, Some("Carol")];

/// The shipped five-level ladder.
fn ladder() -> TipLevels {
    toml::from_str(include_str!("../../config/tips/classic.toml")).expect("the template parses")
}

#[derive(Debug, Clone)]
enum Op {
    Tip { user: usize, amount: u64 },
    Take,
    Done,
    Skip { pick: u64 },
    Clear,
    Pause,
    Resume,
    Release,
    Wait { ms: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, prop_oneof![Just(5u64), Just(20), Just(60)])
            .prop_map(|(user, amount)| Op::Tip { user, amount }),
        2 => Just(Op::Take),
        2 => Just(Op::Done),
        1 => (0..12u64).prop_map(|pick| Op::Skip { pick }),
        1 => Just(Op::Clear),
        1 => Just(Op::Pause),
        1 => Just(Op::Resume),
        1 => Just(Op::Release),
        2 => (1..4_000i64).prop_map(|ms| Op::Wait { ms }),
    ]
}

fn snapshot_of(engine: &Engine) -> (LaneSnapshot, u64) {
    let view = engine.room_view(&"r".into()).unwrap();
    let tip = |item, remaining_ms, started_at| {
        engine.item(item).map(|i| LaneTip {
            item: i.view.clone(),
            remaining_ms,
            started_at,
        })
    };
    let lane = LaneSnapshot {
        paused: view.lane.paused,
        running: view
            .lane
            .running
            .and_then(|r| tip(r.item, r.remaining_ms, Some(r.started_at))),
        waiting: view
            .lane
            .waiting
            .iter()
            .filter_map(|e| tip(e.item, e.remaining_ms, None))
            .collect(),
    };
    (lane, view.last_seq)
}

fn command(op: &Op, now: Stamp, n: usize) -> Option<Command> {
    let room: RoomId = "r".into();
    let by = Actor::new(Role::Performer, "p");
    Some(match *op {
        Op::Tip { user, amount } => {
            let key = IdemKey::new(format!("tip-{n}"));
            let created = now.to_string();
            let ask = TipAsk {
                performer: &PerformerId::new("p"),
                user: &UserId::new(USERS[user]),
                amount,
                key: &key,
                source_event_id: None,
                display_name: NAMES[user],
                created_at: &created,
            };
            tip_command(&room, &ask, &ladder())
        }
        Op::Take => Command::LaneTake {
            room,
            item: None,
            by,
        },
        Op::Done => Command::LaneDone {
            room,
            item: None,
            by,
        },
        Op::Skip { pick } => Command::LaneSkip {
            room,
            item: crate::domain::ItemId(pick + 1),
            by,
        },
        Op::Clear => Command::LaneClear { room, by },
        Op::Pause => Command::LanePause { room, by },
        Op::Resume => Command::LaneResume { room, by },
        Op::Release => Command::LaneRelease {
            room,
            item: None,
            by,
            ran_ms: None,
        },
        Op::Wait { .. } => return None,
    })
}

fn engine() -> Engine {
    let mut engine = Engine::new(EngineConfig::default());
    for command in [
        Command::CreateRoom {
            room: "r".into(),
            performer: "p".into(),
        },
        Command::BroadcastStart { room: "r".into() },
    ]
    .into_iter()
    .chain(USERS.iter().map(|u| Command::Mint {
        user: UserId::new(*u),
        amount: 10_000,
    })) {
        engine.execute(Stamp(T0), &Request::new(command)).unwrap();
    }
    engine
}

fn fresh(engine: &Engine) -> LaneFollow {
    let (lane, seq) = snapshot_of(engine);
    let mut copy = LaneFollow::default();
    copy.on_snapshot(&lane, seq);
    copy
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_copy_follows_the_engine(
        ops in proptest::collection::vec(op(), 1..60),
        late in 0..60usize,
    ) {
        let mut engine = engine();
        let mut now = Stamp(T0);
        let mut copy = fresh(&engine);
        // A second copy whose snapshot is taken at step `late` but arrives
        // only after the events that followed it.
        let mut late_copy = LaneFollow::default();
        let mut late_snapshot = None;
        for (n, op) in ops.iter().enumerate() {
            if n == late {
                late_snapshot = Some(snapshot_of(&engine));
            }
            if let Op::Wait { ms } = op {
                now = Stamp(now.0 + ms * 1000);
            }
            let Some(command) = command(op, now, n) else { continue };
            let Ok(outcome) = engine.execute(now, &Request::new(command)) else { continue };
            for event in &outcome.events {
                prop_assert_ne!(copy.on_event(event), LaneHeard::Gap, "{:?}", event);
                late_copy.on_event(event);
            }
            let want = fresh(&engine).view(true, now, 20);
            prop_assert_eq!(copy.view(true, now, 20), want.clone(), "after {:?}", op);
            if let Some((lane, seq)) = late_snapshot.take() {
                late_copy.on_snapshot(&lane, seq);
            }
            if late_copy.seq.is_some() {
                prop_assert_eq!(late_copy.view(true, now, 20), want, "late, after {:?}", op);
            }
        }
    }
}

#[test]
fn the_view_counts_down_and_shows_names_only() {
    let mut engine = engine();
    let now = Stamp(T0);
    let mut copy = fresh(&engine);
    for (n, op) in [
        Op::Tip {
            user: 0,
            amount: 60,
        },
        Op::Tip {
            user: 1,
            amount: 20,
        },
        Op::Take,
    ]
    .iter()
    .enumerate()
    {
        let outcome = engine
            .execute(now, &Request::new(command(op, now, n).unwrap()))
            .unwrap();
        for event in &outcome.events {
            copy.on_event(event);
        }
    }
    let view = copy.view(true, Stamp(now.0 + 2_500_000), 20);
    let running = view.running.clone().unwrap();
    assert_eq!(
        (running.name.as_str(), running.label.as_str()),
        ("Alice", "very high")
    );
    assert_eq!((running.duration_ms, running.remaining_ms), (10_000, 7_500));
    assert_eq!(view.next.len(), 1);
    assert_eq!(
        (view.next[0].position, view.next[0].name.as_str()),
        (2, "a viewer")
    );
    let text = serde_json::to_string(&view).unwrap();
    assert!(!text.contains("u-secret"), "{text}");
    // Past its end the countdown stays at zero until the console reports it.
    let over = copy.view(true, Stamp(now.0 + 60_000_000), 20);
    assert_eq!(over.running.unwrap().remaining_ms, 0);
    // Offline: nothing at all.
    assert_eq!(copy.view(false, now, 20).running, None);
}

#[test]
fn a_start_of_an_unknown_tip_asks_for_a_snapshot() {
    let mut engine = engine();
    let now = Stamp(T0);
    let mut copy = fresh(&engine);
    let tip = engine
        .execute(
            now,
            &Request::new(
                command(
                    &Op::Tip {
                        user: 0,
                        amount: 20,
                    },
                    now,
                    0,
                )
                .unwrap(),
            ),
        )
        .unwrap();
    let _ = tip; // the copy never hears of it
    let take = engine
        .execute(now, &Request::new(command(&Op::Take, now, 1).unwrap()))
        .unwrap();
    let heard: Vec<LaneHeard> = take.events.iter().map(|e| copy.on_event(e)).collect();
    assert!(heard.contains(&LaneHeard::Gap), "{heard:?}");
}
