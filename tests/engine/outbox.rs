//! The delivery service's rules with the clock passed in: tier times,
//! priority order, retries, retention, bans, inbox numbers.

use cuedeck::domain::outbox::reply::{LimitHit, ReplyLimits, ReplyRates};
use cuedeck::domain::outbox::{
    DeliveryPolicy, FailReason, Letter, MessageId, NewLetter, Outbox, Status,
};
use cuedeck::domain::{RoomId, Stamp, Tier, UserId};

const T0: Stamp = Stamp::from_secs(1_800_000_000);

fn at(ms: u64) -> Stamp {
    T0.plus_millis(ms)
}

fn new(id: u64, viewer: &str, tier: Tier) -> NewLetter {
    NewLetter {
        id: MessageId(id),
        viewer: UserId::new(viewer),
        room: RoomId::new("r1"),
        tier,
        created_at: T0,
    }
}

fn ids(letters: &[Letter]) -> Vec<u64> {
    letters.iter().map(|l| l.id.0).collect()
}

fn online(outbox: &mut Outbox, viewers: &[&str]) {
    for v in viewers {
        outbox.connect(&UserId::new(*v), None, T0);
    }
}

const TIERS: [(&str, Tier); 4] = [
    ("f", Tier::Free),
    ("b", Tier::Basic),
    ("p", Tier::Premium),
    ("v", Tier::Vip),
];

#[test]
fn a_burst_to_every_tier_comes_out_at_each_tiers_time() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    online(&mut outbox, &["f", "b", "p", "v"]);
    // The lowest tier first, so that ids alone would give the wrong order.
    let mut id = 0;
    for _ in 0..3 {
        for (viewer, tier) in TIERS {
            id += 1;
            assert_eq!(outbox.admit(new(id, viewer, tier)).status, Status::Pending);
        }
    }
    let expect = |letters: &[Letter], viewer: &str, priority: u8| {
        assert_eq!(letters.len(), 3, "{letters:?}");
        for l in letters {
            assert_eq!((l.viewer.as_str(), l.status), (viewer, Status::Sent));
            assert_eq!(l.priority, priority);
        }
    };
    expect(&outbox.due(at(0)), "v", 10);
    assert_eq!(outbox.next_wake(), Some(at(1_000)));
    assert!(outbox.due(at(999)).is_empty());
    expect(&outbox.due(at(1_000)), "p", 8);
    assert!(outbox.due(at(4_999)).is_empty());
    expect(&outbox.due(at(5_000)), "b", 5);
    assert!(outbox.due(at(29_999)).is_empty());
    let free = outbox.due(at(30_000));
    expect(&free, "f", 3);
    assert_eq!(
        free.iter().map(|l| l.seq).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    assert_eq!(outbox.next_wake(), None);
}

#[test]
fn a_late_tick_sends_what_is_due_in_priority_order() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    online(&mut outbox, &["f", "b", "p", "v"]);
    for (no, (viewer, tier)) in TIERS.into_iter().enumerate() {
        outbox.admit(new(no as u64 + 1, viewer, tier));
    }
    let sent = outbox.due(at(31_000));
    assert_eq!(ids(&sent), [4, 3, 2, 1]);
    assert!(sent.iter().all(|l| l.sent_at == Some(at(31_000))));
}

#[test]
fn delays_and_priorities_are_configuration() {
    let mut policy = DeliveryPolicy::default();
    policy.free.delay_ms = 200;
    policy.free.priority = 9;
    policy.premium.delay_ms = 200;
    let mut outbox = Outbox::new(policy);
    online(&mut outbox, &["f", "p"]);
    outbox.admit(new(1, "p", Tier::Premium));
    outbox.admit(new(2, "f", Tier::Free));
    let sent = outbox.due(at(200));
    assert_eq!(ids(&sent), [2, 1], "free has the higher priority here");
}

#[test]
fn an_absent_viewer_is_retried_with_backoff_then_served_when_they_connect() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    outbox.admit(new(1, "p", Tier::Premium));
    let first = outbox.due(at(1_000));
    assert_eq!(first[0].status, Status::Pending);
    assert_eq!(first[0].attempts, 1);
    assert_eq!(first[0].last_error, Some("no_stream"));
    assert_eq!(first[0].next_at, at(2_000));
    let second = outbox.due(at(2_000));
    assert_eq!((second[0].attempts, second[0].next_at), (2, at(4_000)));
    let third = outbox.due(at(4_000));
    assert_eq!((third[0].attempts, third[0].next_at), (3, at(8_000)));
    // Connecting brings the retry forward to now.
    outbox.connect(&UserId::new("p"), None, at(5_000));
    let sent = outbox.due(at(5_000));
    assert_eq!((sent[0].status, sent[0].seq), (Status::Sent, Some(1)));
    let delivered = outbox.written(MessageId(1), at(5_001)).unwrap();
    assert_eq!(delivered.status, Status::Delivered);
    assert_eq!(delivered.delivered_at, Some(at(5_001)));
    assert!(outbox.is_empty());
}

#[test]
fn backoff_is_capped() {
    let policy = DeliveryPolicy::default();
    assert_eq!(policy.backoff_ms(1), 1_000);
    assert_eq!(policy.backoff_ms(4), 8_000);
    assert_eq!(policy.backoff_ms(40), 60_000);
}

#[test]
fn a_viewer_who_never_connects_fails_at_retention() {
    let policy = DeliveryPolicy {
        retention_ms: 10_000,
        ..DeliveryPolicy::default()
    };
    let mut outbox = Outbox::new(policy);
    outbox.admit(new(1, "b", Tier::Basic));
    let mut now = 5_000;
    let mut last = None;
    while let Some(wake) = outbox.next_wake() {
        let changed = outbox.due(wake);
        now = (wake.0 - T0.0) / 1000;
        last = changed.into_iter().last();
    }
    let failed = last.unwrap();
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(failed.reason, Some(FailReason::RetentionExpired));
    assert_eq!(now, 10_000, "it fails at the deadline, not a retry later");
    assert_eq!(failed.failed_at, Some(at(10_000)));
    assert!(outbox.is_empty());
}

#[test]
fn a_stream_closed_before_the_write_retries_and_a_resume_delivers() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    online(&mut outbox, &["v"]);
    outbox.admit(new(1, "v", Tier::Vip));
    assert_eq!(outbox.due(T0)[0].status, Status::Sent);
    let retried = outbox.disconnect(&UserId::new("v"), at(10));
    assert_eq!(retried[0].status, Status::Pending);
    assert_eq!(retried[0].last_error, Some("stream_closed"));
    assert_eq!(retried[0].seq, Some(1), "it keeps its inbox number");
    outbox.connect(&UserId::new("v"), None, at(20));
    let again = outbox.due(at(20));
    assert_eq!((again[0].status, again[0].seq), (Status::Sent, Some(1)));
    // A resume that saw it: delivered, not sent again.
    outbox.disconnect(&UserId::new("v"), at(30));
    outbox.connect(&UserId::new("v"), None, at(40));
    outbox.due(at(40));
    let changed = outbox.connect(&UserId::new("v"), Some(1), at(50));
    assert_eq!(changed[0].status, Status::Delivered);
    assert!(outbox.is_empty());
}

#[test]
fn nothing_reaches_a_banned_viewer_in_that_room_after_the_ban() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    online(&mut outbox, &["f"]);
    outbox.admit(new(1, "f", Tier::Free));
    let elsewhere = NewLetter {
        room: RoomId::new("r2"),
        ..new(2, "f", Tier::Free)
    };
    outbox.admit(elsewhere);
    let failed = outbox.ban(&UserId::new("f"), &RoomId::new("r1"), at(100), None);
    assert_eq!(ids(&failed), [1]);
    assert_eq!(failed[0].reason, Some(FailReason::Banned));
    let later = NewLetter {
        created_at: at(200),
        ..new(3, "f", Tier::Free)
    };
    assert_eq!(outbox.admit(later).reason, Some(FailReason::Banned));
    assert_eq!(
        ids(&outbox.due(at(60_000))),
        [2],
        "the other room's message goes"
    );
    outbox.unban(&UserId::new("f"), &RoomId::new("r1"));
    let after = NewLetter {
        created_at: at(300),
        ..new(4, "f", Tier::Free)
    };
    assert_eq!(outbox.admit(after).status, Status::Pending);
}

#[test]
fn an_expiring_ban_covers_only_its_span() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    outbox.ban(
        &UserId::new("f"),
        &RoomId::new("r1"),
        at(0),
        Some(at(1_000)),
    );
    let during = NewLetter {
        created_at: at(500),
        ..new(1, "f", Tier::Free)
    };
    assert_eq!(outbox.admit(during).status, Status::Failed);
    let after = NewLetter {
        created_at: at(1_000),
        ..new(2, "f", Tier::Free)
    };
    assert_eq!(outbox.admit(after).status, Status::Pending);
}

#[test]
fn a_pull_delivers_only_what_is_due_and_numbers_per_viewer() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    outbox.note_last_seq(&UserId::new("b"), 7);
    outbox.admit(new(1, "b", Tier::Basic));
    outbox.admit(new(2, "p", Tier::Premium));
    assert!(outbox.fetch(&UserId::new("b"), at(4_999)).is_empty());
    let got = outbox.fetch(&UserId::new("b"), at(5_000));
    assert_eq!((got[0].status, got[0].seq), (Status::Delivered, Some(8)));
    let other = outbox.fetch(&UserId::new("p"), at(5_000));
    assert_eq!(other[0].seq, Some(1));
}

#[test]
fn only_the_viewer_may_mark_their_sent_message_read() {
    let mut outbox = Outbox::new(DeliveryPolicy::default());
    online(&mut outbox, &["v"]);
    outbox.admit(new(1, "v", Tier::Vip));
    outbox.due(T0);
    assert!(
        outbox
            .read(&UserId::new("x"), MessageId(1), at(1))
            .is_none()
    );
    let read = outbox.read(&UserId::new("v"), MessageId(1), at(2)).unwrap();
    assert_eq!((read.status, read.read_at), (Status::Read, Some(at(2))));
}

#[test]
fn a_restart_restores_pending_and_sent_letters_and_inbox_numbers() {
    let mut before = Outbox::new(DeliveryPolicy::default());
    online(&mut before, &["v"]);
    before.admit(new(1, "v", Tier::Vip));
    before.admit(new(2, "v", Tier::Free));
    let sent = before.due(T0);
    let pending = before.get(MessageId(2)).unwrap().clone();
    let mut after = Outbox::new(DeliveryPolicy::default());
    let back = after
        .restore(sent[0].clone())
        .expect("a sent letter changes");
    assert_eq!((back.status, back.seq), (Status::Pending, Some(1)));
    assert_eq!(after.restore(pending), None);
    after.connect(&UserId::new("v"), Some(1), at(10));
    assert!(after.get(MessageId(1)).is_none(), "seen before: delivered");
    let free = after.due(at(30_000));
    assert_eq!(free[0].seq, Some(2));
}

#[test]
fn a_letter_sent_before_a_restart_and_never_written_fails_at_retention() {
    let policy = DeliveryPolicy {
        retention_ms: 10_000,
        ..DeliveryPolicy::default()
    };
    let mut before = Outbox::new(policy.clone());
    online(&mut before, &["v"]);
    before.admit(new(1, "v", Tier::Vip));
    let sent = before.due(T0);
    let mut after = Outbox::new(policy);
    after.restore(sent[0].clone());
    let mut last = None;
    while let Some(wake) = after.next_wake() {
        last = after.due(wake).into_iter().last();
    }
    let failed = last.unwrap();
    assert_eq!(failed.reason, Some(FailReason::RetentionExpired));
    assert_eq!(failed.seq, Some(1));
}

#[test]
fn reply_limits_refuse_by_name_and_slide() {
    let limits = ReplyLimits {
        per_performer: 3,
        per_viewer: 2,
        window_ms: 1_000,
        ..ReplyLimits::default()
    };
    let mut rates = ReplyRates::new(limits);
    assert!(rates.take("p1", Some("a"), at(0)).is_ok());
    assert!(rates.take("p1", Some("a"), at(1)).is_ok());
    assert_eq!(rates.take("p1", Some("a"), at(2)), Err(LimitHit::Viewer));
    assert!(rates.take("p1", None, at(3)).is_ok());
    assert_eq!(rates.take("p1", Some("b"), at(4)), Err(LimitHit::Performer));
    assert!(
        rates.take("p1", Some("b"), at(1_000)).is_ok(),
        "the window slid"
    );
}
