//! The private messages: receipts, position notices, refunds, tiers.

use super::*;

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
