//! Random command sequences run against the engine and against a naive
//! reference model written separately from it: same accept/reject decisions,
//! same queue order, same balances, and the invariants after every step.

use cuedeck::protocol::ErrorCode;
use std::collections::HashMap;

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::*;
use proptest::prelude::*;

const ROOM: &str = "room";
const PERFORMER: &str = "perf";
const USERS: [&str; 3] = ["u0", "u1", "u2"];
const START_BALANCE: u64 = 200;
const LEAVE_GRACE_US: i64 = 60_000_000;
const OFFLINE_GRACE_US: i64 = 300_000_000;

#[derive(Debug, Clone)]
enum Op {
    Intake {
        user: usize,
        cost: u64,
        private: bool,
        key: u8,
        advance_us: i64,
    },
    Start,
    Finish,
    Refund {
        pick: u64,
        amount: Option<u64>,
        reason: RefundReason,
    },
    Leave {
        user: usize,
    },
    Join {
        user: usize,
    },
    BroadcastEnd,
    BroadcastStart,
    Tick {
        advance_ms: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, 0..60u64, prop::bool::weighted(0.2), 0..16u8, 0..3i64).prop_map(
            |(user, cost, private, key, advance_us)| Op::Intake { user, cost, private, key, advance_us }
        ),
        3 => Just(Op::Start),
        3 => Just(Op::Finish),
        2 => (0..20u64, prop::option::of(0..70u64), prop::sample::select(RefundReason::ALL.to_vec()))
            .prop_map(|(pick, amount, reason)| Op::Refund { pick, amount, reason }),
        1 => (0..3usize).prop_map(|user| Op::Leave { user }),
        1 => (0..3usize).prop_map(|user| Op::Join { user }),
        1 => Just(Op::BroadcastEnd),
        1 => Just(Op::BroadcastStart),
        2 => prop_oneof![0..2_000u64, 50_000..400_000u64].prop_map(|advance_ms| Op::Tick { advance_ms }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Queued,
    Running,
    Closed,
}

#[derive(Debug, Clone)]
struct ModelItem {
    user: usize,
    cost: u64,
    private: bool,
    stamp: i64,
    seq: u64,
    state: State,
}

/// The rules written again, as plainly as possible: sort the whole line
/// on every insert, scan lists instead of indexing.
#[derive(Debug, Default)]
struct Model {
    now: i64,
    live: bool,
    offline_until: Option<i64>,
    wallets: [u64; 3],
    earned: u64,
    items: Vec<ModelItem>,
    running: Option<usize>,
    waiting: Vec<usize>,
    /// user -> present (None) or away until (Some)
    members: HashMap<usize, Option<i64>>,
    keys: HashMap<u8, ((usize, u64, bool), Reply)>,
}

type Decision = Result<Reply, ErrorCode>;

impl Model {
    fn sort_key(&self, i: usize) -> (bool, i64, std::cmp::Reverse<u64>, u64) {
        let it = &self.items[i];
        (!it.private, it.stamp, std::cmp::Reverse(it.cost), it.seq)
    }

    fn position(&self, i: usize) -> u32 {
        let index = self.waiting.iter().position(|&w| w == i).unwrap();
        (index + 1 + usize::from(self.running.is_some())) as u32
    }

    fn refund(&mut self, i: usize, amount: u64) {
        let item = &mut self.items[i];
        self.wallets[item.user] += amount;
        self.earned += item.cost - amount;
        item.state = State::Closed;
        if self.running == Some(i) {
            self.running = None;
        }
        self.waiting.retain(|&w| w != i);
    }

    fn apply(&mut self, op: &Op) -> Decision {
        match *op {
            Op::Intake {
                user,
                cost,
                private,
                key,
                advance_us,
            } => {
                self.now += advance_us;
                if let Some((fields, reply)) = self.keys.get(&key) {
                    return if *fields == (user, cost, private) {
                        Ok(reply.clone())
                    } else {
                        Err(ErrorCode::IdempotencyConflict)
                    };
                }
                if cost == 0 {
                    return Err(ErrorCode::InvalidField);
                }
                if !self.live {
                    return Err(ErrorCode::NotLive);
                }
                if self.wallets[user] < cost {
                    return Err(ErrorCode::InsufficientFunds);
                }
                self.wallets[user] -= cost;
                self.members.insert(user, None);
                let i = self.items.len();
                self.items.push(ModelItem {
                    user,
                    cost,
                    private,
                    stamp: self.now,
                    seq: i as u64,
                    state: State::Queued,
                });
                let pinned_head = if self.running.is_none() && !self.waiting.is_empty() {
                    Some(self.waiting.remove(0))
                } else {
                    None
                };
                self.waiting.push(i);
                let mut line = std::mem::take(&mut self.waiting);
                line.sort_by_key(|&w| self.sort_key(w));
                self.waiting = line;
                if let Some(head) = pinned_head {
                    self.waiting.insert(0, head);
                }
                let reply = Reply::Queued {
                    item: ItemId(i as u64 + 1),
                    position: self.position(i),
                };
                self.keys
                    .insert(key, ((user, cost, private), reply.clone()));
                Ok(reply)
            }
            Op::Start => {
                if !self.live {
                    return Err(ErrorCode::NotLive);
                }
                if self.running.is_some() {
                    return Err(ErrorCode::Busy);
                }
                if self.waiting.is_empty() {
                    return Err(ErrorCode::QueueEmpty);
                }
                let head = self.waiting.remove(0);
                self.running = Some(head);
                self.items[head].state = State::Running;
                Ok(Reply::Started {
                    item: ItemId(head as u64 + 1),
                })
            }
            Op::Finish => {
                let Some(i) = self.running.take() else {
                    return Err(ErrorCode::NothingInProgress);
                };
                self.earned += self.items[i].cost;
                self.items[i].state = State::Closed;
                Ok(Reply::Finished {
                    item: ItemId(i as u64 + 1),
                    settled: self.items[i].cost,
                })
            }
            Op::Refund {
                pick,
                amount,
                reason,
            } => {
                let Some(item) = self.items.get(pick as usize).cloned() else {
                    return Err(ErrorCode::UnknownItem);
                };
                let amount = amount.unwrap_or(item.cost);
                if amount < 1 || amount > item.cost || reason == RefundReason::Other {
                    return Err(ErrorCode::InvalidField);
                }
                if item.state == State::Closed {
                    return Err(ErrorCode::ItemClosed);
                }
                self.refund(pick as usize, amount);
                Ok(Reply::Refunded {
                    item: ItemId(pick + 1),
                    amount,
                    settled: item.cost - amount,
                })
            }
            Op::Leave { user } => match self.members.get(&user) {
                Some(None) => {
                    self.members.insert(user, Some(self.now + LEAVE_GRACE_US));
                    Ok(Reply::Left {
                        room: ROOM.into(),
                        user: USERS[user].into(),
                        refund_at: Stamp(self.now + LEAVE_GRACE_US),
                    })
                }
                _ => Err(ErrorCode::NotInRoom),
            },
            Op::Join { user } => {
                self.members.insert(user, None);
                Ok(Reply::Joined {
                    room: ROOM.into(),
                    user: USERS[user].into(),
                })
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
            Op::Tick { advance_ms } => {
                self.now += advance_ms as i64 * 1000;
                let now = self.now;
                let mut victims: Vec<usize> = Vec::new();
                let gone: Vec<usize> = self
                    .members
                    .iter()
                    .filter(|(_, away)| away.is_some_and(|t| t <= now))
                    .map(|(u, _)| *u)
                    .collect();
                for user in gone {
                    self.members.remove(&user);
                    victims.extend(self.waiting.iter().filter(|&&w| self.items[w].user == user));
                }
                if self.offline_until.is_some_and(|t| t <= now) {
                    self.offline_until = None;
                    victims.extend(self.waiting.iter().copied());
                }
                victims.sort();
                victims.dedup();
                for &v in &victims {
                    let cost = self.items[v].cost;
                    self.refund(v, cost);
                }
                Ok(Reply::Ticked {
                    refunded: victims.len() as u32,
                })
            }
        }
    }

    fn order(&self) -> Vec<ItemId> {
        self.running
            .iter()
            .chain(self.waiting.iter())
            .map(|&i| ItemId(i as u64 + 1))
            .collect()
    }
}

fn to_request(op: &Op) -> Request {
    let performer = Actor::new(Role::Performer, PERFORMER);
    let command = match *op {
        Op::Intake {
            user,
            cost,
            private,
            key,
            ..
        } => {
            let mut builder =
                PayloadBuilder::new(PERFORMER, USERS[user], &format!("key-{key}"), cost);
            if private {
                builder = builder.private_request();
            }
            builder.queued(ROOM)
        }
        Op::Start => Command::Start {
            room: ROOM.into(),
            item: None,
            by: performer,
        },
        Op::Finish => Command::Finish {
            room: ROOM.into(),
            item: None,
            by: performer,
        },
        Op::Refund {
            pick,
            amount,
            reason,
        } => Command::Refund {
            room: ROOM.into(),
            item: ItemId(pick + 1),
            amount,
            reason,
            note: None,
            by: performer,
        },
        Op::Leave { user } => Command::Leave {
            room: ROOM.into(),
            user: USERS[user].into(),
        },
        Op::Join { user } => Command::Join {
            room: ROOM.into(),
            user: USERS[user].into(),
            tier: Tier::Basic,
        },
        Op::BroadcastEnd => Command::BroadcastEnd { room: ROOM.into() },
        Op::BroadcastStart => Command::BroadcastStart { room: ROOM.into() },
        Op::Tick { .. } => Command::Tick,
    };
    Request::new(command)
}

fn setup() -> (Engine, Model) {
    let mut engine = Engine::new(EngineConfig::default());
    let t = Stamp(0);
    let mut run = |command: Command| engine.execute(t, &Request::new(command)).unwrap();
    run(Command::CreateRoom {
        room: ROOM.into(),
        performer: PERFORMER.into(),
    });
    run(Command::BroadcastStart { room: ROOM.into() });
    for user in USERS {
        run(Command::Mint {
            user: user.into(),
            amount: START_BALANCE,
        });
    }
    let model = Model {
        live: true,
        wallets: [START_BALANCE; 3],
        ..Model::default()
    };
    (engine, model)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_agrees_with_the_reference_model(ops in prop::collection::vec(op(), 1..80)) {
        let (mut engine, mut model) = setup();
        for (step, op) in ops.iter().enumerate() {
            let expected = model.apply(op);
            let actual = engine.execute(Stamp(model.now), &to_request(op));
            match (&expected, &actual) {
                (Ok(reply), Ok(outcome)) => prop_assert_eq!(reply, &outcome.reply, "step {}: {:?}", step, op),
                (Err(code), Err(err)) => prop_assert_eq!(*code, err.code(), "step {}: {:?}: {}", step, op, err),
                _ => prop_assert!(false, "step {step}: {op:?}: model {expected:?}, engine {actual:?}"),
            }
            prop_assert_eq!(engine.queue(&ROOM.into()), model.order(), "order after step {}: {:?}", step, op);
            for (u, user) in USERS.iter().enumerate() {
                prop_assert_eq!(engine.ledger().wallet(&(*user).into()), model.wallets[u]);
            }
            prop_assert_eq!(engine.ledger().earned(&PERFORMER.into()), model.earned);
            if let Err(broken) = engine.check_invariants() {
                prop_assert!(false, "step {step}: {op:?}: {broken}");
            }
        }
    }
}
