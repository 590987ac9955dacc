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

// ---- money ------------------------------------------------------------

#[test]
fn intake_holds_in_escrow_and_finish_settles_to_the_performer() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    assert_eq!(w.wallet("alice"), 900);
    assert_eq!(w.engine.ledger().escrow_of(item), 100);
    assert_eq!(w.earned(), 0);
    w.start();
    assert_eq!(w.earned(), 0, "nothing settles on start");
    let outcome = w.finish();
    assert_eq!(outcome.reply, Reply::Finished { item, settled: 100 });
    assert_eq!(w.engine.ledger().escrow_of(item), 0);
    assert_eq!(w.earned(), 100);
    assert_eq!(w.wallet("alice"), 900);
}

#[test]
fn insufficient_funds_is_refused_and_names_the_amounts() {
    let mut w = World::new();
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 1_001).queued(ROOM));
    assert_eq!(
        err,
        DomainError::InsufficientFunds {
            user: "alice".into(),
            needed: 1_001,
            available: 1_000
        }
    );
    assert_eq!(err.field(), Some("tokenCost"));
    let err = w.err(PayloadBuilder::new(PERFORMER, "nobody", "k2", 1).queued(ROOM));
    assert_eq!(err.code(), ErrorCode::InsufficientFunds);
}

#[test]
fn instant_items_settle_at_once_through_escrow() {
    let mut w = World::new();
    let outcome = w.ok(PayloadBuilder::new(PERFORMER, "alice", "gif", 15).instant(ROOM));
    let item = outcome.reply.item().unwrap();
    assert_eq!(outcome.reply, Reply::Settled { item });
    let kinds: Vec<_> = outcome.transfers.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TransferKind::Hold, TransferKind::Settle]);
    assert_eq!(w.earned(), 15);
    assert_eq!(w.wallet("alice"), 985);
    assert!(w.queue().is_empty(), "instant items never enter the queue");
    assert_eq!(w.record(item).state, ItemState::Finished);
    // Still idempotent.
    let again = w.ok(PayloadBuilder::new(PERFORMER, "alice", "gif", 15).instant(ROOM));
    assert!(again.replayed);
    assert_eq!(w.earned(), 15);
}

#[test]
fn loyalty_points_are_credited_on_settle_only() {
    let mut w = World::new();
    let with_points = |key: &str| {
        let mut cmd = PayloadBuilder::new(PERFORMER, "alice", key, 10).queued(ROOM);
        if let Command::Intake { loyalty_points, .. } = &mut cmd {
            *loyalty_points = 7;
        }
        cmd
    };
    let a = w.ok(with_points("p1")).reply.item().unwrap();
    let b = w.ok(with_points("p2")).reply.item().unwrap();
    assert_eq!(
        w.engine.ledger().points(&"alice".into()),
        0,
        "nothing at intake"
    );
    w.refund(b, None, RefundReason::Goodwill);
    assert_eq!(
        w.engine.ledger().points(&"alice".into()),
        0,
        "nothing on refund"
    );
    assert_eq!(w.queue(), [a.0]);
    w.start();
    w.finish();
    assert_eq!(w.engine.ledger().points(&"alice".into()), 7);
}

// ---- refunds ----------------------------------------------------------

#[test]
fn every_refund_reason_returns_the_full_cost_from_escrow() {
    for reason in RefundReason::ALL {
        let mut w = World::new();
        let item = w.buy("alice", "k1", 100);
        let note = (reason == RefundReason::Other).then_some("camera died");
        let outcome = w.ok(refund(item, None, reason, note));
        assert_eq!(
            outcome.reply,
            Reply::Refunded {
                item,
                amount: 100,
                settled: 0
            },
            "{reason}"
        );
        assert_eq!(w.wallet("alice"), 1_000, "{reason}");
        assert_eq!(w.earned(), 0, "{reason}");
        let record = w.record(item);
        assert_eq!(record.state, ItemState::Refunded);
        assert_eq!(record.refund_reason, Some(reason));
    }
}

#[test]
fn other_needs_a_note() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    let err = w.err(refund(item, None, RefundReason::Other, None));
    assert_eq!(err.field(), Some("note"));
    w.ok(refund(
        item,
        None,
        RefundReason::Other,
        Some("duplicate purchase"),
    ));
    let audit = &w.record(item).audit;
    assert!(matches!(
        &audit.last().unwrap().transition,
        Transition::Refunded { note: Some(n), .. } if &**n == "duplicate purchase"
    ));
}

#[test]
fn a_partial_refund_returns_part_and_settles_the_rest() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    w.start();
    let outcome = w.refund(item, Some(30), RefundReason::Dispute);
    assert_eq!(
        outcome.reply,
        Reply::Refunded {
            item,
            amount: 30,
            settled: 70
        }
    );
    assert_eq!(w.wallet("alice"), 930);
    assert_eq!(w.earned(), 70);
    assert!(w.queue().is_empty(), "the item is closed");
}

#[test]
fn refund_amounts_outside_one_to_cost_are_refused() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    for amount in [0, 101] {
        let err = w.err(refund(item, Some(amount), RefundReason::Goodwill, None));
        assert_eq!(err.field(), Some("amount"));
    }
}

#[test]
fn nothing_leaves_finished_or_refunded() {
    let mut w = World::new();
    let done = w.buy("alice", "k1", 100);
    let gone = w.buy("bob", "k2", 50);
    w.start();
    w.finish();
    w.refund(gone, None, RefundReason::Goodwill);
    for item in [done, gone] {
        let err = w.err(refund(item, Some(1), RefundReason::Goodwill, None));
        assert_eq!(err.code(), ErrorCode::ItemClosed);
        let err = w.err(start(Some(item)));
        assert_eq!(err.code(), ErrorCode::QueueEmpty);
    }
    assert_eq!(w.earned(), 100, "a refund after settlement is impossible");
}

#[test]
fn refunds_of_unknown_or_foreign_items_are_refused() {
    let mut w = World::new();
    w.ok(Command::CreateRoom {
        room: "room-2".into(),
        performer: "perf-2".into(),
    });
    w.ok(Command::BroadcastStart {
        room: "room-2".into(),
    });
    let other = w
        .ok(PayloadBuilder::new("perf-2", "bob", "x", 5).queued("room-2"))
        .reply
        .item()
        .unwrap();
    assert_eq!(
        w.err(refund(other, None, RefundReason::Goodwill, None))
            .code(),
        ErrorCode::UnknownItem
    );
    assert_eq!(
        w.err(refund(ItemId(99), None, RefundReason::Goodwill, None))
            .code(),
        ErrorCode::UnknownItem
    );
    assert_eq!(
        w.err(refund(ItemId(0), None, RefundReason::Goodwill, None))
            .code(),
        ErrorCode::UnknownItem
    );
}

#[test]
fn refunding_the_item_in_progress_frees_the_stage() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    let b = w.buy("bob", "k2", 10);
    w.start();
    w.refund(a, None, RefundReason::Goodwill);
    assert_eq!(w.queue(), [b.0]);
    assert_eq!(w.start().reply, Reply::Started { item: b });
}

// ---- ordering ---------------------------------------------------------

#[test]
fn order_is_stamp_then_higher_cost_then_intake_sequence() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    // Same microsecond: higher cost first, then intake order.
    let b = w.buy("bob", "k2", 10);
    let c = w.buy("carol", "k3", 50);
    let d = w.buy("alice", "k4", 50);
    // `a` was alone at the head when nothing was in progress: it stays first.
    assert_eq!(w.queue(), [a.0, c.0, d.0, b.0]);
}

#[test]
fn the_server_restamps_and_never_goes_backwards() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.now = Stamp(w.now.0 - 5_000_000); // the caller's clock jumped back
    let b = w.buy("bob", "k2", 99);
    let stamp_a = w.record(a).view.stamp;
    let stamp_b = w.record(b).view.stamp;
    assert!(stamp_b >= stamp_a);
    assert_eq!(w.queue(), [a.0, b.0]);
}

#[test]
fn private_requests_go_to_position_two_behind_earlier_private_requests() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    let b = w.buy("bob", "k2", 10);
    w.start(); // a in progress
    w.advance_ms(1);
    let p1 = w
        .ok(PayloadBuilder::new(PERFORMER, "carol", "p1", 5)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p1,
        Reply::Queued {
            item: ItemId(3),
            position: 2
        }
    );
    w.advance_ms(1);
    let p2 = w
        .ok(PayloadBuilder::new(PERFORMER, "alice", "p2", 500)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p2,
        Reply::Queued {
            item: ItemId(4),
            position: 3
        }
    );
    assert_eq!(w.queue(), [a.0, 3, 4, b.0]);
    // A private request never interrupts the item in progress.
    assert_eq!(
        w.engine.room_view(&ROOM.into()).unwrap().in_progress,
        Some(a)
    );
}

#[test]
fn with_nothing_in_progress_a_private_request_goes_behind_the_head() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    let b = w.buy("bob", "k2", 10);
    w.advance_ms(1);
    let p = w
        .ok(PayloadBuilder::new(PERFORMER, "carol", "p1", 5)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p,
        Reply::Queued {
            item: ItemId(3),
            position: 2
        }
    );
    assert_eq!(w.queue(), [a.0, 3, b.0]);
    // On an empty queue a private request is simply position 1.
    let mut w = World::new();
    let p = w
        .ok(PayloadBuilder::new(PERFORMER, "carol", "p1", 5)
            .private_request()
            .queued(ROOM))
        .reply;
    assert_eq!(
        p,
        Reply::Queued {
            item: ItemId(1),
            position: 1
        }
    );
}

#[test]
fn one_item_in_progress_and_start_takes_only_the_head() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.advance_ms(1);
    let b = w.buy("bob", "k2", 10);
    assert_eq!(
        w.err(start(Some(b))),
        DomainError::NotHead {
            item: b,
            head: Some(a)
        }
    );
    w.start();
    assert_eq!(w.err(start(None)), DomainError::Busy { item: a });
    w.finish();
    assert_eq!(
        w.err(Command::Finish {
            room: ROOM.into(),
            item: None,
            by: performer()
        })
        .code(),
        ErrorCode::NothingInProgress
    );
    w.ok(start(Some(b)));
    let err = w.err(Command::Finish {
        room: ROOM.into(),
        item: Some(a),
        by: performer(),
    });
    assert_eq!(err.code(), ErrorCode::ItemClosed);
    w.finish();
    assert_eq!(w.err(start(None)), DomainError::QueueEmpty);
}

// ---- timers and configuration ------------------------------------------

#[test]
fn d_is_the_hint_or_the_default_and_config_changes_never_touch_queued_items() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    let hinted = w
        .ok(PayloadBuilder::new(PERFORMER, "bob", "k2", 10)
            .duration_ms(10_000)
            .queued(ROOM))
        .reply
        .item()
        .unwrap();
    w.ok(Command::Configure {
        room: ROOM.into(),
        settings: RoomSettings {
            default_duration_ms: 30_000,
            ..RoomSettings::default()
        },
    });
    let c = w.buy("carol", "k3", 10);
    let d = |id: ItemId| w.record(id).view.duration_ms;
    assert_eq!((d(a), d(hinted), d(c)), (90_000, 10_000, 30_000));
    let started = w.start();
    assert!(matches!(
        started.events[0].kind,
        EventKind::ItemStarted {
            duration_ms: 90_000,
            ..
        }
    ));
}

#[test]
fn bad_settings_are_refused() {
    let mut w = World::new();
    let err = w.err(Command::Configure {
        room: ROOM.into(),
        settings: RoomSettings {
            default_duration_ms: 10,
            ..RoomSettings::default()
        },
    });
    assert_eq!(err.field(), Some("default_duration_ms"));
}

// ---- auto-refunds -------------------------------------------------------

#[test]
fn a_user_who_leaves_and_does_not_return_is_refunded_after_the_grace_period() {
    let mut w = World::new();
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Vip,
    });
    let a = w.buy("alice", "k1", 10);
    let a2 = w.buy("alice", "k2", 20);
    let b = w.buy("bob", "k3", 10);
    w.start(); // a is in progress: never refunded automatically
    w.ok(Command::Leave {
        room: ROOM.into(),
        user: "alice".into(),
    });
    w.advance_ms(59_999);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    w.advance_ms(1);
    assert_eq!(w.engine.next_deadline(), Some(w.now));
    let tick = w.ok(Command::Tick);
    assert_eq!(tick.reply, Reply::Ticked { refunded: 1 });
    let refunded = w.record(a2);
    assert_eq!(refunded.refund_reason, Some(RefundReason::SystemAuto));
    assert_eq!(refunded.audit.last().unwrap().by, Actor::system());
    assert_eq!(w.queue(), [a.0, b.0]);
    assert_eq!(w.wallet("alice"), 1_000 - 10);
}

#[test]
fn a_user_who_returns_within_the_grace_period_keeps_their_items() {
    let mut w = World::new();
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Free,
    });
    let a = w.buy("alice", "k1", 10);
    w.ok(Command::Leave {
        room: ROOM.into(),
        user: "alice".into(),
    });
    w.advance_ms(30_000);
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Free,
    });
    w.advance_ms(60_000);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    assert_eq!(w.queue(), [a.0]);
    // Leaving twice without returning is refused.
    w.ok(Command::Leave {
        room: ROOM.into(),
        user: "alice".into(),
    });
    assert_eq!(
        w.err(Command::Leave {
            room: ROOM.into(),
            user: "alice".into()
        })
        .code(),
        ErrorCode::NotInRoom
    );
}

#[test]
fn after_the_broadcast_ends_waiting_items_are_refunded_but_not_the_one_in_progress() {
    let mut w = World::new();
    let a = w.buy("alice", "k1", 10);
    w.buy("bob", "k2", 10);
    w.buy("carol", "k3", 10);
    w.start();
    w.ok(Command::BroadcastEnd { room: ROOM.into() });
    let err = w.err(PayloadBuilder::new(PERFORMER, "bob", "late", 1).queued(ROOM));
    assert_eq!(err.code(), ErrorCode::NotLive);
    w.advance_ms(299_999);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    w.advance_ms(1);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 2 });
    assert_eq!(w.queue(), [a.0]);
    w.finish();
    assert_eq!(w.earned(), 10);
    assert_eq!(w.wallet("bob"), 1_000);
}

#[test]
fn a_broadcast_that_resumes_within_the_grace_period_keeps_its_queue() {
    let mut w = World::new();
    w.buy("alice", "k1", 10);
    w.ok(Command::BroadcastEnd { room: ROOM.into() });
    w.advance_ms(100_000);
    w.ok(Command::BroadcastStart { room: ROOM.into() });
    w.advance_ms(500_000);
    assert_eq!(w.ok(Command::Tick).reply, Reply::Ticked { refunded: 0 });
    assert_eq!(w.queue().len(), 1);
}

// ---- messages -------------------------------------------------------------

#[test]
fn receipt_always_and_sit_back_when_more_than_six_are_ahead() {
    let mut w = World::new();
    for n in 1..=7 {
        let outcome =
            w.ok(PayloadBuilder::new(PERFORMER, "alice", &format!("k{n}"), 1).queued(ROOM));
        assert_eq!(
            private_keys(&outcome),
            [("alice".into(), keys::QUEUE_RECEIPT.into())]
        );
    }
    let outcome = w.ok(PayloadBuilder::new(PERFORMER, "bob", "k8", 1).queued(ROOM));
    assert_eq!(
        outcome.reply,
        Reply::Queued {
            item: ItemId(8),
            position: 8
        }
    );
    assert_eq!(
        private_keys(&outcome),
        [
            ("bob".into(), keys::QUEUE_RECEIPT.into()),
            ("bob".into(), keys::QUEUE_SIT_BACK.into())
        ]
    );
    let announced = outcome.events.iter().any(|e| {
        matches!(&e.kind, EventKind::Announcement { key, vars } if &**key == "menu.purchase" && &*vars.user == "bob")
    });
    assert!(
        announced,
        "the public announcement uses the payload's template key"
    );
}

#[test]
fn it_wont_be_long_goes_out_once_when_an_item_reaches_position_three() {
    let mut w = World::new();
    for n in 1..=5 {
        w.buy(["alice", "bob", "carol"][n % 3], &format!("k{n}"), 1);
    }
    // positions: 1..5; item 5 (user carol) and 4 (bob) are behind 3.
    w.start(); // positions unchanged
    let outcome = w.finish(); // item 4 moves from position 4 to 3
    assert_eq!(
        private_keys(&outcome),
        [("bob".into(), keys::QUEUE_SOON.into())]
    );
    w.start();
    let outcome = w.finish();
    assert_eq!(
        private_keys(&outcome),
        [("carol".into(), keys::QUEUE_SOON.into())]
    );
    w.start();
    let outcome = w.finish();
    assert!(private_keys(&outcome).is_empty(), "only once per item");
}

#[test]
fn a_refund_sends_the_refund_message_with_the_amount() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 40);
    let outcome = w.refund(item, Some(25), RefundReason::Goodwill);
    let message = outcome.events.iter().find_map(|e| match &e.kind {
        EventKind::PrivateMessage { key, vars, .. } if &**key == keys::QUEUE_REFUND => {
            Some(vars.clone())
        }
        _ => None,
    });
    let vars = message.expect("a refund message");
    assert_eq!(
        (vars.amount, vars.reason),
        (Some(25), Some(RefundReason::Goodwill))
    );
}

#[test]
fn private_messages_carry_the_tier_priority() {
    let mut w = World::new();
    w.ok(Command::Join {
        room: ROOM.into(),
        user: "alice".into(),
        tier: Tier::Vip,
    });
    let outcome = w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 1).queued(ROOM));
    let tiers: Vec<_> = outcome
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PrivateMessage {
                tier,
                priority,
                delay_ms,
                ..
            } => Some((*tier, *priority, *delay_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(tiers, [(Tier::Vip, 10, 0)]);
}

// ---- idempotency ---------------------------------------------------------

#[test]
fn the_same_key_and_payload_return_the_original_outcome() {
    let mut w = World::new();
    let first = w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 100).queued(ROOM));
    w.buy("bob", "k2", 10);
    let retry = w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 100).queued(ROOM));
    assert!(retry.replayed);
    assert_eq!(retry.reply, first.reply);
    assert!(retry.events.is_empty() && retry.transfers.is_empty());
    assert_eq!(w.wallet("alice"), 900, "one hold");
}

#[test]
fn the_same_key_with_another_payload_is_a_conflict() {
    let mut w = World::new();
    w.buy("alice", "k1", 100);
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 101).queued(ROOM));
    assert_eq!(err, DomainError::IdempotencyConflict { key: "k1".into() });
    assert_eq!(err.field(), Some("idempotencyKey"));
    // Keys are one namespace: another command kind under it conflicts too.
    let err = w.err(Request::keyed(
        "k1",
        Command::Mint {
            user: "alice".into(),
            amount: 5,
        },
    ));
    assert_eq!(err.code(), ErrorCode::IdempotencyConflict);
}

#[test]
fn keyed_commands_are_idempotent_too() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    let cmd = || {
        Request::keyed(
            "refund-1",
            refund(item, Some(10), RefundReason::Goodwill, None),
        )
    };
    let first = w.ok(cmd());
    let again = w.ok(cmd());
    assert!(again.replayed);
    assert_eq!(first.reply, again.reply);
    assert_eq!(w.wallet("alice"), 910);
    let start_cmd = || Request::keyed("s-1", start(None));
    let mut w = World::new();
    w.buy("alice", "k1", 1);
    w.ok(start_cmd());
    assert!(w.ok(start_cmd()).replayed, "a double key press starts once");
}

#[test]
fn a_header_key_that_differs_from_the_payload_key_is_refused() {
    let mut w = World::new();
    let cmd = PayloadBuilder::new(PERFORMER, "alice", "k1", 1).queued(ROOM);
    let err = w.err(Request::keyed("other", cmd));
    assert_eq!(err.field(), Some("idempotencyKey"));
}

#[test]
fn keys_are_kept_for_a_day_then_forgotten() {
    let mut w = World::new();
    w.buy("alice", "k1", 1);
    w.advance_ms(24 * 3600 * 1000 - 1);
    w.ok(Command::Tick);
    assert!(w.engine.remembers(&"k1".into()));
    w.advance_ms(1);
    w.ok(Command::Tick);
    assert!(!w.engine.remembers(&"k1".into()));
}

#[test]
fn a_source_event_enters_the_queue_once_whatever_the_key() {
    let mut w = World::new();
    w.ok(PayloadBuilder::new(PERFORMER, "alice", "k1", 1)
        .source_event("spin-9")
        .queued(ROOM));
    let err = w.err(
        PayloadBuilder::new(PERFORMER, "alice", "k2", 1)
            .source_event("spin-9")
            .queued(ROOM),
    );
    assert_eq!(err.code(), ErrorCode::DuplicateSourceEvent);
    assert_eq!(err.field(), Some("sourceEventId"));

    // Once closed, the item still holds its source event.
    w.start();
    w.finish();
    let again = PayloadBuilder::new(PERFORMER, "alice", "k3", 1).source_event("spin-9");
    assert_eq!(
        w.err(again.queued(ROOM)).code(),
        ErrorCode::DuplicateSourceEvent
    );
    // An instant item takes its source event too.
    w.ok(PayloadBuilder::new(PERFORMER, "alice", "k4", 1)
        .source_event("tip-1")
        .instant(ROOM));
    let again = PayloadBuilder::new(PERFORMER, "alice", "k5", 1).source_event("tip-1");
    assert_eq!(
        w.err(again.queued(ROOM)).code(),
        ErrorCode::DuplicateSourceEvent
    );
    // The same id from another source is another event.
    w.ok(PayloadBuilder::new(PERFORMER, "alice", "k6", 1)
        .source(Source::SlotMachine)
        .source_event("spin-9")
        .queued(ROOM));
    w.engine.check_invariants().unwrap();
}

// ---- rooms, audit, events ------------------------------------------------

#[test]
fn intake_checks_the_room_its_performer_and_that_it_is_live() {
    let mut w = World::new();
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 1).queued("nowhere"));
    assert_eq!(err.code(), ErrorCode::UnknownRoom);
    let err = w.err(PayloadBuilder::new("someone-else", "alice", "k1", 1).queued(ROOM));
    assert_eq!(err.field(), Some("performerId"));
    w.ok(Command::CreateRoom {
        room: "r2".into(),
        performer: "p2".into(),
    });
    let err = w.err(PayloadBuilder::new("p2", "alice", "k1", 1).queued("r2"));
    assert_eq!(err.code(), ErrorCode::NotLive);
    let err = w.err(Command::CreateRoom {
        room: "r2".into(),
        performer: "p2".into(),
    });
    assert_eq!(err.code(), ErrorCode::RoomExists);
    assert_eq!(w.err(start(None)).code(), ErrorCode::QueueEmpty);
}

#[test]
fn the_audit_record_stamps_every_transition() {
    let mut w = World::new();
    let item = w.buy("alice", "k1", 100);
    w.advance_ms(5_000);
    w.start();
    w.advance_ms(90_000);
    w.refund(item, Some(40), RefundReason::Moderation);
    let record = w.record(item);
    let stamps: Vec<_> = record
        .audit
        .iter()
        .map(|a| a.at.0 - record.view.stamp.0)
        .collect();
    assert_eq!(stamps, [0, 5_000_000, 95_000_000]);
    assert!(matches!(
        record.audit[0].transition,
        Transition::Queued { position: 1 }
    ));
    assert!(matches!(record.audit[1].transition, Transition::Started));
    assert!(matches!(
        record.audit[2].transition,
        Transition::Refunded {
            amount: 40,
            settled: 60,
            reason: RefundReason::Moderation,
            ..
        }
    ));
    assert_eq!(record.view.source, Source::ChipMenu);
    assert_eq!(record.view.source_event_id.as_ref(), "evt-k1");
    assert_eq!(record.view.token_cost, 100);
}

#[test]
fn events_are_numbered_per_room_without_gaps() {
    let mut w = World::new();
    w.ok(Command::CreateRoom {
        room: "r2".into(),
        performer: "p2".into(),
    });
    w.ok(Command::BroadcastStart { room: "r2".into() });
    let mut seen: std::collections::HashMap<String, u64> = Default::default();
    let mut check = |outcome: &Outcome| {
        for event in &outcome.events {
            let last = seen.entry(event.room.to_string()).or_insert(0);
            if *last > 0 {
                assert_eq!(event.seq, *last + 1, "gap in {}", event.room);
            }
            *last = event.seq;
        }
    };
    for n in 0..10 {
        let room = if n % 2 == 0 { ROOM } else { "r2" };
        let performer = if n % 2 == 0 { PERFORMER } else { "p2" };
        let o = w.ok(PayloadBuilder::new(performer, "alice", &format!("k{n}"), 1).queued(room));
        check(&o);
    }
    let o = w.start();
    check(&o);
    assert_eq!(
        w.engine.room_view(&ROOM.into()).unwrap().last_seq,
        *seen.get(ROOM).unwrap()
    );
}

#[test]
fn toy_effects_travel_with_the_item_and_disabled_ones_are_dropped() {
    let mut w = World::new();
    let mut payload = PayloadBuilder::new(PERFORMER, "alice", "k1", 10)
        .toy(Timing::Start, 5, None, Pattern::Constant)
        .toy(Timing::End, 20, Some(2_000), Pattern::Pulse)
        .build();
    payload.effects.as_mut().unwrap().toy[0].enabled = false;
    w.ok(Command::Intake {
        room: ROOM.into(),
        mode: IntakeMode::Queued,
        payload: Box::new(payload),
        loyalty_points: 0,
    });
    let started = w.start();
    let EventKind::ItemStarted { effects, .. } = &started.events[0].kind else {
        panic!("first event is the start")
    };
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0].timing, Timing::End);
}

#[test]
fn free_items_only_from_the_platform_and_they_cancel_with_zero() {
    let mut w = World::new();
    let err = w.err(PayloadBuilder::new(PERFORMER, "alice", "k1", 0).queued(ROOM));
    assert_eq!(err.field(), Some("tokenCost"));
    let item = w
        .ok(PayloadBuilder::new(PERFORMER, "alice", "k2", 0)
            .source(Source::Admin)
            .queued(ROOM))
        .reply
        .item()
        .unwrap();
    let outcome = w.refund(item, None, RefundReason::Goodwill);
    assert_eq!(
        outcome.reply,
        Reply::Refunded {
            item,
            amount: 0,
            settled: 0
        }
    );
    assert!(outcome.transfers.is_empty());
}

#[test]
fn minting_needs_a_positive_amount_and_cannot_overflow() {
    let mut w = World::new();
    assert_eq!(
        w.err(Command::Mint {
            user: "alice".into(),
            amount: 0
        })
        .field(),
        Some("amount")
    );
    assert_eq!(
        w.err(Command::Mint {
            user: "alice".into(),
            amount: u64::MAX
        })
        .code(),
        ErrorCode::Overflow
    );
    assert_eq!(
        w.err(Command::Mint {
            user: "bad user".into(),
            amount: 1
        })
        .field(),
        Some("user")
    );
}
