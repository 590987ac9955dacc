//! The toy lane against a plain model: random tips, takes, dones, skips,
//! clears, pauses, cut runs, lost consoles, broadcast ends and bans. After
//! every step: the same decisions, the same lane order, the same wallets,
//! money conserved, each tip closed once, never two running.

use std::collections::HashMap;

use cuedeck::domain::tips::{Intensity, TipAsk, TipLevel, TipLevels, tip_command};
use cuedeck::domain::*;
use cuedeck::protocol::ErrorCode;
use proptest::prelude::*;

const ROOM: &str = "room";
const PERFORMER: &str = "perf";
const USERS: [&str; 3] = ["u0", "u1", "u2"];
const START_BALANCE: u64 = 400;
const LEAVE_GRACE_US: i64 = 60_000_000;
const OFFLINE_GRACE_US: i64 = 300_000_000;

fn ladder() -> TipLevels {
    let level = |label: &str, min, max, seconds| TipLevel {
        label: Arc::from(label),
        min,
        max,
        intensity: Intensity::All(10),
        duration_s: seconds,
        pattern: None,
    };
    TipLevels {
        levels: vec![level("low", 10, Some(49), 3), level("high", 50, None, 7)],
        specials: vec![],
    }
}
use std::sync::Arc;

fn seconds_for(amount: u64) -> Option<u64> {
    match amount {
        0..=9 => None,
        10..=49 => Some(3),
        _ => Some(7),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Tip {
        user: usize,
        amount: u64,
        key: u8,
        advance_ms: u64,
    },
    Take,
    Done,
    Skip {
        pick: u64,
    },
    Clear,
    Pause,
    Resume,
    Release,
    ConsoleGone,
    Tick {
        advance_ms: u64,
    },
    BroadcastEnd,
    BroadcastStart,
    Ban {
        user: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0..3usize, 1..120u64, 0..24u8, 0..3_000u64)
            .prop_map(|(user, amount, key, advance_ms)| Op::Tip { user, amount, key, advance_ms }),
        4 => Just(Op::Take),
        3 => Just(Op::Done),
        2 => (0..24u64).prop_map(|pick| Op::Skip { pick }),
        1 => Just(Op::Clear),
        2 => Just(Op::Pause),
        2 => Just(Op::Resume),
        2 => Just(Op::Release),
        2 => Just(Op::ConsoleGone),
        3 => prop_oneof![0..8_000u64, 50_000..400_000u64].prop_map(|advance_ms| Op::Tick { advance_ms }),
        1 => Just(Op::BroadcastEnd),
        1 => Just(Op::BroadcastStart),
        1 => (0..3usize).prop_map(|user| Op::Ban { user }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tip {
    Waiting,
    Running,
    Settled,
    Refunded,
}

#[derive(Debug, Clone, Copy)]
struct Run {
    item: usize,
    started: i64,
    remaining: u64,
}

/// The rules again, plainly: a list for the lane, a vector of tips.
#[derive(Debug, Default)]
struct Model {
    now: i64,
    live: bool,
    offline_until: Option<i64>,
    wallets: [u64; 3],
    earned: u64,
    /// (user, cost, state, remaining ms) by item index (item id - 1).
    tips: Vec<(usize, u64, Tip, u64)>,
    lane: Vec<usize>,
    running: Option<Run>,
    paused: bool,
    /// (returns at, remaining ms, run started at)
    orphan: Option<(i64, u64, i64)>,
    banned: [bool; 3],
    keys: HashMap<u8, ((usize, u64), Reply)>,
}

fn left(run: &Run, now: i64) -> u64 {
    let ran = ((now - run.started).max(0) / 1000) as u64;
    run.remaining.saturating_sub(ran).max(1_000)
}

impl Model {
    fn id(i: usize) -> ItemId {
        ItemId(i as u64 + 1)
    }

    fn refund(&mut self, i: usize) {
        let (user, cost, state, _) = self.tips[i];
        assert!(matches!(state, Tip::Waiting | Tip::Running));
        self.wallets[user] += cost;
        self.tips[i].2 = Tip::Refunded;
        self.lane.retain(|&w| w != i);
        if self.running.is_some_and(|r| r.item == i) {
            self.running = None;
            self.orphan = None;
        }
    }

    /// What a cut run keeps: what was left when its console went, if it
    /// went (the time since is not run time), else what is left now.
    fn cut_left(&self, run: &Run) -> u64 {
        self.orphan.map_or_else(|| left(run, self.now), |o| o.1)
    }

    /// The running tip back at the head (the orphan's deadline, if any,
    /// no longer stands).
    fn return_running(&mut self, remaining: u64) {
        let run = self.running.take().expect("running");
        self.orphan = None;
        self.tips[run.item].2 = Tip::Waiting;
        self.tips[run.item].3 = remaining;
        self.lane.insert(0, run.item);
    }

    fn apply(&mut self, op: &Op) -> Result<Reply, ErrorCode> {
        match *op {
            Op::Tip {
                user,
                amount,
                key,
                advance_ms,
            } => {
                self.now += advance_ms as i64 * 1000;
                if let Some((fields, reply)) = self.keys.get(&key) {
                    return if *fields == (user, amount) {
                        Ok(reply.clone())
                    } else {
                        Err(ErrorCode::IdempotencyConflict)
                    };
                }
                if self.banned[user] {
                    return Err(ErrorCode::Banned);
                }
                if !self.live {
                    return Err(ErrorCode::NotLive);
                }
                if self.wallets[user] < amount {
                    return Err(ErrorCode::InsufficientFunds);
                }
                self.wallets[user] -= amount;
                let i = self.tips.len();
                let reply = match seconds_for(amount) {
                    Some(seconds) => {
                        self.tips.push((user, amount, Tip::Waiting, seconds * 1000));
                        self.lane.push(i);
                        let position =
                            (self.lane.len() + usize::from(self.running.is_some())) as u32;
                        Reply::TipQueued {
                            item: Self::id(i),
                            position,
                        }
                    }
                    None => {
                        self.tips.push((user, amount, Tip::Settled, 0));
                        self.earned += amount;
                        Reply::Settled { item: Self::id(i) }
                    }
                };
                self.keys.insert(key, ((user, amount), reply.clone()));
                Ok(reply)
            }
            Op::Take => {
                if !self.live {
                    return Err(ErrorCode::NotLive);
                }
                if self.paused {
                    return Err(ErrorCode::LanePaused);
                }
                if self.running.is_some() {
                    return Err(ErrorCode::Busy);
                }
                if self.lane.is_empty() {
                    return Err(ErrorCode::QueueEmpty);
                }
                let i = self.lane.remove(0);
                self.tips[i].2 = Tip::Running;
                let remaining = self.tips[i].3;
                self.running = Some(Run {
                    item: i,
                    started: self.now,
                    remaining,
                });
                Ok(Reply::LaneStarted {
                    item: Self::id(i),
                    remaining_ms: remaining,
                })
            }
            Op::Done => {
                let Some(run) = self.running.take() else {
                    return Err(ErrorCode::NothingInProgress);
                };
                self.orphan = None;
                let cost = self.tips[run.item].1;
                self.tips[run.item].2 = Tip::Settled;
                self.earned += cost;
                Ok(Reply::Finished {
                    item: Self::id(run.item),
                    settled: cost,
                })
            }
            Op::Skip { pick } => {
                let i = pick as usize;
                let Some(&(_, cost, state, _)) = self.tips.get(i) else {
                    return Err(ErrorCode::UnknownItem);
                };
                match state {
                    Tip::Settled | Tip::Refunded => Err(ErrorCode::ItemClosed),
                    _ => {
                        self.refund(i);
                        Ok(Reply::Refunded {
                            item: Self::id(i),
                            amount: cost,
                            settled: 0,
                        })
                    }
                }
            }
            Op::Clear => {
                let mut all: Vec<usize> = self.running.map(|r| r.item).into_iter().collect();
                all.extend(self.lane.iter().copied());
                for &i in &all {
                    self.refund(i);
                }
                Ok(Reply::LaneCleared {
                    room: ROOM.into(),
                    refunded: all.len() as u32,
                })
            }
            Op::Pause => {
                if self.paused {
                    return Err(ErrorCode::LanePaused);
                }
                self.paused = true;
                if let Some(run) = self.running {
                    self.return_running(self.cut_left(&run));
                }
                Ok(Reply::LanePaused { room: ROOM.into() })
            }
            Op::Resume => {
                if !self.paused {
                    return Err(ErrorCode::LaneNotPaused);
                }
                self.paused = false;
                Ok(Reply::LaneResumed { room: ROOM.into() })
            }
            Op::Release => {
                let Some(run) = self.running else {
                    return Err(ErrorCode::NothingInProgress);
                };
                let remaining = self.cut_left(&run);
                self.return_running(remaining);
                Ok(Reply::LaneReturned {
                    item: Self::id(run.item),
                    remaining_ms: remaining,
                })
            }
            Op::ConsoleGone => {
                if let Some(run) = self.running
                    && self.orphan.is_none()
                {
                    self.orphan =
                        Some((self.now + LEAVE_GRACE_US, left(&run, self.now), run.started));
                }
                Ok(Reply::LaneNoted { room: ROOM.into() })
            }
            Op::Tick { advance_ms } => {
                self.now += advance_ms as i64 * 1000;
                // Deadlines fall due in the order of their stamps; at the
                // same stamp the broadcast's comes first.
                let orphan = self.orphan.filter(|o| o.0 <= self.now);
                let offline = self.offline_until.filter(|t| *t <= self.now);
                let orphan_first = match (orphan, offline) {
                    (Some(o), Some(t)) => o.0 < t,
                    _ => true,
                };
                let mut refunded = 0;
                for step in if orphan_first { [0, 1] } else { [1, 0] } {
                    match step {
                        0 => {
                            if let Some((_, remaining, _)) = orphan {
                                self.return_running(remaining);
                            }
                        }
                        _ => {
                            if offline.is_some() {
                                self.offline_until = None;
                                for i in self.lane.clone() {
                                    self.refund(i);
                                    refunded += 1;
                                }
                            }
                        }
                    }
                }
                Ok(Reply::Ticked { refunded })
            }
            Op::BroadcastEnd => {
                if !self.live {
                    return Err(ErrorCode::NotLive);
                }
                self.live = false;
                self.offline_until = Some(self.now + OFFLINE_GRACE_US);
                Ok(Reply::BroadcastEnded {
                    room: ROOM.into(),
                    refund_at: Stamp(self.now + OFFLINE_GRACE_US),
                })
            }
            Op::BroadcastStart => {
                if self.live {
                    return Err(ErrorCode::AlreadyLive);
                }
                self.live = true;
                self.offline_until = None;
                Ok(Reply::BroadcastStarted { room: ROOM.into() })
            }
            Op::Ban { user } => {
                self.banned[user] = true;
                let victims: Vec<usize> = self
                    .lane
                    .iter()
                    .copied()
                    .filter(|&i| self.tips[i].0 == user)
                    .collect();
                for &i in &victims {
                    self.refund(i);
                }
                Ok(Reply::Banned {
                    user: USERS[user].into(),
                    rooms: vec![ROOM.into()],
                    refunded: victims.len() as u32,
                })
            }
        }
    }
}

fn to_request(op: &Op, now: i64) -> Request {
    let performer = Actor::new(Role::Performer, PERFORMER);
    let room = RoomId::new(ROOM);
    let command = match *op {
        Op::Tip {
            user, amount, key, ..
        } => {
            let key = IdemKey::new(format!("tip-key-{key}"));
            let created = Stamp(now).to_string();
            let ask = TipAsk {
                performer: &PerformerId::new(PERFORMER),
                user: &UserId::new(USERS[user]),
                amount,
                key: &key,
                source_event_id: None,
                display_name: None,
                created_at: &created,
            };
            let mut command = tip_command(&room, &ask, &ladder());
            // The client's stamp is metadata: a retry carries the first one.
            if let Command::Tip { payload, .. } = &mut command {
                payload.created_at_high_precision = Arc::from("2026-12-07T00:00:00Z");
            }
            command
        }
        Op::Take => Command::LaneTake {
            room,
            item: None,
            by: performer,
        },
        Op::Done => Command::LaneDone {
            room,
            item: None,
            by: performer,
        },
        Op::Skip { pick } => Command::LaneSkip {
            room,
            item: ItemId(pick + 1),
            by: performer,
        },
        Op::Clear => Command::LaneClear {
            room,
            by: performer,
        },
        Op::Pause => Command::LanePause {
            room,
            by: performer,
        },
        Op::Resume => Command::LaneResume {
            room,
            by: performer,
        },
        Op::Release => Command::LaneRelease {
            room,
            item: None,
            by: performer,
            ran_ms: None,
        },
        Op::ConsoleGone => Command::LaneConsoleGone { room },
        Op::Tick { .. } => Command::Tick,
        Op::BroadcastEnd => Command::BroadcastEnd { room },
        Op::BroadcastStart => Command::BroadcastStart { room },
        Op::Ban { user } => Command::Ban {
            rooms: vec![room],
            user: UserId::new(USERS[user]),
            reason: BanReason::Spam,
            note: None,
            expires_at: None,
            by: Actor::new(Role::Moderator, "mod"),
        },
    };
    Request::new(command)
}

fn setup() -> (Engine, Model) {
    let mut engine = Engine::new(EngineConfig::default());
    let mut model = Model {
        now: 1_000_000_000,
        live: true,
        ..Model::default()
    };
    let at = Stamp(model.now);
    let run = |engine: &mut Engine, command| engine.execute(at, &Request::new(command)).unwrap();
    run(
        &mut engine,
        Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        },
    );
    run(&mut engine, Command::BroadcastStart { room: ROOM.into() });
    for (i, user) in USERS.iter().enumerate() {
        run(
            &mut engine,
            Command::Mint {
                user: UserId::new(*user),
                amount: START_BALANCE,
            },
        );
        model.wallets[i] = START_BALANCE;
    }
    (engine, model)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_lane_follows_the_model(ops in proptest::collection::vec(op(), 1..80)) {
        let (mut engine, mut model) = setup();
        let room = RoomId::new(ROOM);
        let mut closings: HashMap<ItemId, u32> = HashMap::new();
        for op in &ops {
            let want = model.apply(op);
            let request = to_request(op, model.now);
            let got = engine.execute(Stamp(model.now), &request);
            let got_code = got.as_ref().map(|o| o.reply.clone()).map_err(|e| e.code());
            // Ticks answer with refunds counted over all deadlines; compare kinds only.
            prop_assert_eq!(&got_code, &want, "op {:?}", op);
            if let Ok(outcome) = &got {
                for event in &outcome.events {
                    let closed = match &event.kind {
                        EventKind::LaneSettled { item, .. } | EventKind::ItemRefunded { item, .. } => *item,
                        EventKind::InstantSettled { item } => item.id,
                        _ => continue,
                    };
                    *closings.entry(closed).or_default() += 1;
                }
            }
            engine.check_invariants().map_err(|e| TestCaseError::fail(e.0))?;
            let view = engine.room_view(&room).unwrap();
            let order: Vec<ItemId> = view.lane.waiting.iter().map(|e| e.item).collect();
            let want_order: Vec<ItemId> = model.lane.iter().map(|&i| Model::id(i)).collect();
            prop_assert_eq!(order, want_order, "lane order after {:?}", op);
            let remaining: Vec<u64> = view.lane.waiting.iter().map(|e| e.remaining_ms).collect();
            let want_remaining: Vec<u64> = model.lane.iter().map(|&i| model.tips[i].3).collect();
            prop_assert_eq!(remaining, want_remaining);
            prop_assert_eq!(view.lane.running.map(|r| r.item), model.running.map(|r| Model::id(r.item)));
            prop_assert_eq!(view.lane.paused, model.paused);
            prop_assert_eq!(view.in_progress, None, "tips never touch the stage");
            for (i, user) in USERS.iter().enumerate() {
                prop_assert_eq!(engine.ledger().wallet(&UserId::new(*user)), model.wallets[i]);
            }
            let escrow: u64 = model.tips.iter().filter(|t| matches!(t.2, Tip::Waiting | Tip::Running)).map(|t| t.1).sum();
            prop_assert_eq!(view.totals.escrow, escrow);
            prop_assert_eq!(view.totals.earned, model.earned);
            let total = model.wallets.iter().sum::<u64>() + escrow + model.earned;
            prop_assert_eq!(total, START_BALANCE * 3, "money is conserved");
        }
        for (i, tip) in model.tips.iter().enumerate() {
            let closed = closings.get(&Model::id(i)).copied().unwrap_or(0);
            let want = u32::from(matches!(tip.2, Tip::Settled | Tip::Refunded));
            prop_assert_eq!(closed, want, "tip {} closed {} times", i, closed);
        }
    }
}
