//! Random points operations (earns, settled bonuses, grants, awards,
//! adjustments and their approvals, locks and their expiry, retries) run
//! against the engine and against a naive model written apart from it:
//! same accept/refuse decisions, same balances, points conserved, tokens
//! untouched, every keyed request applied once.

use std::collections::BTreeMap;

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::points::{AdjustReason, AwardLimits, LockKind, LockReason, PointsConfig};
use cuedeck::domain::*;
use cuedeck::protocol::ErrorCode;
use proptest::prelude::*;

const ROOM: &str = "room";
const PERFORMER: &str = "perf";
const USERS: [&str; 3] = ["u0", "u1", "u2"];
const THRESHOLD: u64 = 50;
const SEC: i64 = 1_000_000;

fn limits() -> AwardLimits {
    AwardLimits {
        per_viewer: 120,
        per_broadcast: 300,
        per_hour: 200,
        per_day: 260,
        velocity_count: 2,
        velocity_window_secs: 30,
    }
}

#[derive(Debug, Clone)]
enum Op {
    Earn {
        user: usize,
        amount: u64,
        event: u8,
    },
    /// A menu item with bonus points, bought and then finished or refunded.
    Bonus {
        user: usize,
        points: u64,
        finish: bool,
    },
    /// An item paid in points, then finished (burned) or refunded (back).
    Redeem {
        user: usize,
        price: u64,
        finish: bool,
    },
    Grant {
        amount: u64,
    },
    Award {
        user: usize,
        amount: u64,
    },
    Adjust {
        user: usize,
        amount: i64,
        admin: u8,
    },
    Decide {
        pick: u64,
        approve: bool,
        admin: u8,
    },
    Lock {
        user: usize,
        kind: LockKind,
        for_secs: Option<i64>,
    },
    Unlock {
        user: usize,
        kind: LockKind,
    },
    Wait {
        secs: i64,
    },
    /// Send the previous keyed request again.
    Retry,
}

fn lock_kind() -> impl Strategy<Value = LockKind> {
    prop::sample::select(vec![LockKind::Redeem, LockKind::Award, LockKind::Full])
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 0..40u64, 0..12u8).prop_map(|(user, amount, event)| Op::Earn { user, amount, event }),
        2 => (0..3usize, 0..30u64, any::<bool>()).prop_map(|(user, points, finish)| Op::Bonus { user, points, finish }),
        4 => (0..3usize, 1..60u64, any::<bool>()).prop_map(|(user, price, finish)| Op::Redeem { user, price, finish }),
        2 => (0..200u64).prop_map(|amount| Op::Grant { amount }),
        5 => (0..3usize, 0..90u64).prop_map(|(user, amount)| Op::Award { user, amount }),
        3 => (0..3usize, -80..80i64, 0..2u8).prop_map(|(user, amount, admin)| Op::Adjust { user, amount, admin }),
        2 => (0..6u64, any::<bool>(), 0..2u8).prop_map(|(pick, approve, admin)| Op::Decide { pick, approve, admin }),
        1 => (0..3usize, lock_kind(), prop::option::of(1..120i64)).prop_map(|(user, kind, for_secs)| Op::Lock { user, kind, for_secs }),
        1 => (0..3usize, lock_kind()).prop_map(|(user, kind)| Op::Unlock { user, kind }),
        2 => (1..1800i64).prop_map(|secs| Op::Wait { secs }),
        2 => Just(Op::Retry),
    ]
}

/// The model: plain maps and lists, no shared code with the engine.
#[derive(Default)]
struct Model {
    points: BTreeMap<usize, u64>,
    allowance: u64,
    issued: u64,
    /// Earn events of the last day (older ones are the store's, at the
    /// server) and when each came.
    events: std::collections::HashMap<u8, i64>,
    /// (user, kind, until) for each lock set.
    locks: Vec<(usize, LockKind, Option<i64>)>,
    /// (asker, user, amount, pending)
    adjustments: Vec<(u8, usize, i64, bool)>,
    /// (at, user, amount) of every award.
    awards: Vec<(i64, usize, u64)>,
    redeemed: u64,
}

impl Model {
    fn locked(&self, user: usize, action: LockKind, now: i64) -> bool {
        self.locks.iter().any(|(u, kind, until)| {
            *u == user
                && until.is_none_or(|end| now < end)
                && (*kind == LockKind::Full || *kind == action)
        })
    }

    fn award_refusal(&self, user: usize, amount: u64, now: i64) -> Option<ErrorCode> {
        let l = limits();
        let day = now.div_euclid(86_400 * SEC) * 86_400 * SEC;
        let quick = self
            .awards
            .iter()
            .filter(|(at, u, _)| *u == user && *at > now - l.velocity_window_secs as i64 * SEC)
            .count();
        let to_user: u64 = self
            .awards
            .iter()
            .filter(|a| a.1 == user)
            .map(|a| a.2)
            .sum();
        let all: u64 = self.awards.iter().map(|a| a.2).sum();
        let hour: u64 = self
            .awards
            .iter()
            .filter(|a| a.0 > now - 3600 * SEC)
            .map(|a| a.2)
            .sum();
        let today: u64 = self.awards.iter().filter(|a| a.0 >= day).map(|a| a.2).sum();
        let over = quick >= l.velocity_count as usize
            || to_user + amount > l.per_viewer
            || all + amount > l.per_broadcast
            || hour + amount > l.per_hour
            || today + amount > l.per_day;
        if over {
            return Some(ErrorCode::AwardLimit);
        }
        (self.allowance < amount).then_some(ErrorCode::InsufficientPoints)
    }

    fn adjust(&mut self, user: usize, amount: i64) -> Result<(), ErrorCode> {
        let balance = self.points.entry(user).or_default();
        if amount < 0 && *balance < amount.unsigned_abs() {
            return Err(ErrorCode::InsufficientPoints);
        }
        *balance = balance.checked_add_signed(amount).expect("checked");
        self.issued = self.issued.checked_add_signed(amount).expect("checked");
        Ok(())
    }
}

fn admin(n: u8) -> Actor {
    Actor::new(Role::Admin, format!("admin{n}"))
}

struct Run {
    engine: Engine,
    model: Model,
    now: i64,
    last: Option<Request>,
    item_keys: u64,
}

impl Run {
    fn new() -> Self {
        let config = EngineConfig {
            points: PointsConfig {
                awards: limits(),
                approval_threshold: THRESHOLD,
            },
            ..EngineConfig::default()
        };
        let mut run = Run {
            engine: Engine::new(config),
            model: Model::default(),
            now: 1_000_000 * SEC,
            last: None,
            item_keys: 0,
        };
        run.setup(Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        });
        run.setup(Command::BroadcastStart { room: ROOM.into() });
        for user in USERS {
            run.setup(Command::Mint {
                user: user.into(),
                amount: 1_000,
            });
            run.setup(Command::Join {
                room: ROOM.into(),
                user: user.into(),
                tier: Tier::default(),
            });
        }
        run
    }

    fn setup(&mut self, command: Command) {
        self.engine
            .execute(Stamp(self.now), &Request::new(command))
            .expect("setup");
    }

    fn send(&mut self, request: Request) -> Result<Outcome, ErrorCode> {
        let result = self
            .engine
            .execute(Stamp(self.now), &request)
            .map_err(|e| e.code());
        if request.key.is_some() {
            self.last = Some(request);
        }
        result
    }

    fn step(&mut self, op: &Op, n: usize) {
        let key = format!("k-{n}");
        let now = self.now;
        let (got, want) = match op.clone() {
            Op::Earn {
                user,
                amount,
                event,
            } => {
                let want = if amount == 0 {
                    Err(ErrorCode::InvalidField)
                } else if self
                    .model
                    .events
                    .get(&event)
                    .is_some_and(|at| now < at + 86_400 * SEC)
                {
                    Err(ErrorCode::DuplicateSourceEvent)
                } else if self.model.locked(user, LockKind::Full, now) {
                    Err(ErrorCode::PointsLocked)
                } else {
                    self.model.events.insert(event, now);
                    *self.model.points.entry(user).or_default() += amount;
                    self.model.issued += amount;
                    Ok(())
                };
                let command = Command::PointsEarn {
                    user: USERS[user].into(),
                    amount,
                    source_event_id: format!("ev-{event}").into(),
                    reason: "watch_time".into(),
                    room: None,
                    by: Actor::new(Role::Integration, "int"),
                };
                (
                    self.send(Request::keyed(key.as_str(), command)).map(|_| ()),
                    want,
                )
            }
            Op::Bonus {
                user,
                points,
                finish,
            } => {
                self.item_keys += 1;
                let key = format!("item-{}", self.item_keys);
                let mut intake = PayloadBuilder::new(PERFORMER, USERS[user], &key, 5).queued(ROOM);
                if let Command::Intake { loyalty_points, .. } = &mut intake {
                    *loyalty_points = points;
                }
                let item = match self.send(Request::new(intake)).expect("intake").reply {
                    Reply::Queued { item, .. } => item,
                    other => panic!("{other:?}"),
                };
                if finish {
                    *self.model.points.entry(user).or_default() += points;
                    self.model.issued += points;
                }
                self.close(item, finish);
                (Ok(()), Ok(()))
            }
            Op::Redeem {
                user,
                price,
                finish,
            } => {
                let balance = self.model.points.get(&user).copied().unwrap_or(0);
                let want = if self.model.locked(user, LockKind::Redeem, now) {
                    Err(ErrorCode::PointsLocked)
                } else if balance < price {
                    Err(ErrorCode::InsufficientPoints)
                } else {
                    if finish {
                        *self.model.points.entry(user).or_default() -= price;
                        self.model.redeemed += price;
                    }
                    Ok(())
                };
                self.item_keys += 1;
                let key = format!("item-{}", self.item_keys);
                let mut intake = PayloadBuilder::new(PERFORMER, USERS[user], &key, 0).queued(ROOM);
                if let Command::Intake { points_price, .. } = &mut intake {
                    *points_price = price;
                }
                let got = match self.send(Request::new(intake)) {
                    Ok(outcome) => {
                        let Reply::Queued { item, .. } = outcome.reply else {
                            panic!("{:?}", outcome.reply)
                        };
                        assert_eq!(self.engine.ledger().points_escrow_of(item), price);
                        self.close(item, finish);
                        Ok(())
                    }
                    Err(code) => Err(code),
                };
                (got, want)
            }
            Op::Grant { amount } => {
                let want = if amount == 0 {
                    Err(ErrorCode::InvalidField)
                } else {
                    self.model.allowance += amount;
                    self.model.issued += amount;
                    Ok(())
                };
                let command = Command::PointsGrant {
                    performer: PERFORMER.into(),
                    amount,
                    by: admin(0),
                };
                (
                    self.send(Request::keyed(key.as_str(), command)).map(|_| ()),
                    want,
                )
            }
            Op::Award { user, amount } => {
                let want = if amount == 0 {
                    Err(ErrorCode::InvalidField)
                } else if self.model.locked(user, LockKind::Award, now) {
                    Err(ErrorCode::PointsLocked)
                } else if let Some(code) = self.model.award_refusal(user, amount, now) {
                    Err(code)
                } else {
                    self.model.allowance -= amount;
                    *self.model.points.entry(user).or_default() += amount;
                    self.model.awards.push((now, user, amount));
                    Ok(())
                };
                let command = Command::PointsAward {
                    room: ROOM.into(),
                    user: USERS[user].into(),
                    amount,
                    note: Some("thanks".into()),
                    by: Actor::new(Role::Performer, PERFORMER),
                };
                (
                    self.send(Request::keyed(key.as_str(), command)).map(|_| ()),
                    want,
                )
            }
            Op::Adjust {
                user,
                amount,
                admin: who,
            } => {
                let want = if amount == 0 {
                    Err(ErrorCode::InvalidField)
                } else if amount.unsigned_abs() > THRESHOLD {
                    self.model.adjustments.push((who, user, amount, true));
                    Ok(())
                } else {
                    let applied = self.model.adjust(user, amount);
                    if applied.is_ok() {
                        self.model.adjustments.push((who, user, amount, false));
                    }
                    applied
                };
                let command = Command::PointsAdjust {
                    user: USERS[user].into(),
                    amount,
                    reason: AdjustReason::Correction,
                    ticket: "T-1".into(),
                    by: admin(who),
                };
                (
                    self.send(Request::keyed(key.as_str(), command)).map(|_| ()),
                    want,
                )
            }
            Op::Decide {
                pick,
                approve,
                admin: who,
            } => {
                let count = self.model.adjustments.len() as u64;
                let id = if count == 0 { 1 } else { pick % count + 1 };
                let want = match self.model.adjustments.get(id as usize - 1).copied() {
                    None => Err(ErrorCode::UnknownAdjustment),
                    Some((_, _, _, false)) => Err(ErrorCode::AdjustmentDecided),
                    Some((asker, _, _, true)) if asker == who => Err(ErrorCode::SelfApproval),
                    Some((_, user, amount, true)) => {
                        let applied = if approve {
                            self.model.adjust(user, amount)
                        } else {
                            Ok(())
                        };
                        if applied.is_ok() {
                            self.model.adjustments[id as usize - 1].3 = false;
                        }
                        applied
                    }
                };
                let command = Command::PointsDecide {
                    adjustment: id,
                    approve,
                    by: admin(who),
                };
                (
                    self.send(Request::keyed(key.as_str(), command)).map(|_| ()),
                    want,
                )
            }
            Op::Lock {
                user,
                kind,
                for_secs,
            } => {
                let until = for_secs.map(|s| now + s * SEC);
                self.model.locks.retain(|(u, k, end)| {
                    !(*u == user && (*k == kind || end.is_some_and(|e| now >= e)))
                });
                self.model.locks.push((user, kind, until));
                let command = Command::PointsLock {
                    user: USERS[user].into(),
                    lock: kind,
                    reason: LockReason::Investigation,
                    note: None,
                    expires_at: until.map(Stamp),
                    by: admin(0),
                };
                (self.send(Request::new(command)).map(|_| ()), Ok(()))
            }
            Op::Unlock { user, kind } => {
                let held = self
                    .model
                    .locks
                    .iter()
                    .any(|(u, k, end)| *u == user && *k == kind && end.is_none_or(|e| now < e));
                let want = if held {
                    self.model.locks.retain(|(u, k, end)| {
                        !(*u == user && (*k == kind || end.is_some_and(|e| now >= e)))
                    });
                    Ok(())
                } else {
                    Err(ErrorCode::NotLocked)
                };
                let command = Command::PointsUnlock {
                    user: USERS[user].into(),
                    lock: kind,
                    by: admin(0),
                };
                (self.send(Request::new(command)).map(|_| ()), want)
            }
            Op::Wait { secs } => {
                self.now += secs * SEC;
                (Ok(()), Ok(()))
            }
            Op::Retry => match self.last.clone() {
                Some(request) => {
                    let before = self.engine.ledger().token_balances();
                    let outcome = self.send(request);
                    if let Ok(outcome) = &outcome {
                        assert!(outcome.replayed, "a retry was applied again");
                        assert!(outcome.transfers.is_empty() && outcome.points.is_empty());
                    }
                    assert_eq!(self.engine.ledger().token_balances(), before);
                    (Ok(()), Ok(()))
                }
                None => (Ok(()), Ok(())),
            },
        };
        // A keyed request that was refused is not remembered: a retry of it
        // is decided again, which the model does too (it is the same op).
        if got.is_err() {
            self.last = None;
        }
        assert_eq!(got, want, "step {n}: {op:?}");
        self.check();
    }

    /// Finish (after starting) or refund the item just taken in.
    fn close(&mut self, item: ItemId, finish: bool) {
        let by = Actor::new(Role::Performer, PERFORMER);
        let room = RoomId::from(ROOM);
        let close = if finish {
            self.send(Request::new(Command::Start {
                room: room.clone(),
                item: Some(item),
                by: by.clone(),
            }))
            .expect("start");
            Command::Finish {
                room,
                item: Some(item),
                by,
            }
        } else {
            Command::Refund {
                room,
                item,
                amount: None,
                reason: RefundReason::Goodwill,
                note: None,
                by,
            }
        };
        self.send(Request::new(close)).expect("close");
    }

    fn check(&self) {
        self.engine.check_invariants().expect("invariants");
        let ledger = self.engine.ledger();
        for (n, user) in USERS.iter().enumerate() {
            let want = self.model.points.get(&n).copied().unwrap_or(0);
            assert_eq!(ledger.points(&(*user).into()), want, "points of {user}");
            assert_eq!(
                ledger.balance(&Account::Points((*user).into())),
                i128::from(want)
            );
        }
        assert_eq!(ledger.allowance(&PERFORMER.into()), self.model.allowance);
        assert_eq!(ledger.points_minted(), self.model.issued, "points issued");
        assert_eq!(
            ledger.points_redeemed(),
            self.model.redeemed,
            "points redeemed"
        );
        // Tokens: only the bonus items' holds and settlements moved them,
        // and every token minted is still somewhere.
        assert_eq!(ledger.total_minted(), 3_000);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn points_follow_the_model(ops in prop::collection::vec(op(), 1..70)) {
        let mut run = Run::new();
        for (n, op) in ops.iter().enumerate() {
            run.step(op, n);
        }
    }
}

#[test]
fn a_points_transfer_never_touches_a_token_account() {
    let mut run = Run::new();
    let tokens_before: Vec<_> = run
        .engine
        .ledger()
        .token_balances()
        .into_iter()
        .filter(|(account, _)| !account.starts_with("points") && !account.starts_with("allowance"))
        .collect();
    run.step(&Op::Grant { amount: 100 }, 0);
    run.step(
        &Op::Award {
            user: 0,
            amount: 20,
        },
        1,
    );
    run.step(
        &Op::Earn {
            user: 1,
            amount: 30,
            event: 1,
        },
        2,
    );
    run.step(
        &Op::Adjust {
            user: 1,
            amount: -10,
            admin: 0,
        },
        3,
    );
    let tokens_after: Vec<_> = run
        .engine
        .ledger()
        .token_balances()
        .into_iter()
        .filter(|(account, _)| !account.starts_with("points") && !account.starts_with("allowance"))
        .collect();
    assert_eq!(tokens_before, tokens_after);
}

/// Every kind of points movement committed, then the file reopened: the
/// replayed ledger, adjustments and locks are the same.
#[test]
fn points_are_rebuilt_the_same_after_a_restart() {
    use super::store::{open, run as commit};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let t = Stamp::from_secs(1_800_000_000);
    let (balances, adjustments) = {
        let mut service = open(&path);
        let mut send = |command: Command, key: Option<&str>| {
            let request = match key {
                Some(k) => Request::keyed(k, command),
                None => Request::new(command),
            };
            commit(&mut service, t, request)
        };
        send(
            Command::CreateRoom {
                room: ROOM.into(),
                performer: PERFORMER.into(),
            },
            None,
        );
        send(Command::BroadcastStart { room: ROOM.into() }, None);
        send(
            Command::Join {
                room: ROOM.into(),
                user: "u0".into(),
                tier: Tier::default(),
            },
            None,
        );
        send(
            Command::PointsGrant {
                performer: PERFORMER.into(),
                amount: 300,
                by: admin(0),
            },
            Some("g"),
        );
        send(
            Command::PointsAward {
                room: ROOM.into(),
                user: "u0".into(),
                amount: 40,
                note: None,
                by: Actor::new(Role::Performer, PERFORMER),
            },
            Some("a"),
        );
        send(
            Command::PointsEarn {
                user: "u0".into(),
                amount: 25,
                source_event_id: "ev-1".into(),
                reason: "signup".into(),
                room: None,
                by: Actor::new(Role::Integration, "int"),
            },
            Some("e"),
        );
        let adjust = |amount| Command::PointsAdjust {
            user: "u0".into(),
            amount,
            reason: AdjustReason::Goodwill,
            ticket: "T-9".into(),
            by: admin(0),
        };
        send(adjust(-5), Some("adj-1"));
        send(adjust(5000), Some("adj-2"));
        send(
            Command::PointsDecide {
                adjustment: 2,
                approve: true,
                by: admin(1),
            },
            Some("dec"),
        );
        send(
            Command::PointsLock {
                user: "u0".into(),
                lock: LockKind::Redeem,
                reason: LockReason::Fraud,
                note: None,
                expires_at: None,
                by: admin(0),
            },
            None,
        );
        let engine = service.engine();
        assert_eq!(engine.ledger().points(&"u0".into()), 40 + 25 - 5 + 5000);
        (
            engine.ledger().token_balances(),
            engine.points_state().adjustments().to_vec(),
        )
    };
    let service = open(&path);
    let engine = service.engine();
    assert_eq!(engine.ledger().token_balances(), balances);
    assert_eq!(engine.points_state().adjustments(), adjustments.as_slice());
    let locks = engine.points_state().locks_of(&"u0".into(), t);
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].kind, LockKind::Redeem);
    assert!(engine.points_state().earned_reply("ev-1").is_some());
}
