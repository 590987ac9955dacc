//! The queue rules of DOMAIN.md and the integration contract, one by one.
//! Every step checks the ledger and queue invariants; every refusal checks
//! that nothing changed.

use cuedeck::domain::builder::PayloadBuilder;
use cuedeck::domain::item::Transition;
use cuedeck::domain::messages::keys;
use cuedeck::domain::toy_effect::{Pattern, Timing};
use cuedeck::domain::*;
use cuedeck::protocol::ErrorCode;

const ROOM: &str = "room-1";
const PERFORMER: &str = "perf-1";

struct World {
    engine: Engine,
    now: Stamp,
    /// The records of closed items, taken from the outcomes that closed
    /// them, as the store keeps them.
    closed: std::collections::HashMap<ItemId, Item>,
}

impl World {
    /// A live room and three viewers with 1,000 tokens each.
    fn new() -> Self {
        let mut world = World {
            engine: Engine::new(EngineConfig::default()),
            now: Stamp::from_secs(1_800_000_000),
            closed: Default::default(),
        };
        world.ok(Command::CreateRoom {
            room: ROOM.into(),
            performer: PERFORMER.into(),
        });
        world.ok(Command::BroadcastStart { room: ROOM.into() });
        for user in ["alice", "bob", "carol"] {
            world.ok(Command::Mint {
                user: user.into(),
                amount: 1_000,
            });
        }
        world
    }

    fn advance_ms(&mut self, ms: u64) {
        self.now = self.now.plus_millis(ms);
    }

    fn run(&mut self, request: impl Into<Request>) -> Result<Outcome, DomainError> {
        let before = snapshot(&self.engine);
        let result = self.engine.execute(self.now, &request.into());
        self.engine.check_invariants().expect("invariants hold");
        for item in result.iter().flat_map(|o| &o.closed) {
            let id = item.id();
            assert!(item.state.is_closed(), "{id} handed out while open");
            assert!(self.engine.item(id).is_none(), "{id} closed but kept whole");
            let facts = self.engine.entry(id).expect("facts kept");
            assert_eq!(
                (facts.state(), facts.settled(), facts.refunded()),
                (item.state, item.settled, item.refunded),
                "{id}: the facts kept match the record"
            );
            let first = self.closed.insert(id, item.clone());
            assert!(first.is_none(), "{id} closed twice");
        }
        if result.is_err() || result.as_ref().is_ok_and(|o| o.replayed) {
            assert_eq!(
                snapshot(&self.engine),
                before,
                "a refusal or retry changed state"
            );
        }
        result
    }

    /// An item's whole record: from the engine while open, from the
    /// outcome that closed it afterwards.
    fn record(&self, id: ItemId) -> &Item {
        self.engine
            .item(id)
            .or_else(|| self.closed.get(&id))
            .expect("an item")
    }

    fn ok(&mut self, request: impl Into<Request>) -> Outcome {
        self.run(request).expect("command accepted")
    }

    fn err(&mut self, request: impl Into<Request>) -> DomainError {
        self.run(request).expect_err("command refused")
    }

    fn buy(&mut self, user: &str, key: &str, cost: u64) -> ItemId {
        let outcome = self.ok(PayloadBuilder::new(PERFORMER, user, key, cost).queued(ROOM));
        outcome.reply.item().unwrap()
    }

    fn queue(&self) -> Vec<u64> {
        self.engine
            .queue(&ROOM.into())
            .iter()
            .map(|i| i.0)
            .collect()
    }

    fn wallet(&self, user: &str) -> u64 {
        self.engine.ledger().wallet(&user.into())
    }

    fn earned(&self) -> u64 {
        self.engine.ledger().earned(&PERFORMER.into())
    }

    fn start(&mut self) -> Outcome {
        self.ok(start(None))
    }

    fn finish(&mut self) -> Outcome {
        self.ok(Command::Finish {
            room: ROOM.into(),
            item: None,
            by: performer(),
        })
    }

    fn refund(&mut self, item: ItemId, amount: Option<u64>, reason: RefundReason) -> Outcome {
        self.ok(refund(item, amount, reason, None))
    }
}

fn performer() -> Actor {
    Actor::new(Role::Performer, PERFORMER)
}

fn start(item: Option<ItemId>) -> Command {
    Command::Start {
        room: ROOM.into(),
        item,
        by: performer(),
    }
}

fn refund(item: ItemId, amount: Option<u64>, reason: RefundReason, note: Option<&str>) -> Command {
    Command::Refund {
        room: ROOM.into(),
        item,
        amount,
        reason,
        note: note.map(Into::into),
        by: performer(),
    }
}

/// Everything observable, to prove a refused command changed nothing.
type Snapshot = (Vec<(String, i128)>, Vec<ItemId>, Vec<ItemState>, u64);

fn snapshot(engine: &Engine) -> Snapshot {
    (
        engine.ledger().token_balances(),
        engine.queue(&ROOM.into()),
        engine.items().iter().map(|i| i.state()).collect(),
        engine.room_view(&ROOM.into()).map_or(0, |r| r.last_seq),
    )
}

fn private_keys(outcome: &Outcome) -> Vec<(String, String)> {
    outcome
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PrivateMessage { user, key, .. } => {
                Some((user.to_string(), key.to_string()))
            }
            _ => None,
        })
        .collect()
}

mod audit;
mod idempotency;
mod messages;
mod money;
mod order;
mod presence;
